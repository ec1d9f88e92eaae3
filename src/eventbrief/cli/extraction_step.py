"""The extraction step of a command: run the pipeline over sources behind a progress bar, then
say what the run paid. summarize and brief run it alike, and eval ends its run (the pipeline's,
through `eventbrief.scoring.runner`) with the same report, so the numbers read the same in all
three."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import typer

from eventbrief.articles import STDIN, PublicationDates, Source
from eventbrief.cache import CacheCounts
from eventbrief.cli.options import config_errors_exit, say
from eventbrief.config import Settings
from eventbrief.models import ArticleSummary
from eventbrief.pipeline import ArticleOutcome, OnResult, RunResult, run, source_jobs
from eventbrief.progress import RunProgress, RunSummary, counted, wants_progress

PARTIAL_WARNINGS_SHOWN = 3


def run_step(
    sources: list[Source],
    settings: Settings,
    published: PublicationDates,
    *,
    quiet: bool = False,
    on_result: OnResult | None = None,
    engine: Callable[..., RunResult] | None = None,
) -> RunResult:
    """The pipeline's `run` over sources (expanded once, by the command), or `engine`'s (one
    taking the sources and `run`'s keywords, as `distributed.run` does), behind the progress
    bar (a terminal, several articles, not quiet); `on_result` sees each outcome after the bar.
    A configuration error found on the way is the one-line usage error (exit 2); Ctrl-C exits
    130 with the finished results already kept."""
    label = "articles"
    if len(sources) == 1:
        label = f"summarizing {'stdin' if sources[0] == STDIN else Path(str(sources[0])).name}"
    progress = RunProgress(
        len(sources), enabled=wants_progress(len(sources), quiet=quiet), label=label
    )

    def each(outcome: ArticleOutcome) -> None:
        progress(outcome)
        if on_result is not None:
            on_result(outcome)

    def notify(line: str) -> None:
        say(settings.redact(line))

    try:
        with progress, config_errors_exit(settings):
            if engine is not None:
                return engine(sources, settings, published=published, on_result=each, notify=notify)
            jobs = source_jobs(sources, published=published, max_chars=settings.max_chars)
            return run(jobs, settings, on_result=each, notify=notify)
    except KeyboardInterrupt:
        say("interrupted")
        raise typer.Exit(130) from None


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
            usage=counts.usage,
            wall_seconds=time.perf_counter() - started,
            partial=partial,
        )
        typer.echo(summary.line(), err=True)
    if counts.cache_errors:
        times = counted(counts.cache_errors, "time")
        say(f"the extraction cache failed {times}; those results were not kept")
