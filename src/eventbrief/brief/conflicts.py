"""Where the articles behind one merged event disagree: date, quantity, location, status.

A disagreement is reported only when it is one: "June" against "June 4" is not (one contains
the other); a country against a city in it is not; "planned" in an article written before
another reports the event as having happened is not (time passed). "Occurred" against "alleged"
is: one source states as fact what another reports as unconfirmed.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from eventbrief.brief.coreference import EventRef
from eventbrief.brief.entities import EntityIndex
from eventbrief.brief.places import places_agree
from eventbrief.brief.quantities import unit_key
from eventbrief.models import Conflict, ConflictValue, name_key

_HAPPENED = frozenset({"occurred", "alleged"})
_NOT_YET = frozenset({"planned", "speculated"})


def stated(value: ConflictValue) -> str:
    """How an article put it, with the value added when the words do not already show it
    ("May 20 [2026-05-20]", but "12,000 soldiers" alone)."""
    if not value.text:
        return str(value.value)
    forms = {str(value.value)}
    if isinstance(value.value, int | float) and not isinstance(value.value, bool):
        forms.add(f"{value.value:,}")
    shown = any(form in value.text for form in forms)
    return value.text if shown else f"{value.text} [{value.value}]"


def _values(given: list[tuple[Any, str | None, str]]) -> list[ConflictValue]:
    """Group (value, text, article) by value, in first-stated order."""
    texts: dict[Any, str | None] = {}
    articles: dict[Any, list[str]] = {}
    for value, text, article in given:
        texts.setdefault(value, text)
        if article not in articles.setdefault(value, []):
            articles[value].append(article)
    return [ConflictValue(value=v, text=texts[v], articles=a) for v, a in articles.items()]


def _date_conflict(event_id: str, cluster: list[EventRef]) -> Conflict | None:
    # A range comes only from a date with a value, so every dated ref has both.
    dated = [
        (r.article_id, when, date)
        for r in cluster
        if (when := r.when) is not None and (date := r.event.date) is not None
    ]
    if not any(not a.compatible(b) for (_, a, _), (_, b, _) in combinations(dated, 2)):
        return None
    values = _values([(date.value, date.text, aid) for aid, _, date in dated])
    return Conflict(
        event_id=event_id,
        field="date",
        description="The articles give different dates for this event: "
        + "; ".join(f"{v.text or v.value} ({', '.join(v.articles)})" for v in values),
        values=values,
    )


def _quantity_conflicts(event_id: str, cluster: list[EventRef]) -> list[Conflict]:
    by_unit: dict[str, list[tuple[float, str, str]]] = {}
    for r in cluster:
        for q in r.event.quantities:
            by_unit.setdefault(unit_key(q.unit), []).append((q.value, q.text, r.article_id))
    conflicts = []
    for unit, given in by_unit.items():
        values = _values([(_number(v), t, a) for v, t, a in given])
        if len(values) < 2 or len({a for v in values for a in v.articles}) < 2:
            continue
        conflicts.append(
            Conflict(
                event_id=event_id,
                field="quantity",
                description=f"The articles give different numbers of {unit}s: "
                + "; ".join(f"{v.text} ({', '.join(v.articles)})" for v in values),
                values=values,
            )
        )
    return conflicts


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _location_conflict(
    event_id: str, cluster: list[EventRef], index: EntityIndex
) -> Conflict | None:
    placed = [(r.article_id, place) for r in cluster if (place := r.event.location)]
    if all(
        places_agree(a, b, index, a_id, b_id) for (a_id, a), (b_id, b) in combinations(placed, 2)
    ):
        return None
    first: dict[str, str] = {}
    for _, place in placed:
        first.setdefault(name_key(place), place)
    values = _values([(first[name_key(place)], None, aid) for aid, place in placed])
    return Conflict(
        event_id=event_id,
        field="location",
        description="The articles place this event differently: "
        + "; ".join(f"{v.value} ({', '.join(v.articles)})" for v in values),
        values=values,
    )


def _status_conflict(event_id: str, cluster: list[EventRef]) -> Conflict | None:
    """Different statuses, unless each "not yet" comes from an article older than every report
    that it happened (time passed between them; the articles do not disagree)."""
    happened = [r.published for r in cluster if r.event.status in _HAPPENED]
    first_report = min((d for d in happened if d is not None), default=None)

    def superseded(r: EventRef) -> bool:
        return (
            r.event.status in _NOT_YET
            and first_report is not None
            and r.published is not None
            and r.published < first_report
        )

    if len({r.event.status for r in cluster if not superseded(r)}) < 2:
        return None
    values = _values([(r.event.status, None, r.article_id) for r in cluster])
    return Conflict(
        event_id=event_id,
        field="status",
        description="The articles differ on how certain this event is: "
        + "; ".join(f"{v.value} ({', '.join(v.articles)})" for v in values),
        values=values,
    )


def event_conflicts(event_id: str, cluster: list[EventRef], index: EntityIndex) -> list[Conflict]:
    """Every disagreement among the articles behind one merged event."""
    found: list[Conflict | None] = [
        _date_conflict(event_id, cluster),
        *_quantity_conflicts(event_id, cluster),
        _location_conflict(event_id, cluster, index),
        _status_conflict(event_id, cluster),
    ]
    return [c for c in found if c is not None]
