"""Where an event happens: the place named next to its trigger (GUIDELINES §4).

Places come from the entity table (mentions after in/to/at/near, capitals, "the X region");
"the country" and "the region" refer to the last such place named; a city beats the country it
is in when both are stated for one event.
"""

from __future__ import annotations

import re

from eventbrief.backends.offline.names import EntityTable

PHYSICAL = {"visit", "meeting", "armed_conflict", "military_deployment"}
_BACKGROUND_PLACE = re.compile(
    r"\b(?:war|conflict|fighting|crisis|tensions|campaign)\s+in\s+(?:the\s+)?$", re.IGNORECASE
)
_THE_COUNTRY = re.compile(r"^\s+(?:to|in)\s+the\s+country\b")
_THE_REGION = re.compile(r"\b(?:in|to|near)\s+the\s+region\b")
_REGIONS = {"region", "province", "oblast", "district", "county", "prefecture", "governorate"}


def locate(
    text: str,
    table: EntityTable,
    clause: tuple[int, int],
    s: int,
    e: int,
    etype: str,
    limit: int | None = None,
) -> str | None:
    """The place stated next to the trigger: just after it ("arrived in X", "visit to X") or,
    for physical events, just before it within the clause."""
    candidates = []
    for m in table.in_span(clause[0], clause[1]):
        rec = table.get(m.key)
        if rec.type not in ("location", "country"):
            continue
        before = text[max(0, m.start - 14) : m.start]
        place_like = m.role == "place" or (
            etype == "visit"
            and 0 <= m.start - e <= 2
            and rec.type == "country"
            and m.role != "modifier"
        )
        if not place_like:
            continue
        if etype not in PHYSICAL and not re.search(r"\b(?:in|at)\s+(?:the\s+)?$", before):
            continue
        if etype != "armed_conflict" and _BACKGROUND_PLACE.search(
            text[max(0, m.start - 30) : m.start]
        ):
            continue
        if m.start >= e and m.start - e <= 90 and (limit is None or m.start < limit):
            candidates.append((m.start - e, rec.name))
        elif m.end <= s and s - m.end <= 40 and etype in PHYSICAL:
            candidates.append((s - m.end + 30, rec.name))
    if candidates:
        return min(candidates)[1]
    if etype == "visit" and _THE_COUNTRY.match(text[e : e + 30]):
        return _previous_place(text, table, s, ("country",))
    if etype in PHYSICAL and _THE_REGION.search(text[e : min(clause[1], e + 90)]):
        return _previous_place(text, table, s, ("location",), region=True)
    return None


def _previous_place(
    text: str, table: EntityTable, pos: int, types: tuple[str, ...], region: bool = False
) -> str | None:
    """The place "the country" / "the region" refers to: the last one of that kind named."""
    for m in reversed(table.mentions):
        if m.end > pos or m.role != "place":
            continue
        rec = table.get(m.key)
        if rec.type in types and (not region or rec.name.split()[-1].lower() in _REGIONS):
            return rec.name
    return None


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
