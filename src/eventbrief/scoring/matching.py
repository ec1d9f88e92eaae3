"""Optimal one-to-one matching of predicted items to gold items (Hungarian algorithm).

`max_weight_pairs` is the one solver every matching of the eval uses (events, entities,
takeaways, and the brief's evidence map); it is scipy's, from the `eval` extra (extra.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

P = TypeVar("P")
G = TypeVar("G")


@dataclass(frozen=True)
class Pair:
    """Predicted item `pred` (an index) assigned to gold item `gold` with similarity `score`."""

    pred: int
    gold: int
    score: float


def max_weight_pairs(matrix: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """(row, column) pairs, each row and column at most once, that maximise the summed weight
    (scipy's linear_sum_assignment, a modified Jonker-Volgenant solver)."""
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True)]


def assign(
    preds: Sequence[P],
    golds: Sequence[G],
    similarity: Callable[[P, G], float],
    threshold: float,
) -> list[Pair]:
    """Pairs that maximise the total similarity, keeping only those scoring >= threshold.

    Similarities below the threshold are zeroed before solving, so a weak pair can never be
    preferred over leaving both items unmatched. The result is independent of list order up to
    exact ties, which only swap items of identical similarity.
    """
    if not preds or not golds:
        return []
    matrix = [[0.0] * len(golds) for _ in preds]
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            s = float(similarity(p, g))
            matrix[i][j] = s if s >= threshold else 0.0
    return [
        Pair(i, j, matrix[i][j])
        for i, j in max_weight_pairs(matrix)
        if matrix[i][j] >= threshold and matrix[i][j] > 0.0
    ]
