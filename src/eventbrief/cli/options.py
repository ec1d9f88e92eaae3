"""Options several commands share, declared once so their names, help and checks agree."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from eventbrief.articles import PublicationDates
from eventbrief.config import BACKENDS, MODES

BackendChoice = Enum("BackendChoice", {n: n for n in BACKENDS}, type=str)  # type: ignore[misc]
ModeChoice = Enum("ModeChoice", {n: n for n in MODES}, type=str)  # type: ignore[misc]

BackendOption = Annotated[
    BackendChoice | None,
    typer.Option(
        metavar="|".join(BACKENDS),
        help="auto: the endpoint when one is configured, else offline. [env EVENTBRIEF_BACKEND]",
    ),
]
ModelOption = Annotated[
    str | None, typer.Option(metavar="NAME", help="Model name. [env EVENTBRIEF_MODEL]")
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        metavar="URL",
        help="OpenAI-compatible endpoint. [env EVENTBRIEF_BASE_URL, OPENAI_BASE_URL]",
    ),
]
ModeOption = Annotated[
    ModeChoice | None,
    typer.Option(
        metavar="MODE",
        help=f"How the model returns structure: {', '.join(MODES)} (default auto). "
        "[env EVENTBRIEF_MODE]",
    ),
]
ConcurrencyOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        metavar="N",
        help="Articles in flight at once (default 8). [env EVENTBRIEF_CONCURRENCY]",
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        metavar="SECONDS",
        help="Longest an answer may take in all, however steadily it streams (default 600). "
        "[env EVENTBRIEF_TIMEOUT]",
    ),
]
StallTimeoutOption = Annotated[
    float | None,
    typer.Option(
        metavar="SECONDS",
        help="Seconds without a byte from the endpoint before a streamed answer counts as "
        "stalled and is retried (default 60). [env EVENTBRIEF_STALL_TIMEOUT]",
    ),
]
StreamOption = Annotated[
    bool | None,
    typer.Option(
        "--stream/--no-stream",
        help="Stream answers so a stalled server is told apart from a slow one (default on). "
        "[env EVENTBRIEF_STREAM]",
    ),
]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Do not read or write the extraction cache. [env EVENTBRIEF_NO_CACHE]",
    ),
]
StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Fail an article whose answer is still invalid after the re-asks, instead of "
        "keeping its valid, grounded part. [env EVENTBRIEF_STRICT]",
    ),
]
PublishedOption = Annotated[
    list[str] | None,
    typer.Option(
        metavar="DATE|ID=DATE",
        help="Publication date (YYYY-MM-DD) of every article, or ID=DATE for one article; "
        "repeat for several. Else from HTML metadata or a dateline in the text.",
    ),
]


def publication_dates(values: list[str] | None) -> PublicationDates:
    """The --published values, or a usage error that says what is wrong."""
    try:
        return PublicationDates.parse(values or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--published") from None


def value(choice: Enum | None) -> str | None:
    return None if choice is None else str(choice.value)


def say(message: str) -> None:
    """A message for the user on stderr (stdout carries data only)."""
    typer.echo(f"eventbrief: {message}", err=True)
