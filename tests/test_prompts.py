"""The prompt templates: versioned, rendered only by Jinja from context, and kept short."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import instructor
import pytest
from instructor.v2.core.templating import handle_templating
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from eventbrief.backends.openai.schema import asked_schema
from eventbrief.event_types import EVENT_TYPE_INFO, definitions_text
from eventbrief.models import (
    MIN_TAKEAWAYS,
    STATUSES,
    SUMMARY_MAX_WORDS,
    Article,
    ArticleExtraction,
    ArticleMeta,
)
from eventbrief.prompt_templates import (
    INSTRUCTOR_MESSAGES,
    load_prompts,
    prompt_context,
    split_version,
)

ROOT = Path(__file__).resolve().parents[1]

PROMPT_DIGESTS = {"2026-12-06.1": "3c2fca1ff14e5257", "2026-12-07.1": "4f66141c320285a7"}
"""Digest of the prompt text (both templates and the event-type definitions filled into the
system prompt) for each version since the definitions joined it: the version is part of the
cache key, so text changed under an old version would serve stale cached answers."""


def _article(text: str, published: dt.date | None) -> Article:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(meta=ArticleMeta(id="a", published=published, sha256=digest), text=text)


def _render(template: str, article: Article) -> str:
    return SandboxedEnvironment().from_string(template).render(**prompt_context(article))


def test_both_files_carry_the_same_version_which_is_stripped() -> None:
    prompts = load_prompts()
    for name in ("system.txt", "user.txt"):
        first = (ROOT / "prompts" / name).read_text(encoding="utf-8").splitlines()[0]
        assert first == f"version: {prompts.version}"
    assert "version:" not in prompts.system and "version:" not in prompts.user
    assert [m["role"] for m in prompts.messages()] == ["system", "user"]


def test_split_version_requires_the_line() -> None:
    assert split_version("version: 2030-01-01.2\nbody\n", "x.txt") == ("2030-01-01.2", "body")
    with pytest.raises(ValueError, match=r"prompts/x\.txt must start with"):
        split_version("body\nversion: 1\n", "x.txt")


def test_user_template_gives_the_date_and_delimits_the_article() -> None:
    text = "VALLETTA, Feb 2 — Malta opened a desalination plant on Monday."
    fence = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    rendered = _render(load_prompts().user, _article(text, dt.date(2026, 2, 3)))
    lines = rendered.splitlines()
    assert lines[0] == "Publication date: 2026-02-03"
    assert lines[-3:] == [f"<article {fence}>", text, f"</article {fence}>"]


def test_unknown_date_is_said_and_no_date_is_invented() -> None:
    rendered = _render(load_prompts().user, _article("Text.", None))
    assert rendered.startswith("Publication date: unknown;")
    assert "None" not in rendered


def test_system_prompt_states_the_rules() -> None:
    system = load_prompts().system.lower()
    for rule in ("character for character", "publication date", "status", "not instructions"):
        assert rule in system
    environment = SandboxedEnvironment()
    assert meta.find_undeclared_variables(environment.parse(load_prompts().system)) == {
        "event_types",
        "evidence",
    }
    # nothing article-specific: one system message per evidence style, the same for every
    # article (a prefix a server can cache)
    prompts = load_prompts()
    for evidence in ("quotes", "sentences"):
        one = prompts.rendered(_article("One text.", dt.date(2026, 2, 3)), evidence)["system"]
        other = prompts.rendered(_article("Another, longer text.", None), evidence)["system"]
        assert one == other
        assert "{%" not in one and "{{" not in one


def test_system_prompt_states_the_field_rules_the_models_enforce() -> None:
    """A server may not show the model the schema's descriptions (llama.cpp in tools mode does
    not), and the schema sent leaves out counts and patterns; so the prompt states them, with
    the limits our validation enforces."""
    system = load_prompts().system
    takeaways = ArticleExtraction.model_fields["key_takeaways"].metadata
    low = MIN_TAKEAWAYS  # enforced through the validation context on an article of 3+ sentences
    high = next(m.max_length for m in takeaways if hasattr(m, "max_length"))
    assert f"{low} to {high} key takeaways" in system
    assert f"summary of at most {SUMMARY_MAX_WORDS} words" in system
    assert "ids e1, e2, …" in system
    assert "entities, including every event participant" in system
    assert "Each event needs at least one evidence quote" in system
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in system


@pytest.mark.parametrize(
    "text", ["Plain text.", "Jinja in the article: {{ event_types }} {{ 7*7 }}", "- visit: none"]
)
@pytest.mark.parametrize("published", [dt.date(2026, 2, 3), None])
def test_the_system_message_defines_every_event_type(text: str, published: dt.date | None) -> None:
    rendered = load_prompts().rendered(_article(text, published))
    lines = rendered["system"].splitlines()
    start = lines.index("Event types:") + 1
    block = lines[start : start + len(EVENT_TYPE_INFO)]
    for line, info in zip(block, EVENT_TYPE_INFO, strict=True):
        assert line.startswith(f"- {info.name}: {info.definition.removesuffix(' (§1)')}; ")
        assert line.endswith(f'e.g. "{info.example}"')
    assert "\n".join(block) == definitions_text()
    assert text not in rendered["system"]
    assert rendered["system"].count("- visit: ") == 1


def test_the_schema_carries_the_field_rules_the_system_prompt_leaves_to_it() -> None:
    """The system prompt holds the rules across fields, the event-type definitions and the
    counts, limits and formats; the field descriptions the rest (status definitions,
    participants, attribution, entity names)."""
    defs = asked_schema()["$defs"]
    event = defs["Event"]["properties"]
    status = event["status"]["description"]
    assert all(f"{name}:" in status for name in STATUSES)
    assert "destination is its location" in event["participants"]["description"]
    assert "never the article's own outlet" in event["attributed_to"]["description"]
    assert "fullest form" in defs["Entity"]["properties"]["name"]["description"]
    assert "publication date" in defs["TimeValue"]["properties"]["value"]["description"]
    assert "verbatim" in defs["Quote"]["properties"]["quote"]["description"]
    system = load_prompts().system
    assert "Record only what the article states" in system


def test_prompts_stay_short() -> None:
    """The prompt adds rules and the event-type definitions (about 470 tokens; without the
    guidelines' counter-examples) to what the schema teaches. Prompt tokens per article are
    benchmarked (bench_langextract.py, o200k_base), so growth here should be a decision."""
    prompts = load_prompts()
    assert len(prompts.system) + len(prompts.user) < 1950  # both evidence styles' rules
    assert len(definitions_text()) < 2000
    assert len(json.dumps(asked_schema(), separators=(",", ":"), ensure_ascii=False)) < 4500


def test_changed_wording_gets_a_new_version() -> None:
    prompts = load_prompts()
    text = "\0".join((prompts.system, prompts.user, definitions_text()))
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    assert PROMPT_DIGESTS.get(prompts.version) == digest, (
        f"prompts/ or the event-type definitions changed: give system.txt and user.txt a new "
        f"version line and record "
        f'"{prompts.version}": "{digest}" (with the new version) in PROMPT_DIGESTS'
    )


@pytest.mark.parametrize(
    "text",
    [
        "Plain text.\nSecond line.",
        "Jinja in the article: {{ 7*7 }} {% if true %}yes{% endif %} {# note #} {{ article }} "
        "{{ event_types }}",
        "  indented line\n\t\ttabbed line\n   \n\nafter a blank line with spaces   ",
    ],
)
@pytest.mark.parametrize("published", [dt.date(2026, 2, 3), None])
def test_rendered_messages_are_what_instructor_renders_from_the_templates(
    text: str, published: dt.date | None
) -> None:
    article = _article(text, published)
    prompts = load_prompts()
    by_instructor = handle_templating(
        {"messages": prompts.messages()}, instructor.Mode.TOOLS, context=prompt_context(article)
    )["messages"]
    rendered = prompts.rendered(article)
    assert [m["content"] for m in by_instructor] == [rendered["system"], rendered["user"]]
    # and what instructor makes of the placeholder messages we actually give it
    given = handle_templating(
        {"messages": [dict(m) for m in INSTRUCTOR_MESSAGES]},
        instructor.Mode.TOOLS,
        context=rendered,
    )["messages"]
    assert given == by_instructor
    if "{{" in text:  # Jinja in an article is text, never rendered
        assert f"\n{text}\n" in given[1]["content"]
