"""Optimal one-to-one matching of predicted items to gold items (Hungarian algorithm)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from scipy.optimize import linear_sum_assignment

P = TypeVar("P")
G = TypeVar("G")


@dataclass(frozen=True)
class Pair:
    """Predicted item `pred` (an index) assigned to gold item `gold` with similarity `score`."""

    pred: int
    gold: int
    score: float


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
    matrix = np.zeros((len(preds), len(golds)))
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            s = similarity(p, g)
            matrix[i, j] = s if s >= threshold else 0.0
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return [
        Pair(int(i), int(j), float(matrix[i, j]))
        for i, j in zip(rows, cols, strict=True)
        if matrix[i, j] >= threshold and matrix[i, j] > 0.0
    ]
