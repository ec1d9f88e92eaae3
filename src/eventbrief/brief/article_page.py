"""ArticleSummary records as one self-contained HTML page (`summarize --format html`).

Each article gets its notices, summary, takeaways, events and entities beside its text, shown by
the brief page's own article view: the events' quotes highlighted, and selecting an event
highlights its quotes. Event ids are numbered across the page (an article's own id is shown), so
one page holds any number of articles. Escaping, the Content-Security-Policy and the absence of
external assets are the brief page's (see `eventbrief.brief.html`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from eventbrief.brief.html import Cited, article_view, e, html_page, text_matching
from eventbrief.models import ArticleSummary, GroundedEvent

# One grid per article (the brief page has one for the whole page); its text column scrolls.
STYLE = (
    "main { display: block; }"
    ".pair { display: grid; grid-template-columns: minmax(22rem, 1fr) minmax(22rem, 1fr);"
    " gap: 1.5rem; align-items: start; margin-bottom: 2rem; }"
    ".pair > .text-column { position: sticky; top: 0; max-height: 100vh; overflow-y: auto; }"
    ".warnings { border-color: #f3c68f; background: var(--warn-bg); color: var(--warn); }"
    "@media (max-width: 900px) { .pair { grid-template-columns: 1fr; }"
    " .pair > .text-column { position: static; max-height: none; } }"
)


def _when(event: GroundedEvent) -> str:
    """The date as the reader needs it: an unresolved one shows its words, so it reads as
    unknown rather than missing."""
    if event.date is None:
        return "undated"
    if event.date.value is None:
        return f"“{event.date.text}” (unresolved)"
    return ("about " if event.date.approximate else "") + event.date.value


def _event_item(event: GroundedEvent, page_id: str) -> str:
    """One event in the brief page's markup, so its stylesheet and script serve this page too."""
    details = []
    if event.location:
        details.append(f"where: {e(event.location)}")
    if event.participants:
        details.append(f"who: {e(', '.join(event.participants))}")
    if event.status != "occurred":
        details.append(f"status: {e(event.status)}")
    if event.quantities:
        details.append("numbers: " + e(", ".join(q.text for q in event.quantities)))
    if event.attributed_to:
        details.append(f"according to: {e(', '.join(event.attributed_to))}")
    quotes = "".join(f"<li>“{e(ev.quote)}”</li>" for ev in event.evidence)
    return (
        f'<li class="event" id="event-{e(page_id)}" data-event="{e(page_id)}" tabindex="0" '
        'role="button" aria-pressed="false">'
        f'<div class="when">{e(_when(event))} <span class="meta">{e(event.id)}</span></div>'
        f'<div class="what"><span class="type">{e(event.type.replace("_", " "))}</span>'
        f"{e(event.description)}</div>"
        f'<div class="details">{" · ".join(details)}</div>'
        f'<ul class="sources">{quotes}</ul></li>'
    )


def _article(
    summary: ArticleSummary, number: int, first_event: int, text: str | None, notices: Sequence[str]
) -> str:
    """One article's panels and its text; its events are e<first_event>, e<first_event + 1>, …"""
    ids = {event.id: f"e{first_event + n}" for n, event in enumerate(summary.events)}
    warnings = [*notices, *summary.provenance.warnings]
    panels = ""
    if warnings:
        listed = "".join(f"<li>{e(w)}</li>" for w in warnings)
        title = "Partial result" if summary.partial else "Warnings"
        panels += f'<section class="panel warnings"><h2>{title}</h2><ul>{listed}</ul></section>'
    panels += f'<section class="panel"><h2>Summary</h2><p>{e(summary.summary)}</p></section>'
    takeaways = "".join(f"<li>{e(t.text)}</li>" for t in summary.key_takeaways)
    if takeaways:
        panels += f'<section class="panel"><h2>Key takeaways</h2><ul>{takeaways}</ul></section>'
    events = "".join(_event_item(event, ids[event.id]) for event in summary.events)
    panels += (
        f'<section><h2>Events</h2><ol class="timeline">{events}</ol></section>'
        if events
        else '<section class="panel"><h2>Events</h2><p class="note">No events found.</p></section>'
    )
    entities = "".join(
        f"<li>{e(ent.name)}"
        + (f" <span class='meta'>(also {e(', '.join(ent.aliases))})</span>" if ent.aliases else "")
        + f" · {e(ent.type)}</li>"
        for ent in summary.entities
    )
    if entities:
        panels += f'<section class="panel"><h2>Who and what</h2><ul>{entities}</ul></section>'
    cited: list[Cited] = [
        (ev.quote, ev.start, ev.end, ids[event.id])
        for event in summary.events
        for ev in event.evidence
    ]
    view = article_view(summary.article, f"article-{number}", cited, text)
    return (
        f'<section class="pair" aria-label="{e(summary.article.title or summary.article.id)}">'
        f'<div>{panels}</div><div class="text-column">{view}</div></section>'
    )


def render_summaries_html(
    summaries: Sequence[ArticleSummary],
    texts: Mapping[str, str] | None = None,
    notices: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The page for `summaries`; `texts` by article id (used only when it is the exact text the
    summary was made from) and `notices` by article id."""
    texts, notices = texts or {}, notices or {}
    title = (
        (summaries[0].article.title or summaries[0].article.id)
        if len(summaries) == 1
        else f"{len(summaries)} articles"
    )
    parts, first = [], 1
    for number, summary in enumerate(summaries, start=1):
        aid = summary.article.id
        text = text_matching(summary.article, texts.get(aid))
        parts.append(_article(summary, number, first, text, notices.get(aid, ())))
        first += len(summary.events)
    events = sum(len(s.events) for s in summaries)
    articles = f"{len(summaries)} article{'s' if len(summaries) != 1 else ''}"
    body = (
        f'<header><h1>{e(title)}</h1><p class="meta">{articles} · {events} events · '
        "select an event to highlight its quotes</p></header>"
        f"<main>{''.join(parts)}</main>"
    )
    data = [s.model_dump(mode="json") for s in summaries]
    return html_page(title, body, "summary-data", data, style=STYLE)
