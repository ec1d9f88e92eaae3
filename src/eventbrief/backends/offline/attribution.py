"""Who the article credits for what it reports (GUIDELINES §8).

Patterns of news attribution: "according to X", "as reported by X", "X reported", "X said",
"reports from X indicate", "X news agency", "news agency X". Named sources resolve to entity
names; otherwise the descriptor is kept as written without determiners ("Canadian state media").
The patterns and word lists are data (`attribution.toml`), each rule with an id and examples.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from eventbrief.backends.offline.names import EntityRecord, EntityTable, NameMention
from eventbrief.backends.offline.rules import (
    check_unique,
    examples,
    expand_macros,
    macros_of,
    read_data,
)
from eventbrief.countries import country_index
from eventbrief.models import name_key

_FLAGS = {"IGNORECASE": re.IGNORECASE, "MULTILINE": re.MULTILINE}
_SOURCE_GROUPS = ("src", "name", "name2", "name3")
_OUTLET_GROUPS = {"name", "name2", "name3", "desc", "desc2"}


class AttributionRule(NamedTuple):
    """One rule of `attribution.toml`: its compiled pattern, the group that holds the source,
    and its own examples (a sentence with what that group must capture, or one it must not
    match)."""

    id: str
    pattern: re.Pattern[str]
    group: str
    fires: tuple[tuple[str, str], ...]
    not_fires: tuple[str, ...]


class AttributionRules(NamedTuple):
    """The compiled rules and lexicons of `attribution.toml`."""

    credits: tuple[AttributionRule, ...]
    trailing_said: AttributionRule
    outlets: tuple[AttributionRule, ...]
    named_source: re.Pattern[str]
    determiners: re.Pattern[str]
    people_nouns: frozenset[str]
    generic_bodies: frozenset[str]
    not_sources: frozenset[str]
    pronouns: frozenset[str]
    not_outlets: frozenset[str]


def _rule(raw: dict[str, Any], macros: dict[str, str]) -> AttributionRule:
    rid = str(raw["id"])
    flags = 0
    for name in raw.get("flags", []):
        if name not in _FLAGS:
            raise ValueError(f"attribution rule {rid}: unknown flag {name!r}")
        flags |= _FLAGS[name]
    body = expand_macros(str(raw["pattern"]), macros)
    if re.search(r"\{[A-Z_]+\}", body):
        raise ValueError(f"attribution rule {rid}: unknown macro in {body!r}")
    pattern = re.compile(body, flags)
    group = next((g for g in _SOURCE_GROUPS if g in pattern.groupindex), None)
    if group is None:
        raise ValueError(f"attribution rule {rid}: no source group ({', '.join(_SOURCE_GROUPS)})")
    fires, not_fires = examples(raw, "attribution rule")
    return AttributionRule(
        rid, pattern, group, tuple((str(s), str(g)) for s, g in fires), tuple(not_fires)
    )


@cache
def attribution_rules() -> AttributionRules:
    """The rules of `attribution.toml`, checked and compiled once."""
    data = tomllib.loads(read_data("attribution.toml"))
    macros = macros_of(data)
    credits = tuple(_rule(raw, macros) for raw in data["credit"])
    trailing = _rule(data["trailing_said"], macros)
    outlets = tuple(_rule(raw, macros) for raw in data["outlet"])
    check_unique([r.id for r in (*credits, trailing, *outlets)], "attribution rule")
    if len({r.pattern.flags for r in outlets}) != 1:
        raise ValueError("attribution: the [[outlet]] rules must share their flags")
    named_source = re.compile(
        "|".join(r.pattern.pattern for r in outlets), outlets[0].pattern.flags
    )
    missing = _OUTLET_GROUPS - set(named_source.groupindex)
    if missing:
        raise ValueError(f"attribution: no [[outlet]] rule has the groups {sorted(missing)}")
    words = {name: frozenset(values) for name, values in data["lexicons"].items()}
    determiners = "|".join(re.escape(w) for w in data["lexicons"]["determiners"])
    return AttributionRules(
        credits,
        trailing,
        outlets,
        named_source,
        re.compile(rf"^(?:{determiners})\s+", re.IGNORECASE),
        words["people_nouns"],
        words["generic_bodies"],
        words["not_sources"],
        words["pronouns"],
        words["not_outlets"],
    )


@dataclass(frozen=True)
class Credit:
    """A source credited in a sentence, and the id of the attribution rule that found it ("" for
    a speaker credited by a speech verb, which `mentions` finds)."""

    start: int
    end: int
    names: tuple[str, ...]
    rule: str = ""


def _clean(src: str) -> str:
    determiners = attribution_rules().determiners
    src = src.strip(" ,.;:’'\"")
    prev = None
    while prev != src:
        prev = src
        src = determiners.sub("", src)
    return src


def _resolve(src: str, table: EntityTable, pos: int = -1) -> list[str]:
    """A named entity inside the descriptor wins ("the Brazilian news outlet X" → X); "the
    agency" is the last agency named before it."""
    rules = attribution_rules()
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
        if word in rules.generic_bodies and last is not None and len(head.split()) == 1:
            return [last.name]  # "the agency said": the organisation last named
    named_modifier = re.fullmatch(r"(?P<name>.+?)\s+(?P<head>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)", head)
    if (
        named_modifier
        and " and " not in head
        and named_modifier.group("head").split()[-1] in rules.people_nouns
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
                    if n not in part:
                        continue  # most names are not in it: no pattern to build
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
    rules = attribution_rules()
    credits: list[Credit] = []
    sentence = text[start:end]
    for rule in rules.credits:
        for m in _shifted(rule.pattern, sentence, start):
            src = m.group("src")
            if not src or len(src) < 2:
                continue
            cleaned = _clean(src)
            if not cleaned:
                continue
            first = cleaned.split()[0].lower()
            if first in rules.not_sources:
                continue
            if any(c.start <= m.start("src") < c.end for c in credits):
                continue
            names = tuple(
                n for n in _resolve(src, table, m.start("src")) if not _is_place(n, table)
            )
            if names:
                credits.append(Credit(m.start("src"), m.end("src"), names, rule.id))
    tail = rules.trailing_said.pattern.search(text, start, end)
    if tail and not any(c.start <= tail.start("src") < c.end for c in credits):
        src = tail.group("src")
        if src.split()[0].lower() not in rules.pronouns:
            names = tuple(_resolve(src, table, tail.start("src")))
            if names:
                credits.append(
                    Credit(tail.start("src"), tail.end("src"), names, rules.trailing_said.id)
                )
    credits.sort(key=lambda c: c.start)
    return credits


def register_sources(text: str, table: EntityTable) -> None:
    """News outlets named as sources ("news agency X", "X news agency", "according to X")
    become organisation entities, with the descriptor as their description."""
    rules = attribution_rules()
    for m in rules.named_source.finditer(text):
        name = m.group("name") or m.group("name2") or m.group("name3")
        desc = m.group("desc") or m.group("desc2")
        if not name or name.lower() in rules.not_outlets:
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
