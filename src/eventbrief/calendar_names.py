"""The English names of months and weekdays, written once: the date resolver (timex), the
dateline reader (articles), the brief's date handling and timeline axis, and the offline rules
all read them from here, so a spelling added for one is known to all."""

from __future__ import annotations

MONTH_NAMES: tuple[str, ...] = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
MONTHS: dict[str, int] = {name: n for n, name in enumerate(MONTH_NAMES, 1)}
"""Full month name (lower case) → month number."""
MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
"""Abbreviated month names news writing uses ("Sept. 4"); May has none."""
MONTH_WORDS: dict[str, int] = {**MONTHS, **MONTH_ABBREVIATIONS}
"""Every name of a month, full or abbreviated (lower case) → month number."""
SHORT_MONTHS: tuple[str, ...] = tuple(name[:3].title() for name in MONTH_NAMES)
"""How a page shows a month: "Jan" … "Dec"."""
WEEKDAYS: dict[str, int] = {
    name: n
    for n, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
"""Weekday name (lower case) → `date.weekday()` number."""


def month_number(word: str) -> int | None:
    """The month a word names ("June", "sept", "Dec."), ignoring case and a closing period;
    None for any other word."""
    return MONTH_WORDS.get(word.casefold().rstrip("."))
