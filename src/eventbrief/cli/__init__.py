"""Command-line interface: argument parsing, progress and exit codes; no logic of its own.

Each command's module is imported when that command runs (`cli.app.COMMANDS`), so that
`eventbrief --help` and light commands do not pay for the backends and the scorer.
"""

from __future__ import annotations

from eventbrief.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
