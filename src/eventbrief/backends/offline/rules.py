"""Rules kept as data: the trigger rules of `triggers.toml`, loaded, checked and compiled once.

`quantities.toml` (units, approximation cues), `status.toml` (status cues),
`attribution.toml` (credits and news outlets) and `vetoes.toml` (when a trigger word states no
happening) are loaded by `quantities`, `status`, `attribution` and `vetoes` with the helpers
here; every data file counts towards the digest.

Keeping the rules in a data file gives each one an id (so an event can say which rule made it)
and example sentences a test runs it on; the digest of the data files joins the backend's rules
version, so a cache never serves answers of older rules.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any, Literal, NamedTuple, cast

from eventbrief.models import EVENT_TYPES, EventType

Kind = Literal["verb", "noun"]
DATA_FILES: tuple[str, ...] = (
    "triggers.toml",
    "quantities.toml",
    "status.toml",
    "attribution.toml",
    "vetoes.toml",
)


class TriggerRule(NamedTuple):
    """One trigger rule: which event type its pattern signals, and its own examples."""

    id: str
    type: EventType
    kind: Kind
    pattern: re.Pattern[str]
    fires: tuple[str, ...]
    not_fires: tuple[str, ...]
    starts: frozenset[str] | None = None
    """What a match starts with (`literal_prefixes`, as the pattern spells it), or None when
    anything can start one: the trigger scan tries the rule only where the text does."""
    happening: str = ""
    """The happening an `other` rule tells: its `happening` key, else its own id. "won 14
    seats" and "the parliamentary election" are one election, a strike and a cancelled flight
    two."""


def read_data(name: str) -> str:
    """The text of one rule data file shipped in this package."""
    return (resources.files("eventbrief.backends.offline") / name).read_text(encoding="utf-8")


def macros_of(data: Mapping[str, Any]) -> dict[str, str]:
    """The [macros] of a data file: shared pattern pieces its rules name as `{NAME}`."""
    return {str(k): str(v) for k, v in data.get("macros", {}).items()}


def expand_macros(pattern: str, macros: dict[str, str]) -> str:
    """`pattern` with each `{NAME}` of a data file's [macros] written out."""
    for key, value in macros.items():
        pattern = pattern.replace("{" + key + "}", value)
    return pattern


def examples(raw: Mapping[str, object], what: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """A rule's `fires` and `not_fires` examples: every rule needs both, so a test can run it."""
    fires = tuple(cast(list[Any], raw.get("fires", [])))
    not_fires = tuple(cast(list[Any], raw.get("not_fires", [])))
    if not fires or not not_fires:
        raise ValueError(f"{what} {raw.get('id')}: needs fires and not_fires examples")
    return fires, not_fires


def check_unique(ids: list[str], what: str) -> None:
    """Rule ids name rules, so no two may share one."""
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate {what} ids: {', '.join(duplicates)}")


def _rule(raw: dict[str, object], macros: dict[str, str]) -> TriggerRule:
    rid, etype, kind = str(raw["id"]), str(raw["type"]), str(raw["kind"])
    if etype not in EVENT_TYPES:
        raise ValueError(f"trigger rule {rid}: unknown event type {etype!r}")
    if kind not in ("verb", "noun"):
        raise ValueError(f"trigger rule {rid}: kind must be verb or noun, not {kind!r}")
    fires, not_fires = examples(raw, "trigger rule")
    body = expand_macros(str(raw["pattern"]), macros)
    first = _first_chars(body)
    guard = f"(?=[{re.escape(''.join(sorted(first)))}])" if first else ""
    pattern = re.compile(rf"{guard}\b(?:{body})", re.IGNORECASE)
    starts = literal_prefixes(body, START_LETTERS)
    happening = str(raw.get("happening", rid))
    return TriggerRule(
        rid, cast(EventType, etype), cast(Kind, kind), pattern, fires, not_fires, starts, happening
    )


START_LETTERS = 3
"""How long a rule's `starts` are: three letters tell most words apart."""


def _first_chars(pattern: str) -> set[str] | None:
    """The characters a match of `pattern` can start with, or None when any can. A lookahead
    on them lets the regex engine skip most positions: the rules' matches stay the same, the
    scan of an article gets about a third faster."""
    found = literal_prefixes(pattern, START_LETTERS)
    return {p[0] for p in found} if found is not None else None


@cache
def literal_prefixes(pattern: str, length: int) -> frozenset[str] | None:
    """Literal strings, each at most `length` characters long and as the pattern spells them,
    one of which starts every match of `pattern`; None when a match can start with anything
    (or with nothing). Case is the caller's business: the rules match ignoring it. Cached, so
    a rule's pattern is parsed once for its guard and its `starts`."""
    try:
        paths = _walk(list(_parser.parse(pattern, re.IGNORECASE)), length)
    except (re.error, ValueError, TypeError):
        return None
    if paths is None or any(not text for text, _open in paths):
        return None
    return frozenset(text for text, _open in paths)


_ZERO_WIDTH = (_c.AT, _c.ASSERT_NOT, _c.ASSERT)
_Paths = set[tuple[str, bool]]
"""Prefixes read so far, each with whether the next item may still extend it."""


def _walk(items: list[tuple[Any, Any]], length: int) -> _Paths | None:
    paths: _Paths = {("", True)}
    for op, arg in items:
        if not any(open_ and len(text) < length for text, open_ in paths):
            break
        if op in _ZERO_WIDTH:
            continue  # zero-width: the next item starts the match
        step = _item(op, arg, length)
        if step is None or any(not text for text, _open in step):
            return {(text, False) for text, _open in paths}  # unknown or may be empty: stop
        paths = {
            ((text + more)[:length], open_ and more_open and len(text + more) < length)
            if open_ and len(text) < length
            else (text, False)
            for text, open_ in paths
            for more, more_open in step
        }
    return paths


def _item(op: Any, arg: Any, length: int) -> _Paths | None:
    if op is _c.LITERAL:
        return {(chr(arg), True)}
    if op is _c.IN:
        literal = all(o is _c.LITERAL for o, _a in arg)
        return {(chr(a), True) for _o, a in arg} if literal else None
    if op is _c.SUBPATTERN:
        return _walk(list(arg[-1]), length)
    if op is _c.BRANCH:
        found: _Paths = set()
        for branch in arg[1]:
            sub = _walk(list(branch), length)
            if sub is None:
                return None
            found |= sub
        return found
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
        sub = _walk(list(arg[2]), length)
        once = arg[0] == arg[1] == 1
        return None if sub is None else {(text, open_ and once) for text, open_ in sub}
    return None


@cache
def trigger_rules() -> tuple[TriggerRule, ...]:
    """Every trigger rule in file order (order breaks ties between equal matches)."""
    data = tomllib.loads(read_data("triggers.toml"))
    macros = macros_of(data)
    rules = tuple(_rule(raw, macros) for raw in data["rule"])
    check_unique([r.id for r in rules], "trigger rule")
    return rules


def data_digest() -> str:
    """A digest of the rule data files, part of the offline rules version."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(name.encode())
        digest.update(read_data(name).encode())
    return digest.hexdigest()
