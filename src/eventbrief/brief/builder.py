"""build_brief: many ArticleSummary records into one Brief, deterministically and without an LLM.

The result does not depend on the order the summaries are given in: articles are first sorted by
publication date, then id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping

from eventbrief.brief.boilerplate import not_news
from eventbrief.brief.conflicts import event_conflicts
from eventbrief.brief.coreference import cluster_events, event_refs
from eventbrief.brief.duplicates import find_duplicates
from eventbrief.brief.entities import merge_entities
from eventbrief.brief.events import merge_cluster
from eventbrief.brief.series import count_claims, series_conflicts
from eventbrief.brief.stories import split_stories, story_entities
from eventbrief.brief.takeaways import merge_takeaways
from eventbrief.brief.timeline import order_events
from eventbrief.models import (
    ArticleSummary,
    Brief,
    BriefArticle,
    BriefEvent,
    BriefStory,
    Conflict,
    SetAside,
)


def _article_order(summary: ArticleSummary) -> tuple[dt.date, str]:
    return (summary.article.published or dt.date.max, summary.article.id)


def default_title(summaries: list[ArticleSummary], brief_events: list[BriefEvent]) -> str:
    """The actors named most across events, with the span of publication dates."""
    counts: Counter[str] = Counter(p for e in brief_events for p in e.participants)
    actors = [name for name, _ in counts.most_common(2)]
    dates = sorted(s.article.published for s in summaries if s.article.published)
    span = ""
    if dates:
        span = f", {dates[0].isoformat()}"
        span += f" to {dates[-1].isoformat()}" if dates[-1] != dates[0] else ""
    who = " and ".join(actors) if actors else "Brief"
    return f"{who}: {len(summaries)} article{'s' if len(summaries) != 1 else ''}{span}"


def _set_aside(
    summaries: list[ArticleSummary], texts: Mapping[str, str]
) -> tuple[list[ArticleSummary], list[SetAside]]:
    """The summaries without events stated only by captions or boilerplate, and those events."""
    kept: list[ArticleSummary] = []
    left: list[SetAside] = []
    for s in summaries:
        events = []
        for event in s.events:
            reason = not_news(event.evidence, texts.get(s.article.id))
            if reason is None:
                events.append(event)
            else:
                left.append(SetAside(article_id=s.article.id, event_id=event.id, reason=reason))
        kept.append(s if len(events) == len(s.events) else s.model_copy(update={"events": events}))
    return kept, left


def _stories(
    ordered: list[ArticleSummary], events: list[BriefEvent], entities: dict[str, set[int]]
) -> list[BriefStory]:
    """The connected groups of articles, each titled from its own articles and events."""
    by_id = {s.article.id: s for s in ordered}
    stories = []
    for ids in split_stories(list(by_id), events, entities):
        members = set(ids)
        own = [e for e in events if members & {m.article_id for m in e.mentions}]
        stories.append(BriefStory(title=default_title([by_id[i] for i in ids], own), articles=ids))
    return stories


def _title(stories: list[BriefStory]) -> str:
    """The main story's title; when other stories came along, how many articles they hold."""
    others = sum(len(s.articles) for s in stories[1:])
    if not others:
        return stories[0].title
    return f"{stories[0].title} (+{others} article{'s' if others != 1 else ''} on another story)"


def build_brief(
    summaries: list[ArticleSummary],
    title: str | None = None,
    texts: Mapping[str, str] | None = None,
) -> Brief:
    """Merge summaries; `texts` (article id → text) lets visit-count claims be read from the
    full text rather than the evidence quotes only, captions be judged by their whole line, and
    copies be found by their text."""
    ids = [s.article.id for s in summaries]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(
            f"article ids must be unique in a brief; repeated: {', '.join(duplicated)}"
        )
    texts = texts or {}
    ordered = sorted(summaries, key=_article_order)
    copies = find_duplicates(ordered, texts)
    original_of = {copy: original for copy, (original, _) in copies.items()}
    merged, set_aside = _set_aside(ordered, texts)
    published = {s.article.id: s.article.published for s in merged}
    index = merge_entities(merged)
    clusters = cluster_events(event_refs(merged, index), index)

    provisional = [
        merge_cluster(f"e{i + 1}", c, index, original_of) for i, c in enumerate(clusters)
    ]
    timeline = order_events(provisional, published)
    renumber = {e.id: f"e{i + 1}" for i, e in enumerate(timeline)}
    events = [e.model_copy(update={"id": renumber[e.id]}) for e in timeline]
    cluster_of = {renumber[f"e{i + 1}"]: c for i, c in enumerate(clusters)}

    conflicts: list[Conflict] = []
    for event in events:
        conflicts.extend(event_conflicts(event.id, cluster_of[event.id], index))
    brief_event_of = {(m.article_id, m.event_id): e.id for e in events for m in e.mentions}
    claims = [claim for s in merged for claim in count_claims(s, texts.get(s.article.id), index)]
    conflicts.extend(series_conflicts(claims, brief_event_of))

    stories = _stories(merged, events, {s.article.id: story_entities(s, index) for s in merged})
    articles = [
        BriefArticle(
            **s.article.model_dump(),
            duplicate_of=copies[s.article.id][0] if s.article.id in copies else None,
            similarity=copies[s.article.id][1] if s.article.id in copies else None,
        )
        for s in ordered
    ]
    return Brief(
        title=title or _title(stories),
        articles=articles,
        stories=stories,
        events=events,
        key_takeaways=merge_takeaways(
            merged,
            texts,
            brief_event_of,
            original_of,
            {e.id: n for n, e in enumerate(events)},
            set(stories[0].articles),
        ),
        entities=index.entities,
        conflicts=conflicts,
        set_aside=set_aside,
    )
