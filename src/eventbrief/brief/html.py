"""A Brief as one self-contained HTML page: timeline with sources, disagreements marked, and each
article's text with its evidence quotes highlighted; selecting an event highlights its quotes.

Everything that comes from an article (titles, quotes, text, ids, names) is escaped, in element
content and in attributes; the embedded JSON has `<`, `>` and `&` escaped so it cannot close its
<script>. A Content-Security-Policy admits only the page's own inline script (by hash), so even a
missed escape could not run injected script. No external assets, no network.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from html import escape
from importlib.resources import files
from itertools import pairwise

from eventbrief.brief.conflicts import stated
from eventbrief.models import ArticleMeta, Brief, BriefEvent, Conflict


def _asset(name: str) -> str:
    return files("eventbrief.brief").joinpath("assets", name).read_text(encoding="utf-8")


def e(value: object) -> str:
    """Escape for element content and quoted attributes alike."""
    return escape(str(value), quote=True)


def script_json(data: object) -> str:
    """JSON safe inside <script>: no `<`, `>` or `&` survives to close or confuse the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _when(event: BriefEvent) -> str:
    if event.date is None or event.date.value is None:
        return "undated"
    return ("about " if event.date.approximate else "") + event.date.value


def _event_item(event: BriefEvent, conflicts: list[Conflict], anchors: dict[str, str]) -> str:
    classes = "event conflict" if conflicts else "event"
    badge = '<span class="badge">sources disagree</span>' if conflicts else ""
    details = []
    if event.location:
        details.append(f"where: {e(event.location)}")
    if event.participants:
        details.append(f"who: {e(', '.join(event.participants))}")
    if event.status != "occurred":
        details.append(f"status: {e(event.status)}")
    if event.quantities:
        details.append("numbers: " + e(", ".join(q.text for q in event.quantities)))
    sources = []
    for m in event.mentions:
        quotes = [ev.quote for ev in event.evidence if ev.article_id == m.article_id]
        first = f" — “{e(quotes[0])}”" if quotes else ""
        sources.append(
            f'<li><a href="#{anchors[m.article_id]}">{e(m.article_id)}</a> '
            f"({e(m.event_id)}){first}</li>"
        )
    notes = "".join(
        f'<div class="conflict-note">⚠ {e(c.field)}: '
        + e("; ".join(f"{stated(v)} ({', '.join(v.articles)})" for v in c.values))
        + "</div>"
        for c in conflicts
    )
    return (
        f'<li class="{classes}" id="event-{e(event.id)}" data-event="{e(event.id)}" tabindex="0" '
        f'role="button" aria-pressed="false">'
        f'<div class="when">{e(_when(event))}{badge}</div>'
        f'<div class="what"><span class="type">{e(event.type.replace("_", " "))}</span>'
        f"{e(event.description)}</div>"
        f'<div class="details">{" · ".join(details)}</div>'
        f'<ul class="sources">{"".join(sources)}</ul>{notes}</li>'
    )


def _highlighted(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The text with every quoted span in a <mark> naming the events that cite it."""
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(t for _, t, _ in spans)})
    out = []
    for left, right in pairwise(cuts):
        ids = sorted({i for s, t, i in spans if s <= left and right <= t}, key=lambda x: int(x[1:]))
        piece = e(text[left:right])
        if ids:
            out.append(f'<mark class="quote" data-events="{e(" ".join(ids))}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


Cited = tuple[str, int | None, int | None, str]
"""One quote an article view highlights: (quote, start, end, the page id of the event)."""


def _article(meta: ArticleMeta, anchor: str, brief: Brief, text: str | None) -> str:
    cited: list[Cited] = [
        (ev.quote, ev.start, ev.end, event.id)
        for event in brief.events
        for ev in event.evidence
        if ev.article_id == meta.id
    ]
    return article_view(meta, anchor, cited, text)


def article_view(meta: ArticleMeta, anchor: str, cited: list[Cited], text: str | None) -> str:
    """One article: its title and facts, then its text with every cited quote in a <mark>
    naming the events that cite it (or, without the text, the quotes as a list). Shared by the
    brief page and summarize's page, so an article reads the same in both."""
    spans: list[tuple[int, int, str]] = []
    quotes: list[tuple[str, str]] = []
    unplaced: list[tuple[str, str]] = []
    for quote, start, end, event_id in cited:
        quotes.append((quote, event_id))
        if (
            text is not None
            and start is not None
            and end is not None
            and 0 <= start < end <= len(text)
        ):
            spans.append((start, end, event_id))
        else:
            unplaced.append((quote, event_id))
    facts = [meta.published.isoformat() if meta.published else None, meta.source, meta.url]
    head = (
        f'<article class="source" id="{anchor}" data-article="{e(meta.id)}">'
        f"<h3>{e(meta.title or meta.id)}</h3>"
        f'<p class="meta">{e(meta.id)} · {e(" · ".join(f for f in facts if f))}</p>'
    )
    if text is None:
        note = "Article text not available; its evidence quotes:"
        return head + _quote_list(note, quotes) + "</article>"
    body = f'<div class="text">{_highlighted(text, spans)}</div>'
    if unplaced:
        body += _quote_list("Quotes not found in the text:", unplaced)
    return head + body + "</article>"


def _quote_list(note: str, quotes: list[tuple[str, str]]) -> str:
    listed = "".join(
        f'<li><mark class="quote" data-events="{e(i)}">{e(q)}</mark></li>' for q, i in quotes
    )
    return f'<p class="note">{e(note)}</p><ul>{listed}</ul>'


def text_matching(meta: ArticleMeta, text: str | None) -> str | None:
    """Offsets point into the exact text the summary was made from; any other text is not used."""
    if text is None:
        return None
    return text if hashlib.sha256(text.encode("utf-8")).hexdigest() == meta.sha256 else None


def render_html(brief: Brief, texts: Mapping[str, str] | None = None) -> str:
    texts = texts or {}
    anchors = {a.id: f"article-{n}" for n, a in enumerate(brief.articles, start=1)}
    by_event: dict[str, list[Conflict]] = {}
    for c in brief.conflicts:
        by_event.setdefault(c.event_id or "", []).append(c)
    timeline = "".join(_event_item(ev, by_event.get(ev.id, []), anchors) for ev in brief.events)
    conflicts = "".join(
        f'<li><span class="field">{e(c.field)}</span>'
        + (f' (<a href="#event-{e(c.event_id)}">{e(c.event_id)}</a>)' if c.event_id else "")
        + f": {e(c.description)}</li>"
        for c in brief.conflicts
    )
    takeaways = "".join(
        f"<li>{e(t.text)} <span class='meta'>({e(', '.join(t.support))})</span></li>"
        for t in brief.key_takeaways
    )
    entities = "".join(
        f"<li>{e(ent.name)}"
        + (f" <span class='meta'>(also {e(', '.join(ent.aliases))})</span>" if ent.aliases else "")
        + f" · {e(ent.type)}</li>"
        for ent in brief.entities
    )
    articles = "".join(
        _article(a, anchors[a.id], brief, text_matching(a, texts.get(a.id))) for a in brief.articles
    )
    narrative = f'<p class="panel">{e(brief.narrative)}</p>' if brief.narrative else ""
    body = (
        f'<header><h1>{e(brief.title)}</h1><p class="meta">{len(brief.articles)} articles · '
        f"{len(brief.events)} events · {len(brief.conflicts)} disagreements · "
        "select an event to highlight its quotes</p></header><main><div>"
        f'{narrative}<section id="timeline"><h2>Timeline</h2>'
        f'<ol class="timeline">{timeline}</ol></section>'
        + (
            f'<section id="conflicts" class="panel"><h2>Where the sources disagree</h2>'
            f'<ul class="conflicts">{conflicts}</ul></section>'
            if conflicts
            else ""
        )
        + (
            f'<section id="takeaways" class="panel"><h2>Key takeaways</h2><ul>{takeaways}</ul>'
            "</section>"
            if takeaways
            else ""
        )
        + (
            f'<section id="entities" class="panel"><h2>Who and what</h2><ul>{entities}</ul>'
            "</section>"
            if entities
            else ""
        )
        + f'</div><section id="articles"><h2>Articles</h2>{articles}</section></main>'
    )
    return html_page(brief.title, body, "brief-data", brief.model_dump(mode="json"))


def html_page(title: str, body: str, data_id: str, data: object, style: str = "") -> str:
    """A whole self-contained page around `body`: the page's stylesheet (and `style` after it),
    `data` as escaped JSON in a script element with id `data_id`, and the page script, admitted
    by its hash in the Content-Security-Policy."""
    script = _asset("page.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{_asset('page.css')}{style}</style></head>"
        f"<body>{body}"
        f'<script type="application/json" id="{e(data_id)}">'
        f"{script_json(data)}</script>"
        f"<script>{script}</script></body></html>\n"
    )
