"""Options several commands share, declared once so their names, help and checks agree."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from eventbrief.articles import PublicationDates
from eventbrief.config import BACKENDS, EVIDENCE, MODES

BackendChoice = Enum("BackendChoice", {n: n for n in BACKENDS}, type=str)  # type: ignore[misc]
ModeChoice = Enum("ModeChoice", {n: n for n in MODES}, type=str)  # type: ignore[misc]
EvidenceChoice = Enum("EvidenceChoice", {n: n for n in EVIDENCE}, type=str)  # type: ignore[misc]

BackendOption = Annotated[
    BackendChoice | None,
    typer.Option(
        help="auto: the endpoint when one is configured, else offline. [env EVENTBRIEF_BACKEND]"
    ),
]
ModelOption = Annotated[str | None, typer.Option(help="Model name. [env EVENTBRIEF_MODEL]")]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        metavar="URL",
        help="OpenAI-compatible endpoint. [env EVENTBRIEF_BASE_URL, OPENAI_BASE_URL]",
    ),
]
ModeOption = Annotated[
    ModeChoice | None,
    typer.Option(help="How the model returns structure (default tools). [env EVENTBRIEF_MODE]"),
]
EvidenceOption = Annotated[
    EvidenceChoice | None,
    typer.Option(
        help="How the model gives evidence: quotes copied from the article, or the numbers of "
        "its sentences, shown to it numbered (each cited sentence, or a clause of it, becomes "
        "the quote). auto: sentences on an endpoint checked for --mode auto, else quotes. "
        "[env EVENTBRIEF_EVIDENCE]"
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
MaxTokensOption = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        min=16,
        help="Completion cap sent with every request (default 4096); a cut-off answer keeps "
        "its complete part. [env EVENTBRIEF_MAX_TOKENS]",
    ),
]
TemperatureOption = Annotated[
    float | None,
    typer.Option(
        metavar="T",
        min=0.0,
        max=2.0,
        help="Sampling temperature sent with every request (default 0: the same answer on a "
        "re-run). [env EVENTBRIEF_TEMPERATURE]",
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
