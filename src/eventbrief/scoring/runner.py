"""Running a backend over a dataset for the eval: the pipeline's own run over the dataset's
loaded articles, its outcomes turned into predictions and its run into the report's RunInfo.

The eval builds no backend stack of its own: the latency of an article is the pipeline's timing
of its fresh extraction (none when the cache answered), and what the run paid is the pipeline's.
"""

from __future__ import annotations

from pathlib import Path

from eventbrief.backends import capabilities
from eventbrief.config import Settings
from eventbrief.pipeline import Notify, OnResult, RunResult, article_jobs, run
from eventbrief.scoring.dataset import Dataset
from eventbrief.scoring.report import RunInfo, UsageTotals
from eventbrief.scoring.scorer import Prediction


def eval_settings(settings: Settings) -> Settings:
    """A deterministic backend (the offline rules) is never cached by eval: the CI gate must
    score what the rules do now, and a fresh extraction takes milliseconds, so a cache would
    save nothing worth the doubt."""
    if capabilities(settings.resolved_backend()).deterministic and not settings.no_cache:
        return settings.model_copy(update={"no_cache": True})
    return settings


def run_dataset(
    dataset: Dataset,
    settings: Settings,
    *,
    on_result: OnResult | None = None,
    notify: Notify | None = None,
) -> tuple[dict[str, Prediction], RunInfo, RunResult]:
    """Predictions from running the backend `settings` choose over the dataset, through the
    extraction cache as summarize does (see `eval_settings`); with the run they came from."""
    result = run(
        article_jobs([item.article for item in dataset.items]),
        eval_settings(settings),
        on_result=on_result,
        notify=notify,
    )
    predictions = {
        o.article_id: Prediction(
            o.summary,
            None if o.error is None else settings.redact(o.error),
            o.seconds,
            cached=o.cached,
        )
        for o in result.outcomes
        if o.article_id is not None
    }
    model = None if capabilities(result.backend).deterministic else result.identity.get("model")
    info = RunInfo(
        dataset=str(dataset.root),
        backend=result.backend,
        model=model,
        identity=result.identity,
        cache_hits=result.counts.hits,
        usage=UsageTotals(
            requests=result.usage.requests,
            prompt_tokens=result.usage.prompt_tokens,
            completion_tokens=result.usage.completion_tokens,
            cost_usd=result.usage.cost_usd,
        ),
    )
    return predictions, info, result


def saved_run(dataset: Dataset, predictions: dict[str, Prediction], folder: Path) -> RunInfo:
    """Backend and model as the saved predictions' provenance states them (when they agree)."""
    seen = {
        (p.summary.provenance.backend, p.summary.provenance.model)
        for p in predictions.values()
        if p.summary is not None
    }
    backend, model = next(iter(seen)) if len(seen) == 1 else ("predictions", None)
    if capabilities(backend).deterministic:
        model = None
    return RunInfo(
        dataset=str(dataset.root),
        backend=backend,
        model=model,
        identity={"predictions": str(folder)},
    )
