"""Cross-article event coreference: which events of different articles are one happening.

A pair of events is scored from type, date, participants, location, a shared quantity and
description; pairs that cannot be one happening (incompatible types, far-apart dates for a
one-off event, or an event reported as done before the date of the other) get no score.
Clusters grow best pair first, average link, never holding two events of one article.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Protocol, TypeVar

from rapidfuzz import fuzz

from eventbrief.brief.dates import DayRange, month_day, range_of
from eventbrief.brief.entities import EntityIndex
from eventbrief.brief.places import places_agree, same_place
from eventbrief.brief.quantities import unit_key
from eventbrief.event_types import ONE_OFF_TYPES, family_of
from eventbrief.models import ArticleSummary, GroundedEvent

MERGE_THRESHOLD = 2.0
"""A pair scores at most about 4.2; 2.0 needs agreement on most of the evidence."""

LINK_SLACK = 0.3
"""Average link may sit this far under the threshold when a cluster absorbs another."""

_HAPPENED = frozenset({"occurred", "alleged"})

_REPEAT_CUE = re.compile(r"\b(?:more(?!\s+than)|additional|further|fresh|another)\b", re.IGNORECASE)
"""For ongoing kinds (troops, arms, aid): "sent more troops" is a new batch, not the first one."""


@dataclass(frozen=True)
class EventRef:
    """One article's event, with what coreference compares precomputed."""

    order: int
    article_id: str
    published: dt.date | None
    event: GroundedEvent
    participants: frozenset[int]
    when: DayRange | None


def event_refs(summaries: list[ArticleSummary], index: EntityIndex) -> list[EventRef]:
    refs: list[EventRef] = []
    for summary in summaries:
        aid = summary.article.id
        for event in summary.events:
            ids = {index.resolve(aid, p) for p in event.participants}
            refs.append(
                EventRef(
                    order=len(refs),
                    article_id=aid,
                    published=summary.article.published,
                    event=event,
                    participants=frozenset(i for i in ids if i is not None),
                    when=range_of(event.date),
                )
            )
    return refs


def _type_score(a: str, b: str) -> float | None:
    if a == b:
        return 1.0
    if "other" in (a, b):
        return 0.3
    if family_of(a) is not None and family_of(a) == family_of(b):
        return 0.6
    return None


def _written_days_differ(a: EventRef, b: EventRef) -> bool:
    """Without a resolved value, the words can still tell two days apart ("March 21", "June 4")."""
    if a.event.date is None or b.event.date is None:
        return False
    ma, mb = month_day(a.event.date.text), month_day(b.event.date.text)
    if ma is None or mb is None:
        return False
    if ma[0] != mb[0]:
        return True
    return ma[1] is not None and mb[1] is not None and abs(ma[1] - mb[1]) > 1


def _date_score(a: EventRef, b: EventRef, one_off: bool) -> float | None:
    if one_off and (a.when is None or b.when is None) and _written_days_differ(a, b):
        return None
    if a.when and b.when:
        if a.when == b.when:
            return 1.0
        if a.when.compatible(b.when):
            return 0.7 if max(a.when.days, b.when.days) <= 31 else 0.4
        if one_off:
            single = a.when.days == 1 and b.when.days == 1
            return 0.0 if single and a.when.gap_days(b.when) <= 1 else None
        return 0.0
    dated, undated = (a, b) if a.when else (b, a)
    if dated.when is None or undated.published is None:
        return 0.0
    if undated.event.status in _HAPPENED and dated.when.start > undated.published:
        return None
    gap = dated.when.gap_days(DayRange(undated.published, undated.published))
    if gap <= 7:
        return 0.4
    return 0.1 if gap <= 31 else 0.0


def _participant_score(a: EventRef, b: EventRef) -> float:
    if not a.participants or not b.participants:
        return 0.0
    shared = len(a.participants & b.participants)
    if not shared:
        return -0.3
    jaccard = shared / len(a.participants | b.participants)
    overlap = shared / min(len(a.participants), len(b.participants))
    return 0.5 * jaccard + 0.5 * overlap


def _location_score(a: EventRef, b: EventRef, index: EntityIndex) -> float:
    la, lb = a.event.location, b.event.location
    if not la or not lb:
        return 0.0
    if same_place(la, lb, index, a.article_id, b.article_id):
        return 0.2
    return 0.0 if places_agree(la, lb, index, a.article_id, b.article_id) else -0.2


def _quantity_score(a: EventRef, b: EventRef) -> float:
    """The same measure in both is a sign of one happening; a close value more so."""
    best = 0.0
    for x in a.event.quantities:
        for y in b.event.quantities:
            if unit_key(x.unit) != unit_key(y.unit):
                continue
            close = abs(x.value - y.value) <= 0.25 * max(abs(x.value), abs(y.value))
            best = max(best, 0.4 if close else 0.2)
    return best


def description_similarity(a: str, b: str) -> float:
    return fuzz.token_set_ratio(a.casefold(), b.casefold()) / 100.0


def pair_score(a: EventRef, b: EventRef, index: EntityIndex) -> float | None:
    """How strongly two events of different articles look like one happening; None: they cannot."""
    if a.article_id == b.article_id:
        return None
    type_score = _type_score(a.event.type, b.event.type)
    if type_score is None:
        return None
    one_off = a.event.type in ONE_OFF_TYPES and b.event.type in ONE_OFF_TYPES
    date_score = _date_score(a, b, one_off)
    if date_score is None:
        return None
    repeat = 0.0
    if not one_off:
        cues = {bool(_REPEAT_CUE.search(r.event.description)) for r in (a, b)}
        repeat = -0.5 if len(cues) == 2 else 0.0
    return (
        repeat
        + type_score
        + date_score
        + _participant_score(a, b)
        + _location_score(a, b, index)
        + _quantity_score(a, b)
        + 0.6 * description_similarity(a.event.description, b.event.description)
    )


def cluster_events(refs: list[EventRef], index: EntityIndex) -> list[list[EventRef]]:
    """Clusters of refs, each sorted by input order; clusters ordered by their first member."""
    scores: dict[tuple[int, int], float | None] = {
        (a.order, b.order): pair_score(a, b, index) for a, b in combinations(refs, 2)
    }
    return average_link(refs, scores, MERGE_THRESHOLD, MERGE_THRESHOLD - LINK_SLACK)


L = TypeVar("L", bound="Linked")


class Linked(Protocol):
    """What average_link clusters: an input position and the article it comes from."""

    @property
    def order(self) -> int: ...

    @property
    def article_id(self) -> str: ...


def average_link(
    items: Sequence[L], scores: Mapping[tuple[int, int], float | None], link: float, average: float
) -> list[list[L]]:
    """Average-link clusters of `items`, best pair first: a pair scoring at least `link` joins
    its two clusters when they share no article, no pair across them is vetoed (None) and the
    mean score across them is at least `average`. `scores` is keyed by (lower, higher) order.
    Clusters are sorted by order and listed by their first member."""
    candidates = sorted(
        ((s, i, j) for (i, j), s in scores.items() if s is not None and s >= link),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    cluster_of = {it.order: it.order for it in items}
    members: dict[int, list[L]] = {it.order: [it] for it in items}
    for _, i, j in candidates:
        ci, cj = cluster_of[i], cluster_of[j]
        if ci == cj:
            continue
        left, right = members[ci], members[cj]
        if {x.article_id for x in left} & {y.article_id for y in right}:
            continue
        links = [scores[min(x.order, y.order), max(x.order, y.order)] for x in left for y in right]
        known = [s for s in links if s is not None]
        if len(known) < len(links) or sum(known) / len(known) < average:
            continue
        keep, drop = min(ci, cj), max(ci, cj)
        members[keep] = sorted(left + right, key=lambda it: it.order)
        for it in members.pop(drop):
            cluster_of[it.order] = keep
    return [members[k] for k in sorted(members)]
