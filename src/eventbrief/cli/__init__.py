"""Command-line interface: argument parsing, progress and exit codes; no logic of its own."""

from __future__ import annotations

from eventbrief.cli import (
    batch,  # noqa: F401  (registers its commands)
    brief,  # noqa: F401  (registers its command)
    cache,  # noqa: F401  (registers its commands)
    config,  # noqa: F401  (registers its commands)
    endpoint,  # noqa: F401  (registers its commands)
    eval,  # noqa: F401  (registers its command)
    gold,  # noqa: F401  (registers its commands)
    schema,  # noqa: F401  (registers its command)
    summarize,  # noqa: F401  (registers its command)
)
from eventbrief.cli.app import app


def main() -> None:
    app()
