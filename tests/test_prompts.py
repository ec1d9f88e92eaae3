"""The prompt templates: versioned, rendered only by Jinja from context, and kept short."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import instructor
import pytest
from instructor.v2.core.templating import handle_templating
from jinja2.sandbox import SandboxedEnvironment

from eventbrief.backends.openai_compatible import asked_schema
from eventbrief.models import STATUSES, Article, ArticleMeta
from eventbrief.prompt_templates import (
    INSTRUCTOR_MESSAGES,
    load_prompts,
    prompt_context,
    split_version,
)

ROOT = Path(__file__).resolve().parents[1]

PROMPT_DIGESTS = {"2026-11-22.3": "ad9ac7edd5782608", "2026-11-22.4": "74c608eb61ab1edc"}
"""Digest of the prompt text for each version: the version is part of the cache key, so text
changed under an old version would serve stale cached answers."""


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
    assert "{{" not in system and "{%" not in system


def test_the_schema_carries_the_field_rules_the_system_prompt_leaves_to_it() -> None:
    """Each rule is stated once: the system prompt holds the rules across fields, the field
    descriptions the rest (status definitions, participants, attribution, entity names)."""
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
    """The schema's field descriptions already teach the fields; the prompt only adds rules.
    Prompt tokens per article are benchmarked (bench_langextract.py, o200k_base), so growth
    here should be a decision."""
    prompts = load_prompts()
    assert len(prompts.system) + len(prompts.user) < 1400
    assert len(json.dumps(asked_schema(), separators=(",", ":"), ensure_ascii=False)) < 4500


def test_changed_wording_gets_a_new_version() -> None:
    prompts = load_prompts()
    digest = hashlib.sha256((prompts.system + "\0" + prompts.user).encode()).hexdigest()[:16]
    assert PROMPT_DIGESTS.get(prompts.version) == digest, (
        f"prompts/ changed: give system.txt and user.txt a new version line and record "
        f'"{prompts.version}": "{digest}" (with the new version) in PROMPT_DIGESTS'
    )


@pytest.mark.parametrize(
    "text",
    [
        "Plain text.\nSecond line.",
        "Jinja in the article: {{ 7*7 }} {% if true %}yes{% endif %} {# note #} {{ article }}",
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
