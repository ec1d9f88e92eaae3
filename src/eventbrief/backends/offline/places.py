"""Where an event happens: the place named next to its trigger (GUIDELINES §4).

Places come from the entity table (mentions after in/to/at/near, capitals, "the X region");
"the country" and "the region" refer to the last such place named; a city beats the country it
is in when both are stated for one event.
"""

from __future__ import annotations

import re

from eventbrief.backends.offline.document import Document
from eventbrief.backends.offline.names import EntityTable
from eventbrief.countries import country_index
from eventbrief.event_types import types_in

PHYSICAL = types_in("encounter") | types_in("force")
"""Types that happen at a place someone is (a visit, fighting), not only a place named."""
_TRANSFERS = types_in("transfer")
_BACKGROUND_PLACE = re.compile(
    r"\b(?:war|conflict|fighting|crisis|tensions|campaign)\s+in\s+(?:the\s+)?$", re.IGNORECASE
)
_THE_COUNTRY = re.compile(r"^\s+(?:to|in)\s+the\s+country\b")
_THE_REGION = re.compile(r"\b(?:in|to|near)\s+the\s+region\b")
_THE_CAPITAL = re.compile(r"^\s+(?:in|to|into|at)\s+the\s+(?P<adj>[A-Z][\w-]+)\s+capital\b")
_REGIONS = {"region", "province", "oblast", "district", "county", "prefecture", "governorate"}


def locate(
    doc: Document,
    table: EntityTable,
    clause: tuple[int, int],
    s: int,
    e: int,
    etype: str,
    limit: int | None = None,
) -> str | None:
    """The place stated next to the trigger: just after it ("arrived in X", "visit to X") or,
    for physical events, just before it within the clause."""
    text = doc.text
    candidates = []
    for m in table.in_span(clause[0], clause[1]):
        rec = table.get(m.key)
        if rec.type not in ("location", "country"):
            continue
        before = text[doc.before(m.start, 2) : m.start]
        place_like = m.role == "place" or (
            etype == "visit"
            and m.start >= e
            and doc.words_between(e, m.start) == 0
            and rec.type == "country"
            and m.role != "modifier"
        )
        if not place_like:
            continue
        into = (
            r"in|at|to|into"
            if etype in _TRANSFERS and rec.type == "location" and not rec.country_code
            else r"in|at"
        )
        if etype not in PHYSICAL and not re.search(rf"\b(?:{into})\s+(?:the\s+)?$", before):
            continue  # aid flown "to Nepalgunj" happens there; a country it goes to is a party
        if etype != "armed_conflict" and _BACKGROUND_PLACE.search(
            text[doc.before(m.start, 5) : m.start]
        ):
            continue
        near = 15 if etype in PHYSICAL or etype not in ("statement", "criticism") else 5
        gap = doc.words_between(e, m.start) if m.start >= e else doc.words_between(m.end, s)
        if m.start >= e and gap <= near and (limit is None or m.start < limit):
            candidates.append((gap, rec.name))
        elif m.end <= s and gap <= 6 and etype in PHYSICAL:
            candidates.append((gap + 5, rec.name))
    if candidates:
        return min(candidates)[1]
    capital = _THE_CAPITAL.match(text[e : doc.after(e, 8)])
    if capital and etype in PHYSICAL:
        return _capital_of(table, capital.group("adj"))
    if etype == "visit" and _THE_COUNTRY.match(text[e : doc.after(e, 5)]):
        return _previous_place(text, table, s, ("country",))
    if etype in PHYSICAL and _THE_REGION.search(text[e : doc.after(e, 15, clause[1])]):
        return _previous_place(text, table, s, ("location",), region=True)
    return None


def _capital_of(table: EntityTable, adjective: str) -> str | None:
    """ "the Lithuanian capital" → the capital city's entity, when the article names it."""
    index = country_index()
    code = index.by_demonym.get(adjective) or index.by_name.get(adjective)
    capital = index.countries[code].capital if code else None
    names = {r.name for r in table.records.values() if r.type == "location"}
    return capital if capital in names else None


def _previous_place(
    text: str, table: EntityTable, pos: int, types: tuple[str, ...], region: bool = False
) -> str | None:
    """The place "the country" / "the region" refers to: the last one of that kind named."""
    for m in reversed(table.in_span(0, pos)):
        if m.role != "place":
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
