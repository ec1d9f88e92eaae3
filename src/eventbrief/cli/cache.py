"""`eventbrief cache stats|clear`: look at or empty the extraction cache."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from eventbrief.cache import ExtractionCache
from eventbrief.cli.app import EXIT_OK, EXIT_USAGE, Command, app, sub_app
from eventbrief.cli.options import config_errors_exit

cache_app = sub_app(
    help=(
        "Look at or empty the extraction cache.\n\n"
        "The extraction cache is one SQLite file in EVENTBRIEF_CACHE_DIR or the user cache dir. "
        "It holds extractions and token counts, never keys or headers."
    ),
    epilog="\b\nExamples:\n  eventbrief cache stats\n  eventbrief cache clear",
)
app.add_typer(cache_app, name="cache")


@contextmanager
def _opened() -> Iterator[ExtractionCache]:
    """The cache, or a one-line error (exit 2) when it cannot be opened or read."""
    cache = ExtractionCache()
    try:
        with config_errors_exit():
            if cache.path.exists():
                cache.open()
            yield cache
    except sqlite3.Error as exc:
        typer.echo(f"eventbrief: {cache.path}: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    finally:
        cache.close()


@cache_app.command(
    cls=Command,
    epilog="\b\nExamples:\n  eventbrief cache stats\n  eventbrief cache stats --json | jq .entries",
)
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
) -> None:
    """Print where the cache is, how many extractions it holds and its size."""
    with _opened() as cache:
        numbers = cache.stats()
    if as_json:
        record = {
            "path": str(numbers.path),
            "entries": numbers.entries,
            "size_bytes": numbers.size_bytes,
            "by_model": numbers.by_model,
        }
        sys.stdout.write(json.dumps(record, indent=2) + "\n")
        return
    lines = [
        f"path     {numbers.path}",
        f"entries  {numbers.entries}",
        f"size     {numbers.size_bytes / 1024:.1f} KiB",
    ]
    lines += [f"  {name}: {count}" for name, count in numbers.by_model.items()]
    sys.stdout.write("\n".join(lines) + "\n")


@cache_app.command(
    cls=Command, epilog="\b\nExample:\n  EVENTBRIEF_CACHE_DIR=/tmp/eb eventbrief cache clear"
)
def clear() -> None:
    """Remove every cached extraction (the next run asks the model again)."""
    with _opened() as cache:
        removed = cache.clear()
        path = cache.path
    typer.echo(f"eventbrief: removed {removed} cached extractions from {path}", err=True)
    raise typer.Exit(EXIT_OK)
