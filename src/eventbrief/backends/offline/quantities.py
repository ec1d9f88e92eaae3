"""Counted amounts in news prose: "approximately 11,000 troops", "$2 billion", "five missiles".

Only numbers written with a numeral or a number word next to a counted noun; vague amounts
("thousands of troops"), ordinals, durations and dates are not quantities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eventbrief.models import Quantity
from eventbrief.timex import NUMBER_WORDS

_NUMBER_WORDS = {word: n for word, n in NUMBER_WORDS.items() if n > 1}
_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_APPROX = (
    r"about|approximately|around|some|more than|over|nearly|almost|up to|at least|roughly|"
    r"an estimated|estimated|fewer than|less than|as many as|close to|upwards of|just over|"
    r"just under|under"
)
_UNITS = (
    r"troops|soldiers|personnel|fighters|servicemen|service members|workers|people|civilians|"
    r"refugees|casualties|deaths|dead|wounded|injured|prisoners|hostages|officers|officials|"
    r"missiles|drones|rockets|shells|rounds|tanks|aircraft|jets|warplanes|helicopters|ships|"
    r"vessels|warships|submarines|vehicles|weapons|guns|artillery pieces|howitzers|launchers|"
    r"containers|barrels|tons|tonnes|dollars|euros|pounds|yuan|rubles|roubles|won|yen|"
    r"doses|children|migrants|protesters|members|delegates|homes|buildings|villages|"
    r"kilometres|kilometers|miles|hectares|units|battalions|brigades|divisions|engineers|"
    r"labourers|laborers|specialists|advisers|advisors|instructors|technicians|volunteers|"
    r"mercenaries|sailors|pilots|police|policemen|students|journalists|individuals|companies|"
    r"entities|firms|banks|crew\s+members|crew|passengers|systems|radar\s+systems|"
    r"armou?red\s+vehicles|howitzers|kilograms|kg|tonnes|metric\s+tons|patrol\s+boats|boats|"
    r"fighter\s+jets|satellites|trucks|lorries"
)
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORDS = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
QUANTITY = re.compile(
    rf"(?:(?P<approx>{_APPROX})\s+)?(?P<currency>[$€£¥])?(?P<num>(?<![\w.,-])(?:{_NUM})|(?<![\w-])(?:{_WORDS}))"
    rf"(?:\s*(?P<mult>thousand|million|billion|trillion|bn|m)\b)?"
    rf"(?P<mods>(?:\s+(?:[A-Z][\w’'-]+|more|additional|new|extra|armed|active|combat|"
    rf"ballistic|cruise|military|artillery|attack|foreign|heavy|young|elite))"
    rf"{{0,3}})\s+(?P<unit>{_UNITS})\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    rf"(?:(?P<approx>{_APPROX})\s+)?(?P<currency>[$€£¥])(?P<num>{_NUM})"
    r"(?:\s*(?P<mult>thousand|million|billion|trillion|bn|m)\b)?"
)
_CURRENCY_UNITS = {"$": "dollars", "€": "euros", "£": "pounds", "¥": "yen"}


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


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[QuantityMatch]:
    """Quantities in text[start:end], left to right, with verbatim spans."""
    end = len(text) if end is None else end
    out: list[QuantityMatch] = []
    taken: list[tuple[int, int]] = []
    for pattern in (QUANTITY, _MONEY):
        for m in pattern.finditer(text, start, end):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            num = m.group("num")
            if not num[0].isdigit() and text[
                max(0, m.start("num") - 4) : m.start("num")
            ].lower().endswith("the "):
                continue  # "the two countries"
            if (
                num.isdigit()
                and len(num) == 4
                and num.startswith(("19", "20"))
                and not m.groupdict().get("currency")
            ):
                continue  # a year
            value = _value(num, m.group("mult"))
            if value is None:
                continue
            unit = m.groupdict().get("unit") or _CURRENCY_UNITS.get(m.group("currency") or "", "")
            if not unit:
                continue
            approx = m.group("approx")
            out.append(
                QuantityMatch(
                    m.start(),
                    m.end(),
                    Quantity(
                        value=value,
                        unit=unit,
                        text=m.group(0),
                        approximate=bool(approx) and approx.lower() != "at least",
                    ),
                )
            )
            taken.append((m.start(), m.end()))
    out.sort(key=lambda q: q.start)
    return out
