"""The HTML brief in headless Chromium: it renders, a click highlights an event's quotes, and
article text that holds markup or script shows as text and runs nothing. On the seed articles
plus a copy (offline backend), at 1280 and 420 px: the disagreements come first and show on the
first screen, the timeline has a date axis, and the filters change what is shown."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brief_helpers import (
    COPY,
    HOSTILE,
    PEOPLE,
    SEED_PUBLISHED,
    hostile_summary,
    scenario,
    seeds_with_a_copy,
    summary,
)
from eventbrief.brief import build_brief
from eventbrief.brief.html import render_html, script_json
from eventbrief.cli.app import app
from eventbrief.models import Brief, Evidence

WIDTHS = (1280, 420)
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def story() -> tuple[Brief, dict[str, str]]:
    sc = scenario()
    texts = {k: t for k, (_, t) in sc.items()}
    return build_brief([s for s, _ in sc.values()], texts=texts), texts


def _hostile() -> tuple[Brief, dict[str, str]]:
    one = hostile_summary()
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
    assert sources == "3 sources: Article b, Article a, Article c"
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


@pytest.fixture(scope="module")
def seed_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Brief]:
    """The page for the five seed articles and a wire copy of 003, and the brief it embeds."""
    pytest.importorskip("eventbrief.backends.offline", reason="no offline backend yet")
    folder = seeds_with_a_copy(tmp_path_factory.mktemp("seeds") / "articles")
    out = folder.parent / "brief.html"
    result = CliRunner().invoke(
        app,
        ["brief", str(folder), "--backend", "offline", "--no-cache", "-q", "-o", str(out),
         *SEED_PUBLISHED],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    embedded = re.search(r'<script type="application/json" id="brief-data">(.*?)</script>', html)
    assert embedded is not None
    return out, Brief.model_validate(json.loads(embedded.group(1)))


def _shown(page) -> list[str]:
    return page.eval("[...document.querySelectorAll('li.event')].filter(e => !e.hidden)"
                     ".map(e => e.dataset.event)")  # fmt: skip


def _markers_shown(page) -> list[str]:
    return page.eval(
        "[...document.querySelectorAll('[data-marker]')]"
        ".filter(m => getComputedStyle(m).display !== 'none').map(m => m.dataset.marker)"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_disagreements_come_first_and_fit_the_first_screen(
    browser, seed_page, tmp_path: Path, width: int
) -> None:
    path, brief = seed_page
    page = browser.open(path)
    page.set_viewport(width, 900)
    page.eval("window.scrollTo(0, 0)")
    page.screenshot(tmp_path / f"first-screen-{width}.png")
    assert (tmp_path / f"first-screen-{width}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    order = page.eval(
        "[...document.querySelectorAll('main > section, main > aside')].map(s => s.id)"
    )
    assert order == ["disagreements", "timeline", "summary", "articles"]
    facts = page.eval("document.querySelector('header .facts').innerText")
    assert "6 articles (5 independent, 1 copy)" in facts
    assert f"{len(brief.conflicts)} disagreements" in facts and len(brief.conflicts) == 4
    assert "Events 2022 – 17 Jun 2025" in facts
    first = page.eval(
        "(() => { const r = document.querySelector('#disagreements .disagreement')"
        ".getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight]; })()"
    )
    assert first[0] > 0 and first[1] <= first[2], first
    assert page.eval(NO_SIDEWAYS_SCROLL)
    shown = page.eval("document.getElementById('disagreements').innerText")
    assert "003_1b294a7ceb27666f" not in shown and COPY not in shown
    assert "Putin’s Security Adviser Visits North Korea…" in shown
    items = page.eval("document.querySelectorAll('#disagreements .disagreement').length")
    assert items == len(brief.conflicts)
    links = page.eval(
        "[...document.querySelectorAll('#disagreements a.to-event')].map(a => a.dataset.select)"
    )
    assert links == [c.event_id for c in brief.conflicts if c.event_id]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_timeline_has_a_date_axis(browser, seed_page, tmp_path: Path, width: int) -> None:
    path, brief = seed_page
    page = browser.open(path)
    page.set_viewport(width, 900)
    page.eval("document.getElementById('timeline').scrollIntoView()")
    page.screenshot(tmp_path / f"timeline-{width}.png")
    labels = page.eval(
        "[...document.querySelectorAll('#timeline-axis .tick-label')].map(t => t.textContent)"
    )
    assert labels[0] == "Jan 2022" and "Mar 2025" in labels and labels[-1] == "Jun 2025"
    assert page.eval("document.querySelectorAll('#timeline-axis .break').length") >= 1
    box = page.eval(
        "(() => { const r = document.getElementById('timeline-axis').getBoundingClientRect();"
        " return [r.width, r.height]; })()"
    )
    assert box[0] >= 720 and box[1] > 100
    lefts = page.eval(
        "Object.fromEntries([...document.querySelectorAll('[data-marker]')].map(m =>"
        " [m.dataset.marker, m.querySelector('.shape').getBoundingClientRect().left]))"
    )
    assert sorted(lefts) == sorted(e.id for e in brief.events)
    days = [e for e in brief.events if e.date and e.date.value and len(e.date.value) == 10]
    assert len(days) >= 8
    by_date = [lefts[e.id] for e in sorted(days, key=lambda e: e.date.value)]  # type: ignore[union-attr]
    assert by_date == sorted(by_date)
    later = [e for e in days if e.date.value >= "2025-06-01"]
    earlier = [e for e in days if e.date.value < "2025-06-01"]
    assert max(lefts[e.id] for e in earlier) < min(lefts[e.id] for e in later)
    legend = page.eval("document.getElementById('legend').innerText")
    assert "sources disagree" in legend and "a month or a year" in legend
    assert page.eval(NO_SIDEWAYS_SCROLL)


def test_filters_change_what_is_shown(browser, seed_page) -> None:
    path, brief = seed_page
    page = browser.open(path)
    every = [e.id for e in brief.events]
    assert _shown(page) == every and sorted(_markers_shown(page)) == sorted(every)
    assert sum(1 for e in brief.events if e.type == "visit") == 7
    page.click("#filters input[name='type'][value='visit']")
    page.wait_for(f"document.body.dataset.shown === '{len(every) - 7}'")
    not_visits = [e.id for e in brief.events if e.type != "visit"]
    assert _shown(page) == not_visits
    assert sorted(_markers_shown(page)) == sorted(not_visits)
    shown = page.eval("document.getElementById('shown').textContent")
    assert shown == f"{len(not_visits)} of {len(every)} events shown"
    page.click("#filters input[name='type'][value='visit']")
    page.eval(
        "(() => { const s = document.querySelector('#filters select[name=source]');"
        f" s.value = {json.dumps(COPY)}; s.dispatchEvent(new Event('change', {{bubbles: true}}));"
        " })()"
    )
    from_copy = [e.id for e in brief.events if COPY in {m.article_id for m in e.mentions}]
    assert 0 < len(from_copy) < len(every)
    assert _shown(page) == from_copy and sorted(_markers_shown(page)) == sorted(from_copy)
    page.eval(
        "(() => { const s = document.querySelector('#filters select[name=source]');"
        " s.value = ''; s.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )
    page.click("#filters input[name='disputed']")
    disputed = [e.id for e in brief.events if e.id in {c.event_id for c in brief.conflicts}]
    assert _shown(page) == disputed and len(disputed) == 3
    page.click("#filters input[name='status'][value='alleged']")
    assert _shown(page) == [
        e.id for e in brief.events if e.id in disputed and e.status != "alleged"
    ]


def test_a_marker_or_a_disagreement_selects_its_event(browser, seed_page) -> None:
    path, brief = seed_page
    page = browser.open(path)
    event = next(e for e in brief.events if e.date and e.date.value == "2025-03-21")
    page.click(f'[data-marker="{event.id}"]')
    page.wait_for(f"document.body.getAttribute('data-selected') === '{event.id}'")
    active = page.eval(
        "[...document.querySelectorAll('mark.quote.active')].map(m => m.textContent)"
    )
    assert sorted(active) == sorted(ev.quote for ev in event.evidence)
    assert page.eval(f"document.querySelector('[data-marker=\"{event.id}\"]').classList"
                     ".contains('selected')")  # fmt: skip
    target = brief.conflicts[0].event_id
    page.click("#disagreements a.to-event")
    page.wait_for(f"document.body.getAttribute('data-selected') === '{target}'")
    seen = page.eval(
        f"(() => {{ const r = document.getElementById('event-{target}').getBoundingClientRect();"
        " return r.top < window.innerHeight && r.bottom > 0; })()"
    )
    assert seen


def test_only_event_evidence_is_marked_and_only_the_focus_stands_out(
    browser, seed_page, tmp_path: Path
) -> None:
    path, brief = seed_page
    page = browser.open(path)
    background = "getComputedStyle(m).backgroundColor"
    plain = page.eval(f"[...document.querySelectorAll('mark.quote')].map(m => {background})")
    assert set(plain) == {"rgba(0, 0, 0, 0)"}
    event = brief.events[0]
    page.click(f'li.event[data-event="{event.id}"]')
    page.wait_for(f"document.body.getAttribute('data-selected') === '{event.id}'")
    lit = page.eval(f"[...document.querySelectorAll('mark.quote.active')].map(m => {background})")
    assert lit and "rgba(0, 0, 0, 0)" not in lit


def test_takeaway_quotes_that_state_no_event_are_not_marked() -> None:
    text = "Berg met Vale in Eastport on June 1. Markets were calm all week."
    one = summary(
        "p",
        "2026-06-02",
        text,
        [{"type": "meeting", "description": "Berg met Vale.", "quote": "Berg met Vale",
          "participants": ["Anna Berg", "Tomas Vale"]}],
        PEOPLE,
    )  # fmt: skip
    calm = text.index("Markets")
    quote = Evidence(quote="Markets were calm all week.", start=calm, end=len(text), match="exact")
    takeaways = [t.model_copy(update={"evidence": [quote]}) for t in one.key_takeaways]
    one = one.model_copy(update={"key_takeaways": takeaways})
    html = render_html(build_brief([one], texts={"p": text}), {"p": text})
    assert html.count('<mark class="quote') == 1
    assert '<mark class="quote" data-events="e1">Berg met Vale</mark>' in html
    assert "</mark> in Eastport on June 1. Markets were calm all week." in html


def test_articles_are_named_by_title_and_linked_when_a_url_is_known(story) -> None:
    brief, texts = story
    urls = {"a": "https://news.example/a?x=1&y=<2>", "b": "javascript:alert(1)"}
    articles = [a.model_copy(update={"url": urls.get(a.id)}) for a in brief.articles]
    html = render_html(brief.model_copy(update={"articles": articles}), texts)
    assert html.count('href="https://news.example/a?x=1&amp;y=&lt;2&gt;"') >= 3
    assert '<h3><a href="https://news.example/a?x=1&amp;y=&lt;2&gt;" rel="noopener' in html
    assert not re.search(r'href="\s*javascript:', html)
    assert "javascript:alert(1)" in html
    disagreements = html[html.index('id="disagreements"') : html.index('id="timeline"')]
    assert "Article a" in disagreements and "Article b" in disagreements
    assert ">a<" not in disagreements and "(a)" not in disagreements
