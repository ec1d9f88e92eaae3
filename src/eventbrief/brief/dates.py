"""ISO partial dates as day ranges: "2025-06" contains "2025-06-04"; both are compatible."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from eventbrief.calendar_names import month_number
from eventbrief.models import TimeValue


@dataclass(frozen=True, order=True)
class DayRange:
    """The days an ISO partial date may mean, inclusive at both ends."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, other: DayRange) -> bool:
        return self.start <= other.start and other.end <= self.end

    def compatible(self, other: DayRange) -> bool:
        """Same day, or one range holding the other."""
        return self.contains(other) or other.contains(self)

    def gap_days(self, other: DayRange) -> int:
        """Days between the two ranges; 0 when they overlap."""
        if self.end < other.start:
            return (other.start - self.end).days
        if other.end < self.start:
            return (self.start - other.end).days
        return 0


def day_range(value: str) -> DayRange:
    """The range of an already validated "YYYY", "YYYY-MM" or "YYYY-MM-DD"."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        day = dt.date(*parts)
        return DayRange(day, day)
    if len(parts) == 2:
        year, month = parts
        return DayRange(
            dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        )
    return DayRange(dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31))


def range_of(date: TimeValue | None) -> DayRange | None:
    """The range of an event date, or None when the article gives no value."""
    if date is None or date.value is None:
        return None
    return day_range(date.value)


_MONTH_DAY = re.compile(
    r"\b(?:(?P<day1>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month1>[A-Z][a-z]{2,8})\.?"
    r"|(?P<month2>[A-Z][a-z]{2,8})\.?\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?\b"
    r"|(?P<month3>[A-Z][a-z]{2,8})\b)"
)


def month_day(text: str) -> tuple[int, int | None] | None:
    """Month and day named in a date expression ("June 4", "4 June", "in March"), for dates the
    article gives without a year; None when it names no month."""
    for m in _MONTH_DAY.finditer(text):
        word = (m.group("month1") or m.group("month2") or m.group("month3") or "").casefold()
        month = month_number(word)
        if month is None:
            continue
        day = m.group("day1") or m.group("day2")
        return month, int(day) if day and 1 <= int(day) <= 31 else None
    return None
