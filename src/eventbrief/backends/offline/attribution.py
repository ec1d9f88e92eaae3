"""Who the article credits for what it reports (GUIDELINES §8).

Patterns of news attribution: "according to X", "as reported by X", "X reported", "X said",
"reports from X indicate", "X news agency", "news agency X". Named sources resolve to entity
names; otherwise the descriptor is kept as written without determiners ("Canadian state media").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eventbrief.backends.offline.names import EntityRecord, EntityTable, NameMention
from eventbrief.countries import country_index
from eventbrief.models import name_key

_SOURCE = r"(?P<src>(?:[\w’'.-]+\s+){0,6}?[\w’'.-]+)"
_END = (
    r"(?=\s*(?:[,.;:(]|$|\s+(?:that|indicat\w*|suggest\w*|say\w*|said|reported|report|on\s|"
    r"in\s|to\s|as\s|has\s|have\s|had\s|is\s|are\s|was\s)))"
)
PATTERNS = (
    re.compile(
        r"\baccording\s+to\s+(?:a\s+|the\s+)?(?:reports?|statements?|information)\s+"
        rf"(?:from|by|of|in)\s+(?:the\s+|an?\s+)?{_SOURCE}{_END}",
        re.I,
    ),
    re.compile(rf"\baccording\s+to\s+(?:the\s+)?{_SOURCE}{_END}", re.I),
    re.compile(
        r"\b(?:as\s+)?(?:reported|noted|stated|announced|said|cited|quoted)\s+by\s+"
        rf"(?:the\s+)?{_SOURCE}{_END}",
        re.I,
    ),
    re.compile(rf"\breports?\s+from\s+(?:the\s+)?{_SOURCE}\s+(?:indicate|suggest|say|show)", re.I),
    re.compile(
        r"(?:^|[,;]\s+|\bthat\s+)(?:the\s+|an?\s+)?(?P<src>(?:[A-Z][\w’'.-]*\s+){0,3}"
        r"(?:[A-Za-z][\w’'.-]*\s+){0,3}(?:agency|agencies|media|outlets?|officials|intelligence|"
        r"ministry|office|sources|news|newspaper|broadcaster|experts|panel|watchdog|monitors|"
        r"investigators|researchers|analysts|diplomats|spokes(?:man|woman|person)|[A-Z][\w’'.-]+)(?:\s+\([^)]{1,20}\))?)\s+"
        r"(?:have\s+|has\s+)?(?:reported|indicate[sd]?|suggests?|noted|"
        r"(?:said|says|told\s+\w+)(?:\s+[^,.;\"“]{1,60}?)?\s+that)\b",
        re.M,
    ),
)
_TRAILING_SAID = re.compile(
    r",\s+(?:the\s+|a\s+)?(?P<src>(?:[\w’'.()-]+\s+){0,7}?[\w’'.()-]+)\s+"
    r"(?:said|says|reported|announced|told\s+[\w\s]{1,30}?|stated|confirmed)"
    r"(?:\s+(?:late\s+|early\s+)?(?:on\s+\w+|[A-Z][a-z]+day))?(?:\s+in\s+a\s+statement)?"
    r"(?:\s+(?:late\s+|early\s+)?(?:on\s+\w+|[A-Z][a-z]+day))?"
    r"(?:\s+(?:during|at|in|while|after|before|from)\s+[^,.;]{1,60})?"
    r"(?:\s*[.!?]?[\"”’]?$|,\s+(?=(?:although|though|but|while|adding|citing)\b))"
)
_DETERMINERS = re.compile(
    r"^(?:the|a|an|some|several|many|various|other|two|three|multiple|its|their|his|her)\s+",
    re.I,
)

_GENERIC_BODIES = frozenset({"agency", "organisation", "organization", "body", "bloc", "alliance"})
_PEOPLE_NOUNS = frozenset(
    {
        "officials",
        "sources",
        "diplomats",
        "officers",
        "analysts",
        "experts",
        "lawmakers",
        "investigators",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "media",
        "intelligence",
        "authorities",
        "prosecutors",
        "researchers",
        "monitors",
        "inspectors",
        "rapporteur",
        "envoy",
        "official",
        "diplomat",
        "source",
        "ambassador",
    }
)


@dataclass(frozen=True)
class Credit:
    start: int
    end: int
    names: tuple[str, ...]


def _clean(src: str) -> str:
    src = src.strip(" ,.;:’'\"")
    prev = None
    while prev != src:
        prev = src
        src = _DETERMINERS.sub("", src)
    return src


def _resolve(src: str, table: EntityTable, pos: int = -1) -> list[str]:
    """A named entity inside the descriptor wins ("the Brazilian news outlet X" → X); "the
    agency" is the last agency named before it."""
    src = re.sub(r"\s*\([^)]*\)", "", src)
    head = _clean(src)
    if pos >= 0 and head.islower() and len(head.split()) <= 2:
        word = head.split()[-1]
        orgs = [key for key, rec in table.records.items() if rec.type == "organization"]
        earlier = (table.records[key] for key in table.recent_first(pos, orgs))
        last: EntityRecord | None = None
        for rec in earlier:
            last = last or rec
            if rec.name.split()[-1].lower() == word:
                return [rec.name]
        if word in _GENERIC_BODIES and last is not None and len(head.split()) == 1:
            return [last.name]  # "the agency said": the organisation last named
    named_modifier = re.fullmatch(r"(?P<name>.+?)\s+(?P<head>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)", head)
    if (
        named_modifier
        and " and " not in head
        and named_modifier.group("head").split()[-1] in _PEOPLE_NOUNS
        and any(
            name_key(n) == name_key(named_modifier.group("name"))
            for r in table.records.values()
            for n in r.names_all()
        )
    ):
        return [head]  # "EU officials": people of the body, written as the descriptor
    parts = re.split(r"\s+and\s+", src)
    if len(parts) == 2 and parts[1].split()[-1].islower():
        head = parts[1].split()[-1]
        if len(parts[0].split()) <= 2 and not parts[0].endswith(head):
            parts = [f"{parts[0]} {head}", parts[1]]
    elif len(parts) == 2:
        parts = [src]
    out: list[str] = []
    for part in parts:
        part = _clean(part)
        if not part:
            continue
        key = name_key(part)
        found = None
        for rec in table.records.values():
            if rec.type in ("organization", "person", "country") and any(
                name_key(n) == key for n in rec.names_all()
            ):
                found = rec.name
                break
        if found is None:
            best = None
            for rec in table.records.values():
                if rec.type not in ("organization", "person"):
                    continue
                for n in rec.names_all():
                    inside = re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", part)
                    if inside and (best is None or len(n) > best[0]):
                        best = (len(n), rec.name)
            found = best[1] if best else None
        out.append(found or part)
    return out


class _Shifted:
    """A match on a sentence with offsets into the whole article."""

    def __init__(self, m: re.Match[str], offset: int) -> None:
        self.m = m
        self.offset = offset

    def group(self, name: str) -> str:
        return self.m.group(name)

    def start(self, name: str = "src") -> int:
        return self.m.start(name) + self.offset

    def end(self, name: str = "src") -> int:
        return self.m.end(name) + self.offset


def _shifted(pattern: re.Pattern[str], sentence: str, offset: int) -> list[_Shifted]:
    return [_Shifted(m, offset) for m in pattern.finditer(sentence)]


def _is_place(name: str, table: EntityTable) -> bool:
    """A dateline city ("City (Outlet) reported") is the article's own outlet, not a credit."""
    if name in country_index().by_capital:
        return True
    return any(r.type == "location" and r.name == name for r in table.records.values())


def find_credits(text: str, start: int, end: int, table: EntityTable) -> list[Credit]:
    """Attributions stated inside text[start:end] (one sentence)."""
    credits: list[Credit] = []
    sentence = text[start:end]
    for pattern in PATTERNS:
        for m in _shifted(pattern, sentence, start):
            src = m.group("src")
            if not src or len(src) < 2:
                continue
            cleaned = _clean(src)
            if not cleaned:
                continue
            first = cleaned.split()[0].lower()
            if first in {
                "reports",
                "report",
                "it",
                "he",
                "she",
                "they",
                "this",
                "which",
                "statement",
                "statements",
                "a",
                "an",
            }:
                continue
            if any(c.start <= m.start("src") < c.end for c in credits):
                continue
            names = tuple(
                n for n in _resolve(src, table, m.start("src")) if not _is_place(n, table)
            )
            if names:
                credits.append(Credit(m.start("src"), m.end("src"), names))
    tail = _TRAILING_SAID.search(text, start, end)
    if tail and not any(c.start <= tail.start("src") < c.end for c in credits):
        src = tail.group("src")
        if src.split()[0].lower() not in {"he", "she", "they", "it", "which", "who"}:
            names = tuple(_resolve(src, table, tail.start("src")))
            if names:
                credits.append(Credit(tail.start("src"), tail.end("src"), names))
    credits.sort(key=lambda c: c.start)
    return credits


_NAMED_SOURCE = re.compile(
    r"(?P<desc>(?:(?:[A-Z][\w’'-]+\s+){0,2}(?:state\s+|official\s+|news\s+)?"
    r"(?:news\s+agency|news\s+outlet|news\s+service|newspaper|broadcaster|state\s+media|"
    r"state\s+news\s+agency|wire\s+service|daily)))\s+"
    r"(?P<name>[A-Z][\w’'-]*(?: [A-Z][\w’'-]*){0,3})"
    r"|(?P<name2>[A-Z][\w’'-]*(?: [A-Z][\w’'-]*){0,2})\s+(?P<desc2>news\s+agency|"
    r"news\s+outlet|newspaper|broadcaster|state\s+media|wire\s+service)\b"
    r"|\b(?i:according\s+to|(?:reported|noted|stated)\s+by)\s+"
    r"(?P<name3>[A-Z][\w’'-]*(?: [A-Z][\w’'-]*){0,3})(?=\s*[,.;]|\s+(?:on|in|that)\b)"
)


def register_sources(text: str, table: EntityTable) -> None:
    """News outlets named as sources ("news agency X", "X news agency", "according to X")
    become organisation entities, with the descriptor as their description."""
    for m in _NAMED_SOURCE.finditer(text):
        name = m.group("name") or m.group("name2") or m.group("name3")
        desc = m.group("desc") or m.group("desc2")
        if not name or name.lower() in {"the", "a", "an", "reports", "sources", "officials"}:
            continue
        index = country_index()
        if name in index.by_demonym or name in index.by_name or name.split()[0] in index.by_demonym:
            continue
        start = (
            m.start("name")
            if m.group("name")
            else (m.start("name2") if m.group("name2") else m.start("name3"))
        )
        owner = re.match(r"^[A-Z][\w-]*['’]s\s+", name)
        if owner:
            name = name[owner.end() :]
            start += owner.end()
        key = name_key(name)
        existing = next(
            (r for r in table.records.values() if any(name_key(n) == key for n in r.names_all())),
            None,
        )
        if existing is not None:
            if existing.type == "location" and not any(
                x.role == "place" and x.key == existing.key and x.start != start
                for x in table.mentions
            ):
                existing.type = "organization"
            if desc and not existing.description and existing.type == "organization":
                existing.description = desc.strip()
            continue
        if m.group("name3") and not (name.isupper() or len(name.split()) == 1):
            continue
        rec = EntityRecord(
            key=f"organization:{key}",
            name=name,
            type="organization",
            description=desc.strip() if desc else None,
            first=start,
            count=1,
        )
        table.records[rec.key] = rec
        table.mentions.append(NameMention(start, start + len(name), rec.key, "actor"))
    table.mentions.sort(key=lambda x: x.start)
