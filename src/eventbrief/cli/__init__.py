"""Command-line interface: argument parsing, progress and exit codes; no logic of its own."""

from __future__ import annotations

from eventbrief.cli import (
    cache,  # noqa: F401  (registers its commands)
    schema,  # noqa: F401  (registers its command)
)
from eventbrief.cli.app import app


def main() -> None:
    app()
