"""Timeline order: dated events by date, undated ones last by their articles' publication dates."""

from __future__ import annotations

import datetime as dt

from eventbrief.brief.dates import range_of
from eventbrief.models import BriefEvent


def timeline_key(event: BriefEvent, published: dict[str, dt.date | None]) -> tuple:
    """Sort key: a range sorts by its first day, a wider range before the days it contains."""
    when = range_of(event.date)
    dates = [published.get(m.article_id) for m in event.mentions]
    first_published = min((d for d in dates if d is not None), default=dt.date.max)
    if when is None:
        return (1, first_published, dt.date.max, first_published)
    return (0, when.start, -when.days, first_published)


def order_events(
    events: list[BriefEvent], published: dict[str, dt.date | None]
) -> list[BriefEvent]:
    """Stable sort: equal keys keep the order they came in."""
    return sorted(events, key=lambda e: timeline_key(e, published))
