"""The closing lines of a command that extracted articles: what the run paid, and cache trouble.

summarize, brief and eval end their extraction step alike, so the numbers read the same in all
three.
"""

from __future__ import annotations

import time

import typer

from eventbrief.cache import CacheCounts
from eventbrief.cli.options import say
from eventbrief.config import Settings
from eventbrief.models import Usage
from eventbrief.pricing import default_prices
from eventbrief.progress import RunSummary


def paid(settings: Settings, counts: CacheCounts) -> Usage:
    """The usage of this run's fresh requests, priced for the model (the offline backend has
    no price and pays nothing)."""
    model = settings.model if settings.resolved_backend() == "openai" else None
    return default_prices().priced(model, counts.usage) or counts.usage


def report_run(
    settings: Settings,
    counts: CacheCounts,
    *,
    articles: int,
    failed: int,
    started: float,
    quiet: bool = False,
) -> None:
    """The run summary line on stderr (unless quiet), then a line if the cache failed."""
    if not quiet:
        summary = RunSummary(
            articles=articles,
            failed=failed,
            cache_hits=counts.hits,
            usage=paid(settings, counts),
            wall_seconds=time.perf_counter() - started,
        )
        typer.echo(summary.line(), err=True)
    if counts.cache_errors:
        say(f"the extraction cache failed {counts.cache_errors} times; those results were not kept")
