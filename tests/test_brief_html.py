"""The HTML brief in headless Chromium: it renders, a click highlights an event's quotes, and
article text that holds markup or script shows as text and runs nothing."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest

from brief_helpers import PEOPLE, scenario, summary
from eventbrief.brief import build_brief
from eventbrief.brief.html import render_html, script_json
from eventbrief.models import Brief

HOSTILE = (
    "Breaking <script>alert(1)</script> news.\n"
    "Officials said </script><script>window.__pwned = 3</script> & more.\n"
    'A picture <img src=x onerror="window.__pwned = 2"> appeared.\n'
    "Berg met Vale in Eastport on June 1 <b>today</b>."
)


def _chromium() -> None:
    if Path("/usr/bin/chromium").exists():
        return
    reason = "/usr/bin/chromium is missing: install Debian's chromium (apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _chromium()
    from cdp import Browser

    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def story() -> tuple[Brief, dict[str, str]]:
    sc = scenario()
    texts = {k: t for k, (_, t) in sc.items()}
    return build_brief([s for s, _ in sc.values()], texts=texts), texts


def _hostile() -> tuple[Brief, dict[str, str]]:
    quote = "<script>alert(1)</script>"
    one = summary(
        "x<script>window.__pwned=5</script>",
        "2026-06-02",
        HOSTILE,
        [
            {
                "type": "meeting",
                "description": 'Berg met Vale <img src=x onerror="window.__pwned=6">.',
                "participants": ["Anna Berg", "Tomas Vale"],
                "location": "</script><script>window.__pwned=7</script>",
                "date": {"text": "June 1", "value": "2026-06-01"},
                "quote": [quote, "</script><script>window.__pwned = 3</script>"],
            }
        ],
        PEOPLE,
        takeaways=["<script>window.__pwned=8</script> one.", "Two & two.", "Three <i>x</i>."],
    )
    brief = build_brief([one], title="<script>window.__pwned=9</script> brief")
    return brief, {one.article.id: HOSTILE}


def test_page_renders_the_timeline(browser, story, tmp_path: Path) -> None:
    brief, texts = story
    page_file = tmp_path / "brief.html"
    page_file.write_text(render_html(brief, texts), encoding="utf-8")
    page = browser.open(page_file)
    assert page.eval("[...document.querySelectorAll('li.event')].map(e => e.dataset.event)") == [
        e.id for e in brief.events
    ]
    conflicted = sorted({c.event_id for c in brief.conflicts if c.event_id})
    assert (
        page.eval("[...document.querySelectorAll('li.event.conflict')].map(e => e.dataset.event)")
        == conflicted
    )
    assert page.eval("document.querySelectorAll('article.source').length") == 3
    assert page.eval("document.querySelectorAll('#entities li').length") == len(brief.entities)
    sources = page.eval("document.querySelector('#event-e1 .sources').innerText")
    assert "b (e1)" in sources and "a (e2)" in sources and "c (e2)" in sources
    assert page.eval("document.querySelectorAll('mark.quote.active').length") == 0
    page.screenshot(tmp_path / "brief.png")
    assert (tmp_path / "brief.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_clicking_an_event_highlights_its_quotes(browser, story, tmp_path: Path) -> None:
    brief, texts = story
    page_file = tmp_path / "brief.html"
    page_file.write_text(render_html(brief, texts), encoding="utf-8")
    page = browser.open(page_file)
    for event in (brief.events[0], brief.events[2]):
        page.click(f'li.event[data-event="{event.id}"]')
        page.wait_for(f"document.body.getAttribute('data-selected') === '{event.id}'")
        active = page.eval(
            "[...document.querySelectorAll('mark.quote.active')].map(m => m.textContent)"
        )
        assert sorted(active) == sorted(ev.quote for ev in event.evidence)
        selected = page.eval(
            "[...document.querySelectorAll('li.event.selected')].map(e => e.dataset.event)"
        )
        assert selected == [event.id]
        assert (
            page.eval(f"document.querySelector('#event-{event.id}').getAttribute('aria-pressed')")
            == "true"
        )


def test_article_markup_shows_as_text_and_runs_nothing(browser, tmp_path: Path) -> None:
    brief, texts = _hostile()
    page_file = tmp_path / "hostile.html"
    page_file.write_text(render_html(brief, texts), encoding="utf-8")
    page = browser.open(page_file)
    assert page.eval("typeof window.__pwned") == "undefined"
    assert page.dialogs() == []
    assert page.eval("document.querySelectorAll('script').length") == 2
    assert page.eval("document.querySelectorAll('img, b, i').length") == 0
    shown = page.eval("document.querySelector('article.source .text').textContent")
    assert shown == HOSTILE
    assert page.eval("document.title") == "<script>window.__pwned=9</script> brief"
    embedded = page.eval("JSON.parse(document.getElementById('brief-data').textContent)")
    assert embedded == json.loads(brief.model_dump_json())
    page.click('li.event[data-event="e1"]')
    page.wait_for("document.body.getAttribute('data-selected') === 'e1'")
    active = page.eval(
        "[...document.querySelectorAll('mark.quote.active')].map(m => m.textContent)"
    )
    assert active == ["<script>alert(1)</script>", "</script><script>window.__pwned = 3</script>"]
    assert page.eval("typeof window.__pwned") == "undefined"


def test_page_is_self_contained(story) -> None:
    html = render_html(*story)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"\bsrc\s*=", html)
    assert "default-src 'none'" in html


def test_page_without_article_text_lists_the_quotes(story) -> None:
    brief, _ = story
    html = render_html(brief)
    assert html.count("Article text not available") == 3
    assert html.count('<mark class="quote"') == sum(len(e.evidence) for e in brief.events)


def test_text_that_is_not_the_summarized_one_is_not_highlighted(story) -> None:
    brief, texts = story
    changed = {k: v + " (edited)" for k, v in texts.items()}
    assert render_html(brief, changed).count("Article text not available") == 3


def test_embedded_json_cannot_close_its_script() -> None:
    encoded = script_json({"t": "</script><script>x()</script> & <!--"})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"t": "</script><script>x()</script> & <!--"}


def test_quotes_without_offsets_are_listed_under_the_text(story) -> None:
    brief, texts = story
    event = brief.events[0]
    lost = event.evidence[0].model_copy(update={"start": None, "end": None, "match": None})
    changed = brief.model_copy(
        update={"events": [event.model_copy(update={"evidence": [lost, *event.evidence[1:]]}),
                           *brief.events[1:]]}
    )  # fmt: skip
    html = render_html(changed, texts)
    assert html.count("Quotes not found in the text:") == 1
    listed = f'<li><mark class="quote" data-events="{event.id}">{escape(lost.quote)}</mark></li>'
    assert html.count(listed) == 1
    assert render_html(brief, texts).count(listed) == 0
