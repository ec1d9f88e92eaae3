"""The typer application every command module registers itself on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="eventbrief",
    help=(
        "Turn news articles into typed, source-grounded event records, and many articles into "
        "one brief.\n\nstdout carries data; stderr carries progress and messages."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


@app.callback()
def _root() -> None:
    """Turn news articles into typed, source-grounded event records and merged briefs."""
