"""Where an event happens: the place named nearest its trigger (GUIDELINES §4).

Places come from the entity table (mentions after in/to/at/near, capitals, "the X region");
a city beats the country it is in when both are stated for the same event.
"""

from __future__ import annotations

from eventbrief.backends.offline.names import EntityTable, NameMention


def place_mentions(table: EntityTable, start: int, end: int) -> list[NameMention]:
    return [m for m in table.in_span(start, end) if m.role == "place"]


def nearest_place(table: EntityTable, start: int, end: int, anchor: int) -> str | None:
    """The place in text[start:end] closest after `anchor` (else closest before it)."""
    places = place_mentions(table, start, end)
    if not places:
        return None
    after = [m for m in places if m.start >= anchor]
    chosen = (
        min(after, key=lambda m: m.start - anchor) if after else max(places, key=lambda m: m.end)
    )
    return table.get(chosen.key).name


def more_specific(table: EntityTable, a: str | None, b: str | None) -> str | None:
    """Of two places stated for one event, the more specific (a city over a country)."""
    if a is None or b is None:
        return a or b
    types = {r.name: r.type for r in table.records.values()}
    if types.get(a) == "country" and types.get(b) == "location":
        return b
    return a


def compatible(table: EntityTable, a: str | None, b: str | None) -> bool:
    """Two places may name one event's place: equal, unknown, or a place and a country."""
    if a is None or b is None or a == b:
        return True
    types = {r.name: r.type for r in table.records.values()}
    return "country" in (types.get(a), types.get(b)) and types.get(a) != types.get(b)
