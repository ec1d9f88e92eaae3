"""From sources to ArticleSummary records: load, extract concurrently, ground, add provenance.

One failing article never loses the others: every failure (bad input, a backend that gave up, an
unexpected exception) becomes that article's `ArticleOutcome.error`, one line naming it. Results
are reported through `on_result` as they complete and returned in input order. Backends made
from settings are wrapped for the run (`for_run`): the extraction cache, then chunking.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventbrief import grounding
from eventbrief.articles import PublicationDates, article_ids, expand_sources, load_article
from eventbrief.backends import make_backend
from eventbrief.backends.base import Backend, EndpointBackend, ExtractionResult
from eventbrief.backends.endpoint_report import FORMAT as ENDPOINT_CHECK_FORMAT
from eventbrief.backends.endpoint_report import EndpointReport
from eventbrief.cache import CacheCounts, CachingBackend, ExtractionCache
from eventbrief.chunking import ChunkingBackend
from eventbrief.config import Settings
from eventbrief.errors import ArticleError, ConfigError, EventbriefError, ExtractionError
from eventbrief.models import Article, ArticleSummary, Provenance
from eventbrief.notices import article_notices
from eventbrief.pricing import default_prices

DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class ArticleOutcome:
    """What became of one source: a summary, or a one-line error naming the article. A summary
    comes with the text its offsets point into (for pages that show it) and its notices (see
    `eventbrief.notices`)."""

    source: str
    article_id: str | None
    summary: ArticleSummary | None = None
    error: str | None = None
    text: str | None = None
    notices: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.summary is not None


OnResult = Callable[[ArticleOutcome], None]
Notify = Callable[[str], None]
"""Receives one-line notices for the user (the CLI prints them on stderr)."""


def build_summary(article: Article, result: ExtractionResult, backend: Backend) -> ArticleSummary:
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
            usage=default_prices().priced(model, result.usage),
            grounding_rate=grounded.grounding_rate,
            evidence=identity.get("evidence"),
            warnings=list(result.warnings),
        ),
    )


async def summarize_article(article: Article, backend: Backend) -> ArticleSummary:
    """One article's summary from the backend."""
    return build_summary(article, await backend.extract(article), backend)


async def run_articles(
    articles: Sequence[Article],
    backend: Backend,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: OnResult | None = None,
) -> list[ArticleOutcome]:
    """Summarize loaded articles, at most `concurrency` at a time."""

    def loader(article: Article) -> Callable[[], Awaitable[Article]]:
        async def load() -> Article:
            return article

        return load

    jobs = [(a.meta.source or a.meta.id, a.meta.id, loader(a)) for a in articles]
    return await _run(jobs, backend, concurrency=concurrency, on_result=on_result)


async def run_sources(
    sources: Sequence[str],
    backend: Backend,
    *,
    published: dt.date | PublicationDates | None = None,
    max_chars: int | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: OnResult | None = None,
    ids: Sequence[str] | None = None,
) -> list[ArticleOutcome]:
    """Load and summarize sources (as from `expand_sources`); ids are unique file stems, or
    `ids` when given (a slice of a larger run keeps the ids the whole run gave it).

    `published` is one date for every article, or PublicationDates with dates per article id.
    """
    limits: dict[str, Any] = {} if max_chars is None else {"max_chars": max_chars}
    dates = published if isinstance(published, PublicationDates) else PublicationDates(published)

    def loader(source: str, article_id: str) -> Callable[[], Awaitable[Article]]:
        async def load() -> Article:
            return await asyncio.to_thread(
                load_article, source, dates.for_article(article_id), article_id=article_id, **limits
            )

        return load

    jobs = [
        (source, article_id, loader(source, article_id))
        for source, article_id in zip(
            sources, article_ids(sources) if ids is None else ids, strict=True
        )
    ]
    return await _run(jobs, backend, concurrency=concurrency, on_result=on_result)


async def _run(
    jobs: Sequence[tuple[str, str, Callable[[], Awaitable[Article]]]],
    backend: Backend,
    *,
    concurrency: int,
    on_result: OnResult | None,
) -> list[ArticleOutcome]:
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    semaphore = asyncio.Semaphore(concurrency)
    outcomes: list[ArticleOutcome | None] = [None] * len(jobs)

    async def one(index: int) -> None:
        source, article_id, load = jobs[index]
        async with semaphore:
            try:
                article = await load()
                summary = await summarize_article(article, backend)
                outcome = ArticleOutcome(
                    source,
                    article_id,
                    summary=summary,
                    text=article.text,
                    notices=tuple(article_notices(article, summary)),
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
        async with _backend_for(backend, resolved) as (chosen, _):
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
    choose the backend when none is given; a backend made here is closed at the end. It answers
    from the extraction cache unless `no_cache` is set, and adds its cache hits and the usage of
    its fresh requests to `counts`. `notify` hears what the run found out on the way (an
    endpoint being checked, a server that truncates prompts).
    """
    backend, flags = _split_backend(backend, flags)
    resolved = settings or Settings.resolve(concurrency=concurrency, **flags)
    default_prices()  # an unusable price file is a ConfigError before any request
    expanded = expand_sources(sources)

    async def go() -> list[ArticleOutcome]:
        async with _backend_for(backend, resolved, counts, notify) as (chosen, parallel):
            return await run_sources(
                expanded,
                chosen,
                published=published,
                max_chars=resolved.max_chars,
                concurrency=parallel,
                on_result=on_result,
            )

    return asyncio.run(go())


def for_run(made: Backend, settings: Settings, counts: CacheCounts | None = None) -> Backend:
    """A backend made from settings, wrapped for a run: the extraction cache (unless
    `no_cache`), then chunking of long articles for the LLM backend."""
    cache = None if settings.no_cache else ExtractionCache().open()
    cached = CachingBackend(made, cache, counts=counts)
    return ChunkingBackend(cached) if made.name == "openai" else cached


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
        report = await _endpoint_report(made, say)
        for warning in made.configure(report):
            say(warning)
    if settings.concurrency is not None:
        return settings.concurrency
    return report.recommended_concurrency if report is not None else DEFAULT_CONCURRENCY


async def _endpoint_report(made: EndpointBackend, say: Notify) -> EndpointReport:
    """The stored report for this endpoint and model, or a fresh check (then stored). A store
    that cannot be used costs a check per run, not the run."""
    store = ExtractionCache()
    try:
        stored = store.open().endpoint_report(made.endpoint, made.model)
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
            store.put_endpoint_report(made.endpoint, made.model, report.model_dump_json())
        return report
    finally:
        store.close()


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
) -> AsyncIterator[tuple[Backend, int]]:
    """The given backend, or one made from settings, prepared and wrapped for the run and
    closed afterwards; with the concurrency to run it at."""
    if backend is not None:
        yield backend, settings.concurrency or DEFAULT_CONCURRENCY
        return
    made = make_backend(settings)
    try:
        parallel = await prepare_backend(made, settings, notify)
    except BaseException:
        await _close(made)
        raise
    wrapped = for_run(made, settings, counts)
    try:
        yield wrapped, parallel
    finally:
        await _close(wrapped)


async def _close(backend: Backend) -> None:
    close = getattr(backend, "aclose", None)
    if close is not None:
        await close()
