"""The extraction step of a command: run the pipeline over sources behind a progress bar, then
say what the run paid. summarize and brief run it alike, and eval ends its own run with the
same report, so the numbers read the same in all three."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer

from eventbrief.articles import STDIN, PublicationDates
from eventbrief.cache import CacheCounts
from eventbrief.cli.app import EXIT_USAGE
from eventbrief.cli.options import say
from eventbrief.config import Settings
from eventbrief.errors import ConfigError
from eventbrief.models import ArticleSummary, Usage
from eventbrief.pipeline import ArticleOutcome, OnResult, summarize_many
from eventbrief.pricing import default_prices
from eventbrief.progress import RunProgress, RunSummary, counted, wants_progress

PARTIAL_WARNINGS_SHOWN = 3


@dataclass(frozen=True)
class ExtractionRun:
    """What the step gave: one outcome per source, what it paid, and when it began."""

    outcomes: list[ArticleOutcome]
    counts: CacheCounts
    started: float


def summarize_sources(
    sources: list[str],
    settings: Settings,
    published: PublicationDates,
    *,
    quiet: bool = False,
    on_result: OnResult | None = None,
    many: Callable[..., list[ArticleOutcome]] | None = None,
) -> ExtractionRun:
    """`summarize_many` (or `many`, an engine taking its keywords, as Ray's does) behind the
    progress bar (a terminal, several articles, not quiet); `on_result` sees each outcome after
    the bar. A configuration error found on the way is a one-line usage error (exit 2); Ctrl-C
    exits 130 with the finished results already kept."""
    counts = CacheCounts()
    label = "articles"
    if len(sources) == 1:
        label = f"summarizing {'stdin' if sources[0] == STDIN else Path(sources[0]).name}"
    progress = RunProgress(
        len(sources), enabled=wants_progress(len(sources), quiet=quiet), label=label
    )

    def each(outcome: ArticleOutcome) -> None:
        progress(outcome)
        if on_result is not None:
            on_result(outcome)

    started = time.perf_counter()
    try:
        with progress:
            outcomes = (many or summarize_many)(
                sources,
                published=published,
                settings=settings,
                on_result=each,
                counts=counts,
                notify=lambda line: say(settings.redact(line)),
            )
    except ConfigError as exc:
        say(settings.redact(str(exc)))
        raise typer.Exit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        say("interrupted")
        raise typer.Exit(130) from None
    return ExtractionRun(outcomes, counts, started)


def paid(settings: Settings, counts: CacheCounts) -> Usage:
    """The usage of this run's fresh requests, priced for the model (the offline backend has
    no price and pays nothing)."""
    model = settings.model if settings.resolved_backend() == "openai" else None
    return default_prices().priced(model, counts.usage) or counts.usage


def partial_note(summary: ArticleSummary) -> str:
    """What makes a partial article partial, on one line: its warnings, the first few shown
    (all of them are in `provenance.warnings`)."""
    warnings = summary.provenance.warnings
    shown = "; ".join(warnings[:PARTIAL_WARNINGS_SHOWN])
    more = len(warnings) - PARTIAL_WARNINGS_SHOWN
    count = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    return f"partial, {count}: {shown}" + (f"; and {more} more" if more > 0 else "")


def say_notices(outcome: ArticleOutcome) -> None:
    """One stderr line per notice on an article (see `eventbrief.notices`), naming it."""
    for notice in outcome.notices:
        say(f"{outcome.article_id}: {notice}")


def say_partial(summary: ArticleSummary) -> None:
    """The one stderr line naming a partial article: it is written, but kept from an answer
    that never became valid, so the reader should know what it lost."""
    say(f"{summary.article.id}: {partial_note(summary)}")


def report_run(
    settings: Settings,
    counts: CacheCounts,
    *,
    articles: int,
    failed: int,
    started: float,
    quiet: bool = False,
    partial: int = 0,
) -> None:
    """The run summary line on stderr (unless quiet), then a line if the cache failed."""
    if not quiet:
        summary = RunSummary(
            articles=articles,
            failed=failed,
            cache_hits=counts.hits,
            usage=paid(settings, counts),
            wall_seconds=time.perf_counter() - started,
            partial=partial,
        )
        typer.echo(summary.line(), err=True)
    if counts.cache_errors:
        failed = counted(counts.cache_errors, "time")
        say(f"the extraction cache failed {failed}; those results were not kept")
