"""One BriefEvent from a cluster of article events: the values most articles give, all sources."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

from eventbrief.brief.coreference import EventRef, description_similarity
from eventbrief.brief.dates import DayRange
from eventbrief.brief.entities import EntityIndex
from eventbrief.brief.quantities import unit_key
from eventbrief.models import (
    STATUSES,
    BriefEvent,
    Mention,
    Quantity,
    SourcedEvidence,
    TimeValue,
    name_key,
)

T = TypeVar("T")


def _majority(items: Sequence[T], key: Callable[[T], Hashable], prefer: Callable[[T], tuple]) -> T:
    """The most common item by key; ties go to `prefer` (larger wins), then to input order."""
    counts = Counter(key(i) for i in items)
    return max(enumerate(items), key=lambda p: (counts[key(p[1])], prefer(p[1]), -p[0]))[1]


def _medoid_description(cluster: list[EventRef]) -> str:
    texts = [r.event.description for r in cluster]
    if len(texts) <= 2:
        return max(texts, key=len)
    totals = [sum(description_similarity(t, o) for o in texts) for t in texts]
    best = max(range(len(texts)), key=lambda i: (totals[i], -i))
    return texts[best]


def _date(cluster: list[EventRef]) -> TimeValue | None:
    """The value compatible with most others; ties: the more specific, then the earlier."""
    dated = [
        (r.order, when, date)
        for r in cluster
        if (when := r.when) is not None and (date := r.event.date) is not None
    ]
    if not dated:
        undated = [r.event.date for r in cluster if r.event.date is not None]
        return undated[0] if undated else None

    def rank(when: DayRange) -> tuple[int, int, int]:
        agree = sum(1 for _, other, _ in dated if when.compatible(other))
        return (agree, -when.days, -when.start.toordinal())

    _, _, best = max(dated, key=lambda d: (*rank(d[1]), -d[0]))
    return best


def merge_cluster(
    event_id: str,
    cluster: list[EventRef],
    index: EntityIndex,
    original_of: Mapping[str, str] | None = None,
) -> BriefEvent:
    """`original_of` maps a copy's id to the article it copies, for `independent_sources`."""
    copies = original_of or {}
    events = [r.event for r in cluster]
    participants: dict[str, str] = {}
    for r in cluster:
        for p in r.event.participants:
            name = index.canonical(r.article_id, p)
            participants.setdefault(name_key(name), name)
    locations = [e.location for e in events if e.location]
    quantities: dict[tuple[float, str], Quantity] = {}
    for e in events:
        for q in e.quantities:
            quantities.setdefault((q.value, unit_key(q.unit)), q)
    attributed: dict[str, str] = {}
    for e in events:
        for a in e.attributed_to:
            attributed.setdefault(name_key(a), a)
    return BriefEvent(
        id=event_id,
        type=_majority(events, lambda e: e.type, lambda e: ()).type,
        description=_medoid_description(cluster),
        participants=list(participants.values()),
        location=_majority(locations, name_key, lambda loc: (len(loc),)) if locations else None,
        date=_date(cluster),
        status=_majority(events, lambda e: e.status, lambda e: (-STATUSES.index(e.status),)).status,
        quantities=list(quantities.values()),
        attributed_to=list(attributed.values()),
        evidence=[
            SourcedEvidence(article_id=r.article_id, **ev.model_dump())
            for r in cluster
            for ev in r.event.evidence
        ],
        mentions=[Mention(article_id=r.article_id, event_id=r.event.id) for r in cluster],
        independent_sources=len({copies.get(r.article_id, r.article_id) for r in cluster}),
    )
