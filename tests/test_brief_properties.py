"""Invariants of build_brief on random summaries: every article event lands in exactly one merged
event, no merged event holds two events of one article, the timeline is in date order, and every
conflict names values that really differ."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from brief_helpers import PEOPLE, summary
from eventbrief.brief import build_brief
from eventbrief.brief.dates import day_range
from eventbrief.models import EVENT_TYPES, STATUSES

NAMES = [e["name"] for e in PEOPLE]
PLACES = ["Eastport", "Gray Coast", "Nordland", "Southland", None]
DATES = ["2026", "2026-05", "2026-05-03", "2026-05-04", "2026-06", "2026-06-10", None]
WORDS = ["met", "visited", "sent", "troops", "talks", "signed", "a", "deal", "in", "the", "port"]

event = st.fixed_dictionaries(
    {
        "type": st.sampled_from(EVENT_TYPES),
        "status": st.sampled_from(STATUSES),
        "participants": st.lists(st.sampled_from(NAMES), max_size=3, unique=True),
        "location": st.sampled_from(PLACES),
        "date": st.sampled_from(DATES),
        "words": st.lists(st.sampled_from(WORDS), min_size=1, max_size=6),
        "troops": st.sampled_from([None, 100, 200]),
    }
)
article = st.tuples(
    st.sampled_from(["2026-05-05", "2026-06-20", None]), st.lists(event, max_size=4)
)


def _summaries(articles):
    built = []
    for n, (published, events) in enumerate(articles):
        text = " ".join(f"Sentence {i}: {' '.join(e['words'])}." for i, e in enumerate(events))
        text = text or "Nothing happened."
        specs = []
        for i, e in enumerate(events):
            spec = {
                "type": e["type"],
                "status": e["status"],
                "participants": e["participants"],
                "location": e["location"],
                "description": " ".join(e["words"]),
                "quote": f"Sentence {i}: {' '.join(e['words'])}.",
            }
            if e["date"]:
                spec["date"] = {"text": e["date"], "value": e["date"]}
            if e["troops"]:
                spec["quantities"] = [
                    {"value": e["troops"], "unit": "troops", "text": f"{e['troops']} troops"}
                ]
            specs.append(spec)
        built.append(summary(f"art{n}", published, text, specs, PEOPLE))
    return built


@settings(max_examples=60, deadline=None)
@given(st.lists(article, min_size=1, max_size=4))
def test_invariants(articles) -> None:
    summaries = _summaries(articles)
    brief = build_brief(summaries)
    mentions = [(m.article_id, m.event_id) for e in brief.events for m in e.mentions]
    mentions += [(s.article_id, s.event_id) for s in brief.set_aside]
    expected = [(s.article.id, e.id) for s in summaries for e in s.events]
    assert sorted(mentions) == sorted(expected)
    original_of = {a.id: a.duplicate_of for a in brief.articles if a.duplicate_of}
    assert all(a not in original_of for a in original_of.values())
    for e in brief.events:
        assert len({m.article_id for m in e.mentions}) == len(e.mentions)
        roots = {original_of.get(m.article_id, m.article_id) for m in e.mentions}
        assert e.independent_sources == len(roots)
    assert 0 < len(brief.key_takeaways) <= 7
    assert sorted(a for s in brief.stories for a in s.articles) == sorted(
        s.article.id for s in summaries
    )
    starts = [day_range(e.date.value).start for e in brief.events if e.date and e.date.value]
    assert starts == sorted(starts)
    dated = [bool(e.date and e.date.value) for e in brief.events]
    assert dated == sorted(dated, reverse=True)
    assert [e.id for e in brief.events] == [f"e{i}" for i in range(1, len(brief.events) + 1)]
    for c in brief.conflicts:
        assert len({str(v.value) for v in c.values}) == len(c.values) >= 2
    assert build_brief(list(reversed(summaries))) == brief
