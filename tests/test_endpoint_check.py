"""`eventbrief endpoint check` and `--mode auto` against scripted servers that behave as real
ones do (tests/endpoint_fakes.py): each line of the report must say what the server did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from endpoint_fakes import GrammarServer, LooseServer
from eventbrief.cli import app
from scale_helpers import BATCH_TEXTS, article_in_prompt, make_extraction, write_corpus
from scripted_server import RecordedRequest, ScriptedServer


def _extraction(request: RecordedRequest) -> dict:
    """A valid answer in the evidence style the request asks for: quotes of the article, or
    (the schema's evidence items being `Cited`) the number of its first sentence."""
    shown = article_in_prompt(request.messages)
    answer = make_extraction(shown).model_dump(mode="json")
    if "Cited" in json.dumps(request.body.get("response_format") or request.body.get("tools")):
        for item in (*answer["key_takeaways"], *answer["events"]):
            item["evidence"] = [{"sentence": 1}]
    return answer


@pytest.fixture
def auto_env(monkeypatch: pytest.MonkeyPatch, scripted_server: ScriptedServer) -> dict[str, str]:
    """An environment pointing at the scripted server, with the mode left to auto."""
    monkeypatch.delenv("EVENTBRIEF_MODE", raising=False)
    return {
        "EVENTBRIEF_BASE_URL": scripted_server.base_url,
        "EVENTBRIEF_MODEL": "scripted-model",
        "EVENTBRIEF_API_KEY": "sk-endpoint-check-secret-123",
    }


def _check(env: dict[str, str]) -> dict:
    result = CliRunner().invoke(app, ["endpoint", "check", "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _verdicts(report: dict) -> dict[str, str]:
    return {probe["name"]: probe["verdict"] for probe in report["probes"]}


def test_a_grammar_server_is_reported_as_it_behaves(
    scripted_server: ScriptedServer, auto_env: dict[str, str]
) -> None:
    server = GrammarServer(_extraction)
    scripted_server.router = server
    report = _check(auto_env)
    assert _verdicts(report) == {
        "tools": "enforced",
        "tool_choice": "yes",
        "json_schema": "rejected",
        "json_object_schema": "enforced",
        "json_object": "accepted",
        "context": "yes",
        "parallel": "yes",
    }
    assert "HTTP 500" in next(p for p in report["probes"] if p["name"] == "json_schema")["detail"]
    assert report["parallel_slots"] == 1
    assert report["recommended_mode"] == "json_object"
    assert report["recommended_concurrency"] == 1
    assert report["grammar_keywords"] is True
    assert report["truncates_at"] is None
    assert "sk-endpoint-check-secret-123" not in json.dumps(report)


def test_a_loose_server_is_caught_not_believed(
    scripted_server: ScriptedServer, auto_env: dict[str, str]
) -> None:
    scripted_server.router = LooseServer(context=512)
    report = _check(auto_env)
    assert _verdicts(report) == {
        "tools": "accepted",
        "tool_choice": "no",
        "json_schema": "accepted",
        "json_object_schema": "accepted",
        "json_object": "accepted",
        "context": "no",
        "parallel": "yes",
    }
    assert report["truncates_at"] == 512
    assert report["parallel_slots"] == 4
    assert report["recommended_mode"] == "json"
    assert report["recommended_concurrency"] == 8
    assert report["grammar_keywords"] is False


def test_the_table_names_each_capability(
    scripted_server: ScriptedServer, auto_env: dict[str, str]
) -> None:
    scripted_server.router = GrammarServer(_extraction)
    result = CliRunner().invoke(app, ["endpoint", "check"], env=auto_env)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"endpoint {scripted_server.base_url}, model scripted-model")
    assert any(
        line.split()[:4] == ["response_format", "json_schema", "rejected", "HTTP"]
        for line in (ln.strip() for ln in lines)
    )
    assert lines[-1] == (
        "recommended: --mode json_object --evidence sentences --concurrency 1 "
        "(minItems/maxItems sent: the server enforces them)"
    )


def test_an_unreachable_endpoint_exits_1(auto_env: dict[str, str]) -> None:
    env = {**auto_env, "EVENTBRIEF_BASE_URL": "http://127.0.0.1:9/v1"}
    result = CliRunner().invoke(app, ["endpoint", "check"], env=env)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr + result.stdout


def test_auto_checks_once_then_uses_the_stored_report(
    scripted_server: ScriptedServer, auto_env: dict[str, str], tmp_path: Path
) -> None:
    server = GrammarServer(_extraction)
    scripted_server.router = server
    folder = write_corpus(tmp_path / "in")
    first = CliRunner().invoke(
        app, ["summarize", str(folder), "-o", f"{tmp_path}/out/"], env=auto_env
    )
    assert first.exit_code == 0, first.stderr
    assert "mode auto: checking what" in first.stderr
    assert "mode auto: json_object, concurrency 1" in first.stderr
    extraction_requests = [r for r in scripted_server.requests if "<article" in json.dumps(r.body)]
    assert len(extraction_requests) == len(BATCH_TEXTS)
    for request in extraction_requests:
        fmt = request.body["response_format"]
        assert fmt["type"] == "json_object"
        assert fmt["schema"]["properties"]["key_takeaways"]["minItems"] == 3
        assert fmt["schema"]["properties"]["key_takeaways"]["maxItems"] == 7
        assert request.body["max_tokens"] == 4096 and request.body["temperature"] == 0
        # a checked endpoint gets the sentences evidence style: numbered sentences, citations
        evidence = fmt["schema"]["$defs"]["Event"]["properties"]["evidence"]
        assert evidence["items"] == {"$ref": "#/$defs/Cited"}
        assert article_in_prompt(request.messages).startswith("[1] ")
    assert server.most_in_flight == 1
    written = sorted((tmp_path / "out").glob("*.json"))
    assert sorted(p.stem for p in written) == sorted(BATCH_TEXTS)
    for path in written:
        record = json.loads(path.read_text(encoding="utf-8"))
        assert record["provenance"]["evidence"] == "sentences"
        assert record["provenance"]["grounding_rate"] == 1.0
        assert record["provenance"]["warnings"] == []

    scripted_server.requests.clear()
    again = CliRunner().invoke(
        app, ["summarize", str(folder), "--no-cache", "-o", f"{tmp_path}/again/"], env=auto_env
    )
    assert again.exit_code == 0, again.stderr
    assert "mode auto: json_object (endpoint checked" in again.stderr
    assert len(scripted_server.requests) == len(BATCH_TEXTS)  # no probe this time


def test_a_truncating_server_is_reported_on_stderr(
    scripted_server: ScriptedServer, auto_env: dict[str, str], tmp_path: Path
) -> None:
    scripted_server.router = LooseServer(context=512)
    folder = write_corpus(tmp_path / "in", {"alpha": BATCH_TEXTS["alpha"]})
    result = CliRunner().invoke(app, ["summarize", str(folder)], env=auto_env)
    warning = [line for line in result.stderr.splitlines() if "silently truncates" in line]
    assert len(warning) == 1, result.stderr
    assert "about 512 tokens" in warning[0] and "num_ctx" in warning[0]


def test_a_mode_the_server_rejects_costs_one_request_and_is_named(
    scripted_server: ScriptedServer, auto_env: dict[str, str], tmp_path: Path
) -> None:
    scripted_server.router = GrammarServer(_extraction)
    folder = write_corpus(tmp_path / "in", {"alpha": BATCH_TEXTS["alpha"]})
    result = CliRunner().invoke(
        app, ["summarize", str(folder), "--mode", "json_schema"], env=auto_env
    )
    assert result.exit_code == 1
    assert len(scripted_server.requests) == 1
    line = next(ln for ln in result.stderr.splitlines() if "alpha:" in ln)
    assert "rejected the request of mode json_schema (HTTP 500)" in line
    assert "eventbrief endpoint check" in line
