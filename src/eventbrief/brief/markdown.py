"""A Brief as Markdown, for pasting into a document: timeline, disagreements, takeaways, sources
(copies named as such, another story flagged).

Article-derived text is escaped so that it cannot open links, images or HTML in the document.
"""

from __future__ import annotations

import re

from eventbrief.brief.conflicts import stated
from eventbrief.models import Brief, BriefEvent, Conflict

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: str) -> str:
    """Escape Markdown and inline HTML; keep line breaks out of list items."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _when(event: BriefEvent) -> str:
    if event.date is None or event.date.value is None:
        return "undated"
    return ("about " if event.date.approximate else "") + event.date.value


def _sources(event: BriefEvent, original_of: dict[str, str]) -> str:
    """The mentions, and when a copy is among them how many sources are independent."""
    listed = ", ".join(f"{md(m.article_id)} ({md(m.event_id)})" for m in event.mentions)
    copies = sum(1 for m in event.mentions if m.article_id in original_of)
    if not copies:
        return listed
    plural = "s" if event.independent_sources != 1 else ""
    return f"{listed}, {event.independent_sources} independent source{plural}"


def _conflict_line(conflict: Conflict) -> str:
    values = "; ".join(
        f"{md(stated(v))} ({', '.join(md(a) for a in v.articles)})" for v in conflict.values
    )
    where = f"{conflict.event_id}, " if conflict.event_id else ""
    return f"- **{md(conflict.field)}** ({where}{len(conflict.values)} versions): {values}"


def render_markdown(brief: Brief) -> str:
    conflicted = {c.event_id for c in brief.conflicts if c.event_id}
    original_of = {a.id: a.duplicate_of for a in brief.articles if a.duplicate_of}
    lines = [f"# {md(brief.title)}", ""]
    if len(brief.stories) > 1:
        others = ", ".join(md(a) for s in brief.stories[1:] for a in s.articles)
        lines += [f"⚠ Another story, sharing no event or entity with the rest: {others}.", ""]
    if brief.narrative:
        lines += [md(brief.narrative), ""]
    copies = f" ({len(brief.articles) - len(original_of)} independent, {len(original_of)} " + (
        "copy)" if len(original_of) == 1 else "copies)"
    )
    lines += [f"{len(brief.articles)} articles{copies if original_of else ''}, "
              f"{len(brief.events)} events, {len(brief.conflicts)} disagreements.", "",
              "## Timeline", ""]  # fmt: skip
    for e in brief.events:
        flag = " ⚠ sources disagree" if e.id in conflicted else ""
        lines.append(
            f"- **{_when(e)}** · {md(e.type.replace('_', ' '))} · {md(e.description)}{flag}"
        )
        details = []
        if e.location:
            details.append(f"where: {md(e.location)}")
        if e.status != "occurred":
            details.append(f"status: {e.status}")
        if e.quantities:
            details.append("numbers: " + ", ".join(md(q.text) for q in e.quantities))
        details.append(f"sources: {_sources(e, original_of)}")
        lines.append(f"  {e.id} — " + "; ".join(details))
    if brief.conflicts:
        lines += ["", "## Where the sources disagree", ""]
        lines += [_conflict_line(c) for c in brief.conflicts]
    if brief.key_takeaways:
        lines += ["", "## Key takeaways", ""]
        for t in brief.key_takeaways:
            lines.append(f"- {md(t.text)} ({', '.join(md(a) for a in t.support)})")
    if brief.entities:
        lines += ["", "## Who and what", ""]
        for ent in brief.entities:
            aka = f" (also {', '.join(md(a) for a in ent.aliases)})" if ent.aliases else ""
            lines.append(f"- {md(ent.name)}{aka}: {ent.type}")
    lines += ["", "## Sources", ""]
    for a in brief.articles:
        parts = [md(a.title) if a.title else None, a.published.isoformat() if a.published else None,
                 md(a.source) if a.source else None, md(a.url) if a.url else None]  # fmt: skip
        if a.duplicate_of:
            parts.append(f"copy of {md(a.duplicate_of)}")
        lines.append(f"- {md(a.id)}: " + " · ".join(p for p in parts if p))
    if brief.set_aside:
        left = ", ".join(
            f"{md(s.article_id)} {md(s.event_id)} ({s.reason})" for s in brief.set_aside
        )
        lines += ["", f"Not merged as events (captions, boilerplate): {left}."]
    return "\n".join(lines) + "\n"
