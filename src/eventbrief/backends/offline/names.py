"""Find the people, organisations, countries and places an article names, with their aliases.

Names are read the way news writes them: capitalised sequences split into a country or
nationality adjective, an organisation ending in a head word ("… Council", "… Agency"), a title
("Deputy Foreign Minister") and a person's name. Later short mentions ("Mr. X", a surname, an
acronym defined in parentheses) resolve to the full name already seen.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from eventbrief.backends.offline.lexicon import (
    HONORIFICS,
    KNOWN_ORGS,
    NON_NAMES,
    ORG_HEADS,
    PLACE_HEADS,
    TITLE_HEADS,
)
from eventbrief.backends.offline.sentences import DATELINE, Sentence
from eventbrief.calendar_names import MONTHS, WEEKDAYS
from eventbrief.countries import CountryIndex, country_index
from eventbrief.models import EntityType, name_key

_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W_][^\W_’'\-]*(?:[’'\-][^\W_]+)*[’']?")
_CONNECTORS = frozenset(
    {
        "of",
        "for",
        "on",
        "the",
        "and",
        "de",
        "da",
        "do",
        "dos",
        "das",
        "di",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "al",
        "el",
        "bin",
        "ibn",
    }
)
_CALENDAR = frozenset(WEEKDAYS) | (frozenset(MONTHS) - {"may"})
"""Weekday and month names, which are never a name's words ("May" is also a verb and a name)."""
_REGION_HEADS = frozenset(
    {"region", "province", "oblast", "district", "county", "prefecture", "governorate"}
)
_ORG_MODIFIER = re.compile(
    r"^\s+(?:sanctions|resolutions?|officials|envoy|forces|troops|mission|report|panel|members?|"
    r"body|chief|secretary|staff|peacekeepers|aid|monitors|agencies|experts|member states)\b"
)
_PARTICLES = _CONNECTORS - {"of", "for", "on", "the", "and"}
_ACRONYM_DEF = re.compile(r"\s*\((?:the\s+)?([A-Z][A-Za-z]{0,2}(?:[A-Z&.-]){1,9})\)")
_LOWER_TITLE = re.compile(
    r"\b(?P<title>(?:(?:[A-Z][a-z]+\s+){1,2}|[a-z]+\s+)?(?:leader|president|minister|secretary|"
    r"spokesman|spokeswoman|spokesperson|envoy|ambassador|chief|adviser|advisor|commander|"
    r"general|director|chairman|premier|counterparts?|dictator|official|head|ruler|monarch))"
    r",?\s+(?=[A-Z])"
)
_APPOSITION = re.compile(
    r"^,\s+(?:the|a|an|who is|who was)?\s*(?P<desc>[^,.;:()]{3,90}?)(?=,|\.|;|\s\(|$)"
)
_PERSONAL_VERBS = re.compile(
    r"^,?\s+(?:said|says|told|stated|added|noted|wrote|met|meets|visited|visits|arrived|arrives|"
    r"travelled|traveled|warned|announced|urged|called|vowed|insisted|argued|denied|claimed|"
    r"dismissed|rejected|condemned|critici[sz]ed|accused|welcomed|stressed|explained|"
    r"responded|replied|pledged|promised|signed|held|hosted|praised|described)\b"
)


@dataclass
class EntityRecord:
    """One entity of the article: its canonical name, type, other names and role."""

    key: str
    name: str
    type: EntityType
    aliases: list[str] = field(default_factory=list)
    description: str | None = None
    first: int = 0
    count: int = 0
    country_code: str | None = None
    qualified: bool = False
    surfaces: list[str] = field(default_factory=list)

    def names_all(self) -> list[str]:
        return [self.name, *self.aliases]

    def add_alias(self, alias: str) -> None:
        alias = alias.strip()
        if alias and alias != self.name and alias not in self.aliases:
            self.aliases.append(alias)


@dataclass(frozen=True)
class NameMention:
    """Where an entity is named. role: actor (it does something), modifier (a nationality
    adjective or a name inside a title) or place (after in/to/at: where something happens)."""

    start: int
    end: int
    key: str
    role: str


@dataclass
class EntityTable:
    records: dict[str, EntityRecord] = field(default_factory=dict)
    mentions: list[NameMention] = field(default_factory=list)
    main_countries: list[str] | None = field(default=None, repr=False)
    _starts: list[int] = field(default_factory=list, repr=False)
    _indexed: int = field(default=-1, repr=False)
    _sorted_at: int = field(default=0, repr=False)
    _by_key: dict[str, list[int]] | None = field(default=None, repr=False)
    """Each key's mentions, as indices into the sorted `mentions`; rebuilt with `_starts`."""

    def get(self, key: str) -> EntityRecord:
        return self.records[key]

    def fold(self, short: EntityRecord, into: EntityRecord) -> None:
        """`short` is another name of `into`: its name becomes an alias, its counts join, its
        record goes and its mentions point at `into`."""
        into.add_alias(short.name)
        into.count += short.count
        into.first = min(into.first, short.first)
        del self.records[short.key]
        self.mentions[:] = [
            NameMention(m.start, m.end, into.key, m.role) if m.key == short.key else m
            for m in self.mentions
        ]
        self._by_key = None

    def in_span(self, start: int, end: int) -> list[NameMention]:
        """Mentions inside text[start:end] (bisect over a start index rebuilt on change)."""
        self._index()
        lo = bisect.bisect_left(self._starts, start)
        hi = bisect.bisect_left(self._starts, end)
        return [m for m in self.mentions[lo:hi] if m.end <= end]

    def recent_first(self, pos: int, keys: Iterable[str]) -> list[str]:
        """Those of `keys` named by a mention that ends by `pos`, the most recently named first:
        the order in which a walk back through `in_span(0, pos)` meets them, found from each
        key's own mentions (that walk, for every credit, made long texts quadratic)."""
        self._index()
        if self._by_key is None:
            self._by_key = {}
            for i, m in enumerate(self.mentions):
                self._by_key.setdefault(m.key, []).append(i)
        hi = bisect.bisect_left(self._starts, pos)
        latest: list[tuple[int, str]] = []
        for key in keys:
            spots = self._by_key.get(key, [])
            j = bisect.bisect_left(spots, hi) - 1
            while j >= 0 and self.mentions[spots[j]].end > pos:
                j -= 1
            if j >= 0:
                latest.append((spots[j], key))
        latest.sort(reverse=True)
        return [key for _i, key in latest]

    def _index(self) -> None:
        if self._indexed != len(self.mentions) or self._sorted_at != id(self.mentions):
            self.mentions.sort(key=lambda m: m.start)
            self._starts = [m.start for m in self.mentions]
            self._indexed = len(self.mentions)
            self._sorted_at = id(self.mentions)
            self._by_key = None


@dataclass
class _Token:
    start: int
    end: int
    text: str
    kind: str = "word"  # word | country | demonym | capital
    code: str | None = None
    possessive: bool = False


@lru_cache(maxsize=1)
def _country_regex() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    index = country_index()
    forms: dict[str, tuple[str, str]] = {}
    for form, code in index.by_name.items():
        forms[form.replace("’", "'")] = ("country", code)
    for form, code in index.by_demonym.items():
        forms.setdefault(form, ("demonym", code))
    for form, code in index.by_capital.items():
        forms.setdefault(form, ("capital", code))
    alternatives = sorted(forms, key=len, reverse=True)
    return re.compile(rf"(?<![\w’'])(?:the\s+)?(?:{_by_first_letter(alternatives)})(?![\w])"), forms


def _by_first_letter(alternatives: list[str]) -> str:
    """`alternatives` as one regex alternation, grouped by first character. At a position only
    the group of its character can match, and it tries its names in their given order, so the
    matches are those of the flat alternation; the engine just no longer tries each of the
    ~900 names at each word (about a tenth of the time)."""
    groups: dict[str, list[str]] = {}
    for form in alternatives:
        groups.setdefault(form[0], []).append(form[1:])
    return "|".join(
        f"{_literal(first)}(?:{'|'.join(_literal(rest) for rest in rests)})"
        for first, rests in groups.items()
    )


def _literal(form: str) -> str:
    """A name as a regex: itself, with either apostrophe for one."""
    return re.escape(form).replace("'", "['’]")


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    pattern, forms = _country_regex()
    tokens: list[_Token] = []
    covered: list[tuple[int, int]] = []
    for m in pattern.finditer(text, start, end):
        surface = m.group(0)
        s = m.start()
        if surface.lower().startswith("the "):
            s += 4
            surface = surface[4:]
        kind, code = forms[surface.replace("’", "'")]
        tok = _Token(s, m.end(), surface, kind, code)
        if _POSSESSIVE_AFTER.match(text[m.end() : m.end() + 2]):
            tok.possessive = True
        tokens.append(tok)
        covered.append((s, m.end()))
    nearest = 0  # covered spans are in order and apart: walk them along with the words
    for m in _WORD.finditer(text, start, end):
        while nearest < len(covered) and covered[nearest][1] <= m.start():
            nearest += 1
        if nearest < len(covered) and covered[nearest][0] <= m.start():
            continue
        word = m.group(0)
        tok = _Token(m.start(), m.end(), word)
        pm = _POSSESSIVE_END.search(word) if ("'" in word or "’" in word) else None
        if pm and len(word) > 2:
            tok.text = word[: pm.start()]
            tok.end = m.start() + pm.start()
            tok.possessive = True
        elif m.end() < end and text[m.end()] == "." and (word.lower() + ".") in TITLE_HEADS:
            tok.end += 1
            tok.text = word + "."
        tokens.append(tok)
    tokens.sort(key=lambda t: t.start)
    return tokens


_POSSESSIVE_AFTER = re.compile(r"['’]s?\b")
_POSSESSIVE_END = re.compile(r"['’]s?$")
_CAPITAL_DIGIT = re.compile(r"[A-Z]?\d")
_PARTICLE_NAME = re.compile(r"^(?:al|el|bin|ibn|van|von|de|da|di|du|le|la|ul|ud)-[A-Z]")


def _is_cap(tok: _Token) -> bool:
    return (
        tok.kind != "word"
        or tok.text[:1].isupper()
        or bool(_CAPITAL_DIGIT.match(tok.text))
        or bool(_PARTICLE_NAME.match(tok.text))
    )


def _runs(text: str, tokens: list[_Token]) -> list[list[_Token]]:
    """Maximal sequences of capitalised tokens joined by single spaces or connector words."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    pending: list[_Token] = []
    for tok in tokens:
        if current:
            prev = (pending or current)[-1]
            gap = text[prev.end : tok.start]
            joined = gap == " " and not prev.possessive
            if not joined:
                runs.append(current)
                current, pending = [], []
        if (
            _is_cap(tok)
            and not tok.text.isdigit()
            and tok.text.lower().rstrip(".") not in _CALENDAR
        ):
            if current:
                current.extend(pending)
            pending = []
            current.append(tok)
        elif current and tok.text in _CONNECTORS and tok.text != "and" and len(pending) < 2:
            pending.append(tok)
        else:
            if current:
                runs.append(current)
            current, pending = [], []
    if current:
        runs.append(current)
    return [r for r in runs if r]


def _low(tok: _Token) -> str:
    return tok.text.lower()


def _is_title(tok: _Token) -> bool:
    return tok.kind == "word" and _low(tok) in TITLE_HEADS


def _is_org_head(tok: _Token) -> bool:
    return tok.kind == "word" and _low(tok) in ORG_HEADS


def _name_like(tok: _Token) -> bool:
    if tok.kind == "word" and _PARTICLE_NAME.match(tok.text):
        return True  # "al-Sudani"
    return (
        tok.kind == "word"
        and tok.text[:1].isupper()
        and _low(tok) not in NON_NAMES
        and not _is_title(tok)
        and not _is_org_head(tok)
        and not tok.text.isupper()
        and _low(tok) not in PLACE_HEADS
    )


class _Builder:
    """Accumulates entities and mentions while the article is read left to right."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.table = EntityTable()
        self.index: CountryIndex = country_index()
        self.people_tokens: dict[str, str] = {}
        self.known_only = False
        self.words: Counter[str] = Counter(re.findall(r"[\w’'-]+", text))
        self.counts: dict[str, int] = {}
        """How often a name occurs in the text, counted once per name (a long text has many)."""

    def entity(
        self,
        name: str,
        etype: EntityType,
        start: int,
        *,
        description: str | None = None,
        canonical: str | None = None,
    ) -> EntityRecord:
        key = f"{etype}:{name_key(canonical or name)}"
        rec = self.table.records.get(key)
        if rec is None:
            rec = EntityRecord(key=key, name=name, type=etype, description=description, first=start)
            self.table.records[key] = rec
        elif description and not rec.description:
            rec.description = description
        rec.count += 1
        if name != rec.name:
            rec.add_alias(name)
        return rec

    def country(self, code: str, surface: str, start: int, end: int, role: str) -> None:
        country = self.index.countries[code]
        rec = self.entity(country.name, "country", start)
        rec.country_code = code
        if surface.replace("’", "'") in self.index.by_name and surface not in rec.surfaces:
            rec.surfaces.append(surface)
        self.table.mentions.append(NameMention(start, end, rec.key, role))

    def mention(self, rec: EntityRecord, start: int, end: int, role: str = "actor") -> None:
        self.table.mentions.append(NameMention(start, end, rec.key, role))


def _join(text: str, toks: list[_Token]) -> str:
    return text[toks[0].start : toks[-1].end]


def _is_place_token(text: str, tok: _Token) -> bool:
    """A country after in/to/at is a place, unless it is possessive ("in X's capital") or
    the first half of a compound ("in the X-Y war")."""
    if tok.possessive or text[tok.end : tok.end + 1] in ("-", "–"):
        return False
    return _place_before(text, tok.start)


def _place_before(text: str, start: int) -> bool:
    left = text[max(0, start - 30) : start]
    if re.search(
        r"\b(?:town|city|village|region|province|district|port|capital|state|county|coast|shores?|"
        r"waters|outskirts|north|south|east|west|centre|center|border)\s+of\s+(?:the\s+)?$",
        left,
        re.IGNORECASE,
    ):
        return True
    if re.search(r"\baccording to\s+(?:the\s+)?$", left, re.IGNORECASE):
        return False
    if re.search(
        r"\b(?:areas?|parts?|hub|heart|suburbs?|(?:reached|entered|fled|evacuated|captured|"
        r"seized|shelled|bombed))\s+(?:of\s+)?(?:the\s+)?$",
        left,
        re.IGNORECASE,
    ):
        return True
    return bool(
        re.search(
            r"\b(?:in|to|at|near|from|into|toward|towards|across|visit|visits|visited|visiting|"
            r"toured|tours|touring)\s+(?:the\s+)?$",
            left,
        )
    )


def _trim_run(b: _Builder, run: list[_Token], sentence_start: int) -> list[_Token]:
    """The run without words capitalised only because they open the sentence, and without
    trailing connectors."""
    while (
        run
        and run[0].kind == "word"
        and (
            (
                _low(run[0]) in NON_NAMES
                and (run[0].start == sentence_start or _low(run[0]) not in _ORDINALS)
            )
            or (
                run[0].start == sentence_start
                and b.words[_low(run[0])] > 0
                and not _is_title(run[0])
                and not _is_org_head(run[0])
            )
        )
    ):
        run = run[1:]
    while run and run[-1].kind == "word" and run[-1].text in _CONNECTORS:
        run = run[:-1]
    return run


def _title_and_org(rest: list[_Token]) -> tuple[int | None, int | None]:
    """Where the title head ends ("[Org] [Title…] Head Name Name") and where the organisation
    ends, as indices into `rest` (None when there is none)."""
    h = None
    for j in range(len(rest) - 1, -1, -1):
        if _is_title(rest[j]) and _person_tokens(rest[j + 1 :]):
            h = j
            break
    if h is None:
        h = _title_of_phrase(rest)
    org_end = None
    limit = h if h is not None else len(rest)
    for j in range(limit):
        if _is_org_head(rest[j]):
            org_end = j
    if org_end is not None and h is None and org_end + 1 < len(rest):
        org_end = len(rest) - 1  # "Ministry of Foreign Affairs": the head leads
    return h, org_end


def _segment(
    b: _Builder, run: list[_Token], sentence_start: int, owner: _Token | None = None
) -> None:
    """Split one capitalised run into country, organisation, title and person; `owner` is a
    possessive country just before the run ("X's Foreign Ministry")."""
    text = b.text
    run = _trim_run(b, run, sentence_start)
    split = _person_of_org(run)
    if split is not None:
        _segment(b, run[:split], sentence_start)
        rest_of = run[split + 1 :]
        if rest_of and rest_of[0].text == "the":
            rest_of = rest_of[1:]
        _segment(b, rest_of, sentence_start)
        return  # "X Y of the Z Party": a person and an organisation
    if not run:
        return
    i = 0
    lead: list[_Token] = []
    while i < len(run) and run[i].kind in ("country", "demonym", "capital"):
        lead.append(run[i])
        i += 1
    rest = run[i:]
    last = run[-1]
    if not rest:
        _lead_countries(b, lead)
        _acronym_after(b, last, None)
        return
    h, org_end = _title_and_org(rest)
    for tok in lead:
        if tok.kind == "capital":
            _capital(b, tok)
        else:
            b.country(tok.code or "", tok.text, tok.start, tok.end, "modifier")
    org_rec = None
    if org_end is not None:
        org_toks = (lead if lead and not lead[-1].possessive else []) + rest[: org_end + 1]
        name = _join(text, org_toks)
        canonical = KNOWN_ORGS.get(name)
        surface = None
        if owner is not None and org_toks[0] is rest[0] and owner.code:
            surface = text[owner.start : org_toks[-1].end]
            name = surface
        if b.known_only and f"organization:{name_key(canonical or name)}" not in b.table.records:
            return
        org_rec = b.entity(name, "organization", org_toks[0].start, canonical=canonical)
        if canonical and name not in org_rec.surfaces:
            org_rec.surfaces.append(name)
        if surface:
            org_rec.qualified = True
        role = "modifier" if h is not None else "actor"
        b.mention(org_rec, org_toks[0].start, org_toks[-1].end, role)
        _acronym_after(b, rest[org_end], org_rec)
    if h is not None:
        title_toks = rest[(org_end + 1 if org_end is not None else 0) : h + 1]
        person_toks = rest[h + 1 :]
        desc_toks = (lead if org_end is None else []) + title_toks
        if org_rec is not None:
            desc = f"{org_rec.name} {_join(text, title_toks)}" if title_toks else None
        else:
            desc = _join(text, desc_toks) if desc_toks else None
        if desc and desc.lower().rstrip(".") in HONORIFICS:
            desc = None
        _person(b, person_toks, desc)
        return
    if org_end is not None:
        return
    _unknown(b, rest, lead, sentence_start)


_ORDINALS = frozenset({"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"})


def _person_of_org(run: list[_Token]) -> int | None:
    """Index of "of" in "Given Family of [the] … Org-head", else None."""
    for k, tok in enumerate(run):
        if tok.text != "of":
            continue
        before, after = run[:k], run[k + 1 :]
        if 2 <= len(before) <= 3 and _person_tokens(before) and any(_is_org_head(t) for t in after):
            return k
        return None
    return None


def _title_of_phrase(rest: list[_Token]) -> int | None:
    """ "Secretary of State X Y", "Minister of Foreign Affairs X Y": a title head with an "of"
    phrase, then a two-word name. Returns the index of the title's last word."""
    for j, tok in enumerate(rest[:-3]):
        if _is_title(tok) and rest[j + 1].text in ("of", "for"):
            name = rest[-2:]
            if _person_tokens(name) and len(rest) - 2 > j + 2:
                return len(rest) - 3
    return None


def _person_tokens(toks: list[_Token]) -> bool:
    """Looks like a personal name: 1–5 name words, particles ("da", "van") only inside."""
    if not toks or len(toks) > 5 or not _name_like(toks[0]) or not _name_like(toks[-1]):
        return False
    return all(_name_like(t) or t.text in _PARTICLES for t in toks)


def _capital(b: _Builder, tok: _Token) -> None:
    if re.match(r"\s*\([A-Z][^)]{1,30}\)", b.text[tok.end : tok.end + 34]):
        return  # a dateline: "City (Outlet) reported"
    role = "place" if _place_before(b.text, tok.start) and not tok.possessive else "actor"
    rec = b.entity(tok.text, "location", tok.start)
    rec.country_code = tok.code
    if role == "place":
        b.mention(rec, tok.start, tok.end, "place")
    else:
        b.country(tok.code or "", tok.text, tok.start, tok.end, "actor")


def _person(b: _Builder, toks: list[_Token], description: str | None) -> None:
    text = b.text
    if not toks:
        return
    start, end = toks[0].start, toks[-1].end
    surface = text[start:end]
    rec = _resolve_known_person(b, surface)
    if rec is None and b.known_only:
        return
    if rec is None:
        rec = b.entity(surface, "person", start, description=description)
        for t in toks:
            b.people_tokens.setdefault(name_key(t.text), rec.key)
        for part in re.split(r"[\s\-]+", surface):
            b.people_tokens.setdefault(name_key(part), rec.key)
    else:
        rec.count += 1
        if len(surface.split()) == 1 and surface[:1].isupper():
            rec.add_alias(surface)
        if description and not rec.description:
            rec.description = description
        if len(surface.split()) > len(rec.name.split()):
            rec.add_alias(rec.name)
            rec.name = surface
        elif name_key(surface) == name_key(rec.name) and surface != rec.name:
            rec.add_alias(surface)
    b.mention(rec, start, end)


def _resolve_known_person(b: _Builder, surface: str) -> EntityRecord | None:
    key = name_key(surface)
    for rec in b.table.records.values():
        if rec.type != "person":
            continue
        names = [rec.name, *rec.aliases]
        if any(name_key(n) == key for n in names):
            return rec
    if len(surface.split()) == 1:
        owner = b.people_tokens.get(key)
        if owner:
            return b.table.records[owner]
    return None


def _lead_countries(b: _Builder, lead: list[_Token]) -> None:
    """The countries, demonyms and capitals that open a capitalised run."""
    for tok in lead:
        if tok.kind == "capital":
            _capital(b, tok)
            continue
        role = "modifier" if tok.kind == "demonym" else "actor"
        if tok.kind == "country" and _is_place_token(b.text, tok):
            role = "place"
        b.country(tok.code or "", tok.text, tok.start, tok.end, role)


def _named_person(b: _Builder, toks: list[_Token], after: str, honorific: bool) -> bool:
    """Records `toks` as a person when the text says it is one (an honorific, a title in
    apposition or before it, a personal verb, a counterpart, a reused surname)."""
    text, start = b.text, toks[0].start
    apposition = _APPOSITION.match(after)
    desc = None
    if apposition and any(w.lower() in TITLE_HEADS for w in apposition.group("desc").split()):
        desc = apposition.group("desc").strip()
    lower_title = _LOWER_TITLE.search(text[max(0, start - 50) : start + 1])
    counterpart = re.search(r"\b(?:with|by|and|said|says)\s+$", text[max(0, start - 7) : start])
    syllables = any(re.search(r"[a-z]-[a-z]", t.text) for t in toks)
    if not (
        honorific
        or desc
        or _PERSONAL_VERBS.match(after)
        or (lower_title and lower_title.end() >= min(50, start))
        or (counterpart and len(toks) in (2, 3))
        or syllables
        or _surname_reused(b, toks)
    ) or _place_before(text, start):
        return False
    if desc is None and lower_title and lower_title.end() >= min(50, start):
        desc = lower_title.group("title")
    _person(b, toks, desc)
    return True


def _unknown(b: _Builder, toks: list[_Token], lead: list[_Token], sentence_start: int = -1) -> None:
    """A capitalised sequence with no title and no organisation head."""
    text = b.text
    _lead_countries(b, lead)
    if (
        len(toks) >= 3
        and toks[0].kind == "word"
        and toks[0].text.lower() in _GEO_HEADS
        and toks[1].text == "of"
    ):
        rec = b.entity(text[toks[0].start : toks[-1].end], "location", toks[0].start)
        b.mention(rec, toks[0].start, toks[-1].end, "place")
        return  # "Gulf of Guinea", "Strait of Hormuz": a place, not the country inside it
    toks = [t for t in toks if t.kind == "word"]
    if not toks:
        return
    start, end = toks[0].start, toks[-1].end
    surface = text[start:end]
    if surface in ("North", "South", "East", "West"):
        return  # "the North": a direction or a reference, not a named place
    if surface in KNOWN_ORGS:
        rec = b.entity(surface, "organization", start, canonical=KNOWN_ORGS[surface])
        if surface not in rec.surfaces:
            rec.surfaces.append(surface)
        b.mention(
            rec, start, end, "modifier" if _ORG_MODIFIER.match(after_text(b, end)) else "actor"
        )
        return
    if text[end:].split("\n", 1)[0].strip() == ")" and text[start - 1 : start] == "(":
        return  # a photo credit: "(AP)" closing a caption
    honorific = start >= 4 and re.search(
        r"\b(?:Mr|Mrs|Ms|Dr)\.?\s+$", text[max(0, start - 5) : start]
    )
    person = _resolve_known_person(b, surface)
    if person is not None:
        person.count += 1
        person.add_alias(surface)
        b.mention(person, start, end)
        return
    acronym = _known_acronym(b, surface)
    if acronym is not None:
        acronym.count += 1
        b.mention(acronym, start, end)
        return
    after = text[end : end + 200]
    if b.known_only or _NAMED_THING_AFTER.match(after):
        return
    following = text[end : end + 40].lower()
    head = following.split()[0].strip(",.") if following.split() else ""
    if head in PLACE_HEADS:
        name = f"{surface} {head}" if head in _REGION_HEADS else surface
        rec = b.entity(name, "location", start)
        if name != surface:
            rec.add_alias(surface)
        b.mention(rec, start, end, "place")
        return
    if _DESCRIBED_ORG.search(text[max(0, start - 45) : start]) and len(toks) <= 4:
        rec = b.entity(surface, "organization", start)
        b.mention(rec, start, end, "modifier" if _ORG_MODIFIER.match(after) else "actor")
        return
    if (
        surface.isupper()
        and 2 <= len(surface) <= 8
        and (
            not re.search(r"\d", surface)
            or re.match(r"\s+(?:rebels|militia|group|movement|fighters|militants)\b", after)
        )
    ):
        rec = b.entity(surface, "organization", start)
        b.mention(rec, start, end, "modifier" if _ORG_MODIFIER.match(after) else "actor")
        return
    if (honorific or (len(toks) >= 2 and _person_tokens(toks))) and _named_person(
        b, toks, after, bool(honorific)
    ):
        return
    _place_or_lone_person(b, toks, after, sentence_start)


def _place_or_lone_person(b: _Builder, toks: list[_Token], after: str, sentence_start: int) -> None:
    """The last readings of an unknown name: a place after "in"/"near", or a lone word that
    acts like a person ("Kalulu said") and recurs."""
    text, start, end = b.text, toks[0].start, toks[-1].end
    surface = text[start:end]
    adjective = len(toks) == 1 and re.match(
        r"(?:\w+(?:an|ese|ish|ic))\s+[a-z]", text[start : end + 12]
    )
    if _place_before(text, start) and len(toks) <= 3 and not adjective:
        rec = b.entity(surface, "location", start)
        b.mention(rec, start, end, "place")
        return
    if (
        len(toks) == 1
        and _PERSONAL_VERBS.match(after)
        and start != sentence_start
        and b.words[surface] >= 2
    ):
        _person(b, toks, None)


def _surname_reused(b: _Builder, toks: list[_Token]) -> bool:
    """A two- or three-word name whose last word also stands alone elsewhere ("Y" after "X Y")."""
    if len(toks) not in (2, 3):
        return False
    full = b.text[toks[0].start : toks[-1].end]
    if full not in b.counts:
        b.counts[full] = b.text.count(full)
    return b.words[toks[-1].text] > b.counts[full]


def _known_acronym(b: _Builder, surface: str) -> EntityRecord | None:
    key = name_key(surface)
    for rec in b.table.records.values():
        if rec.type in ("organization", "country") and any(name_key(a) == key for a in rec.aliases):
            return rec
    return None


def _acronym_after(b: _Builder, tok: _Token, rec: EntityRecord | None) -> None:
    m = _ACRONYM_DEF.match(b.text, tok.end)
    if not m:
        return
    acronym = m.group(1)
    if rec is None:
        mentions = [x for x in b.table.mentions if x.end == tok.end]
        if not mentions:
            return
        rec = b.table.records[mentions[-1].key]
    initials = {w[0].upper() for w in re.findall(r"[A-Za-z][\w’'-]*", rec.name)}
    if acronym[0].upper() in initials:  # "(AP)" after "Philippines" is a credit, not a name
        rec.add_alias(acronym)


_GEO_HEADS = frozenset(
    {
        "gulf",
        "bay",
        "sea",
        "strait",
        "straits",
        "lake",
        "mount",
        "cape",
        "isle",
        "horn",
        "port",
        "bight",
        "sound",
        "channel",
        "peninsula",
        "islands",
    }
)
_DESCRIBED_ORG = re.compile(
    r"\b(?:firm|company|maker|manufacturer|producer|group|giant|conglomerate|carrier|lender|"
    r"bank|insurer|operator|contractor|supplier|developer|retailer|broadcaster|newspaper|"
    r"think\s+tank|charity|watchdog|consultancy|startup|start-up|shipbuilder|shipyard|automaker|"
    r"carmaker|airline|miner|refiner|exporter|publisher|outlet|agency)\s+$"
)
"""A lowercase descriptor naming what kind of organisation follows ("arms maker X")."""

_NAMED_THING_AFTER = re.compile(
    r"^\s+(?:treaty|pact|agreement|accord|deal|partnership|anniversary|summit|talks|programme|"
    r"program|project|initiative|war|conflict|operation|doctrine|plan|strategy|declaration|"
    r"charter|act|bill|law|forum|games|festival|award|prize|index|report)\b"
)


def dateline_end(sentence: Sentence) -> int:
    """Offset where a dateline ("City, Month Day (Outlet)") at the start of a sentence ends."""
    m = DATELINE.match(sentence.text)
    return sentence.start + m.end() if m else sentence.start


def find_entities(text: str, sentences: list[Sentence]) -> EntityTable:
    """Entities and their mentions across the article's prose. A title-case headline only
    mentions names the body introduces (its capitals are typography, not names)."""
    b = _Builder(text)
    ordered = [s for s in sentences if s.kind != "title"] + [
        s for s in sentences if s.kind == "title"
    ]
    for sentence in ordered:
        if sentence.kind in ("meta", "heading"):
            continue
        b.known_only = sentence.kind == "title" and _title_case(sentence.text)
        tokens = _tokens(text, dateline_end(sentence), sentence.end)
        previous: _Token | None = None
        for run in _runs(text, tokens):
            owner = None
            if (
                previous is not None
                and previous.possessive
                and previous.kind == "country"
                and re.fullmatch(r"['’]s? ", text[previous.end : run[0].start])
            ):
                owner = previous
            _segment(b, run, sentence.start, owner)
            previous = run[-1]
    _merge_org_tails(b.table)
    _merge_surnames(b.table)
    _merge_region_names(b.table)
    _canonical_names(b.table)
    b.table.mentions.sort(key=lambda m: m.start)
    return b.table


def after_text(b: _Builder, end: int) -> str:
    return b.text[end : end + 40]


def _merge_region_names(table: EntityTable) -> None:
    """ "X" and "the X region" are one place, named by the fuller form."""
    places = [r for r in table.records.values() if r.type == "location"]
    for short in places:
        longer = [
            p
            for p in places
            if p is not short
            and p.key in table.records
            and name_key(p.name).startswith(name_key(short.name) + " ")
            and name_key(p.name).split()[-1] in _REGION_HEADS
        ]
        if len(longer) != 1 or short.key not in table.records:
            continue
        table.fold(short, into=longer[0])


def _canonical_names(table: EntityTable) -> None:
    """GUIDELINES §3: the canonical name is the fullest form the article uses; other forms
    it uses are aliases. Countries named only by an adjective keep their short name."""
    for rec in table.records.values():
        if not rec.surfaces:
            continue
        forms = (
            rec.surfaces
            if rec.type == "country"
            else list(dict.fromkeys([rec.name, *rec.surfaces]))
        )
        fullest = max(forms, key=lambda s: (len(s), -forms.index(s)))
        others = [s for s in forms if s != fullest]
        old = rec.name
        rec.name = fullest
        rec.aliases = [a for a in [*others, *rec.aliases] if a != fullest]
        if old != fullest and old not in rec.aliases and rec.type != "country":
            rec.aliases.append(old)
        rec.aliases = list(dict.fromkeys(rec.aliases))


def _title_case(line: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", line) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) / len(words) > 0.7


def _merge_surnames(table: EntityTable) -> None:
    """A one-word person seen before the full name ("X" … "Y X") is that person."""
    people = [r for r in table.records.values() if r.type == "person"]
    for short in people:
        if len(short.name.split()) != 1:
            continue
        key = name_key(short.name)
        owners = [
            p
            for p in people
            if p is not short and p.key in table.records and key in name_key(p.name).split()
        ]
        if len(owners) != 1:
            continue
        target = owners[0]
        target.description = target.description or short.description
        table.fold(short, into=target)


def _merge_org_tails(table: EntityTable) -> None:
    """ "Foreign Ministry" alone is the one qualified "X Foreign Ministry" of the article."""
    orgs = [r for r in table.records.values() if r.type == "organization"]
    for short in orgs:
        if short.qualified:
            continue
        longer = [
            o
            for o in orgs
            if o is not short and name_key(o.name).endswith(" " + name_key(short.name))
        ]
        if len(longer) == 1:
            target = longer[0]
            table.fold(short, into=target)
            for a in short.aliases:
                target.add_alias(a)
