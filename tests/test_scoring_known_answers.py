"""The scorer against cases whose true score is known exactly."""

from __future__ import annotations

import random
from typing import Any

import pytest

from eventbrief.models import ArticleSummary, Entity, TimeValue
from eventbrief.scoring import Prediction, RunInfo, score_article
from eventbrief.scoring.report import EvalReport, build_report
from eventbrief.scoring.similarity import FIELDS
from scoring_records import GOLDS, TEXTS, as_prediction, gold_a, gold_b

RUN = RunInfo(dataset="synthetic", backend="test")


def report_for(pairs: dict[str, tuple[ArticleSummary, ArticleSummary | None]]) -> EvalReport:
    scores = [
        score_article(gold, Prediction(pred, None if pred else "invalid"), TEXTS[aid])
        for aid, (gold, pred) in pairs.items()
    ]
    return build_report(scores, RUN)


def numbers(report: EvalReport) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    data.pop("run")
    return data


@pytest.mark.parametrize("article_id", ["a", "b"])
def test_gold_against_itself_scores_one_everywhere(article_id: str) -> None:
    gold = GOLDS[article_id]()
    report = report_for({article_id: (gold, as_prediction(gold))})
    for scores in (report.overall, report.per_article[article_id]):
        for part in (scores.events, scores.entities, scores.takeaways):
            assert (part.precision, part.recall, part.f1) == (1.0, 1.0, 1.0)
        assert scores.fields.model_dump() == dict.fromkeys(FIELDS, 1.0)
        assert scores.takeaways.mean_similarity == 1.0
        assert scores.summary_rouge_l == 1.0
        assert scores.grounding_rate == 1.0
    assert set(report.metrics().values()) == {1.0}


@pytest.mark.parametrize("removed", range(5))
def test_gold_minus_one_event_gives_recall_n_minus_one_over_n(removed: int) -> None:
    gold = gold_a()
    n = len(gold.events)
    events = [e for i, e in enumerate(gold.events) if i != removed]
    report = report_for({"a": (gold, as_prediction(gold, events=[e.model_dump() for e in events]))})
    art = report.per_article["a"]
    assert art.events.recall == (n - 1) / n
    assert art.events.precision == 1.0
    assert art.events.f1 == pytest.approx(2 * (n - 1) / (2 * n - 1))
    assert art.unmatched_gold == [gold.events[removed].id]
    assert art.fields.model_dump() == dict.fromkeys(FIELDS, 1.0)


def test_one_changed_type_lowers_type_accuracy_by_one_over_m() -> None:
    gold = gold_a()
    m = len(gold.events)
    events = [e.model_dump() for e in gold.events]
    events[2]["type"] = "statement"
    report = report_for({"a": (gold, as_prediction(gold, events=events))})
    art = report.per_article["a"]
    assert art.events.matched == m
    assert art.fields.type == 1.0 - 1 / m
    others = {k: v for k, v in art.fields.model_dump().items() if k != "type"}
    assert others == dict.fromkeys(others, 1.0)


def test_reordering_events_entities_and_takeaways_changes_nothing() -> None:
    gold, shuffled = gold_a(), random.Random(7)
    events = [e.model_dump() for e in gold.events]
    entities = [e.model_dump() for e in gold.entities]
    takeaways = [t.model_dump() for t in gold.key_takeaways]
    for items in (events, entities, takeaways):
        shuffled.shuffle(items)
    changed = events[0]
    changed["date"] = {"text": "in May", "value": "2024-05", "approximate": True}
    in_order = [e.model_dump() for e in gold.events]
    in_order[[e["id"] for e in in_order].index(changed["id"])]["date"] = changed["date"]
    straight = report_for({"a": (gold, as_prediction(gold, events=in_order))})
    mixed = report_for(
        {
            "a": (
                gold,
                as_prediction(gold, events=events, entities=entities, key_takeaways=takeaways),
            )
        }
    )
    assert numbers(straight)["overall"] == numbers(mixed)["overall"]
    assert straight.overall.fields.date == 1.0 - 1 / len(gold.events)


def test_kim_jong_un_spellings_are_the_same_participant() -> None:
    gold = gold_a()
    gold_events = [e.model_dump() for e in gold.events]
    gold_events[1]["participants"] = ["Kim Jong-un", "Tomas Reyvik"]
    entities = [e.model_dump() for e in gold.entities]
    entities.append(Entity(name="Kim Jong-un", type="person").model_dump())
    gold = ArticleSummary.model_validate(
        {**gold.model_dump(), "events": gold_events, "entities": entities}
    )
    pred_events = [dict(e) for e in gold_events]
    pred_events[1] = {**pred_events[1], "participants": ["Kim Jong Un", "Tomas Reyvik"]}
    pred_entities = [dict(e) for e in entities]
    pred_entities[-1] = Entity(name="Kim Jong Un", type="person").model_dump()
    pred = as_prediction(gold, events=pred_events, entities=pred_entities)
    art = report_for({"a": (gold, pred)}).per_article["a"]
    assert art.fields.participants == 1.0
    assert art.entities.f1 == 1.0


def test_near_spelling_and_gold_alias_count_as_the_same_name() -> None:
    gold = gold_a()
    events = [e.model_dump() for e in gold.events]
    for event in events:  # a misspelling of Ilse Marrok, and Reyvik (a gold alias) for Tomas Reyvik
        event["participants"] = [
            {"Ilse Marrok": "Ilse Marock", "Tomas Reyvik": "Reyvik"}.get(p, p)
            for p in event["participants"]
        ]
    entities = [e.model_dump() for e in gold.entities]
    entities[0]["name"] = "Ilse Marock"
    entities[1] = {**entities[1], "name": "Reyvik", "aliases": []}
    art = report_for({"a": (gold, as_prediction(gold, events=events, entities=entities))})
    assert art.per_article["a"].fields.participants == 1.0
    assert art.per_article["a"].entities.f1 == 1.0


def test_a_different_person_is_not_a_near_spelling() -> None:
    gold = gold_a()
    events = [e.model_dump() for e in gold.events]
    events[1]["participants"] = ["Ilse Marrok", "Tomas Reyvin Jr"]
    entities = [
        *(e.model_dump() for e in gold.entities),
        {"name": "Tomas Reyvin Jr", "type": "person"},
    ]
    art = report_for({"a": (gold, as_prediction(gold, events=events, entities=entities))})
    pair = next(p for p in art.per_article["a"].matches if p.gold == "e2")
    assert pair.fields["participants"] == 0.5  # one of two names right: F1 1/2


def test_month_level_date_against_day_level_gold() -> None:
    gold = gold_a()
    events = [e.model_dump() for e in gold.events]
    events[1]["date"] = TimeValue(text="in May", value="2024-05").model_dump()
    art = report_for({"a": (gold, as_prediction(gold, events=events))}).per_article["a"]
    m = len(gold.events)
    pair = next(p for p in art.matches if p.gold == "e2")
    assert (pair.fields["date"], pair.fields["date_month"]) == (0.0, 1.0)
    assert art.fields.date == 1.0 - 1 / m
    assert art.fields.date_month == 1.0


def test_quantities_within_tolerance_and_location_alias() -> None:
    gold = gold_a()
    events = [e.model_dump() for e in gold.events]
    events[2]["quantities"][0]["value"] = 4520  # within 1% of 4,500
    events[3]["quantities"][0]["value"] = 3  # 3 ships is not 2
    events[1]["location"] = "PORT KESWIN"
    events[4]["status"] = "alleged"
    events[4]["attributed_to"] = ["Coastal Wire"]
    art = report_for({"a": (gold, as_prediction(gold, events=events))}).per_article["a"]
    pairs = {p.gold: p.fields for p in art.matches}
    assert pairs["e3"]["quantities"] == 1.0
    assert pairs["e4"]["quantities"] == 0.0
    assert pairs["e2"]["location"] == 1.0
    assert art.fields.status == 1.0 - 1 / 5
    assert art.fields.attributed_to == 1.0 - 1 / 5


def test_an_unrelated_prediction_matches_nothing() -> None:
    gold = gold_a()
    events = [e.model_dump() for e in gold.events]
    wrong = {
        **events[4],
        "type": "sanctions",
        "participants": ["Valdoria"],
        "date": None,
        "evidence": [{"quote": "A report"}],
    }
    pred = as_prediction(gold, events=[*events[:4], wrong])
    art = report_for({"a": (gold, pred)}).per_article["a"]
    assert art.unmatched_gold == ["e5"] and art.unmatched_pred == ["e5"]
    assert (art.events.precision, art.events.recall) == (0.8, 0.8)


def test_quotes_without_offsets_are_located_in_the_text() -> None:
    gold = gold_a()
    events = [e.model_dump() for e in gold.events]
    for event in events:
        event["evidence"] = [{"quote": e["quote"].upper().lower()} for e in event["evidence"]]
        event["type"] = "other"
    art = report_for({"a": (gold, as_prediction(gold, events=events))}).per_article["a"]
    # type is wrong everywhere, so matching rests on evidence located by grounding
    assert art.events.f1 == 1.0
    assert art.fields.type == 0.0
    assert art.grounding_rate == pytest.approx(3 / (3 + 5))


def test_takeaways_one_to_one_by_rouge_l() -> None:
    gold = gold_a()
    takeaways = [t.model_dump() for t in gold.key_takeaways]
    takeaways[0]["text"] = "Marrok travelled to Port Keswin for talks with Reyvik."
    takeaways[2]["text"] = "Fishing stocks are falling across the region."
    art = report_for({"a": (gold, as_prediction(gold, key_takeaways=takeaways))}).per_article["a"]
    assert (art.takeaways.matched, art.takeaways.predicted, art.takeaways.gold) == (2, 3, 3)
    assert art.takeaways.recall == 2 / 3
    assert 0.4 < art.takeaways.mean_similarity < 1.0


def test_entities_by_canonical_name_and_aliases() -> None:
    gold = gold_a()
    entities = [e.model_dump() for e in gold.entities if e.name != "Coastal Wire"]
    entities[3] = {"name": "Ostravan government", "type": "country", "aliases": []}
    events = [e.model_dump() for e in gold.events]
    for event in events:
        event["participants"] = [
            "Ostravan government" if p == "Ostrava" else p for p in event["participants"]
        ]
    art = report_for({"a": (gold, as_prediction(gold, entities=entities, events=events))})
    a = art.per_article["a"]
    assert (a.entities.matched, a.entities.predicted, a.entities.gold) == (6, 6, 7)
    assert a.entities.precision == 1.0 and a.entities.recall == 6 / 7
    assert a.fields.participants == 1.0


def test_overall_is_micro_over_all_events() -> None:
    a, b = gold_a(), gold_b()
    pred_a = as_prediction(a, events=[e.model_dump() for e in a.events[:4]])
    pred_b = as_prediction(b, events=[e.model_dump() for e in b.events[:1]])
    report = report_for({"a": (a, pred_a), "b": (b, pred_b)})
    assert report.per_article["a"].events.recall == 4 / 5
    assert report.per_article["b"].events.recall == 1 / 3
    assert report.overall.events.recall == (4 + 1) / (5 + 3)  # not the mean 0.5667
    assert report.overall.events.precision == 1.0


def test_an_invalid_prediction_scores_zero_and_the_run_goes_on() -> None:
    a, b = gold_a(), gold_b()
    report = report_for({"a": (a, as_prediction(a)), "b": (b, None)})
    bad = report.per_article["b"]
    assert not bad.valid and bad.error == "invalid"
    assert (bad.events.f1, bad.entities.f1, bad.takeaways.f1, bad.grounding_rate) == (0, 0, 0, 0)
    assert set(bad.fields.model_dump().values()) == {0.0}
    assert report.per_article["a"].events.f1 == 1.0
    assert report.overall.schema_validity == 0.5
    assert report.overall.events.recall == 5 / 8 and report.overall.events.precision == 1.0
    assert report.overall.fields.type == 1.0  # fields are over matched pairs only


def test_events_without_participants_or_shared_evidence_do_not_match_on_type_alone() -> None:
    gold = gold_b()  # e1 is an aid event naming no participant
    other = {
        **gold.events[0].model_dump(),
        "date": None,
        "evidence": [{"quote": "aid officials said"}],
    }
    gold_one = ArticleSummary.model_validate(
        {**gold.model_dump(), "events": [{**gold.events[0].model_dump(), "date": None}]}
    )
    art = report_for({"b": (gold_one, as_prediction(gold_one, events=[other]))}).per_article["b"]
    # same type, no participants on either side, no date on either side, different sentence
    assert art.events.matched == 0
    same = as_prediction(gold_one)
    assert report_for({"b": (gold_one, same)}).per_article["b"].events.matched == 1
