"""The timeline drawn on a date axis: inline SVG, no script, one marker per brief event.

A story's events bunch up: three months of visits, then a treaty a year earlier and a
deployment "in 2022". A linear axis would squeeze the bunch into a sliver, so every stretch
without events longer than `MAX_GAP_DAYS` is drawn that long and marked with a break (≈); within
the rest a day is a day. A day is a dot, a month or a year a bar over its days; markers that
would overlap go to the next lane. Undated events sit in a row of their own under the axis.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass
from html import escape
from itertools import pairwise

from eventbrief.brief.dates import DayRange, range_of
from eventbrief.calendar_names import SHORT_MONTHS
from eventbrief.models import BriefEvent

WIDTH = 760
"""viewBox width; the page never draws the SVG much narrower (it scrolls sideways instead of
shrinking the labels)."""
PAD = 18
MAX_GAP_DAYS = 40
LANE_HEIGHT = 20
LABEL_SPACING = 64
"""Least distance between two tick labels ("Sep 2024" is about 50 wide)."""


def human_date(value: str) -> str:
    """A date as a reader writes it: "2025-06-04" → "4 Jun 2025", "2025-06" → "Jun 2025"."""
    parts = value.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {SHORT_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{SHORT_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return value


@dataclass(frozen=True)
class Scale:
    """Day → x, linear between knots; `breaks` are the x of stretches drawn shorter."""

    days: tuple[int, ...]
    xs: tuple[float, ...]
    breaks: tuple[float, ...]
    compressed: tuple[tuple[int, int], ...]

    def x(self, day: dt.date | int) -> float:
        d = day if isinstance(day, int) else day.toordinal()
        if d <= self.days[0]:
            return self.xs[0]
        if d >= self.days[-1]:
            return self.xs[-1]
        i = bisect_right(self.days, d) - 1
        span = self.days[i + 1] - self.days[i]
        return self.xs[i] + (self.xs[i + 1] - self.xs[i]) * (d - self.days[i]) / span

    def shown(self, day: dt.date) -> bool:
        """False inside a stretch drawn shorter (a tick there would mislead)."""
        d = day.toordinal()
        return self.days[0] <= d <= self.days[-1] and not any(a < d < b for a, b in self.compressed)


def make_scale(ranges: list[DayRange], width: float = WIDTH, pad: float = PAD) -> Scale:
    """Knots at every range start and end (the day after its last), long gaps cut short."""
    points = sorted({r.start.toordinal() for r in ranges} | {r.end.toordinal() + 1 for r in ranges})
    units = [0.0]
    compressed: list[tuple[int, int]] = []
    for a, b in pairwise(points):
        gap = b - a
        if gap > MAX_GAP_DAYS:
            compressed.append((a, b))
            gap = MAX_GAP_DAYS
        units.append(units[-1] + gap)
    margin = max(2.0, units[-1] * 0.03)
    days = [points[0] - 1, *points, points[-1] + 1]
    units = [-margin, *units, units[-1] + margin]
    low, high = units[0], units[-1]
    xs = [pad + (u - low) / (high - low) * (width - 2 * pad) for u in units]
    scale = Scale(tuple(days), tuple(xs), (), tuple(compressed))
    breaks = tuple(scale.x((a + b) // 2) for a, b in compressed)
    return Scale(tuple(days), tuple(xs), breaks, tuple(compressed))


def ticks(scale: Scale) -> list[tuple[float, str]]:
    """Month starts outside the shortened stretches, as many as fit without crowding; a label
    shows its year when it is the first, a January, or the first after a break or a new year.
    A span too short to hold two month starts is labelled by its first and last day."""
    first = dt.date.fromordinal(scale.days[1])
    last = dt.date.fromordinal(scale.days[-2] - 1)
    month = dt.date(first.year, first.month, 1)
    kept: list[dt.date] = []
    while month <= last:
        far = not kept or scale.x(month) - scale.x(kept[-1]) >= LABEL_SPACING
        if month >= first and scale.shown(month) and far:
            kept.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    if len(kept) < 2:
        ends = [first] if first == last else [first, last]
        return [(scale.x(d.toordinal()) + _half_day(scale, d), _day(d)) for d in ends]
    labelled: list[tuple[float, str]] = []
    previous: dt.date | None = None
    for m in kept:
        cut = previous is not None and any(
            previous.toordinal() <= a and b <= m.toordinal() for a, b in scale.compressed
        )
        year = previous is None or m.month == 1 or cut or previous.year != m.year
        name = SHORT_MONTHS[m.month - 1]
        labelled.append((scale.x(m), f"{name} {m.year}" if year else name))
        previous = m
    return labelled


def _half_day(scale: Scale, day: dt.date) -> float:
    return (scale.x(day.toordinal() + 1) - scale.x(day)) / 2


def _day(day: dt.date) -> str:
    return f"{day.day} {SHORT_MONTHS[day.month - 1]} {day.year}"


def _shape(event: BriefEvent, when: DayRange, scale: Scale) -> tuple[float, float, str]:
    """(left, right, svg) of one marker."""
    if when.days == 1:
        cx = (scale.x(when.start) + scale.x(when.start.toordinal() + 1)) / 2
        return cx - 6, cx + 6, f'<circle class="shape" cx="{cx:.1f}" cy="{{y}}" r="6"/>'
    left = scale.x(when.start)
    right = max(scale.x(when.end.toordinal() + 1), left + 12)
    return (
        left,
        right,
        f'<rect class="shape" x="{left:.1f}" y="{{top}}" width="{right - left:.1f}" height="10" '
        'rx="5"/>',
    )


def _marker(event: BriefEvent, body: str, disputed: bool, label: str) -> str:
    """A focusable group: its classes give colour (type) and fill (status) in page.css."""
    classes = f"mk t-{event.type} s-{event.status}" + (" disputed" if disputed else "")
    return (
        f'<g class="{escape(classes)}" data-marker="{escape(event.id)}" tabindex="0" '
        f'role="button" aria-label="{escape(label)}"><title>{escape(label)}</title>{body}</g>'
    )


def _label(event: BriefEvent) -> str:
    """What a marker says on hover and to a screen reader."""
    when = human_date(event.date.value) if event.date and event.date.value else "undated"
    return f"{when} · {event.type.replace('_', ' ')} · {event.description}"


def timeline_svg(events: list[BriefEvent], disputed: set[str]) -> str:
    """The axis with every event on it; events are the brief's, in timeline order."""
    dated = [(e, w) for e in events if (w := range_of(e.date)) is not None]
    undated = [e for e in events if range_of(e.date) is None]
    parts: list[str] = []
    lanes: list[float] = []
    top = 10
    height = top
    if dated:
        scale = make_scale([w for _, w in dated])
        placed: list[tuple[BriefEvent, int, str]] = []
        for event, when in sorted(dated, key=lambda p: (p[1].start, -p[1].days, p[0].id)):
            left, right, shape = _shape(event, when, scale)
            lane = next((i for i, end in enumerate(lanes) if end + 3 < left), len(lanes))
            if lane == len(lanes):
                lanes.append(right)
            else:
                lanes[lane] = right
            placed.append((event, lane, shape))
        axis_y = top + len(lanes) * LANE_HEIGHT + 6
        for event, lane, shape in placed:
            y = top + lane * LANE_HEIGHT + LANE_HEIGHT / 2
            body = shape.replace("{y}", f"{y:.1f}").replace("{top}", f"{y - 5:.1f}")
            parts.append(_marker(event, body, event.id in disputed, _label(event)))
        parts.insert(
            0,
            f'<line class="axis" x1="{PAD}" y1="{axis_y}" x2="{WIDTH - PAD}" y2="{axis_y}"/>',
        )
        for x, text in ticks(scale):
            parts.append(
                f'<line class="tick" x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 5}"/>'
                f'<text class="tick-label" x="{x:.1f}" y="{axis_y + 18}">{escape(text)}</text>'
            )
        for x in scale.breaks:
            parts.append(
                f'<text class="break" x="{x:.1f}" y="{axis_y + 4}" aria-label="time cut short">'
                "≈</text>"
            )
        height = axis_y + 28
    if undated:
        y = height + 12
        parts.append(f'<text class="row-label" x="{PAD}" y="{y + 4}">undated</text>')
        step = min(18.0, (WIDTH - PAD - 90) / max(1, len(undated)))
        for n, event in enumerate(undated):
            cx = PAD + 72 + n * step
            body = f'<circle class="shape" cx="{cx:.1f}" cy="{y}" r="6"/>'
            parts.append(_marker(event, body, event.id in disputed, _label(event)))
        height = y + 14
    return (
        f'<svg id="timeline-axis" class="axis-svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="group" '
        'aria-label="Events on a date axis; select one to see it below">'
        + "".join(parts)
        + "</svg>"
    )
