"""build_brief: many ArticleSummary records into one Brief, deterministically and without an LLM.

The result does not depend on the order the summaries are given in: articles are first sorted by
publication date, then id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping

from eventbrief.brief.conflicts import event_conflicts
from eventbrief.brief.coreference import cluster_events, event_refs
from eventbrief.brief.entities import merge_entities
from eventbrief.brief.events import merge_cluster
from eventbrief.brief.series import count_claims, series_conflicts
from eventbrief.brief.takeaways import merge_takeaways
from eventbrief.brief.timeline import order_events
from eventbrief.models import ArticleSummary, Brief, BriefEvent, Conflict


def _article_order(summary: ArticleSummary) -> tuple[dt.date, str]:
    return (summary.article.published or dt.date.max, summary.article.id)


def default_title(summaries: list[ArticleSummary], brief_events: list[BriefEvent]) -> str:
    """The actors named most across events, with the span of publication dates."""
    counts: Counter[str] = Counter(p for e in brief_events for p in e.participants)
    actors = [name for name, _ in counts.most_common(2)]
    dates = sorted(s.article.published for s in summaries if s.article.published)
    span = f", {dates[0].isoformat()} to {dates[-1].isoformat()}" if dates else ""
    who = " and ".join(actors) if actors else "Brief"
    return f"{who}: {len(summaries)} article{'s' if len(summaries) != 1 else ''}{span}"


def build_brief(
    summaries: list[ArticleSummary],
    title: str | None = None,
    texts: Mapping[str, str] | None = None,
) -> Brief:
    """Merge summaries; `texts` (article id → text) lets visit-count claims be read from the
    full text rather than the evidence quotes only."""
    ids = [s.article.id for s in summaries]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(
            f"article ids must be unique in a brief; repeated: {', '.join(duplicated)}"
        )
    ordered = sorted(summaries, key=_article_order)
    published = {s.article.id: s.article.published for s in ordered}
    index = merge_entities(ordered)
    clusters = cluster_events(event_refs(ordered, index), index)

    provisional = [merge_cluster(f"e{i + 1}", c, index) for i, c in enumerate(clusters)]
    timeline = order_events(provisional, published)
    renumber = {e.id: f"e{i + 1}" for i, e in enumerate(timeline)}
    events = [e.model_copy(update={"id": renumber[e.id]}) for e in timeline]
    cluster_of = {renumber[f"e{i + 1}"]: c for i, c in enumerate(clusters)}

    conflicts: list[Conflict] = []
    for event in events:
        conflicts.extend(event_conflicts(event.id, cluster_of[event.id], index))
    brief_event_of = {(m.article_id, m.event_id): e.id for e in events for m in e.mentions}
    claims = [
        claim for s in ordered for claim in count_claims(s, (texts or {}).get(s.article.id), index)
    ]
    conflicts.extend(series_conflicts(claims, brief_event_of))

    return Brief(
        title=title or default_title(ordered, events),
        articles=[s.article for s in ordered],
        events=events,
        key_takeaways=merge_takeaways(ordered),
        entities=index.entities,
        conflicts=conflicts,
    )
