"""Concepts written once: the entity-merge rule a chunked article and a brief share, month
names, URL sanitising and prompt rendering."""

from __future__ import annotations

import datetime as dt

import instructor
from instructor.v2.core.templating import handle_templating

from eventbrief.articles import find_dateline
from eventbrief.brief.dates import month_day
from eventbrief.brief.entities import merge_entities as merge_for_brief
from eventbrief.calendar_names import MONTH_WORDS, SHORT_MONTHS, month_number
from eventbrief.chunking import merge_entities as merge_chunks
from eventbrief.entity_merge import group_entities, merged_entity
from eventbrief.models import ArticleMeta, ArticleSummary, Entity
from eventbrief.prompt_templates import load_prompt_pair
from eventbrief.urls import display_url, strip_userinfo

KOREA = [
    Entity(name="North Korea", type="country"),
    Entity(name="Democratic People's Republic of Korea", type="country", aliases=["North Korea"]),
    Entity(name="North Korea", type="country"),
]


def _summary(article_id: str, entities: list[Entity]) -> ArticleSummary:
    """Only what entity merging reads: the article id and the entities."""
    return ArticleSummary.model_construct(
        article=ArticleMeta(id=article_id, sha256="0" * 64), entities=entities
    )


def test_chunks_and_briefs_name_a_merged_entity_alike_by_its_most_used_name() -> None:
    chunked, canonical = merge_chunks([[KOREA[0]], [KOREA[1]], [KOREA[2]]])
    assert [e.name for e in chunked] == ["North Korea"]  # not the longest name
    assert chunked[0].aliases == ["Democratic People's Republic of Korea"]
    assert canonical["democratic people s republic of korea"] == "North Korea"
    index = merge_for_brief([_summary(f"a{n}", [e]) for n, e in enumerate(KOREA)])
    assert [e.name for e in index.entities] == [e.name for e in chunked]


def test_entities_of_disagreeing_types_stay_apart_and_ties_go_to_the_longer_name() -> None:
    city = Entity(name="Pyongyang", type="location")
    country = Entity(name="Pyongyang", type="country")
    assert group_entities([city, country]) == [[0], [1]]
    assert group_entities([city, Entity(name="pyongyang", type="other")]) == [[0, 1]]
    tie = merged_entity(
        [Entity(name="Kim", type="person"), Entity(name="Kim Jong Un", type="person")]
    )
    assert (tie.name, tie.aliases) == ("Kim Jong Un", ["Kim"])


def test_every_month_name_reads_the_same_in_datelines_brief_dates_and_the_axis() -> None:
    assert month_number("Sept.") == month_number("september") == 9
    assert month_number("Mayday") is None
    assert len(MONTH_WORDS) == 24 and SHORT_MONTHS[4] == "May"
    for word, number in MONTH_WORDS.items():
        assert month_day(f"{word.title()} 4") == (number, 4)
        found = find_dateline(f"SEOUL, {word.title()} 4, 2025 — Talks resumed.")
        assert found == dt.date(2025, number, 4), word


def test_urls_lose_credentials_the_same_way_everywhere() -> None:
    url = "https://user:pw@example.org:8443/v1?key=secret"
    assert display_url(url) == "https://example.org:8443/v1"
    assert display_url(None) == "api.openai.com"
    assert display_url(None, "the default OpenAI endpoint") == "the default OpenAI endpoint"
    assert strip_userinfo(f"endpoint {url}") == "endpoint https://example.org:8443/v1?key=secret"


def test_the_narration_prompt_renders_as_instructor_would_with_the_brief_as_a_value() -> None:
    prompts = load_prompt_pair("narrate_system.txt", "narrate_user.txt")
    context = {"brief": "Facts {{ 7*7 }}", "fence": "abc"}
    by_instructor = handle_templating(
        {"messages": prompts.messages()}, instructor.Mode.TOOLS, context=context
    )["messages"]
    rendered = prompts.render(context)
    assert [m["content"] for m in by_instructor] == [rendered["system"], rendered["user"]]
    assert "Facts {{ 7*7 }}" in rendered["user"]
