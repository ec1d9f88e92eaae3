"""What a command-line user expects of any tool: --version, completion, and help that names
values (never Python types), writes usage one way and shows every description whole."""

from __future__ import annotations

import importlib
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from eventbrief import __version__
from eventbrief.cli.app import COMMANDS as LAZY_COMMANDS
from eventbrief.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
TYPE_NAMES = re.compile(r"<(?:str|int|float|bool|path|list\[[^\]]*\]|[a-z_]+(?:\|[a-z_]+)+)>")


def _commands() -> Iterator[list[str]]:
    """Every command and group, as the words that name it (all loaded: they load lazily)."""
    for command in LAZY_COMMANDS.values():
        importlib.import_module(command.module)
    root = get_command(app)

    def walk(group: object, words: list[str]) -> Iterator[list[str]]:
        for name, command in getattr(group, "commands", {}).items():
            yield [*words, name]
            yield from walk(command, [*words, name])

    yield []
    yield from walk(root, [])


COMMANDS = list(_commands())


def _help(words: list[str]) -> str:
    result = CliRunner().invoke(app, [*words, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_version_is_the_packaged_version() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"eventbrief {declared}\n"
    assert __version__ == declared


def test_shell_completion_is_typers_own() -> None:
    assert "--install-completion" in _help([])
    result = CliRunner().invoke(app, ["--show-completion", "bash"])
    assert result.exit_code == 0
    assert "_EVENTBRIEF_COMPLETE" in result.stdout


def test_the_main_command_is_listed_first() -> None:
    listed = re.findall(r"^  (\w+) ", _help([]).split("Commands:", 1)[1], re.MULTILINE)
    assert listed[0] == "summarize"
    assert listed[:3] == ["summarize", "brief", "eval"]
    assert sorted(listed) == sorted(get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "eventbrief")
def test_help_names_values_never_python_types(words: list[str]) -> None:
    shown = _help(words)
    assert TYPE_NAMES.findall(shown) == []


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "eventbrief")
def test_usage_is_written_one_way(words: list[str]) -> None:
    usage = _help(words).splitlines()[0]
    assert usage.startswith(f"Usage: {' '.join(['eventbrief', *words])} [OPTIONS]")
    assert "{" not in usage and "...]..." not in usage and "......" not in usage
    rest = usage.split("[OPTIONS]", 1)[1].split()
    for piece in rest:
        assert re.fullmatch(r"\[?[A-Z_]+(?:\.\.\.)?\]?|COMMAND|\[ARGS\]\.\.\.", piece), usage


@pytest.mark.parametrize(
    "words", [w for w in COMMANDS if w in ([], ["batch"], ["cache"], ["config"], ["endpoint"])]
)
def test_every_command_description_is_one_whole_line(words: list[str]) -> None:
    """At 80 columns each command's description fits on its line and is never cut with '...'."""
    listing = _help(words).split("Commands:", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in listing.splitlines() if line.strip()]
    for row in rows:
        assert re.match(r"^  \S+\s+\S", row), f"a description wrapped: {row!r}"
        assert not row.rstrip().endswith("..."), row
        assert row.rstrip().endswith("."), row


def test_summarize_usage_and_arguments() -> None:
    shown = _help(["summarize"])
    assert shown.startswith("Usage: eventbrief summarize [OPTIONS] [PATH...]\n")
    assert "  PATH...  " in shown
    assert "--model NAME" in shown
    assert "--backend auto|openai|offline" in shown
