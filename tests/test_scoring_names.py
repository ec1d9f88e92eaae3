"""Name matching (alias-aware, near spellings) and one-to-one assignment."""

from __future__ import annotations

import pytest

from eventbrief.models import Entity
from eventbrief.scoring.matching import assign
from eventbrief.scoring.metrics import Counts
from eventbrief.scoring.names import NameMatcher, entity_similarity, near_spelling


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("kim jong un", "kim jong un", True),
        ("sergei shoigu", "sergey shoygu", True),
        ("vladimir putin", "vladimir poutine", True),
        ("kim jong un", "kim jong il", False),
        ("north korea", "south korea", False),
        ("iran", "iraq", False),
        ("kim yo jong", "kim jong un", False),
    ],
)
def test_near_spelling(a: str, b: str, same: bool) -> None:
    assert near_spelling(a, b) is same


def test_gold_aliases_widen_a_match_but_prediction_aliases_do_not() -> None:
    names = NameMatcher(
        [
            Entity(name="North Korea", type="country", aliases=["DPRK", "Pyongyang"]),
            Entity(name="Kim Jong-un", type="person", aliases=["Kim"]),
        ]
    )
    assert names.same("DPRK", "North Korea")
    assert names.same("north korea", "DPRK")
    assert names.same("Kim Jong Un", "Kim")
    assert not names.same("Russia", "North Korea")
    assert names.set_counts(["DPRK", "Kim Jong Un", "Russia"], ["North Korea", "Kim Jong-un"]) == (
        2,
        3,
        2,
    )
    # duplicates fold: two spellings of one name are one predicted name
    assert names.set_counts(["Kim Jong-un", "Kim Jong Un"], ["Kim Jong-un"]) == (1, 1, 1)


def test_entity_similarity_prefers_the_canonical_name() -> None:
    state = Entity(name="North Korea", type="country", aliases=["Pyongyang"])
    city = Entity(name="Pyongyang", type="location")
    pred_city = Entity(name="Pyongyang", type="location")
    pred_state = Entity(name="North Korea", type="country")
    assert entity_similarity(pred_city, city) == 1.0
    assert entity_similarity(pred_city, state) == 0.9
    pairs = assign([pred_city, pred_state], [state, city], entity_similarity, threshold=0.9)
    assert sorted((p.pred, p.gold) for p in pairs) == [(0, 1), (1, 0)]


def test_assign_is_optimal_not_greedy_and_drops_pairs_below_threshold() -> None:
    sim = {("p1", "g1"): 0.9, ("p1", "g2"): 0.8, ("p2", "g1"): 0.85, ("p2", "g2"): 0.1}
    pairs = assign(["p1", "p2"], ["g1", "g2"], lambda p, g: sim[(p, g)], threshold=0.5)
    # greedy would take p1-g1 (0.9) and leave p2 unmatched; the optimum pairs both
    assert sorted((p.pred, p.gold) for p in pairs) == [(0, 1), (1, 0)]
    weak = assign(["p2"], ["g2"], lambda p, g: sim[(p, g)], threshold=0.5)
    assert weak == []


@pytest.mark.parametrize(
    ("counts", "prf"),
    [
        (Counts(0, 0, 0), (1.0, 1.0, 1.0)),
        (Counts(0, 0, 3), (0.0, 0.0, 0.0)),
        (Counts(0, 2, 0), (0.0, 0.0, 0.0)),
        (Counts(2, 4, 2), (0.5, 1.0, 2 / 3)),
    ],
)
def test_counts_conventions(counts: Counts, prf: tuple[float, float, float]) -> None:
    assert (counts.precision, counts.recall) == prf[:2]
    assert counts.f1 == pytest.approx(prf[2])
