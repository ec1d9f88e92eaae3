"""`--narrate`: one paragraph from the openai backend over real HTTP to the scripted server; the
brief is never lost when narration is not possible."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from brief_helpers import scenario
from eventbrief.cli.app import app
from eventbrief.models import Brief
from scripted_server import error_reply, tool_call_reply

runner = CliRunner()
PARAGRAPH = "Anna Berg met Tomas Vale on May 3; sources differ on troop numbers (a, b)."


@pytest.fixture
def summaries(tmp_path: Path) -> Path:
    folder = tmp_path / "summaries"
    folder.mkdir()
    for aid, (s, _) in scenario().items():
        events = [e.model_copy(update={"description": "{{ 7*7 }} " + e.description})
                  for e in s.events]  # fmt: skip
        s = s.model_copy(update={"events": events})
        (folder / f"{aid}.json").write_text(s.model_dump_json(), encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "EVENTBRIEF_API_KEY", "EVENTBRIEF_BASE_URL",
                 "EVENTBRIEF_BACKEND", "EVENTBRIEF_MODEL"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def test_narrative_comes_from_the_endpoint(scripted_server, summaries: Path) -> None:
    scripted_server.queue(tool_call_reply({"paragraph": PARAGRAPH}, name="Narrative"))
    result = runner.invoke(
        app,
        ["brief", str(summaries), "--narrate", "--base-url", scripted_server.base_url,
         "--model", "test-model"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert Brief.model_validate_json(result.stdout).narrative == PARAGRAPH
    (request,) = scripted_server.requests
    assert request.body["model"] == "test-model"
    system, user = request.messages
    assert "one paragraph" in system["content"]
    assert user["content"].count("{{ 7*7 }} ") == 3
    assert "] 49 " not in user["content"]
    assert "5,000 soldiers (b); About 4,000 (a)" in user["content"]


def test_markdown_shows_the_narrative(scripted_server, summaries: Path) -> None:
    scripted_server.queue(tool_call_reply({"paragraph": PARAGRAPH}, name="Narrative"))
    result = runner.invoke(
        app,
        ["brief", str(summaries), "--narrate", "--base-url", scripted_server.base_url,
         "--format", "markdown"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Anna Berg met Tomas Vale on May 3; sources differ on troop numbers \\(a, b\\)." in (
        result.stdout
    )


def test_a_failing_endpoint_leaves_the_brief_whole(scripted_server, summaries: Path) -> None:
    scripted_server.queue(*[error_reply(400, "bad request")] * 4)
    result = runner.invoke(
        app, ["brief", str(summaries), "--narrate", "--base-url", scripted_server.base_url]
    )
    assert result.exit_code == 0, result.output
    assert "narrative skipped" in result.stderr
    brief = Brief.model_validate_json(result.stdout)
    assert brief.narrative is None and len(brief.events) == 3


def test_without_an_endpoint_narration_is_skipped(summaries: Path) -> None:
    result = runner.invoke(app, ["brief", str(summaries), "--narrate"])
    assert result.exit_code == 0
    assert "narrative skipped: it needs the openai backend" in result.stderr
    assert Brief.model_validate_json(result.stdout).narrative is None


def test_the_api_key_never_reaches_stderr(scripted_server, summaries: Path, monkeypatch) -> None:
    secret = "sk-test-DO-NOT-PRINT-1234567890"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    scripted_server.queue(*[error_reply(401, f"invalid key {secret}")] * 4)
    result = runner.invoke(
        app, ["brief", str(summaries), "--narrate", "--base-url", scripted_server.base_url]
    )
    assert "narrative skipped" in result.stderr
    assert secret not in result.output
    assert scripted_server.requests[0].headers.get("authorization") == f"Bearer {secret}"


def _not_warnings(stderr: str) -> list[str]:
    """stderr without the brief's warning lines (these summaries' texts are not at hand)."""
    return [line for line in stderr.splitlines() if not line.startswith("eventbrief: warning:")]


def test_a_failure_is_one_line_naming_the_endpoint_never_a_class(
    scripted_server, summaries: Path
) -> None:
    url = scripted_server.base_url
    scripted_server.queue(error_reply(400, "bad request"))  # refused at once, never retried
    refused = runner.invoke(app, ["brief", str(summaries), "--narrate", "--base-url", url, "-q"])
    assert refused.exit_code == 0
    assert _not_warnings(refused.stderr) == [
        f"eventbrief: narrative skipped: {url} answered HTTP 400: bad request"
    ]
    scripted_server.queue(error_reply(401, "invalid key"))
    unauthorised = runner.invoke(
        app, ["brief", str(summaries), "--narrate", "--base-url", url, "-q"]
    )
    assert _not_warnings(unauthorised.stderr) == [
        f"eventbrief: narrative skipped: {url} refused the API key (HTTP 401: invalid key); "
        "check EVENTBRIEF_API_KEY or OPENAI_API_KEY"
    ]


def test_an_unreachable_endpoint_is_named(summaries: Path) -> None:
    from scripted_server import ScriptedServer

    with ScriptedServer() as server:
        url = server.base_url  # closed again: nothing listens there now
    result = runner.invoke(app, ["brief", str(summaries), "--narrate", "--base-url", url, "-q"])
    assert result.exit_code == 0
    assert _not_warnings(result.stderr) == [
        f"eventbrief: narrative skipped: cannot connect to {url}; check the network and --base-url"
    ]
    assert Brief.model_validate_json(result.stdout).narrative is None
