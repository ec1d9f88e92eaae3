"""What a run tells the person watching it, on stderr: progress and a closing summary.

Progress appears only on an interactive terminal and never with --quiet, so pipes, logs and CI
see nothing but the one-line summary (and not even that with --quiet): a bar over several
articles, and for one article a spinner with the time spent, so a long article (minutes on a
slow server) is seen to be worked on rather than hung.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from eventbrief.models import Usage


def counted(count: int, noun: str) -> str:
    """ "1 request", "2 requests": a count with its noun in the right number (regular nouns)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def wants_progress(total: int, *, quiet: bool = False, stream: TextIO | None = None) -> bool:
    """Progress is drawn for any article on a terminal, unless asked to be quiet."""
    target = stream if stream is not None else sys.stderr
    isatty = getattr(target, "isatty", None)
    return total >= 1 and not quiet and bool(isatty and isatty())


class RunProgress:
    """A rich progress bar over articles, or for one article a spinner naming it (`label`) with
    the time elapsed; a no-op when disabled. Call it once per finished article (it fits the
    pipeline's `on_result` hook)."""

    def __init__(
        self, total: int, *, enabled: bool, stream: TextIO | None = None, label: str = "articles"
    ) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self._progress: Progress | None = None
        self._task = None
        if enabled and total == 1:
            console = Console(file=stream if stream is not None else sys.stderr)
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self._task = self._progress.add_task(label, total=total, failed=0)
        elif enabled:
            console = Console(file=stream if stream is not None else sys.stderr)
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self._task = self._progress.add_task(label, total=total, failed=0)

    @property
    def enabled(self) -> bool:
        return self._progress is not None

    def __enter__(self) -> RunProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, outcome: object) -> None:
        """Count one finished article; an outcome with a non-empty `error` counts as failed."""
        self.done += 1
        if getattr(outcome, "error", None):
            self.failed += 1
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, failed=self.failed)


@dataclass(frozen=True)
class RunSummary:
    """The numbers a run ends with: what was asked, what it cost and how long it took."""

    articles: int
    failed: int
    cache_hits: int
    usage: Usage
    wall_seconds: float
    partial: int = 0
    """Of the articles summarized, those kept from an answer that never became valid."""

    def line(self) -> str:
        ok = self.articles - self.failed
        partial = f" ({self.partial} partial)" if self.partial else ""
        cost = f"${self.usage.cost_usd or 0.0:.4f}"
        if self.usage.cost_usd is None and self.usage.requests:
            cost = "cost unknown (model not in the price table)"
        return (
            f"eventbrief: {ok} of {counted(self.articles, 'article')} summarized{partial}, "
            f"{self.failed} failed; {counted(self.usage.requests, 'request')}, "
            f"{counted(self.cache_hits, 'cache hit')}, "
            f"{self.usage.prompt_tokens:,} prompt + {self.usage.completion_tokens:,} "
            f"completion tokens, {cost}, {self.wall_seconds:.1f} s"
        )
