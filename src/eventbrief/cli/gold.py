"""`eventbrief gold check DIR`: every problem of an eval dataset's gold, before an eval trips on
the first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from eventbrief.cli.app import EXIT_OK, EXIT_SOME_FAILED, Command, app, sub_app
from eventbrief.cli.options import say
from eventbrief.progress import counted
from eventbrief.scoring.dataset import check_dataset

EPILOG = """\
\b
Examples:
  eventbrief gold check evals
  eventbrief gold check evals/heldout
  eventbrief gold check my-dataset && eventbrief eval --dataset my-dataset

Exit codes: 0 the dataset is usable, 1 it has problems (one line each on stdout: file, field,
what is wrong).
"""

gold_app = sub_app(
    help="Check hand-labelled gold datasets, naming file and field.",
)
app.add_typer(gold_app, name="gold")


@gold_app.command("check", cls=Command, epilog=EPILOG)
def check_command(
    dataset: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="Dataset folder with articles/ and gold/."),
    ],
) -> None:
    """Check a dataset's gold as `eventbrief eval` loads it, and print every problem.

    Gold files need only what a person writes: quotes without offsets, no sha256, no
    provenance; those are filled in from the article. What is checked: each file against the
    ArticleSummary schema (an invalid date, a missing field, …), each quote copied verbatim
    from its article (and its offsets, when written), each participant named in the entities,
    and gold/brief.json's mentions against the gold events. Problems go to stdout, one a line
    (file: field: what is wrong); warnings and the count to stderr.
    """
    data, problems = check_dataset(dataset)
    for warning in data.warnings:
        say(warning)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        files = len({p.file for p in problems})
        say(f"{counted(len(problems), 'problem')} in {counted(files, 'file')}")
        raise typer.Exit(EXIT_SOME_FAILED)
    brief = " and gold/brief.json" if data.brief_gold is not None else ""
    say(f"{dataset}: {counted(len(data.items), 'gold record')}{brief}, no problems")
    raise typer.Exit(EXIT_OK)
