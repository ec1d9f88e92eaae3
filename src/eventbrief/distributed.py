"""`summarize` on Ray Data (`pip install "eventbrief[ray]"`), for one machine's cores or a cluster.

Ray Data schedules; eventbrief only supplies the per-article step. Each worker is one actor of a
Ray Data actor pool holding one backend for its whole life (made, checked and wrapped for the run
exactly as `summarize_many` does it: `make_backend`, `prepare_backend`, `for_run`), and runs
`run_sources` on each batch of rows: the same loading, grounding, cache and per-article errors as
a single-process run. A failed article is a row with its one-line error, never a failed job.

One concurrency budget per endpoint: the driver settles the run's concurrency once (the setting,
else what the endpoint check recommends, else 8) and splits it over the pool: at most `workers`
actors, each with `concurrency // workers` requests in flight, so a cluster never sends more at
once than one process would. Each actor keeps its own 429 pause (`RateGate`).

The cache is the SQLite file of `EVENTBRIEF_CACHE_DIR` (WAL, safe from many processes of one
machine); each actor opens it. On a cluster each node has its own file unless the folder is shared.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import ray
import ray.data

from eventbrief.articles import STDIN, PublicationDates, article_ids, expand_sources
from eventbrief.backends import make_backend
from eventbrief.cache import CacheCounts, ExtractionCache
from eventbrief.config import Settings
from eventbrief.errors import ConfigError
from eventbrief.models import ArticleSummary, Usage
from eventbrief.pipeline import (
    ArticleOutcome,
    Notify,
    OnResult,
    for_run,
    prepare_backend,
    run_sources,
)
from eventbrief.pricing import default_prices

BATCHES_PER_SLOT = 4
"""An LLM batch holds this many rows per request slot of its actor: the slots stay busy."""
BATCHES_PER_WORKER = 8
"""The offline backend's rows are cut into this many batches per actor: enough to even out the
workers, few enough that Ray Data's cost per batch (tens of ms on a busy machine) stays small."""
OFFLINE_BATCH = (16, 256)
PASSED_ENVIRONMENT = ("EVENTBRIEF_CACHE_DIR",)
"""Variables the workers need from the driver; the API key travels in the settings."""


@dataclass(frozen=True)
class Plan:
    """How a run is spread: actors in the pool, requests in flight per actor, rows per batch."""

    workers: int
    per_worker: int
    batch_size: int
    cpus_per_worker: float


def plan(
    settings: Settings, total_concurrency: int, cpus: int, workers: int | None, articles: int
) -> Plan:
    """Split one endpoint's concurrency budget over the pool; the offline backend is CPU-bound,
    so it gets one actor per CPU, each one article at a time."""
    if settings.resolved_backend() == "offline":
        count = workers or max(1, cpus)
        least, most = OFFLINE_BATCH
        size = min(most, max(least, -(-articles // (count * BATCHES_PER_WORKER))))
        return Plan(count, 1, size, 1.0)
    count = max(1, min(workers or max(1, cpus), total_concurrency))
    per_worker = max(1, total_concurrency // count)
    # an I/O-bound actor needs little CPU: let a 2-core machine hold a pool larger than 2
    return Plan(count, per_worker, per_worker * BATCHES_PER_SLOT, 0.25)


class Summarizer:
    """The Ray Data batch function: rows (index, source, article_id) in, one row per article
    out (its ArticleSummary JSON or its one-line error, its notices, and on each batch's first
    row what the batch paid)."""

    def __init__(
        self,
        settings: Settings,
        published: PublicationDates,
        concurrency: int,
        keep_text: bool = False,
    ) -> None:
        self._settings = settings
        self._published = published
        self._concurrency = concurrency
        self._keep_text = keep_text
        self._loop = asyncio.new_event_loop()
        self._counts = CacheCounts()
        made = make_backend(settings)
        self._loop.run_until_complete(prepare_backend(made, settings))
        self._backend = for_run(made, settings, self._counts)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list[Any]]:
        before = _paid(self._counts)
        outcomes = self._loop.run_until_complete(
            run_sources(
                [str(s) for s in batch["source"]],
                self._backend,
                published=self._published,
                max_chars=self._settings.max_chars,
                concurrency=self._concurrency,
                ids=[str(i) for i in batch["article_id"]],
            )
        )
        after = _paid(self._counts)
        spent = json.dumps({k: after[k] - before[k] for k in after})
        return {
            "index": [int(i) for i in batch["index"]],
            "source": [o.source for o in outcomes],
            "article_id": [o.article_id for o in outcomes],
            "summary": [o.summary.model_dump_json() if o.summary else None for o in outcomes],
            "error": [o.error for o in outcomes],
            "notices": [json.dumps(list(o.notices)) for o in outcomes],
            "text": [o.text if self._keep_text else None for o in outcomes],
            "paid": [spent if n == 0 else None for n in range(len(outcomes))],
        }


def _paid(counts: CacheCounts) -> dict[str, int]:
    return {
        "hits": counts.hits,
        "misses": counts.misses,
        "cache_errors": counts.cache_errors,
        "prompt_tokens": counts.usage.prompt_tokens,
        "completion_tokens": counts.usage.completion_tokens,
        "requests": counts.usage.requests,
    }


def _add_paid(counts: CacheCounts, paid: dict[str, int]) -> None:
    counts.hits += paid["hits"]
    counts.misses += paid["misses"]
    counts.cache_errors += paid["cache_errors"]
    counts.usage = counts.usage + Usage(
        prompt_tokens=paid["prompt_tokens"],
        completion_tokens=paid["completion_tokens"],
        requests=paid["requests"],
    )


def connect(address: str | None = None) -> None:
    """Join the Ray instance at `address`, or start a local one (no dashboard); a running
    instance (e.g. one a test or a notebook started) is used as it is."""
    if not ray.is_initialized():
        try:
            ray.init(
                address=address,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = address or "a local instance"
            raise ConfigError(f"cannot start or reach Ray ({where}): {exc}") from None
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the CLI has its own; stderr carries our lines only
    context.print_on_execution_start = False


def _outcome(row: dict[str, Any]) -> ArticleOutcome:
    summary = row["summary"]
    return ArticleOutcome(
        row["source"],
        row["article_id"],
        summary=ArticleSummary.model_validate_json(summary) if summary else None,
        error=row["error"],
        text=row["text"],
        notices=tuple(json.loads(row["notices"])),
    )


def summarize_many(
    sources: Iterable[str | Path],
    *,
    settings: Settings,
    published: PublicationDates | None = None,
    on_result: OnResult | None = None,
    counts: CacheCounts | None = None,
    notify: Notify | None = None,
    address: str | None = None,
    workers: int | None = None,
    keep_text: bool = False,
) -> list[ArticleOutcome]:
    """`pipeline.summarize_many` on Ray Data: one outcome per article, in input order;
    `on_result` hears each as it arrives. `workers` defaults to the cluster's CPUs; `keep_text`
    brings each article's text back (for Markdown and HTML pages)."""
    expanded = expand_sources(sources)
    if STDIN in expanded:
        raise ConfigError("--engine ray reads files, folders and globs, not stdin")
    default_prices()  # an unusable price file is a ConfigError before any request
    if not settings.no_cache:
        ExtractionCache().open().close()  # an unusable cache is one error here, not one per actor
    total = asyncio.run(_settle(settings, notify))
    connect(address)
    rows = [
        {"index": n, "source": source, "article_id": article_id}
        for n, (source, article_id) in enumerate(zip(expanded, article_ids(expanded), strict=True))
    ]
    if not rows:
        return []
    spread = plan(settings, total, int(ray.cluster_resources().get("CPU", 1)), workers, len(rows))
    # one batch a block (none split or merged), and a block for every worker
    blocks = max(-(-len(rows) // spread.batch_size), min(len(rows), spread.workers))
    passed = {k: os.environ[k] for k in PASSED_ENVIRONMENT if k in os.environ}
    summarized = ray.data.from_items(rows, override_num_blocks=blocks).map_batches(
        Summarizer,
        fn_constructor_kwargs={
            "settings": settings,
            "published": published or PublicationDates(),
            "concurrency": spread.per_worker,
            "keep_text": keep_text,
        },
        batch_size=spread.batch_size,
        compute=ray.data.ActorPoolStrategy(size=spread.workers),
        num_cpus=spread.cpus_per_worker,
        runtime_env={"env_vars": passed} if passed else None,
    )
    outcomes: list[ArticleOutcome | None] = [None] * len(rows)
    for row in summarized.iter_rows():
        outcome = _outcome(row)
        outcomes[int(row["index"])] = outcome
        if counts is not None and row["paid"]:
            _add_paid(counts, json.loads(row["paid"]))
        if on_result is not None:
            on_result(outcome)
    return [o for o in outcomes if o is not None]


async def _settle(settings: Settings, notify: Notify | None) -> int:
    """The run's concurrency, settled once on the driver (the endpoint check, when `--mode
    auto` needs one, is stored, so the actors read it instead of checking again)."""
    made = make_backend(settings)
    try:
        return await prepare_backend(made, settings, notify)
    finally:
        close = getattr(made, "aclose", None)
        if close is not None:
            await close()
