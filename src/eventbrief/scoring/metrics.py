"""Counting primitives for the eval: precision/recall/F1 from counts, and field means.

Scores are kept as counts (not ratios) until the end so that "overall" can be a micro
aggregate: the counts of every article are summed first, then divided once.
"""

from __future__ import annotations

from dataclasses import dataclass


def ratio(numerator: float, denominator: float, *, empty: float) -> float:
    """numerator / denominator, or `empty` when there is nothing to divide by."""
    return numerator / denominator if denominator else empty


@dataclass
class Counts:
    """Matched items (`tp`) out of `n_pred` predicted and `n_gold` gold items.

    When a side is empty its ratio is 1.0 if both sides are empty (nothing to find, nothing
    claimed) and 0.0 otherwise; so an empty prediction for a non-empty gold scores 0.
    """

    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.n_pred + other.n_pred, self.n_gold + other.n_gold)

    @property
    def _both_empty(self) -> float:
        return 1.0 if self.n_pred == 0 and self.n_gold == 0 else 0.0

    @property
    def precision(self) -> float:
        return ratio(self.tp, self.n_pred, empty=self._both_empty)

    @property
    def recall(self) -> float:
        return ratio(self.tp, self.n_gold, empty=self._both_empty)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Tally:
    """A running mean of per-item scores in [0, 1]; None when no item was scored."""

    total: float = 0.0
    n: int = 0

    def add(self, score: float) -> None:
        self.total += score
        self.n += 1

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.total + other.total, self.n + other.n)

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None


def set_f1(tp: int, n_pred: int, n_gold: int) -> float:
    """F1 of one predicted set against one gold set (1.0 when both are empty)."""
    return Counts(tp, n_pred, n_gold).f1
