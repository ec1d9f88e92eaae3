"""The eval harness: score predicted ArticleSummary records against hand-labelled gold.

It reads gold and predictions only (never a backend), so any source of ArticleSummary records
(a live run, saved files, another tool) is scored the same way. `evaluate` is the whole flow for
one dataset; the modules hold its parts: dataset (folders) and gold (hand-written gold completed
and checked), names and similarity (what counts as the same), matching (one-to-one assignment),
rouge (ROUGE-L), extra (the packages of the `eval` extra), metrics (counts), scorer, bootstrap
(intervals over articles), report, html_report, baseline (the regression gate), compare (two
runs). `runner` is the one module that runs a backend: the pipeline's own run over a dataset,
its outcomes made predictions (not imported here).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eventbrief.scoring.bootstrap import RESAMPLES, SEED
from eventbrief.scoring.brief_score import BriefGoldError, brief_report
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
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> tuple[EvalReport, list[ArticleScore]]:
    """Score every article of `dataset`; an article with no prediction scores 0.

    Each overall score gets a bootstrap interval over the articles (`resamples` draws from
    `seed`; 0 draws none).

    When the dataset has `gold/brief.json`, the brief built from the valid predictions is scored
    too (cluster F1 and conflict recall, by `brief_score`, reusing this event matching) and goes
    under `overall.brief`.
    """
    run = run.model_copy(update={"articles": dataset.ids, "gold_sha256": dataset.fingerprint()})
    scores = [
        score_article(
            item.gold,
            predictions.get(item.id) or Prediction(None, f"{item.id}: no prediction"),
            item.article.text,
            config,
        )
        for item in dataset.items
    ]
    report = build_report(scores, run, config, resamples=resamples, seed=seed)
    if dataset.brief_gold is not None:
        report.overall.brief = _brief_scores(dataset.brief_gold, dataset, scores)
    return report, scores


def _brief_scores(gold: Path, dataset: Dataset, scores: list[ArticleScore]) -> dict[str, Any]:
    predicted = [s.prediction.summary for s in scores if s.prediction.summary is not None]
    try:
        return brief_report(
            gold,
            predicted,
            [item.gold for item in dataset.items],
            texts={item.id: item.article.text for item in dataset.items},
            scores=scores,
        )
    except BriefGoldError as exc:
        raise DatasetError(str(exc)) from None
