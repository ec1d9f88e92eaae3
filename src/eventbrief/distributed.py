"""`summarize` on Ray Data (`pip install "eventbrief[ray]"`), for one machine's cores or a cluster.

Ray Data schedules; eventbrief only supplies the per-article step. Each worker is one actor of a
Ray Data actor pool holding one backend for its whole life (made, checked and wrapped for the run
exactly as `pipeline.run` does it, through `pipeline.batch_runner`), and runs the pipeline's own
step on the jobs of each batch of rows (`source_jobs` with the ids the whole run gave them): the
same loading, grounding, cache and per-article errors as a single-process run. A row holds a
path, or a whole JSONL line (`articles.Row`): a cluster's nodes need not share the JSONL file.
A failed article is a row with its one-line error, never a failed job. The driver puts the rows
back in input order and builds one `RunResult`, so the commands read it as they read
`pipeline.run`'s.

One concurrency budget per endpoint: the driver settles the run's concurrency once (the setting,
else what the endpoint check recommends, else 8) and splits it over the pool: at most `workers`
actors, each with `concurrency // workers` requests in flight, so a cluster never sends more at
once than one process would. Each actor keeps its own 429 pause (`RateGate`).

The cache is the SQLite file in the settings' cache dir (WAL, safe from many processes of one
machine); each actor opens it. On a cluster each node has its own file unless the folder is shared.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AsyncExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import ray
import ray.data

from eventbrief.articles import (
    STDIN,
    PublicationDates,
    Row,
    Source,
    article_ids,
    expand_sources,
)
from eventbrief.backends import capabilities, make_backend
from eventbrief.cache import ExtractionCache
from eventbrief.config import Settings
from eventbrief.errors import ConfigError
from eventbrief.metering import CacheCounts
from eventbrief.models import Article, ArticleSummary, Usage
from eventbrief.pipeline import (
    ArticleOutcome,
    Job,
    Notify,
    OnResult,
    RunResult,
    batch_runner,
    prepare_backend,
    source_jobs,
)
from eventbrief.pricing import default_prices

BATCHES_PER_SLOT = 4
"""An LLM batch holds this many rows per request slot of its actor: the slots stay busy."""
BATCHES_PER_WORKER = 8
"""A rules backend's (the offline one's) rows are cut into this many batches per actor: enough
to even out the workers, few enough that Ray Data's cost per batch (tens of ms on a busy
machine) stays small."""
OFFLINE_BATCH = (16, 256)


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
    """Split one endpoint's concurrency budget over the pool; a backend of rules (deterministic,
    as the offline one) is CPU-bound, so it gets one actor per CPU, each one article at a time."""
    if capabilities(settings.resolved_backend()).deterministic:
        count = workers or max(1, cpus)
        least, most = OFFLINE_BATCH
        size = min(most, max(least, -(-articles // (count * BATCHES_PER_WORKER))))
        return Plan(count, 1, size, 1.0)
    count = max(1, min(workers or max(1, cpus), total_concurrency))
    per_worker = max(1, total_concurrency // count)
    # an I/O-bound actor needs little CPU: let a 2-core machine hold a pool larger than 2
    return Plan(count, per_worker, per_worker * BATCHES_PER_SLOT, 0.25)


class Summarizer:
    """The Ray Data batch function: rows (index, source, article_id, row) in, one row per article
    out (its ArticleSummary JSON or its one-line error, its notices, the backend's seconds, its
    article when asked for, and on each batch's first row what the batch paid)."""

    def __init__(
        self,
        settings: Settings,
        published: PublicationDates,
        concurrency: int,
        keep_text: bool = False,
    ) -> None:
        self._settings = settings
        self._published = published
        self._keep_text = keep_text
        self._loop = asyncio.new_event_loop()
        self._counts = CacheCounts()
        self._stack = AsyncExitStack()  # the backend lives as long as the actor
        self._batch: Callable[[Sequence[Job]], Awaitable[list[ArticleOutcome]]] = (
            self._loop.run_until_complete(
                self._stack.enter_async_context(batch_runner(settings, self._counts, concurrency))
            )
        )

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        jobs = source_jobs(
            [
                _source(source, row)
                for source, row in zip(batch["source"], batch["row"], strict=True)
            ],
            published=self._published,
            max_chars=self._settings.max_chars,
            ids=[str(i) for i in batch["article_id"]],
        )
        outcomes = self._loop.run_until_complete(self._batch(jobs))
        paid = json.dumps(_drain(self._counts))
        return {
            "index": [int(i) for i in batch["index"]],
            "source": [o.source for o in outcomes],
            "article_id": [o.article_id for o in outcomes],
            "summary": [o.summary.model_dump_json() if o.summary else None for o in outcomes],
            "error": [o.error for o in outcomes],
            "notices": [json.dumps(list(o.notices)) for o in outcomes],
            "seconds": [o.seconds for o in outcomes],
            "article": [
                o.article.model_dump_json() if self._keep_text and o.article else None
                for o in outcomes
            ],
            "paid": [paid if n == 0 else None for n in range(len(outcomes))],
        }


def _row(source: Source) -> str:
    """A JSONL line's `Row` as a Ray column value (JSON); a path has "" (a column of None
    only would reach the workers as NaN)."""
    return json.dumps(asdict(source)) if isinstance(source, Row) else ""


def _source(source: Any, row: Any) -> Source:
    """The source a Ray row stands for: its `Row` when it carries one, else its path."""
    return Row(**json.loads(row)) if row else str(source)


def _drain(counts: CacheCounts) -> dict[str, Any]:
    """What `counts` holds since the last drain, as JSON-able data; `counts` starts again at
    nothing (an actor runs one batch at a time, so nothing is counted meanwhile)."""
    paid = {
        "hits": counts.hits,
        "misses": counts.misses,
        "cache_errors": counts.cache_errors,
        "usage": counts.usage.model_dump(mode="json"),
    }
    counts.hits = counts.misses = counts.cache_errors = 0
    counts.usage = Usage()
    return paid


def _add_paid(counts: CacheCounts, paid: dict[str, Any]) -> None:
    counts.hits += paid["hits"]
    counts.misses += paid["misses"]
    counts.cache_errors += paid["cache_errors"]
    counts.usage = counts.usage + Usage.model_validate(paid["usage"])


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
    summary, article = row["summary"], row["article"]
    return ArticleOutcome(
        row["source"],
        row["article_id"],
        summary=ArticleSummary.model_validate_json(summary) if summary else None,
        error=row["error"],
        article=Article.model_validate_json(article) if article else None,
        notices=tuple(json.loads(row["notices"])),
        seconds=row["seconds"],
    )


def run(
    sources: Sequence[Source],
    settings: Settings,
    *,
    published: PublicationDates | None = None,
    on_result: OnResult | None = None,
    notify: Notify | None = None,
    counts: CacheCounts | None = None,
    address: str | None = None,
    workers: int | None = None,
    keep_text: bool = False,
) -> RunResult:
    """`pipeline.run` over sources (expanded once, by the caller) on Ray Data: one `RunResult`,
    outcomes in input order; `on_result` hears each as it arrives. `workers` defaults to the
    cluster's CPUs; `keep_text` brings each article back (for Markdown and HTML pages)."""
    if STDIN in sources:
        raise ConfigError("--engine ray reads files, folders and globs, not stdin")
    default_prices()  # an unusable price file is a ConfigError before any request
    counts = counts if counts is not None else CacheCounts()
    started = time.perf_counter()
    if not settings.no_cache:
        # an unusable cache is one error here, not one per actor
        ExtractionCache(settings.cache_dir).open().close()
    total, name, identity = asyncio.run(_settle(settings, notify))
    rows = [
        {"index": n, "source": str(source), "article_id": article_id, "row": _row(source)}
        for n, (source, article_id) in enumerate(zip(sources, article_ids(sources), strict=True))
    ]
    outcomes: list[ArticleOutcome | None] = [None] * len(rows)
    if rows:
        connect(address)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        spread = plan(settings, total, cpus, workers, len(rows))
        # one batch a block (none split or merged), and a block for every worker
        blocks = max(-(-len(rows) // spread.batch_size), min(len(rows), spread.workers))
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
        )
        for row in summarized.iter_rows():
            outcome = _outcome(row)
            outcomes[int(row["index"])] = outcome
            if row["paid"]:
                _add_paid(counts, json.loads(row["paid"]))
            if on_result is not None:
                on_result(outcome)
    return RunResult(
        outcomes=[o for o in outcomes if o is not None],
        counts=counts,
        started=started,
        seconds=time.perf_counter() - started,
        backend=name,
        identity=identity,
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
    """`pipeline.summarize_many` on Ray Data: `run`'s outcomes over files, folders, globs and
    JSONL files of articles."""
    return run(
        expand_sources(sources),
        settings,
        published=published,
        on_result=on_result,
        notify=notify,
        counts=counts,
        address=address,
        workers=workers,
        keep_text=keep_text,
    ).outcomes


async def _settle(settings: Settings, notify: Notify | None) -> tuple[int, str, dict[str, str]]:
    """The run's concurrency, backend name and identity, settled once on the driver (the
    endpoint check, when `--mode auto` needs one, is stored, so the actors read it instead of
    checking again)."""
    made = make_backend(settings)
    try:
        total = await prepare_backend(made, settings, notify)
        return total, made.name, made.identity()
    finally:
        await made.aclose()
