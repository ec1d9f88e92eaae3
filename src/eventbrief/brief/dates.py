"""ISO partial dates as day ranges: "2025-06" contains "2025-06-04"; both are compatible."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

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
