"""Brief scoring: cluster B³/pairwise F1 and gold-conflict recall, on hand-computed cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brief_helpers import scenario
from eventbrief.brief import build_brief
from eventbrief.models import Conflict, ConflictValue
from eventbrief.scoring.brief_score import (
    BriefGold,
    BriefGoldError,
    GoldConflict,
    brief_report,
    cluster_scores,
    conflict_matches,
    dataset_brief_scores,
    event_map_by_evidence,
    load_brief_gold,
    score_brief,
)

GOLD = {
    "clusters": [
        {"id": "c1", "label": "May 3 meeting",
         "mentions": [{"article_id": "b", "event_id": "e1"}, {"article_id": "a", "event_id": "e2"},
                      {"article_id": "c", "event_id": "e2"}]},
        {"id": "c2", "label": "May visit",
         "mentions": [{"article_id": "a", "event_id": "e1"},
                      {"article_id": "c", "event_id": "e1"}]},
        {"id": "c3", "label": "deployment",
         "mentions": [{"article_id": "a", "event_id": "e3"},
                      {"article_id": "b", "event_id": "e2"}]},
    ],
    "conflicts": [
        {"cluster": "c3", "field": "quantity", "description": "troops",
         "values": [{"value": 4000, "articles": ["a"]},
                    {"value": 5000, "articles": ["b"]}]},
        {"cluster": None, "field": "visit_count", "description": "count",
         "values": [{"value": 3, "articles": ["a"]}, {"value": 2, "articles": ["c"]}]},
        {"cluster": "c3", "field": "status", "description": "fact or report",
         "values": [{"value": "occurred", "articles": ["a"]},
                    {"value": "alleged", "articles": ["b"]}]},
        {"cluster": "c2", "field": "location", "description": "not in the data",
         "values": [{"value": "X", "articles": ["a"]},
                    {"value": "Y", "articles": ["c"]}]},
    ],
}  # fmt: skip


def _identity(summaries) -> dict[tuple[str, str], str]:
    return {(s.article.id, e.id): e.id for s in summaries for e in s.events}


def test_cluster_scores_by_hand() -> None:
    gold = {("x", "A"): "1", ("x", "B"): "1", ("x", "C"): "2"}
    predicted = {("x", "A"): 0, ("x", "B"): 1, ("x", "C"): 1}
    scores = cluster_scores(predicted, gold)
    assert scores["cluster_b3_precision"] == pytest.approx(2 / 3)
    assert scores["cluster_b3_recall"] == pytest.approx(2 / 3)
    assert scores["cluster_b3_f1"] == pytest.approx(2 / 3)
    assert scores["cluster_pairwise_precision"] == 0.0
    assert scores["cluster_pairwise_f1"] == 0.0
    merged = cluster_scores({k: 0 for k in gold}, gold)
    assert merged["cluster_b3_recall"] == 1.0
    assert merged["cluster_b3_precision"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3) / 3)
    assert merged["cluster_pairwise_precision"] == pytest.approx(1 / 3)


def test_brief_of_the_story_scores_against_its_gold() -> None:
    summaries = [s for s, _ in scenario().values()]
    texts = {k: t for k, (_, t) in scenario().items()}
    brief = build_brief(summaries, texts=texts)
    scores = score_brief(brief, BriefGold.model_validate(GOLD), _identity(summaries))
    assert scores["cluster_b3_f1"] == 1.0
    assert scores["cluster_pairwise_f1"] == 1.0
    assert scores["conflict_recall"] == pytest.approx(3 / 4)
    assert scores["conflict_precision"] == pytest.approx(3 / 4)
    assert scores["matched_mentions"] == scores["gold_mentions"] == 7


def test_unmapped_mentions_are_left_out_of_the_clustering() -> None:
    summaries = [s for s, _ in scenario().values()]
    brief = build_brief(summaries)
    partial = {k: v for k, v in _identity(summaries).items() if k[0] != "c"}
    scores = score_brief(brief, BriefGold.model_validate(GOLD), partial)
    assert scores["matched_mentions"] == 5
    assert scores["cluster_b3_f1"] == 1.0


def test_conflict_is_recalled_only_with_the_same_field_and_split() -> None:
    gold = GoldConflict.model_validate(GOLD["conflicts"][0])

    def conflict(field: str, *groups: list[str]) -> Conflict:
        values = [ConflictValue(value=i, articles=g) for i, g in enumerate(groups)]
        return Conflict(field=field, description="", values=values)

    assert conflict_matches(conflict("quantity", ["b"], ["a"]), gold)
    assert conflict_matches(conflict("quantity", ["b", "z"], ["a"], ["y"]), gold)
    assert not conflict_matches(conflict("date", ["b"], ["a"]), gold)
    assert not conflict_matches(conflict("quantity", ["a", "b"], ["z"]), gold)
    assert not conflict_matches(conflict("quantity", ["a"], ["z"]), gold)
    count = GoldConflict.model_validate(GOLD["conflicts"][1])
    assert conflict_matches(conflict("visit_count", ["a"], ["c"]), count)


def test_evidence_matcher_maps_renamed_events_back() -> None:
    gold = [s for s, _ in scenario().values()]
    renamed = []
    for s in gold:
        events = [
            e.model_copy(update={"id": f"e{len(s.events) - i}"}) for i, e in enumerate(s.events)
        ]
        renamed.append(s.model_copy(update={"events": events}))
    mapping = event_map_by_evidence(renamed, gold)
    assert mapping[("a", "e3")] == "e1"
    assert mapping[("a", "e1")] == "e3"
    assert len(mapping) == 7


def test_brief_report_reads_the_gold_file(tmp_path: Path) -> None:
    path = tmp_path / "brief.json"
    path.write_text(json.dumps(GOLD), encoding="utf-8")
    summaries = [s for s, _ in scenario().values()]
    report = brief_report(path, summaries, summaries)
    assert report["cluster_b3_f1"] == 1.0
    assert report["gold_conflicts"] == 4
    assert all(isinstance(v, int | float) for v in report.values())


def test_bad_gold_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "brief.json"
    twice = {"clusters": [GOLD["clusters"][0], {**GOLD["clusters"][0], "id": "c9"}]}
    path.write_text(json.dumps(twice), encoding="utf-8")
    with pytest.raises(BriefGoldError, match="more than one cluster"):
        load_brief_gold(path)


def test_dataset_hook_for_the_eval(tmp_path: Path) -> None:
    from types import SimpleNamespace as NS

    path = tmp_path / "brief.json"
    path.write_text(json.dumps(GOLD), encoding="utf-8")
    story = scenario()
    items = [NS(id=k, gold=s, article=NS(text=t)) for k, (s, t) in story.items()]
    predictions = {k: NS(summary=s) for k, (s, _) in story.items()}
    predictions["c"] = NS(summary=None)
    matches = [NS(article_id=k, matches=[NS(gold_id=e.id, pred_id=e.id) for e in s.events])
               for k, (s, _) in story.items() if k != "c"]  # fmt: skip
    scores = dataset_brief_scores(NS(brief_gold=path, items=items), predictions, matches)
    assert scores is not None
    assert scores["matched_mentions"] == 5
    assert scores["cluster_b3_f1"] == 1.0
    assert scores["conflict_recall"] == pytest.approx(2 / 4)
    assert dataset_brief_scores(NS(brief_gold=None, items=items), predictions) is None


def test_eval_reports_brief_scores(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from eventbrief.cli.app import app

    evals = Path(__file__).resolve().parent.parent / "evals"
    if not (evals / "gold" / "brief.json").is_file():
        pytest.skip("evals/gold/brief.json is not here yet")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["eval", "--dataset", str(evals), "--predictions", str(evals / "gold"),
              "--report", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    brief = json.loads(out.read_text(encoding="utf-8"))["overall"]["brief"]
    # gold labels the photo caption of 002 as an event; the brief sets it aside (not news text)
    assert (brief["gold_mentions"], brief["matched_mentions"]) == (44, 43)
    assert brief["cluster_b3_f1"] >= 0.93
    assert brief["conflict_recall"] >= 0.75


def test_nothing_to_match_scores_none_not_one() -> None:
    """0/0 is no score: with no item in both clusterings every cluster rate is None, and a
    side with no conflict has no conflict rate."""
    nothing = cluster_scores({}, {("x", "A"): "1", ("x", "B"): "1"})
    assert nothing == {
        "cluster_b3_precision": None,
        "cluster_b3_recall": None,
        "cluster_b3_f1": None,
        "cluster_pairwise_precision": None,
        "cluster_pairwise_recall": None,
        "cluster_pairwise_f1": None,
    }
    summaries = [s for s, _ in scenario().values()]
    brief = build_brief(summaries)
    unmatched = score_brief(brief, BriefGold.model_validate(GOLD), {})
    assert unmatched["matched_mentions"] == 0
    assert unmatched["cluster_b3_f1"] is None and unmatched["cluster_pairwise_f1"] is None
    no_conflicts = BriefGold.model_validate({**GOLD, "conflicts": []})
    scores = score_brief(brief.model_copy(update={"conflicts": []}), no_conflicts, {})
    assert scores["conflict_recall"] is None and scores["conflict_precision"] is None


def test_pairwise_with_pairs_on_one_side_only() -> None:
    """Singletons on both sides: B³ is perfect, pairwise has nothing to score. Pairs on one
    side only: that side's rate is 0, the other's None, and F1 is 0 (nothing could match)."""
    gold = {("x", "A"): "1", ("x", "B"): "2"}
    apart = cluster_scores({("x", "A"): 0, ("x", "B"): 1}, gold)
    assert (apart["cluster_b3_precision"], apart["cluster_b3_f1"]) == (1.0, 1.0)
    assert apart["cluster_pairwise_precision"] is None
    assert apart["cluster_pairwise_recall"] is None
    assert apart["cluster_pairwise_f1"] is None
    merged = cluster_scores({("x", "A"): 0, ("x", "B"): 0}, gold)
    assert merged["cluster_pairwise_precision"] == 0.0
    assert merged["cluster_pairwise_recall"] is None
    assert merged["cluster_pairwise_f1"] == 0.0
    assert merged["cluster_b3_precision"] == 0.5 and merged["cluster_b3_recall"] == 1.0
    assert merged["cluster_b3_f1"] == pytest.approx(2 / 3)
