"""Counted amounts in news prose: "approximately 11,000 troops", "$2 billion", "five missiles".

Only numbers written with a numeral or a number word next to a counted noun; vague amounts
("thousands of troops"), ordinals, durations and dates are not quantities. The counted nouns
and approximation cues are data (`quantities.toml`), each class with an id and examples.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from eventbrief.backends.offline.rules import read_data
from eventbrief.models import Quantity
from eventbrief.timex import NUMBER_WORDS

_NUMBER_WORDS = {word: n for word, n in NUMBER_WORDS.items() if n > 1}
_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORDS = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_CURRENCY = r"(?:US|A|C|NZ|HK|S)?[$€£¥₹₦]"
_CURRENCY_UNITS = {"$": "dollars", "€": "euros", "£": "pounds", "¥": "yen", "₹": "rupees"}
_CURRENCY_UNITS["₦"] = "naira"
_MODIFIERS = (
    r"(?-i:[A-Z][\w’'-]+)|[a-z]+(?:-[a-z]+)+|more|additional|new|extra|armed|active|combat|ballistic|cruise|"
    r"military|artillery|attack|foreign|heavy|young|elite|cargo|large|small|local|small-scale|"
    r"registered|eligible|urban|rural|displaced|internally\s+displaced|of\s+the\s+same"
)
_SAID_AFTER = re.compile(r"[^.;,]{0,60}?\b(?:said|say|says|told)\b")


class UnitClass(NamedTuple):
    """One class of counted nouns from the data file, with its examples."""

    id: str
    nouns: str
    fires: list[tuple[str, float]]
    not_fires: list[str]


class QuantityRules(NamedTuple):
    """The compiled quantity rules."""

    units: tuple[UnitClass, ...]
    approx_cues: tuple[str, ...]
    exact_floor: frozenset[str]
    approx_examples: list[tuple[str, float, bool]]
    source_nouns: re.Pattern[str]
    source_examples: tuple[list[str], list[str]]
    counted: re.Pattern[str]
    money: re.Pattern[str]


@cache
def quantity_rules() -> QuantityRules:
    """The rules of `quantities.toml`, compiled once."""
    data = tomllib.loads(read_data("quantities.toml"))
    units = tuple(
        UnitClass(u["id"], u["nouns"], [(s, float(v)) for s, v in u["fires"]], list(u["not_fires"]))
        for u in data["units"]
    )
    approx = data["approximate"]
    cues = tuple(sorted(approx["cues"], key=len, reverse=True))
    cue_re = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in cues)
    nouns = "|".join(u.nouns for u in units)
    counted = re.compile(
        rf"(?:(?P<approx>{cue_re})\s+)?(?P<currency>{_CURRENCY})?"
        rf"(?P<num>(?<![\w.,-])(?:{_NUM})|(?<![\w-])(?:{_WORDS}))"
        rf"(?:\s*(?P<mult>thousand|million|billion|trillion|bn|m)\b)?"
        rf"(?P<mods>(?:\s+(?:{_MODIFIERS})){{0,3}})\s+(?P<unit>{nouns})\b",
        re.IGNORECASE,
    )
    money = re.compile(
        rf"(?:(?P<approx>{cue_re})\s+)?(?P<currency>{_CURRENCY})(?P<num>{_NUM})"
        r"(?:\s*(?P<mult>thousand|million|billion|trillion|bn|m)\b)?",
        re.IGNORECASE,
    )
    sources = data["sources"]
    return QuantityRules(
        units,
        cues,
        frozenset(approx["exact_floor"]),
        [(s, float(v), bool(a)) for s, v, a in approx["fires"]],
        re.compile(rf"(?:{sources['nouns']})$", re.IGNORECASE),
        (list(sources["fires"]), list(sources["not_fires"])),
        counted,
        money,
    )


@dataclass(frozen=True)
class QuantityMatch:
    start: int
    end: int
    quantity: Quantity


def _value(num: str, mult: str | None) -> float | None:
    key = num.lower()
    if key in _NUMBER_WORDS:
        value = float(_NUMBER_WORDS[key])
    else:
        try:
            value = float(num.replace(",", ""))
        except ValueError:
            return None
    if mult:
        m = mult.lower()
        value *= _MULTIPLIERS.get(m, 1e9 if m == "bn" else 1e6 if m == "m" else 1)
    return value


def _skipped(text: str, m: re.Match[str], rules: QuantityRules) -> bool:
    """A number that is no quantity: "the two countries", a year, or unnamed sources who speak."""
    num = m.group("num")
    if not num[0].isdigit() and text[max(0, m.start("num") - 4) : m.start("num")].lower().endswith(
        "the "
    ):
        return True
    if (
        num.isdigit()
        and len(num) == 4
        and num.startswith(("19", "20"))
        and not m.groupdict().get("currency")
    ):
        return True
    unit = m.groupdict().get("unit") or ""
    return bool(
        unit and rules.source_nouns.search(unit) and _SAID_AFTER.match(text, m.end(), m.end() + 90)
    )


def _unit(m: re.Match[str]) -> str:
    unit = m.groupdict().get("unit")
    if unit:
        return unit
    symbol = (m.group("currency") or "")[-1:]
    return _CURRENCY_UNITS.get(symbol, "")


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[QuantityMatch]:
    """Quantities in text[start:end], left to right, with verbatim spans."""
    rules = quantity_rules()
    end = len(text) if end is None else end
    out: list[QuantityMatch] = []
    taken: list[tuple[int, int]] = []
    for pattern in (rules.counted, rules.money):
        for m in pattern.finditer(text, start, end):
            if any(m.start() < e and s < m.end() for s, e in taken) or _skipped(text, m, rules):
                continue
            value = _value(m.group("num"), m.group("mult"))
            unit = _unit(m)
            if value is None or not unit:
                continue
            approx = " ".join((m.group("approx") or "").lower().split())
            quantity = Quantity(
                value=value,
                unit=unit,
                text=m.group(0),
                approximate=bool(approx) and approx not in rules.exact_floor,
            )
            out.append(QuantityMatch(m.start(), m.end(), quantity))
            taken.append((m.start(), m.end()))
    out.sort(key=lambda q: q.start)
    return out
