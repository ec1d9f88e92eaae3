"""build_brief: coreference, timeline, conflicts, takeaways and entities on a made-up story."""

from __future__ import annotations

import itertools

import pytest

from brief_helpers import PEOPLE, scenario, summary
from eventbrief.brief import build_brief
from eventbrief.models import Brief


@pytest.fixture(scope="module")
def story() -> Brief:
    sc = scenario()
    return build_brief([s for s, _ in sc.values()], texts={k: t for k, (_, t) in sc.items()})


def _event_with(brief: Brief, article_id: str, event_id: str):
    return next(
        e
        for e in brief.events
        if any(m.article_id == article_id and m.event_id == event_id for m in e.mentions)
    )


def test_one_happening_reported_by_three_articles_is_one_event(story: Brief) -> None:
    meeting = _event_with(story, "b", "e1")
    assert sorted((m.article_id, m.event_id) for m in meeting.mentions) == [
        ("a", "e2"),
        ("b", "e1"),
        ("c", "e2"),
    ]
    assert meeting.date is not None and meeting.date.value == "2026-05-03"
    assert {ev.article_id for ev in meeting.evidence} == {"a", "b", "c"}
    assert meeting.participants == ["Anna Berg", "Tomas Vale"]


def test_different_days_of_one_off_events_stay_apart(story: Brief) -> None:
    assert _event_with(story, "a", "e1").id != _event_with(story, "a", "e2").id
    assert len(story.events) == 3


def test_timeline_is_in_date_order_with_undated_last(story: Brief) -> None:
    dates = [e.date.value if e.date else None for e in story.events]
    assert dates == ["2026-05-03", "2026-05-19", None]
    assert [e.id for e in story.events] == ["e1", "e2", "e3"]


def test_troop_numbers_that_differ_are_a_conflict_with_their_articles(story: Brief) -> None:
    deployment = _event_with(story, "a", "e3")
    conflict = next(c for c in story.conflicts if c.field == "quantity")
    assert conflict.event_id == deployment.id
    assert {v.value: v.articles for v in conflict.values} == {5000: ["b"], 4000: ["a"]}


def test_one_day_apart_is_merged_but_reported_as_a_date_conflict(story: Brief) -> None:
    visit = _event_with(story, "a", "e1")
    assert {m.article_id for m in visit.mentions} == {"a", "c"}
    conflict = next(c for c in story.conflicts if c.field == "date")
    assert conflict.event_id == visit.id
    assert {v.value: v.articles for v in conflict.values} == {
        "2026-05-20": ["a"],
        "2026-05-19": ["c"],
    }


def test_contained_dates_do_not_conflict(story: Brief) -> None:
    meeting = _event_with(story, "b", "e1")
    assert not [c for c in story.conflicts if c.event_id == meeting.id]


def test_visit_counts_that_cannot_both_hold_are_a_conflict(story: Brief) -> None:
    conflict = next(c for c in story.conflicts if c.field == "visit_count")
    assert {v.value: v.articles for v in conflict.values} == {3: ["a"], 2: ["c"]}
    assert "third trip" in conflict.values[0].text
    assert "this year" in conflict.values[1].text


def test_fact_against_unconfirmed_is_a_status_conflict(story: Brief) -> None:
    conflict = next(c for c in story.conflicts if c.field == "status")
    assert conflict.event_id == _event_with(story, "a", "e3").id
    assert {v.value: v.articles for v in conflict.values} == {"alleged": ["b"], "occurred": ["a"]}


def test_takeaways_merge_with_support(story: Brief) -> None:
    """Nine takeaways of three articles: two points made by two articles each, the other five
    by one; seven points are kept, two-article points first, then by how early each article
    lists the point."""
    assert [(t.text, t.support) for t in story.key_takeaways] == [
        ("Nordland has deployed soldiers to the Gray Coast.", ["b", "a"]),
        ("Berg met Vale to discuss security.", ["b", "a"]),
        ("Anna Berg is visiting Southland for the third time in two months.", ["a"]),
        ("First point.", ["c"]),
        ("Second point.", ["c"]),
        ("Officials gave a number of soldiers.", ["b"]),
        ("Third point.", ["c"]),
    ]


def test_entities_merge_by_alias() -> None:
    text = "Berg met the Republic's president. Anna Berg flew home."
    one = summary(
        "x",
        "2026-01-02",
        text,
        [
            {
                "type": "meeting",
                "description": "Berg met the president.",
                "participants": ["Berg"],
                "quote": "Berg met the Republic's president.",
            }
        ],
        [{"name": "Berg", "type": "person", "aliases": []}],
    )
    two = summary("y", "2026-01-03", text, [], PEOPLE)
    brief = build_brief([one, two])
    berg = [e for e in brief.entities if "berg" in e.name.casefold()]
    assert len(berg) == 1
    assert berg[0].name == "Anna Berg" or berg[0].aliases == ["Anna Berg"]
    assert brief.events[0].participants == [berg[0].name]


def test_result_does_not_depend_on_input_order() -> None:
    sc = scenario()
    texts = {k: t for k, (_, t) in sc.items()}
    outputs = {
        build_brief([sc[k][0] for k in order], texts=texts).model_dump_json()
        for order in itertools.permutations(sc)
    }
    assert len(outputs) == 1


def test_planned_in_a_later_article_conflicts_with_occurred() -> None:
    text = "Berg met Vale in Eastport on June 1."
    later = "Berg is expected to meet Vale in Eastport on June 1."
    spec = {"type": "meeting", "description": "Berg met Vale in Eastport.",
            "participants": ["Anna Berg", "Tomas Vale"], "location": "Eastport",
            "date": {"text": "June 1", "value": "2026-06-01"}}  # fmt: skip
    done = summary("p", "2026-06-02", text, [{**spec, "quote": text}], PEOPLE)
    pending = summary(
        "q", "2026-06-03", later, [{**spec, "status": "planned", "quote": later}], PEOPLE
    )
    conflict = next(c for c in build_brief([done, pending]).conflicts if c.field == "status")
    assert {v.value: v.articles for v in conflict.values} == {"occurred": ["p"], "planned": ["q"]}
    earlier = summary(
        "r", "2026-05-30", later, [{**spec, "status": "planned", "quote": later}], PEOPLE
    )
    assert not [c for c in build_brief([done, earlier]).conflicts if c.field == "status"]


def test_different_countries_are_a_location_conflict() -> None:
    text = "Berg met Vale on June 1."
    spec = {"type": "meeting", "description": "Berg met Vale.", "quote": text,
            "participants": ["Anna Berg", "Tomas Vale"],
            "date": {"text": "June 1", "value": "2026-06-01"}}  # fmt: skip
    one = summary("p", "2026-06-02", text, [{**spec, "location": "Nordland"}], PEOPLE)
    two = summary("q", "2026-06-02", text, [{**spec, "location": "Southland"}], PEOPLE)
    three = summary("r", "2026-06-02", text, [{**spec, "location": "Eastport"}], PEOPLE)
    brief = build_brief([one, two, three])
    assert len(brief.events) == 1
    conflict = next(c for c in brief.conflicts if c.field == "location")
    assert {v.value: v.articles for v in conflict.values} == {
        "Nordland": ["p"],
        "Southland": ["q"],
        "Eastport": ["r"],
    }


def test_repeated_article_ids_are_refused() -> None:
    one, _ = scenario()["a"]
    with pytest.raises(ValueError, match="repeated: a"):
        build_brief([one, one])


def test_written_days_keep_visits_apart_when_no_year_is_known() -> None:
    text = "Berg arrived in Eastport for talks with Vale."

    def visit(aid: str, when: str):
        spec = {"type": "visit", "description": "Berg arrived in Eastport for talks with Vale.",
                "participants": ["Anna Berg", "Tomas Vale"], "location": "Eastport",
                "date": {"text": when, "value": None}, "quote": text}  # fmt: skip
        return summary(aid, None, text, [spec], PEOPLE)

    apart = build_brief([visit("p", "on June 4"), visit("q", "March 21")])
    assert len(apart.events) == 2
    together = build_brief([visit("p", "on June 4"), visit("q", "4 June")])
    assert len(together.events) == 1
    assert len(build_brief([visit("p", "on June 4"), visit("q", "on Tuesday")]).events) == 1
