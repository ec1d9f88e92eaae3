"""`summarize --format html`: one self-contained page for one or many articles, built from the
brief page's article view; in headless Chromium a click highlights an event's quotes in its own
article, and article text holding markup or script shows as text and runs nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from brief_helpers import HOSTILE, TEXT_A, TEXT_B, hostile_summary, scenario
from eventbrief.brief.article_page import render_summaries_html
from eventbrief.cli.app import app
from eventbrief.models import ArticleSummary

ROOT = Path(__file__).resolve().parents[1]


def _two() -> tuple[list[ArticleSummary], dict[str, str]]:
    sc = scenario()
    (a, text_a), (b, text_b) = sc["a"], sc["b"]
    assert (text_a, text_b) == (TEXT_A, TEXT_B)
    return [a, b], {"a": text_a, "b": text_b}


def _hostile() -> tuple[ArticleSummary, str]:
    return hostile_summary(), HOSTILE


def test_events_are_numbered_across_the_page_and_highlight_their_own_article(
    browser, tmp_path: Path
) -> None:
    summaries, texts = _two()
    notices = {"b": ["no publication date found, so 1 relative date is left unresolved"]}
    page_file = tmp_path / "summaries.html"
    page_file.write_text(render_summaries_html(summaries, texts, notices), encoding="utf-8")
    page = browser.open(page_file)
    count = sum(len(s.events) for s in summaries)
    assert page.eval("[...document.querySelectorAll('li.event')].map(e => e.dataset.event)") == [
        f"e{n}" for n in range(1, count + 1)
    ]
    assert page.eval("document.querySelectorAll('article.source').length") == 2
    warnings = page.eval("[...document.querySelectorAll('.warnings li')].map(e => e.textContent)")
    assert warnings == notices["b"]
    last = f"e{count}"  # the last event of article b
    page.click(f'li.event[data-event="{last}"]')
    page.wait_for(f"document.body.getAttribute('data-selected') === '{last}'")
    marked = page.eval(
        "[...document.querySelectorAll('mark.quote.active')]"
        ".map(m => [m.closest('article').dataset.article, m.textContent])"
    )
    assert marked == [["b", ev.quote] for ev in summaries[1].events[-1].evidence]


def test_article_markup_shows_as_text_and_runs_nothing(browser, tmp_path: Path) -> None:
    one, text = _hostile()
    page_file = tmp_path / "hostile.html"
    page_file.write_text(render_summaries_html([one], {one.article.id: text}), encoding="utf-8")
    page = browser.open(page_file)
    assert page.eval("typeof window.__pwned") == "undefined"
    assert page.dialogs() == []
    assert page.eval("document.querySelectorAll('script').length") == 2
    assert page.eval("document.querySelectorAll('img, b, i').length") == 0
    assert page.eval("document.querySelector('article.source .text').textContent") == HOSTILE
    embedded = page.eval("JSON.parse(document.getElementById('summary-data').textContent)")
    assert embedded == [json.loads(one.model_dump_json())]
    page.click('li.event[data-event="e1"]')
    page.wait_for("document.body.getAttribute('data-selected') === 'e1'")
    assert page.eval("typeof window.__pwned") == "undefined"


def test_page_is_self_contained_with_the_brief_pages_policy() -> None:
    summaries, texts = _two()
    html = render_summaries_html(summaries, texts)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"\bsrc\s*=", html)
    assert re.search(r"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-", html)


def test_without_the_summarized_text_the_quotes_are_listed() -> None:
    summaries, _ = _two()
    html = render_summaries_html(summaries, {"a": "another text", "b": TEXT_B})
    assert html.count("Article text not available; its evidence quotes:") == 1


def test_summarize_writes_the_page_by_extension_and_by_flag(tmp_path: Path) -> None:
    article = ROOT / "evals" / "articles" / "004_2ad1f6fdf5f1c408.txt"
    out = tmp_path / "page.html"
    args = ["summarize", str(article), "--backend", "offline", "--published", "2025-03-21"]
    result = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert page.count('<article class="source"') == 1 and 'class="quote"' in page
    piped = CliRunner().invoke(app, [*args, "--format", "html"])
    assert piped.stdout.startswith("<!doctype html>")
    assert piped.stdout.count('<li class="event"') == page.count('<li class="event"') > 0
