"""`eventbrief config show|set|unset`: the settings a user chooses once, kept in a file."""

from __future__ import annotations

import json
import sys
from typing import Annotated, NoReturn

import typer

from eventbrief.cli.app import EXIT_OK, EXIT_USAGE, Command, app, sub_app
from eventbrief.cli.options import config_errors_exit, say
from eventbrief.config import (
    CONFIG_DIR_VAR,
    CONFIG_KEYS,
    Settings,
    check_config_value,
    config_path,
    from_env,
    read_config,
    unknown_key,
    write_config,
)

config_app = sub_app(
    help=(
        "Show or change the config file: backend, model, base URL, mode.\n\n"
        "The file pins choices made once (say, the offline backend, so that an OPENAI_API_KEY "
        "set for another tool is not used). Flags win over EVENTBRIEF_* and OPENAI_* "
        f"variables, which win over the file. It lives in {CONFIG_DIR_VAR} when set, else in "
        "the user config dir. The API key is never stored: it is read from the environment."
    ),
    epilog=(
        "\b\nExamples:\n"
        "  eventbrief config set backend offline\n"
        "  eventbrief config set base_url http://127.0.0.1:8080/v1\n"
        "  eventbrief config show\n"
        "  eventbrief config unset model"
    ),
)
app.add_typer(config_app, name="config")

KeyArgument = Annotated[
    str, typer.Argument(metavar="KEY", help=f"One of: {', '.join(CONFIG_KEYS)}.")
]


def _key(raw: str) -> str:
    """`base-url` and `base_url` alike; a key the file may not hold is a usage error."""
    key = raw.strip().lower().replace("-", "_")
    if key not in CONFIG_KEYS:
        _fail(unknown_key(key))
    return key


def _read() -> dict[str, str]:
    """The file's settings; a broken file is named (fix it, or `config unset` each key)."""
    with config_errors_exit():
        return read_config(config_path())


def _write(values: dict[str, str]) -> str:
    """Write the file; a failure is a usage error naming it."""
    try:
        with config_errors_exit():
            return str(write_config(values, config_path()))
    except OSError as exc:
        _fail(f"cannot write {config_path()}: {exc.strerror or exc}")


def _fail(message: str) -> NoReturn:
    say(message)
    raise typer.Exit(EXIT_USAGE)


@config_app.command(
    cls=Command,
    epilog="\b\nExamples:\n  eventbrief config show\n  eventbrief config show --json | jq .backend",
)
def show(
    as_json: Annotated[bool, typer.Option("--json", help="Print the settings as JSON.")] = False,
) -> None:
    """Print each setting in effect and where it comes from."""
    path = config_path()
    with config_errors_exit():
        settings = Settings.resolve()
    rows = {key: (getattr(settings, key), settings.origin(key)) for key in CONFIG_KEYS}
    if as_json:
        record = {
            "config_file": str(path),
            **{key: {"value": value, "from": origin} for key, (value, origin) in rows.items()},
        }
        sys.stdout.write(json.dumps(record, indent=2) + "\n")
        return
    exists = "" if path.exists() else " (not written yet)"
    lines = [f"# config file: {path}{exists}"]
    width = max(len(key) for key in CONFIG_KEYS)
    for key, (value, origin) in rows.items():
        shown = "(none)" if value is None else str(value)
        lines.append(f"{key.ljust(width)}  {shown.ljust(24)}  # {origin}")
    sys.stdout.write("\n".join(lines) + "\n")


@config_app.command(
    "set",
    cls=Command,
    epilog="\b\nExamples:\n  eventbrief config set backend offline\n"
    "  eventbrief config set model qwen2.5-7b-instruct",
)
def set_value(
    key: KeyArgument,
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The value to keep.")],
) -> None:
    """Keep a setting in the config file."""
    key = _key(key)
    with config_errors_exit():
        check_config_value(key, value)
    values = _read()
    values[key] = value
    path = _write(values)
    say(f"{key} = {value!r} kept in {path}")
    _say_overridden(key)
    raise typer.Exit(EXIT_OK)


@config_app.command(cls=Command, epilog="\b\nExample:\n  eventbrief config unset model")
def unset(key: KeyArgument) -> None:
    """Remove a setting from the config file (its default applies again)."""
    key = _key(key)
    values = _read()
    if key not in values:
        say(f"{key} is not set in {config_path()}; nothing to remove")
        raise typer.Exit(EXIT_OK)
    del values[key]
    path = _write(values)
    say(f"{key} removed from {path}")
    raise typer.Exit(EXIT_OK)


def _say_overridden(key: str) -> None:
    """A variable in the environment wins over the file: say so, or the change seems ignored."""
    found = from_env(key)
    if found is not None:
        say(f"note: {found[0]} is set in the environment and wins over the file")
