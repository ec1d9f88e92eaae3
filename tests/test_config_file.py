"""The user config file: `eventbrief config set|unset|show`, flags over env over the file, and
the word said first when `auto` would pay OpenAI only because OPENAI_API_KEY is set."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.cli.app import app
from eventbrief.config import Settings, config_path, read_config, write_config
from eventbrief.errors import ConfigError, ExtractionError
from eventbrief.models import Article, ArticleMeta
from scripted_server import ScriptedServer

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "evals" / "articles" / "004_2ad1f6fdf5f1c408.txt"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("OPENAI_") or (
            name.startswith("EVENTBRIEF_") and not name.endswith(("_DIR",))
        ):
            monkeypatch.delenv(name)


def test_the_config_dir_is_the_tests_own() -> None:
    assert config_path().parent == Path(os.environ["EVENTBRIEF_CONFIG_DIR"])
    assert not config_path().exists()


def test_set_show_unset_round_trip() -> None:
    shown = runner.invoke(app, ["config", "show"])
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[0] == f"# config file: {config_path()} (not written yet)"
    assert "backend   auto" in shown.stdout and "# default" in shown.stdout

    kept = runner.invoke(app, ["config", "set", "backend", "offline"])
    assert kept.exit_code == 0, kept.stderr
    assert kept.stderr == f"eventbrief: backend = 'offline' kept in {config_path()}\n"
    assert (
        runner.invoke(app, ["config", "set", "base-url", "http://127.0.0.1:8080/v1"]).exit_code == 0
    )
    assert tomllib.loads(config_path().read_text()) == {
        "backend": "offline",
        "base_url": "http://127.0.0.1:8080/v1",
    }
    assert stat.S_IMODE(config_path().stat().st_mode) == 0o600  # a URL may hold a password

    as_json = json.loads(runner.invoke(app, ["config", "show", "--json"]).stdout)
    assert as_json["backend"] == {"value": "offline", "from": "config file"}
    assert as_json["model"] == {"value": "gpt-4o-mini", "from": "default"}
    assert as_json["config_file"] == str(config_path())

    assert runner.invoke(app, ["config", "unset", "base_url"]).exit_code == 0
    assert read_config() == {"backend": "offline"}
    again = runner.invoke(app, ["config", "unset", "base_url"])
    assert again.exit_code == 0 and "nothing to remove" in again.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["set", "api_key", "sk-x"], "the API key is read from the environment only"),
        (["set", "timeout", "9"], "unknown setting 'timeout'; the config file holds backend"),
        (["set", "backend", "cloud"], "backend: Input should be 'auto', 'openai' or 'offline'"),
        (["set", "base_url", "localhost:8080"], "base_url: not an http(s) URL"),
        (["unset", "colour"], "unknown setting 'colour'"),
    ],
)
def test_bad_keys_and_values_are_usage_errors(args: list[str], says: str) -> None:
    result = runner.invoke(app, ["config", *args])
    assert result.exit_code == 2
    assert says in result.stderr
    assert not config_path().exists()


def test_flags_win_over_env_which_wins_over_the_file() -> None:
    write_config({"backend": "offline", "model": "file-model", "mode": "json"})
    from_file = Settings.resolve(env={})
    assert (from_file.backend, from_file.model, from_file.mode) == ("offline", "file-model", "json")
    assert from_file.origin("model") == "config file"
    from_env = Settings.resolve(env={"EVENTBRIEF_MODEL": "env-model"})
    assert (from_env.model, from_env.origin("model")) == ("env-model", "EVENTBRIEF_MODEL")
    flagged = Settings.resolve(env={"EVENTBRIEF_MODEL": "env-model"}, model="flag-model")
    assert (flagged.model, flagged.origin("model")) == ("flag-model", "--model")
    assert flagged.backend == "offline"


def test_a_broken_file_is_named() -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text('backend = "offline"\ncolour = "blue"\n')
    with pytest.raises(ConfigError, match=r"config\.toml: unknown setting 'colour'"):
        Settings.resolve(env={})
    config_path().write_text("backend = offline\n")
    result = runner.invoke(app, ["summarize", str(ARTICLE)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"eventbrief: {config_path()}: not a TOML file")
    config_path().write_text('mode = "telepathy"\n')
    result = runner.invoke(app, ["summarize", str(ARTICLE)])
    assert result.exit_code == 2
    assert f"eventbrief: {config_path()}: mode: Input should be" in result.stderr


def test_an_openai_key_alone_switches_auto_to_openai_and_says_so_first(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"  # fails before any request: nothing is paid here
    result = runner.invoke(app, ["summarize", str(missing)], env={"OPENAI_API_KEY": "sk-other"})
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(
        "eventbrief: backend openai (auto: only because OPENAI_API_KEY is set, so OpenAI's paid "
        "API is used; for the offline backend pass --backend offline or run 'eventbrief config "
        "set backend offline')"
    )
    quiet = runner.invoke(app, ["summarize", str(missing), "-q"], env={"OPENAI_API_KEY": "sk-x"})
    assert "only because OPENAI_API_KEY is set" in quiet.stderr.splitlines()[0]
    chosen = runner.invoke(app, ["summarize", str(missing)], env={"EVENTBRIEF_API_KEY": "sk-mine"})
    assert chosen.stderr.splitlines()[0].startswith(
        "eventbrief: backend openai (auto: endpoint configured)"
    )


def test_the_file_pins_offline_despite_an_openai_key() -> None:
    assert runner.invoke(app, ["config", "set", "backend", "offline"]).exit_code == 0
    result = runner.invoke(app, ["summarize", str(ARTICLE)], env={"OPENAI_API_KEY": "sk-other"})
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == "eventbrief: backend offline (config file)"
    assert json.loads(result.stdout)["provenance"]["backend"] == "offline"


def test_set_warns_when_the_environment_overrides_the_file() -> None:
    result = runner.invoke(app, ["config", "set", "model", "m"], env={"EVENTBRIEF_MODEL": "other"})
    assert result.exit_code == 0
    assert "note: EVENTBRIEF_MODEL is set in the environment and wins over the file" in (
        result.stderr
    )


def _article() -> Article:
    text = "Envoys met in Hanoi on Monday."
    meta = ArticleMeta(id="hanoi", source="hanoi.txt", sha256="0" * 64)
    return Article(meta=meta, text=text)


@pytest.mark.parametrize("default_endpoint", [True, False])
def test_a_connection_failure_to_the_default_endpoint_suggests_offline(
    default_endpoint: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    with ScriptedServer() as server:
        url = server.base_url  # closed again: nothing listens there now
    # OpenAI's own client reads OPENAI_BASE_URL when given no base URL: the "default endpoint"
    # without a network, pointed at a closed local port so that no test reaches the internet
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    backend = OpenAIBackend(
        "m",
        base_url=None if default_endpoint else url,
        api_key="sk-test",
        mode="tools",
        max_attempts=1,
        max_retry_seconds=0,
    )
    with pytest.raises(ExtractionError) as caught:
        asyncio.run(backend.extract(_article()))
    hint = "without a network, --backend offline summarizes locally"
    assert (hint in str(caught.value)) is default_endpoint
