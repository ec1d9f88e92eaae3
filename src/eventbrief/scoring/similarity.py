"""How alike a predicted event is to a gold event, and the per-field comparisons.

Event similarity (used only to decide which events pair up) is a weighted sum in [0, 1]:

    0.40 × evidence overlap   chars shared by the two events' evidence spans ÷ the smaller span
    0.20 × type               1 when equal
    0.25 × participants       set F1 of the names (alias-aware, near spellings count); 0 when
                              neither event names anyone: shared silence is not a shared actor
    0.15 × date               1 equal value (or both null), 0.5 same month, else 0

A pair below `EVENT_MATCH_THRESHOLD` (0.5) does not match. With the weights above, two events
sharing their evidence still need one more thing in common (type, most participants or date),
and two events with different evidence need type and participants and date to agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from eventbrief.grounding import locate
from eventbrief.models import Evidence, GroundedEvent, Quantity
from eventbrief.scoring.matching import assign
from eventbrief.scoring.metrics import set_f1
from eventbrief.scoring.names import NameMatcher

WEIGHTS = {"evidence": 0.40, "type": 0.20, "participants": 0.25, "date": 0.15}
EVENT_MATCH_THRESHOLD = 0.5
QUANTITY_TOLERANCE = 0.01
"""Quantities agree when their values differ by at most 1% of the gold value."""

Interval = tuple[int, int]


def evidence_spans(evidence: Sequence[Evidence], text: str) -> list[Interval]:
    """Char intervals of the evidence; quotes without offsets are located in `text`."""
    spans: list[Interval] = []
    for item in evidence:
        start, end = item.start, item.end
        if start is None or end is None or not 0 <= start < end <= len(text):
            found = locate(item.quote, text) if text else None
            if found is None:
                continue
            start, end = found.start, found.end
        spans.append((start, end))
    return _union(spans)


def _union(spans: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _length(spans: list[Interval]) -> int:
    return sum(end - start for start, end in spans)


def span_overlap(a: list[Interval], b: list[Interval]) -> float:
    """Shared chars ÷ chars of the smaller side (overlap coefficient); 0 when either is empty.

    The smaller side is the denominator so that a clause quoted by one side and its whole
    sentence quoted by the other count as the same evidence.
    """
    if not a or not b:
        return 0.0
    shared = 0
    for s1, e1 in a:
        for s2, e2 in b:
            shared += max(0, min(e1, e2) - max(s1, s2))
    return shared / min(_length(a), _length(b))


def date_value(event: GroundedEvent) -> str | None:
    return event.date.value if event.date is not None else None


def date_exact(pred: str | None, gold: str | None) -> float:
    return 1.0 if pred == gold else 0.0


def date_month(pred: str | None, gold: str | None) -> float:
    """Agreement to the month: `2025-06` and `2025-06-04` agree; a year alone agrees only with
    the same year alone; null agrees only with null."""
    if pred is None or gold is None:
        return 1.0 if pred == gold else 0.0
    return 1.0 if pred[:7] == gold[:7] else 0.0


def quantities_f1(pred: Sequence[Quantity], gold: Sequence[Quantity]) -> float:
    """Set F1 of quantity values, one to one, equal within QUANTITY_TOLERANCE of the gold value.

    Units are not compared: the same count is written "troops", "soldiers" or "personnel".
    """

    def same(p: Quantity, g: Quantity) -> float:
        return 1.0 if abs(p.value - g.value) <= QUANTITY_TOLERANCE * abs(g.value) else 0.0

    return set_f1(len(assign(pred, gold, same, threshold=1.0)), len(pred), len(gold))


def names_f1(names: NameMatcher, pred: Sequence[str], gold: Sequence[str]) -> float:
    return set_f1(*names.set_counts(pred, gold))


def location_score(names: NameMatcher, pred: str | None, gold: str | None) -> float:
    if pred is None or gold is None:
        return 1.0 if pred == gold else 0.0
    return 1.0 if names.same(pred, gold) else 0.0


class EventComparer:
    """Compares events of one article: holds its text (for spans) and the gold names."""

    def __init__(self, text: str, names: NameMatcher) -> None:
        self.text = text
        self.names = names
        self._spans: dict[int, list[Interval]] = {}

    def spans(self, event: GroundedEvent) -> list[Interval]:
        key = id(event)
        if key not in self._spans:
            self._spans[key] = evidence_spans(event.evidence, self.text)
        return self._spans[key]

    def similarity(self, pred: GroundedEvent, gold: GroundedEvent) -> float:
        p_date, g_date = date_value(pred), date_value(gold)
        date = 1.0 if p_date == g_date else 0.5 * date_month(p_date, g_date)
        named = bool(pred.participants or gold.participants)
        parts = {
            "evidence": span_overlap(self.spans(pred), self.spans(gold)),
            "type": 1.0 if pred.type == gold.type else 0.0,
            "participants": (
                names_f1(self.names, pred.participants, gold.participants) if named else 0.0
            ),
            "date": date,
        }
        return sum(WEIGHTS[k] * v for k, v in parts.items())

    def fields(self, pred: GroundedEvent, gold: GroundedEvent) -> dict[str, float]:
        """Per-field scores in [0, 1] of a matched pair."""
        p_date, g_date = date_value(pred), date_value(gold)
        return {
            "type": 1.0 if pred.type == gold.type else 0.0,
            "participants": names_f1(self.names, pred.participants, gold.participants),
            "location": location_score(self.names, pred.location, gold.location),
            "date": date_exact(p_date, g_date),
            "date_month": date_month(p_date, g_date),
            "status": 1.0 if pred.status == gold.status else 0.0,
            "quantities": quantities_f1(pred.quantities, gold.quantities),
            "attributed_to": names_f1(self.names, pred.attributed_to, gold.attributed_to),
        }


FIELDS: tuple[str, ...] = (
    "type",
    "participants",
    "location",
    "date",
    "date_month",
    "status",
    "quantities",
    "attributed_to",
)
