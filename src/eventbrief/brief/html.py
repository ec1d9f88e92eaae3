"""A Brief as one self-contained HTML page, laid out for the analyst's questions in order: what
is the story and where do the sources disagree (header, then the disagreements), what happened
when (the timeline on a date axis, with filters by type, status and source), and what exactly
each article says (its text, the quotes of the event in focus highlighted).

Articles are named by their titles, linked to their text on the page and to their URL when one
is known; an event says how many independent sources report it ("3 sources, 1 copy").

Everything that comes from an article (titles, quotes, text, ids, names) is escaped, in element
content and in attributes; the embedded JSON has `<`, `>` and `&` escaped so it cannot close its
<script>. A Content-Security-Policy admits only the page's own inline script (by hash), so even a
missed escape could not run injected script. No external assets, no network.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from html import escape
from importlib.resources import files
from itertools import pairwise
from urllib.parse import urlsplit

from eventbrief.brief.axis import human_date, timeline_svg
from eventbrief.brief.conflicts import stated
from eventbrief.brief.dates import range_of
from eventbrief.models import (
    EVENT_TYPES,
    STATUSES,
    ArticleMeta,
    Brief,
    BriefArticle,
    BriefEvent,
    Conflict,
    ConflictValue,
)

TITLE_CHARS = 48
"""Titles in lists are cut at a word after this many characters (some are a whole first
paragraph); the full title shows on hover and heads the article's text."""

TYPE_COLOURS = dict(
    zip(
        EVENT_TYPES,
        ["#4e79a7", "#17a2b8", "#59a14f", "#d62728", "#9c755f", "#9467bd", "#c9a227",
         "#2f4b7c", "#e377c2", "#7a9a01", "#a05195", "#8b0000", "#8c8c8c"],
        strict=False,
    )
)  # fmt: skip
"""Marker and swatch colour per event type; a type without one is grey."""

_STATUS_NOTES = {
    "occurred": "stated as fact",
    "planned": "planned or expected",
    "speculated": "possible, rumoured",
    "alleged": "reported, unconfirmed",
}


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


def web_url(url: str | None) -> str | None:
    """The URL when it is http(s), the only kind the page links to."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def short(text: str, limit: int = TITLE_CHARS) -> str:
    """One line, cut at a word with an ellipsis when longer than `limit`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–—")
    return cut + "…"


def count_sources(articles: list[str], original_of: Mapping[str, str]) -> str:
    """How many sources, e.g. "3 sources, 1 copy": distinct articles with each copy counted as
    its original, then the copies."""
    independent = len({original_of.get(a, a) for a in articles})
    copies = sum(1 for a in articles if a in original_of)
    text = f"{independent} source{'s' if independent != 1 else ''}"
    if copies:
        text += f", {copies} cop{'ies' if copies != 1 else 'y'}"
    return text


class _Page:
    """What every part of the page needs: article labels, anchors, copies, conflicts."""

    def __init__(self, brief: Brief) -> None:
        self.brief = brief
        self.meta = {a.id: a for a in brief.articles}
        self.anchor = {a.id: f"article-{n}" for n, a in enumerate(brief.articles, start=1)}
        self.original_of = {a.id: a.duplicate_of for a in brief.articles if a.duplicate_of}
        self.conflicts: dict[str, list[tuple[int, Conflict]]] = {}
        for n, c in enumerate(brief.conflicts, start=1):
            if c.event_id:
                self.conflicts.setdefault(c.event_id, []).append((n, c))
        self.event = {ev.id: ev for ev in brief.events}
        self.main_story = set(brief.stories[0].articles) if brief.stories else set(self.meta)

    def title(self, article_id: str) -> str:
        """The short title a reader knows the article by (its id only when it has none)."""
        meta = self.meta.get(article_id)
        return short(meta.title or meta.id) if meta else article_id

    def link(self, article_id: str) -> str:
        """The article's title linking to its text on the page, and ↗ to its URL when known."""
        meta = self.meta.get(article_id)
        if meta is None:
            return e(article_id)
        full = " ".join((meta.title or meta.id).split())
        html = (
            f'<a class="src" href="#{self.anchor[article_id]}" data-article="{e(article_id)}" '
            f'title="{e(full)}">{e(self.title(article_id))}</a>'
        )
        url = web_url(meta.url)
        if url:
            html += (
                f' <a class="ext" href="{e(url)}" rel="noopener noreferrer" target="_blank" '
                f'title="{e(url)}" aria-label="original article">↗</a>'
            )
        if article_id in self.original_of:
            html += ' <span class="copy-tag">copy</span>'
        return html

    def links(self, article_ids: list[str]) -> str:
        return ", ".join(self.link(a) for a in article_ids)


def _when(event: BriefEvent) -> str:
    if event.date is None or event.date.value is None:
        return "undated"
    return ("about " if event.date.approximate else "") + human_date(event.date.value)


def _field_name(field: str) -> str:
    """What a reader calls the field ("Numbers", "Count of visits"), not the JSON key."""
    names = {"date": "Date", "quantity": "Numbers", "location": "Place", "status": "Certainty"}
    if field in names:
        return names[field]
    if field.endswith("_count"):
        return f"Count of {field[: -len('_count')].replace('_', ' ')}s"
    return field.replace("_", " ").capitalize()


def _value_text(value: object, text: str | None, field: str) -> str:
    """A value as an article put it; a status with what it means, a bare date readable."""
    if field == "status":
        return f"{value} ({_STATUS_NOTES.get(str(value), '')})".replace(" ()", "")
    if field == "date" and isinstance(value, str) and not text:
        return human_date(value)
    return stated_value(value, text)


def stated_value(value: object, text: str | None) -> str:
    """`conflicts.stated` for one value, so the page words values as the Markdown does."""
    return stated(ConflictValue(value=value, text=text, articles=["-"]))


def period(events: list[BriefEvent]) -> str | None:
    """From the earliest start to the latest end of the dated events, as precise as they are."""
    dated = [
        (w, ev.date.value)
        for ev in events
        if ev.date and ev.date.value and (w := range_of(ev.date))
    ]
    if not dated:
        return None
    first = min(dated, key=lambda d: (d[0].start, -d[0].days))[1]
    last = max(dated, key=lambda d: (d[0].end, -d[0].days))[1]
    return human_date(first) if first == last else f"{human_date(first)} – {human_date(last)}"


def _header(page: _Page) -> str:
    """The story, its period and counts, and the other-story note: the first screen's top."""
    brief = page.brief
    facts: list[str] = []
    span = period(brief.events)
    if span:
        facts.append(f"Events {e(span)}")
    published = sorted(a.published for a in brief.articles if a.published)
    if published:
        pub = [human_date(published[0].isoformat()), human_date(published[-1].isoformat())]
        facts.append("published " + e(pub[0] if pub[0] == pub[1] else f"{pub[0]} – {pub[1]}"))
    total = len(brief.articles)
    copies = len(page.original_of)
    articles = f"{total} article{'s' if total != 1 else ''}"
    if copies:
        articles += f" ({total - copies} independent, {copies} cop{'ies' if copies != 1 else 'y'})"
    facts.append(f'<a href="#articles">{e(articles)}</a>')
    n = len(brief.conflicts)
    facts.append(
        f'<a href="#disagreements" class="{"warn" if n else ""}">'
        f"{n} disagreement{'s' if n != 1 else ''}</a>"
    )
    facts.append(
        f'<a href="#timeline">{len(brief.events)} event{"s" if len(brief.events) != 1 else ""}</a>'
    )
    warning = ""
    if len(brief.stories) > 1:
        others = [a for s in brief.stories[1:] for a in s.articles]
        warning = (
            f'<p class="warning" id="other-stories" role="note">⚠ {len(others)} '
            f"article{'s' if len(others) != 1 else ''} share{'s' if len(others) == 1 else ''} no "
            f"event or entity with the rest and {'is' if len(others) == 1 else 'are'} about "
            f"another story: {page.links(others)}.</p>"
        )
    narrative = f'<p class="narrative">{e(brief.narrative)}</p>' if brief.narrative else ""
    return (
        f'<header><h1>{e(brief.title)}</h1><p class="facts">{" · ".join(facts)}</p>'
        f"{warning}{narrative}</header>"
    )


def _disagreements(page: _Page) -> str:
    """The first section: every conflict with its event (a link that selects it) and values."""
    items = []
    for n, c in enumerate(page.brief.conflicts, start=1):
        event = page.event.get(c.event_id or "")
        target = ""
        if event is not None:
            target = (
                f' <a class="to-event" href="#event-{e(event.id)}" data-select="{e(event.id)}">'
                f"{e(short(event.description, 80))}</a> "
                f'<span class="when">({e(_when(event))})</span>'
            )
        values = "".join(
            f'<li><span class="value">{e(_value_text(v.value, v.text, c.field))}</span> '
            f'<span class="by">— {page.links(v.articles)}</span></li>'
            for v in c.values
        )
        items.append(
            f'<li class="disagreement" id="conflict-{n}" data-field="{e(c.field)}">'
            f'<p class="what"><span class="field">{e(_field_name(c.field))}</span>{target}</p>'
            f'<ul class="values">{values}</ul></li>'
        )
    body = (
        f'<ol class="disagreements">{"".join(items)}</ol>'
        if items
        else '<p class="none">The articles do not contradict each other on any event.</p>'
    )
    return (
        '<section id="disagreements" class="panel">'
        f'<h2>Where the sources disagree <span class="count">{len(items)}</span></h2>'
        f"{body}</section>"
    )


def _type_style() -> str:
    """One colour per event type, as a CSS variable the markers, swatches and cards read."""
    return "".join(f".t-{t}{{--c:{c}}}" for t, c in TYPE_COLOURS.items())


def _filters(page: _Page) -> str:
    """Checkboxes for the types and statuses present, a source list; page.js applies them."""
    events = page.brief.events
    types = Counter(ev.type for ev in events)
    statuses = Counter(ev.status for ev in events)
    type_boxes = "".join(
        f'<label class="chk"><input type="checkbox" name="type" value="{e(t)}" checked>'
        f'<span class="sw t-{e(t)}"></span>{e(t.replace("_", " "))} '
        f'<span class="n">{types[t]}</span></label>'
        for t in sorted(types, key=lambda t: (-types[t], t))
    )
    status_boxes = "".join(
        f'<label class="chk" title="{e(_STATUS_NOTES.get(s, s))}">'
        f'<input type="checkbox" name="status" value="{e(s)}" checked>'
        f'<span class="glyph s-{e(s)}"></span>{e(s)} <span class="n">{statuses[s]}</span></label>'
        for s in STATUSES
        if s in statuses
    )
    options = "".join(
        f'<option value="{e(a.id)}">{e(page.title(a.id))}'
        f"{' (copy)' if a.id in page.original_of else ''}</option>"
        for a in page.brief.articles
    )
    disputed = len({c.event_id for c in page.brief.conflicts if c.event_id})
    return (
        '<form id="filters" class="filters" aria-label="Filter the timeline">'
        f'<fieldset class="f-type"><legend>Type</legend>{type_boxes}</fieldset>'
        f'<fieldset class="f-status"><legend>Status</legend>{status_boxes}</fieldset>'
        '<fieldset class="f-source"><legend>Source</legend>'
        f'<select name="source" aria-label="Source"><option value="">All articles</option>'
        f"{options}</select>"
        f'<label class="chk"><input type="checkbox" name="disputed"> only where sources '
        f'disagree <span class="n">{disputed}</span></label></fieldset>'
        f'<p class="shown" id="shown" aria-live="polite">{len(events)} of {len(events)} '
        "events shown</p></form>"
    )


def _legend() -> str:
    """What the axis draws; the type colours and status fills are keyed by the filters above."""
    return (
        '<p class="legend" id="legend"><span class="key"><span class="glyph s-occurred"></span>'
        'a day</span><span class="key"><span class="bar"></span>a month or a year</span>'
        '<span class="key"><span class="glyph ring"></span>sources disagree</span>'
        '<span class="key"><span class="brk">≈</span>time without events, cut short</span>'
        '<span class="key">colour: type · fill: status, as in the filters</span></p>'
    )


def _event_item(event: BriefEvent, page: _Page) -> str:
    """One card; its data-* attributes are what the filters test."""
    conflicts = page.conflicts.get(event.id, [])
    articles = [m.article_id for m in event.mentions]
    classes = f"event t-{event.type} s-{event.status}" + (" conflict" if conflicts else "")
    chips = f'<span class="type">{e(event.type.replace("_", " "))}</span>'
    if event.status != "occurred":
        chips += f'<span class="status s-{e(event.status)}">{e(event.status)}</span>'
    if conflicts:
        chips += '<span class="badge">sources disagree</span>'
    if not set(articles) & page.main_story:
        chips += '<span class="other-story">another story</span>'
    details = []
    if event.location:
        details.append(f"where: {e(event.location)}")
    if event.participants:
        details.append(f"who: {e(', '.join(event.participants))}")
    if event.quantities:
        details.append("numbers: " + e(", ".join(q.text for q in event.quantities)))
    notes = "".join(
        f'<p class="conflict-note">⚠ <a href="#conflict-{n}">{e(_field_name(c.field))}</a>: '
        + e(" vs ".join(_value_text(v.value, v.text, c.field) for v in c.values))
        + "</p>"
        for n, c in conflicts
    )
    quotes = "".join(
        f"<li><q>{e(ev.quote)}</q> <span class='by'>— {e(page.title(ev.article_id))}</span></li>"
        for ev in event.evidence
    )
    sources = count_sources(articles, page.original_of)
    when = (
        f'<time datetime="{e(event.date.value)}">{e(_when(event))}</time>'
        if event.date and event.date.value
        else e(_when(event))
    )
    return (
        f'<li class="{e(classes)}" id="event-{e(event.id)}" data-event="{e(event.id)}" '
        f'data-type="{e(event.type)}" data-status="{e(event.status)}" '
        f'data-sources="{e(" ".join(articles))}" data-disputed="{1 if conflicts else 0}" '
        'tabindex="0" role="button" aria-pressed="false">'
        f'<div class="when"><span class="sw t-{e(event.type)}"></span>{when}{chips}</div>'
        f'<div class="what">{e(event.description)}</div>'
        + (f'<div class="details">{" · ".join(details)}</div>' if details else "")
        + f'<div class="sources"><span class="count">{e(sources)}:</span> '
        f"{page.links(articles)}</div>{notes}"
        f'<details class="quotes"><summary>Quotes ({len(event.evidence)})</summary>'
        f"<ul>{quotes}</ul></details></li>"
    )


def _timeline(page: _Page) -> str:
    brief = page.brief
    disputed = {c.event_id for c in brief.conflicts if c.event_id}
    cards = "".join(_event_item(ev, page) for ev in brief.events)
    aside = ""
    if brief.set_aside:
        reasons = Counter(s.reason for s in brief.set_aside)
        kinds = {"caption": "photo caption", "boilerplate": "boilerplate line"}
        what = " and ".join(
            f"{n} {kinds.get(r, r)}{'s' if n != 1 else ''}" for r, n in sorted(reasons.items())
        )
        holders = {s.article_id for s in brief.set_aside}
        where = page.links([a.id for a in brief.articles if a.id in holders])
        aside = f'<p class="note set-aside">Not shown as events: {e(what)} ({where}).</p>'
    return (
        '<section id="timeline" class="panel"><h2>Timeline</h2>'
        + _filters(page)
        + _legend()
        + f'<div class="axis-wrap">{timeline_svg(brief.events, disputed)}</div>'
        + '<p class="hint">Select an event to highlight its quotes in the articles.</p>'
        + f'<ol class="timeline">{cards}</ol>{aside}</section>'
    )


def _takeaways(page: _Page) -> str:
    items = "".join(
        f"<li><p>{e(t.text)}</p><p class='support'>"
        f"<span class='count'>{e(count_sources(t.support, page.original_of))}:</span> "
        f"{page.links(t.support)}"
        + (
            " · "
            + ", ".join(
                f'<a href="#event-{e(i)}" data-select="{e(i)}">{e(_when(page.event[i]))}</a>'
                for i in t.events
                if i in page.event
            )
            if t.events
            else ""
        )
        + "</p></li>"
        for t in page.brief.key_takeaways
    )
    if not items:
        return ""
    return f'<section id="takeaways" class="panel"><h2>Key takeaways</h2><ol>{items}</ol></section>'


def _entities(brief: Brief) -> str:
    items = "".join(
        f"<li>{e(ent.name)}"
        + (f" <span class='meta'>(also {e(', '.join(ent.aliases))})</span>" if ent.aliases else "")
        + f" · {e(ent.type)}</li>"
        for ent in brief.entities
    )
    if not items:
        return ""
    return (
        f'<section id="entities" class="panel"><details><summary><h2>Who and what '
        f'<span class="count">{len(brief.entities)}</span></h2></summary><ul>{items}</ul>'
        "</details></section>"
    )


def _highlighted(text: str, spans: list[tuple[int, int, str]], disputed: set[str]) -> str:
    """The text with every quoted span in a <mark> naming the events that cite it."""
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(t for _, t, _ in spans)})
    out = []
    for left, right in pairwise(cuts):
        ids = sorted({i for s, t, i in spans if s <= left and right <= t}, key=lambda x: int(x[1:]))
        piece = e(text[left:right])
        if ids:
            cls = "quote disputed" if disputed & set(ids) else "quote"
            out.append(f'<mark class="{cls}" data-events="{e(" ".join(ids))}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


def _article(meta: BriefArticle, page: _Page, text: str | None) -> str:
    """The article's facts and text, with only event evidence marked (by offsets)."""
    brief = page.brief
    disputed = {c.event_id for c in brief.conflicts if c.event_id}
    spans: list[tuple[int, int, str]] = []
    quotes: list[tuple[str, str]] = []
    unplaced: list[tuple[str, str]] = []
    for event in brief.events:
        for ev in event.evidence:
            if ev.article_id != meta.id:
                continue
            quotes.append((ev.quote, event.id))
            known = text is not None and ev.start is not None and ev.end is not None
            if known and 0 <= ev.start < ev.end <= len(text):  # type: ignore[operator,arg-type]
                spans.append((ev.start, ev.end, event.id))  # type: ignore[arg-type]
            else:
                unplaced.append((ev.quote, event.id))
    url = web_url(meta.url)
    name = e(meta.title or meta.id)
    heading = (
        f'<a href="{e(url)}" rel="noopener noreferrer" target="_blank">{name}</a>' if url else name
    )
    facts = []
    if meta.published:
        facts.append(f"published {e(human_date(meta.published.isoformat()))}")
    source_url = web_url(meta.source)
    if source_url:
        facts.append(f'<a href="{e(source_url)}" rel="noopener noreferrer">{e(source_url)}</a>')
    elif meta.source:
        facts.append(e(meta.source))
    if url and url != source_url:
        facts.append(f'<a href="{e(url)}" rel="noopener noreferrer">{e(url)}</a>')
    elif meta.url and not url:
        facts.append(e(meta.url))
    if meta.duplicate_of:
        similarity = meta.similarity
        same = f", {round(similarity * 100)}% the same text" if similarity is not None else ""
        facts.append(
            f'<span class="copy-tag">copy</span> of {page.link(meta.duplicate_of)}{e(same)}'
        )
    if meta.id not in page.main_story:
        facts.append('<span class="other-story">another story</span>')
    head = (
        f'<article class="source" id="{page.anchor[meta.id]}" data-article="{e(meta.id)}">'
        f"<h3>{heading}</h3>"
        f'<p class="meta">{" · ".join(facts)}</p>'
    )
    if text is None:
        note = "Article text not available; its evidence quotes:"
        return head + _quote_list(note, quotes) + "</article>"
    body = f'<div class="text">{_highlighted(text, spans, disputed)}</div>'
    if unplaced:
        body += _quote_list("Quotes not found in the text:", unplaced)
    return head + body + "</article>"


Cited = tuple[str, int | None, int | None, str]
"""One quote an article view highlights: (quote, start, end, the page id of the event)."""


def article_view(meta: ArticleMeta, anchor: str, cited: list[Cited], text: str | None) -> str:
    """One article: its title and facts, then its text with every cited quote in a <mark>
    naming the events that cite it (or, without the text, the quotes as a list). Shared by the
    summarize's page (the brief page's own view adds copies and stories)."""
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
    body = f'<div class="text">{_highlighted(text, spans, set())}</div>'
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
    page = _Page(brief)
    articles = "".join(_article(a, page, text_matching(a, texts.get(a.id))) for a in brief.articles)
    body = (
        _header(page)
        + "<main>"
        + _disagreements(page)
        + _timeline(page)
        + f'<aside id="summary">{_takeaways(page)}{_entities(brief)}</aside>'
        + f'<section id="articles"><h2>Articles</h2>{articles}</section></main>'
    )
    data = brief.model_dump(mode="json")
    return html_page(brief.title, body, "brief-data", data, style=_type_style())


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
