"""`eventbrief schema NAME`: print a published JSON Schema."""

from __future__ import annotations

import sys

import typer

from eventbrief.cli.app import EXIT_USAGE, Command, app
from eventbrief.contract import SCHEMA_MODELS, render


@app.command(
    cls=Command,
    epilog="\b\nExample:\n  eventbrief schema article > article.schema.json",
)
def schema(
    name: str = typer.Argument(metavar="NAME", help=f"One of: {', '.join(SCHEMA_MODELS)}."),
) -> None:
    """Print the JSON Schema of a record (article, extraction, brief)."""
    if name not in SCHEMA_MODELS:
        typer.echo(
            f"eventbrief: unknown schema {name!r}; choose from {', '.join(SCHEMA_MODELS)}",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
    sys.stdout.write(render(name))
