"""The typer application every command module registers itself on, and the help conventions all
its commands share: values named, never Python types; one usage style; whole descriptions."""

from __future__ import annotations

import importlib
from typing import Annotated, Any, NamedTuple

import typer
from typer.core import TyperCommand, TyperGroup

from eventbrief import __version__

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


class LazyCommand(NamedTuple):
    """Where a command is defined, and its one-line help for `eventbrief --help` (a test holds
    it equal to the command's own), so listing the commands imports none of them."""

    module: str
    summary: str


# Every top-level command, in the order they are listed: the one most people want first,
# maintenance last. A command's module is imported only when that command runs (or its own
# --help is asked), so `eventbrief --help` loads no backend, parser or scorer.
COMMANDS: dict[str, LazyCommand] = {
    "summarize": LazyCommand(
        "eventbrief.cli.summarize", "Articles in, grounded event records out (JSON on stdout)."
    ),
    "brief": LazyCommand(
        "eventbrief.cli.brief", "Merge many articles into one timeline that marks disagreements."
    ),
    "eval": LazyCommand(
        "eventbrief.cli.eval", "Score a backend, or saved predictions, against gold records."
    ),
    "batch": LazyCommand(
        "eventbrief.cli.batch", "Extract through the OpenAI Batch API (half price, within 24 h)."
    ),
    "config": LazyCommand(
        "eventbrief.cli.config", "Show or change the config file: backend, model, base URL, mode."
    ),
    "cache": LazyCommand("eventbrief.cli.cache", "Look at or empty the extraction cache."),
    "endpoint": LazyCommand(
        "eventbrief.cli.endpoint", "Find out what an OpenAI-compatible endpoint does."
    ),
    "schema": LazyCommand(
        "eventbrief.cli.schema", "Print the JSON Schema of a record (article, extraction, brief)."
    ),
    "gold": LazyCommand(
        "eventbrief.cli.gold", "Check hand-labelled gold datasets, naming file and field."
    ),
}


# The context, parameters and formatter below are typer's own (private) click classes: Any.


def _argument_name(param: Any) -> str:
    """`PATH` or, for an argument that takes several values, `PATH...`."""
    name = str(param.metavar or param.name).upper()
    return f"{name}..." if param.nargs != 1 else name


class Command(TyperCommand):
    """A command whose help shows `PATH...` where typer would show `PATH <list[str]>`, and
    writes usage as most tools do: `[OPTIONS] PATH...`, an optional argument in brackets."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """`[OPTIONS]`, then each argument by its value's name, bracketed when optional."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """Arguments and options as typer lists them, without `<list[str]>` after arguments."""
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class Group(TyperGroup):
    """A command group that shows each command's one-line description whole, where click
    would cut it at the terminal's width with "..."."""

    def summary(self, ctx: Any, name: str) -> str | None:
        """The one-line help of command `name`, or None when it is hidden or unknown."""
        command = self.get_command(ctx, name)
        if command is None or command.hidden:
            return None
        return one_line(command.short_help or command.help or "")

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """Each command with its whole first paragraph (wrapped by the terminal, never cut)."""
        rows = []
        for name in self.list_commands(ctx):
            summary = self.summary(ctx, name)
            if summary is not None:
                rows.append((name, summary))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class LazyGroup(Group):
    """The top-level group: lists COMMANDS without importing them, and imports a command's
    module (which registers it on `app`) the first time the command itself is wanted."""

    def list_commands(self, ctx: Any) -> list[str]:
        """COMMANDS in their order, then any other command in the order it was added."""
        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: Any, name: str) -> Any:
        if name not in self.commands and name in COMMANDS:
            importlib.import_module(COMMANDS[name].module)
            loaded = typer.main.get_group(app).commands.get(name)
            if loaded is not None:
                self.commands[name] = loaded
        return super().get_command(ctx, name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """An unknown name loads every command first, so "Did you mean ...?" sees them all."""
        if args and args[0] not in self.list_commands(ctx):
            for name in COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def summary(self, ctx: Any, name: str) -> str | None:
        """From COMMANDS for a command not loaded yet, so listing imports nothing."""
        if name in COMMANDS and name not in self.commands:
            return COMMANDS[name].summary
        return super().summary(ctx, name)


def one_line(help_text: str) -> str:
    """The first paragraph of a help text, on one line."""
    return " ".join(help_text.strip().split("\n\n", 1)[0].split())


def sub_app(**settings: Any) -> typer.Typer:
    """A command group (batch, cache, config, endpoint) in the shared help style."""
    return typer.Typer(cls=Group, no_args_is_help=True, rich_markup_mode=None, **settings)


app = typer.Typer(
    name="eventbrief",
    cls=LazyGroup,
    help=(
        "Turn news articles into typed, source-grounded event records, and many articles into "
        "one brief.\n\nstdout carries data; stderr carries progress and messages. Settings "
        "come from flags, then EVENTBRIEF_* variables, then the config file "
        "('eventbrief config show')."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(wanted: bool) -> None:
    """`--version`: eager, so it answers before any command or check runs."""
    if wanted:
        typer.echo(f"eventbrief {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Turn news articles into typed, source-grounded event records and merged briefs."""
