"""Which articles of a brief are one story: those joined, directly or through others, by a merged
event or by an entity their events involve.

A brief given two unrelated stories would otherwise be titled after the larger one and read as
one timeline. Entities count only as actors or places of events (not every name an article
drops, such as the agency it credits), or all of an article's entities when it has no event.
"""

from __future__ import annotations

from collections.abc import Iterable

from eventbrief.brief.entities import EntityIndex
from eventbrief.models import ArticleSummary, BriefEvent


def story_entities(summary: ArticleSummary, index: EntityIndex) -> set[int]:
    """Merged entities the article's events involve (participants and places)."""
    aid = summary.article.id
    names = [n for e in summary.events for n in (*e.participants, e.location) if n]
    if not summary.events:
        names = [n for entity in summary.entities for n in entity.names()]
    return {i for n in names if (i := index.resolve(aid, n)) is not None}


def split_stories(
    article_ids: list[str], events: Iterable[BriefEvent], entities: dict[str, set[int]]
) -> list[list[str]]:
    """Connected groups of articles, largest first (ties: the one with the earliest article);
    ids in the order given."""
    parent = {a: a for a in article_ids}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def join(group: list[str]) -> None:
        roots = sorted({find(a) for a in group}, key=article_ids.index)
        for r in roots[1:]:
            parent[r] = roots[0]

    for event in events:
        join([m.article_id for m in event.mentions])
    holders: dict[int, list[str]] = {}
    for aid in article_ids:
        for entity in entities.get(aid, set()):
            holders.setdefault(entity, []).append(aid)
    for group in holders.values():
        join(group)
    groups: dict[str, list[str]] = {}
    for aid in article_ids:
        groups.setdefault(find(aid), []).append(aid)
    return sorted(groups.values(), key=lambda g: (-len(g), article_ids.index(g[0])))
