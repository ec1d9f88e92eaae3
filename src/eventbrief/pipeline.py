"""From sources to ArticleSummary records: load, extract concurrently, ground, add provenance.

One failing article never loses the others: every failure (bad input, a backend that gave up, an
unexpected exception) becomes that article's `ArticleOutcome.error`, one line naming it. Results
are reported through `on_result` as they complete and returned in input order. Backends made
from settings are wrapped for the run (`for_run`) as their capabilities ask: timing, the meter,
the extraction cache, then chunking.

`run` is the one way a command runs: summarize, brief and eval all get a `RunResult` (the
outcomes with their loaded articles, what the run paid, its cache hits and timings), so none of
them builds a backend stack or reloads an article of its own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, cast

from eventbrief import grounding
from eventbrief.articles import (
    PublicationDates,
    Source,
    article_ids,
    expand_sources,
    load_article,
)
from eventbrief.backends import make_backend
from eventbrief.backends.base import Backend, EndpointBackend, ExtractionResult, Identified
from eventbrief.backends.openai.endpoint_report import FORMAT as ENDPOINT_CHECK_FORMAT
from eventbrief.backends.openai.endpoint_report import EndpointReport
from eventbrief.cache import CachingBackend, ExtractionCache
from eventbrief.chunking import ChunkingBackend
from eventbrief.config import Settings
from eventbrief.errors import ArticleError, ConfigError, EventbriefError, ExtractionError
from eventbrief.metering import CacheCounts, MeteredBackend, priced
from eventbrief.models import Article, ArticleSummary, Provenance, Usage
from eventbrief.notices import article_notices
from eventbrief.pricing import default_prices
from eventbrief.prompt_templates import EvidenceStyle
from eventbrief.timing import TimedBackend, in_flight

DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class ArticleOutcome:
    """What became of one source: a summary, or a one-line error naming the article. A summary
    comes with the article it was made from (its text is what the offsets point into, for pages
    that show it, so no command loads it again), its notices (see `eventbrief.notices`) and the
    seconds the backend took for it (None when the extraction cache answered)."""

    source: str
    article_id: str | None
    summary: ArticleSummary | None = None
    error: str | None = None
    article: Article | None = None
    notices: tuple[str, ...] = ()
    seconds: float | None = None

    @property
    def ok(self) -> bool:
        return self.summary is not None

    @property
    def text(self) -> str | None:
        return None if self.article is None else self.article.text

    @property
    def cached(self) -> bool:
        """Answered from the extraction cache: a summary, and no fresh extraction timed."""
        return self.summary is not None and self.seconds is None


@dataclass(frozen=True)
class RunResult:
    """What one run gave: an outcome per input in input order, what its fresh requests paid
    (priced), its cache counts, when it began (`time.perf_counter`) and its wall time, and the
    backend that ran."""

    outcomes: list[ArticleOutcome]
    counts: CacheCounts
    started: float
    seconds: float
    backend: str
    identity: dict[str, str]

    @property
    def usage(self) -> Usage:
        """What the run's fresh requests used and cost (metered and priced into `counts`)."""
        return self.counts.usage

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if o.summary is None)

    @property
    def partial(self) -> int:
        return sum(1 for o in self.outcomes if o.summary is not None and o.summary.partial)


class Job(NamedTuple):
    """One input of a run: where it comes from, its article id, and how to load it."""

    source: str
    article_id: str
    load: Callable[[], Awaitable[Article]]


OnResult = Callable[[ArticleOutcome], None]
Notify = Callable[[str], None]
"""Receives one-line notices for the user (the CLI prints them on stderr)."""


def build_summary(
    article: Article, result: ExtractionResult, backend: Identified
) -> ArticleSummary:
    """Ground the extraction's quotes in the article text and add metadata and provenance."""
    grounded = grounding.ground(result.extraction, article.text)
    identity = backend.identity()
    model = result.model or identity.get("model")
    return ArticleSummary(
        article=article.meta,
        summary=result.extraction.summary,
        key_takeaways=grounded.takeaways,
        events=grounded.events,
        entities=result.extraction.entities,
        provenance=Provenance(
            backend=backend.name,
            model=model,
            prompt_version=result.prompt_version or identity.get("prompt_version"),
            created_at=dt.datetime.now(dt.UTC),
            usage=priced(result.usage, model),
            grounding_rate=grounded.grounding_rate,
            # Provenance validates it: an identity without one of the styles fails here.
            evidence=cast(EvidenceStyle | None, identity.get("evidence")),
            warnings=list(result.warnings),
        ),
    )


async def summarize_article(article: Article, backend: Backend) -> ArticleSummary:
    """One article's summary from the backend."""
    return build_summary(article, await backend.extract(article), backend)


def article_jobs(articles: Sequence[Article]) -> list[Job]:
    """Jobs for articles already loaded (a dataset's)."""

    def loader(article: Article) -> Callable[[], Awaitable[Article]]:
        async def load() -> Article:
            return article

        return load

    return [Job(a.meta.source or a.meta.id, a.meta.id, loader(a)) for a in articles]


def source_jobs(
    sources: Sequence[Source],
    *,
    published: dt.date | PublicationDates | None = None,
    max_chars: int | None = None,
    ids: Sequence[str] | None = None,
) -> list[Job]:
    """Jobs that load sources (as from `expand_sources`, expanded once by the caller: paths or
    JSONL lines, each job named by its path or FILE:LINE); ids are unique file stems and JSONL
    ids, or `ids` when given (a slice of a larger run keeps the ids the whole run
    gave it). `published` is one date for every article, or PublicationDates with dates per
    article id."""
    limits: dict[str, Any] = {} if max_chars is None else {"max_chars": max_chars}
    dates = published if isinstance(published, PublicationDates) else PublicationDates(published)

    def loader(source: Source, article_id: str) -> Callable[[], Awaitable[Article]]:
        async def load() -> Article:
            return await asyncio.to_thread(
                load_article, source, dates.for_article(article_id), article_id=article_id, **limits
            )

        return load

    return [
        Job(str(source), article_id, loader(source, article_id))
        for source, article_id in zip(
            sources, article_ids(sources) if ids is None else ids, strict=True
        )
    ]


async def run_articles(
    articles: Sequence[Article],
    backend: Backend,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: OnResult | None = None,
) -> list[ArticleOutcome]:
    """Summarize loaded articles, at most `concurrency` at a time."""
    return await _run(article_jobs(articles), backend, concurrency=concurrency, on_result=on_result)


async def run_sources(
    sources: Sequence[Source],
    backend: Backend,
    *,
    published: dt.date | PublicationDates | None = None,
    max_chars: int | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: OnResult | None = None,
) -> list[ArticleOutcome]:
    """Load and summarize sources (as from `expand_sources`); ids are unique file stems."""
    jobs = source_jobs(sources, published=published, max_chars=max_chars)
    return await _run(jobs, backend, concurrency=concurrency, on_result=on_result)


async def _run(
    jobs: Sequence[Job],
    backend: Backend,
    *,
    concurrency: int,
    on_result: OnResult | None,
    timer: TimedBackend | None = None,
) -> list[ArticleOutcome]:
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    semaphore = asyncio.Semaphore(concurrency)
    outcomes: list[ArticleOutcome | None] = [None] * len(jobs)
    rules = backend.capabilities.deterministic

    async def one(index: int) -> None:
        source, article_id, load = jobs[index]
        async with semaphore:
            try:
                article = await load()
                with in_flight(article_id):
                    summary = await summarize_article(article, backend)
                outcome = ArticleOutcome(
                    source,
                    article_id,
                    summary=summary,
                    article=article,
                    notices=tuple(article_notices(article, summary, rules=rules)),
                    seconds=None if timer is None else timer.seconds.get(article_id),
                )
            except Exception as exc:  # any failure stays this article's own
                outcome = ArticleOutcome(source, article_id, error=_one_line(exc, article_id))
        outcomes[index] = outcome
        if on_result is not None:
            on_result(outcome)

    await asyncio.gather(*(one(i) for i in range(len(jobs))))
    return [o for o in outcomes if o is not None]


def _one_line(exc: Exception, article_id: str) -> str:
    """The error as one line that names the article, as ArticleOutcome promises: an article or
    extraction error already starts with its path or id; any other error gets the id."""
    if isinstance(exc, ArticleError | ExtractionError):
        message = str(exc)
    elif isinstance(exc, EventbriefError):
        message = f"{article_id}: {exc}"
    else:
        message = f"{article_id}: unexpected {type(exc).__name__}: {exc}"
    return " ".join(message.split())


def summarize(
    source: str | Path,
    *,
    backend: Backend | str | None = None,
    published: dt.date | None = None,
    **flags: Any,
) -> ArticleSummary:
    """Summarize one article file (or "-" for stdin); raises the article's error on failure.

    `backend` is a Backend object, or a name ("auto", "openai", "offline") that is made into one
    from keyword flags (model="…", base_url="…") and the environment, as the CLI does.
    Call it outside a running event loop.
    """
    backend, flags = _split_backend(backend, flags)
    resolved = Settings.resolve(**flags)
    default_prices()  # an unusable price file is a ConfigError before any request
    article = load_article(source, published, max_chars=resolved.max_chars)

    async def go() -> ArticleSummary:
        async with _backend_for(backend, resolved) as (chosen, _, _):
            return await summarize_article(article, chosen)

    return asyncio.run(go())


def summarize_many(
    sources: Iterable[str | Path],
    *,
    backend: Backend | str | None = None,
    published: dt.date | PublicationDates | None = None,
    concurrency: int | None = None,
    on_result: OnResult | None = None,
    settings: Settings | None = None,
    counts: CacheCounts | None = None,
    notify: Notify | None = None,
    **flags: Any,
) -> list[ArticleOutcome]:
    """Summarize many sources (files, folders, globs, "-"); one outcome per article, in order.

    `settings` (already resolved, as the CLI has them) or keyword flags plus the environment
    choose the backend when none is given; `run` says the rest.
    """
    backend, flags = _split_backend(backend, flags)
    resolved = settings or Settings.resolve(concurrency=concurrency, **flags)
    jobs = source_jobs(expand_sources(sources), published=published, max_chars=resolved.max_chars)
    result = run(jobs, resolved, backend=backend, on_result=on_result, notify=notify, counts=counts)
    return result.outcomes


def run(
    jobs: Sequence[Job],
    settings: Settings,
    *,
    backend: Backend | None = None,
    on_result: OnResult | None = None,
    notify: Notify | None = None,
    counts: CacheCounts | None = None,
) -> RunResult:
    """Run `jobs` (`source_jobs` or `article_jobs`) through `backend`, or one made from
    `settings` (prepared, wrapped by `for_run`, closed at the end). The extraction cache answers
    first unless `no_cache` is set; its hits and the usage of the fresh requests go to `counts`
    (a new one unless given). `notify` hears what the run found out on the way (an endpoint
    being checked, a server that truncates prompts). Call it outside a running event loop."""
    default_prices()  # an unusable price file is a ConfigError before any request
    counts = counts if counts is not None else CacheCounts()
    started = time.perf_counter()

    async def go() -> tuple[list[ArticleOutcome], Backend]:
        async with _backend_for(backend, settings, counts, notify) as (chosen, parallel, timer):
            outcomes = await _run(
                jobs, chosen, concurrency=parallel, on_result=on_result, timer=timer
            )
            return outcomes, chosen

    outcomes, chosen = asyncio.run(go())
    return RunResult(
        outcomes=outcomes,
        counts=counts,
        started=started,
        seconds=time.perf_counter() - started,
        backend=chosen.name,
        identity=chosen.identity(),
    )


@asynccontextmanager
async def batch_runner(
    settings: Settings, counts: CacheCounts, concurrency: int
) -> AsyncIterator[Callable[[Sequence[Job]], Awaitable[list[ArticleOutcome]]]]:
    """For a worker that gets a run's jobs in batches (`eventbrief.distributed`): the backend
    made from settings, prepared and wrapped once as `run` does it, and the step that runs one
    batch through it at `concurrency` (the same per-article step as `run`)."""
    async with _backend_for(None, settings, counts) as (chosen, _, timer):

        async def one_batch(jobs: Sequence[Job]) -> list[ArticleOutcome]:
            return await _run(jobs, chosen, concurrency=concurrency, on_result=None, timer=timer)

        yield one_batch


def for_run(made: Backend, settings: Settings, counts: CacheCounts | None = None) -> Backend:
    """A backend made from settings, wrapped for a run as its capabilities ask: metered, then
    answered from the extraction cache (when cacheable, unless `no_cache`), then chunked when
    it takes articles only up to a size."""
    able = made.capabilities
    run_counts = counts if counts is not None else CacheCounts()
    wrapped: Backend
    if able.cacheable and not settings.no_cache:
        cache = ExtractionCache(settings.cache_dir).open()
        wrapped = CachingBackend(made, cache, counts=run_counts, priced=able.priced)
    else:
        wrapped = MeteredBackend(made, run_counts, priced=able.priced)
    if able.chunk_chars is None:
        return wrapped
    return ChunkingBackend(wrapped, max_chars=settings.chunk_chars or able.chunk_chars)


def _split_backend(
    backend: Backend | str | None, flags: dict[str, Any]
) -> tuple[Backend | None, dict[str, Any]]:
    """A backend given by name becomes a setting; an object is used as it is."""
    if isinstance(backend, str):
        return None, {**flags, "backend": backend}
    return backend, flags


async def prepare_backend(made: Backend, settings: Settings, notify: Notify | None = None) -> int:
    """Settle what a backend made from settings learns only by asking its endpoint (`--mode
    auto`: the endpoint check, run once and kept in the store per endpoint and model), and
    return the concurrency to run it at: the setting, else what the endpoint serves in
    parallel, else 8. Before `for_run`, which keys the cache by the settled identity."""
    say = notify or (lambda _: None)
    report = None
    if isinstance(made, EndpointBackend) and made.needs_check:
        report = await _endpoint_report(made, settings, say)
        for warning in made.configure(report):
            say(warning)
    if settings.concurrency is not None:
        return settings.concurrency
    return report.recommended_concurrency if report is not None else DEFAULT_CONCURRENCY


async def _endpoint_report(
    made: EndpointBackend, settings: Settings, say: Notify
) -> EndpointReport:
    """The stored report for this endpoint and model, or a fresh check (then stored). A store
    that cannot be used costs a check per run, not the run."""
    store = ExtractionCache(settings.cache_dir)

    def read() -> str | None:
        return store.open().endpoint_report(made.endpoint, made.model)

    try:
        stored = await asyncio.to_thread(read)
    except (ConfigError, sqlite3.Error):
        stored = None
    try:
        report = _stored_report(stored)
        if report is not None:
            say(
                f"mode auto: {report.recommended_mode} (endpoint checked {report.checked_at}; "
                "'eventbrief endpoint check' checks again)"
            )
            return report
        say(f"mode auto: checking what {made.endpoint} does with model {made.model} (once)")
        report = await made.check()
        say(
            f"mode auto: {report.recommended_mode}, concurrency "
            f"{report.recommended_concurrency} (see 'eventbrief endpoint check')"
        )
        with suppress(ConfigError, sqlite3.Error, OSError):
            await asyncio.to_thread(
                store.put_endpoint_report, made.endpoint, made.model, report.model_dump_json()
            )
        return report
    finally:
        await asyncio.to_thread(store.close)


def _stored_report(stored: str | None) -> EndpointReport | None:
    """A stored report still of the probes' current format (an unreadable one is checked
    again)."""
    if not stored:
        return None
    try:
        report = EndpointReport.model_validate_json(stored)
    except ValueError:
        return None
    return report if report.format == ENDPOINT_CHECK_FORMAT else None


@asynccontextmanager
async def _backend_for(
    backend: Backend | None,
    settings: Settings,
    counts: CacheCounts | None = None,
    notify: Notify | None = None,
) -> AsyncIterator[tuple[Backend, int, TimedBackend]]:
    """The given backend, or one made from settings, prepared and wrapped for the run and
    closed afterwards; with the concurrency to run it at and the timer of its fresh
    extractions (under the cache, see `eventbrief.timing`)."""
    if backend is not None:
        timer = TimedBackend(backend)
        yield timer, settings.concurrency or DEFAULT_CONCURRENCY, timer
        return
    made = make_backend(settings)
    try:
        parallel = await prepare_backend(made, settings, notify)
    except BaseException:
        await made.aclose()
        raise
    timer = TimedBackend(made)
    wrapped = for_run(timer, settings, counts)
    try:
        yield wrapped, parallel, timer
    finally:
        await wrapped.aclose()
