"""The eval harness: score predicted ArticleSummary records against hand-labelled gold.

It reads gold and predictions only (never a backend), so any source of ArticleSummary records
(a live run, saved files, another tool) is scored the same way. `evaluate` is the whole flow for
one dataset; the modules hold its parts: dataset (folders), names and similarity (what counts as
the same), matching (one-to-one assignment), metrics (counts), scorer, report, html_report,
baseline (the regression gate).
"""

from __future__ import annotations

from collections.abc import Mapping

from eventbrief.scoring.dataset import Dataset, DatasetError, load_dataset, load_predictions
from eventbrief.scoring.report import EvalReport, RunInfo, build_report
from eventbrief.scoring.scorer import (
    DEFAULT_CONFIG,
    ArticleScore,
    Prediction,
    ScoringConfig,
    score_article,
)

__all__ = [
    "ArticleScore",
    "Dataset",
    "DatasetError",
    "EvalReport",
    "Prediction",
    "RunInfo",
    "ScoringConfig",
    "evaluate",
    "load_dataset",
    "load_predictions",
    "score_article",
]


def evaluate(
    dataset: Dataset,
    predictions: Mapping[str, Prediction],
    run: RunInfo,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> tuple[EvalReport, list[ArticleScore]]:
    """Score every article of `dataset`; an article with no prediction scores 0."""
    scores = [
        score_article(
            item.gold,
            predictions.get(item.id) or Prediction(None, f"{item.id}: no prediction"),
            item.article.text,
            config,
        )
        for item in dataset.items
    ]
    return build_report(scores, run, config), scores
