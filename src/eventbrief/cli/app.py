"""The typer application every command module registers itself on, and the help conventions all
its commands share: values named, never Python types; one usage style; whole descriptions."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from eventbrief import __version__

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2

# The order commands are listed in: the one most people want first, maintenance last.
COMMAND_ORDER = ("summarize", "brief", "eval", "batch", "config", "cache", "endpoint", "schema")


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
    """A command group that lists `summarize` first and shows each command's one-line
    description whole, where click would cut it at the terminal's width with "..."."""

    def list_commands(self, ctx: Any) -> list[str]:
        """COMMAND_ORDER first, then any other command in the order it was added."""
        names = super().list_commands(ctx)
        rank = {name: n for n, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda name: (rank.get(name, len(rank)), names.index(name)))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """Each command with its whole first paragraph (wrapped by the terminal, never cut)."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, one_line(command.short_help or command.help or "")))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def one_line(help_text: str) -> str:
    """The first paragraph of a help text, on one line."""
    return " ".join(help_text.strip().split("\n\n", 1)[0].split())


def sub_app(**settings: Any) -> typer.Typer:
    """A command group (batch, cache, config, endpoint) in the shared help style."""
    return typer.Typer(cls=Group, no_args_is_help=True, rich_markup_mode=None, **settings)


app = typer.Typer(
    name="eventbrief",
    cls=Group,
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
