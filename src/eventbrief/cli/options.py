"""Options several commands share, declared once so their names, help and checks agree."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Annotated, Any, TypeVar

import typer

from eventbrief.articles import STDIN, PublicationDates
from eventbrief.cli.app import EXIT_USAGE
from eventbrief.config import BACKENDS, EVIDENCE, MODES, Settings
from eventbrief.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])

# typer offers an Enum's members as the choices; each is built from its Literal's values so the
# list has one source, which mypy cannot read members from.
BackendChoice = Enum("BackendChoice", {n: n for n in BACKENDS}, type=str)  # type: ignore[misc]
ModeChoice = Enum("ModeChoice", {n: n for n in MODES}, type=str)  # type: ignore[misc]
EvidenceChoice = Enum("EvidenceChoice", {n: n for n in EVIDENCE}, type=str)  # type: ignore[misc]

BackendOption = Annotated[
    BackendChoice | None,
    typer.Option(
        metavar="|".join(BACKENDS),
        help="auto: the endpoint when one is configured, else offline. "
        "[env EVENTBRIEF_BACKEND; config file]",
    ),
]
ModelOption = Annotated[
    str | None,
    typer.Option(metavar="NAME", help="Model name. [env EVENTBRIEF_MODEL; config file]"),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        metavar="URL",
        help="OpenAI-compatible endpoint. [env EVENTBRIEF_BASE_URL, OPENAI_BASE_URL; config file]",
    ),
]
ModeOption = Annotated[
    ModeChoice | None,
    typer.Option(
        metavar="MODE",
        help=f"How the model returns structure: {', '.join(MODES)} (default auto). "
        "[env EVENTBRIEF_MODE; config file]",
    ),
]
EvidenceOption = Annotated[
    EvidenceChoice | None,
    typer.Option(
        metavar="|".join(EVIDENCE),
        help="How the model gives evidence: quotes copied from the article, or the numbers of "
        "its sentences, shown to it numbered (each cited sentence, or a clause of it, becomes "
        "the quote). auto: sentences on an endpoint checked for --mode auto, else quotes. "
        "[env EVENTBRIEF_EVIDENCE]",
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
MaxAttemptsOption = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        min=1,
        help="Requests per article for network faults: 429, 5xx, timeouts, stalls, resets "
        "(default 4). [env EVENTBRIEF_MAX_ATTEMPTS]",
    ),
]
MaxRetrySecondsOption = Annotated[
    float | None,
    typer.Option(
        metavar="SECONDS",
        help="Time budget for those retries (default 120; keep it above the stall timeout so "
        "a stall is retried). [env EVENTBRIEF_MAX_RETRY_SECONDS]",
    ),
]
ReasksOption = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        min=0,
        help="Extra requests that send an invalid answer's errors back to the model "
        "(default 2). [env EVENTBRIEF_REASKS]",
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


def _backend_options(
    backend: BackendOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    mode: ModeOption = None,
    evidence: EvidenceOption = None,
    concurrency: ConcurrencyOption = None,
    max_tokens: MaxTokensOption = None,
    max_attempts: MaxAttemptsOption = None,
    max_retry_seconds: MaxRetrySecondsOption = None,
    reasks: ReasksOption = None,
    temperature: TemperatureOption = None,
    timeout: TimeoutOption = None,
    stall_timeout: StallTimeoutOption = None,
    stream: StreamOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
) -> None:
    """The backend options, declared once: `backend_options` puts them into a command."""


BACKEND_OPTIONS = inspect.signature(_backend_options, eval_str=True).parameters


class BackendFlags:
    """The backend options a command was given (each None when not given), resolved into
    Settings by one call."""

    def __init__(self, given: Mapping[str, Any]) -> None:
        self.values: dict[str, Any] = {name: _given(name, raw) for name, raw in given.items()}

    def given(self) -> list[str]:
        """The flags given, as typed (`--no-stream` for stream off)."""
        return [
            "--no-stream" if name == "stream" and raw is False else "--" + name.replace("_", "-")
            for name, raw in self.values.items()
            if raw is not None
        ]

    def settings(self) -> Settings:
        """The run settings these flags give (with the environment and the config file); a
        configuration error is the one-line exit 2."""
        with config_errors_exit():
            return Settings.resolve(**self.values)


NO_BACKEND_FLAGS = BackendFlags({})
"""The default of a command's `backend_flags` parameter (the decorator always passes one)."""


def _given(name: str, raw: Any) -> Any:
    """A flag's value for Settings: an Enum choice as its text; --no-cache and --strict, which
    cannot be turned off on the command line, as None when absent (the environment decides)."""
    if isinstance(raw, Enum):
        return value(raw)
    if name in ("no_cache", "strict") and not raw:
        return None
    return raw


def backend_options(*, exclude: Sequence[str] = ()) -> Callable[[F], F]:
    """Give a command the backend options (but `exclude`) where its `backend_flags:
    BackendFlags` parameter stands; the command receives them as that one BackendFlags."""

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        added = [p for name, p in BACKEND_OPTIONS.items() if name not in exclude]
        params: list[inspect.Parameter] = []
        for param in signature.parameters.values():
            params.extend(added if param.name == "backend_flags" else [param])

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = {p.name: kwargs.pop(p.name) for p in added}
            return command(*args, backend_flags=BackendFlags(given), **kwargs)

        wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper  # type: ignore[return-value]

    return decorate


@contextmanager
def config_errors_exit(settings: Settings | None = None) -> Iterator[None]:
    """A configuration error inside becomes what every command gives for one: the one line
    naming the flag, variable or file on stderr (the API key masked), and exit 2."""
    try:
        yield
    except ConfigError as exc:
        say(str(exc) if settings is None else settings.redact(str(exc)))
        raise typer.Exit(EXIT_USAGE) from None


PublishedOption = Annotated[
    list[str] | None,
    typer.Option(
        metavar="DATE|ID=DATE",
        help="Publication date (YYYY-MM-DD) of every article, or ID=DATE for one article; "
        "repeat for several. Else from HTML metadata or a dateline in the text.",
    ),
]


IDS_SHOWN = 8
OutputOption = Annotated[
    str | None,
    typer.Option(
        "-o",
        "--output",
        metavar="FILE",
        help='Write to FILE ("-" for stdout); its extension (.json, .md, .html) picks the '
        "format unless --format is given.",
    ),
]


def publication_dates(
    values: list[str] | None, known_ids: Sequence[str] | None = None
) -> PublicationDates:
    """The --published values, or a usage error that says what is wrong: a bad date, or an
    ID=DATE whose id names none of `known_ids` (a mistyped or shortened id would otherwise be
    ignored, and the article left without its date)."""
    try:
        dates = PublicationDates.parse(values or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--published") from None
    if known_ids is not None:
        for article_id in dates.by_id:
            if article_id not in known_ids:
                raise typer.BadParameter(
                    _unknown_id(article_id, known_ids), param_hint="--published"
                )
    return dates


def _unknown_id(article_id: str, known_ids: Sequence[str]) -> str:
    """One line: the id that matches no article, the likely one meant, and the ids there are."""
    if not known_ids:
        return f"no article has the id {article_id!r}: there are no articles to summarize"
    meant = [k for k in known_ids if k.startswith(article_id) or article_id.startswith(k)]
    hint = f"; did you mean {meant[0]!r}?" if len(meant) == 1 else ""
    shown = ", ".join(known_ids[:IDS_SHOWN])
    more = f" and {len(known_ids) - IDS_SHOWN} more" if len(known_ids) > IDS_SHOWN else ""
    return (
        f"no article has the id {article_id!r}{hint} (an id is the file name without its "
        f"extension; the ids are {shown}{more})"
    )


def stdin_is_piped() -> bool:
    """Whether stdin is a pipe or a file, not a terminal (and not closed): then a command given
    no PATH reads its article from there, as `cat story.txt | eventbrief summarize` expects."""
    stream = sys.stdin
    try:
        return stream is not None and not stream.isatty()
    except (AttributeError, ValueError):
        return False


def paths_or_stdin(paths: list[str] | None, command: str) -> list[str]:
    """The PATHs given; with none, stdin when something is piped in; else a usage error."""
    if paths:
        return paths
    if stdin_is_piped():
        return [STDIN]
    say(f"no PATH given and nothing piped on stdin; try 'eventbrief {command} --help'")
    raise typer.Exit(EXIT_USAGE)


def value(choice: Enum | None) -> str | None:
    return None if choice is None else str(choice.value)


def say(message: str) -> None:
    """A message for the user on stderr (stdout carries data only)."""
    typer.echo(f"eventbrief: {message}", err=True)
