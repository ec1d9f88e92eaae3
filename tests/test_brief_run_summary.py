"""What `eventbrief brief` says while it summarizes article files: the run summary line on
stderr (articles, requests, cache hits, tokens), one line per failure, and silence with --quiet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from brief_helpers import scenario
from eventbrief.cli.app import app
from eventbrief.models import Brief
from scripted_server import RecordedRequest, ScriptedServer, tool_call_reply

runner = CliRunner()
SEEDS = Path(__file__).resolve().parent.parent / "evals" / "articles"


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("EVENTBRIEF_NO_CACHE", "EVENTBRIEF_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_the_summary_line_counts_articles_and_cache_hits(offline: Path) -> None:
    out = offline / "brief.json"
    args = ["brief", str(SEEDS), "--backend", "offline", "-o", str(out)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "eventbrief: backend offline" in first.stderr
    assert (
        "eventbrief: 5 of 5 articles summarized, 0 failed; 0 requests, 0 cache hits, "
        "0 prompt + 0 completion tokens" in first.stderr
    )
    assert "brief: 5 articles" in first.stderr
    assert len(Brief.model_validate_json(out.read_text(encoding="utf-8")).articles) == 5

    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "5 of 5 articles summarized, 0 failed; 0 requests, 5 cache hits" in second.stderr

    fresh = runner.invoke(app, [*args, "--no-cache"])
    assert "5 of 5 articles summarized, 0 failed; 0 requests, 0 cache hits" in fresh.stderr


def test_quiet_says_nothing_but_the_brief_is_written(offline: Path) -> None:
    # dated, so that no seed is undated: --quiet still says why an article holds less
    args = ["brief", str(SEEDS), "--backend", "offline", "--quiet", "--published", "2025-06-17"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert len(Brief.model_validate_json(result.stdout).articles) == 5


def test_summaries_in_need_no_run_summary(tmp_path: Path) -> None:
    folder = tmp_path / "summaries"
    folder.mkdir()
    for aid, (summary, _) in scenario().items():
        (folder / f"{aid}.json").write_text(summary.model_dump_json(), encoding="utf-8")
    result = runner.invoke(app, ["brief", str(folder)])
    assert result.exit_code == 0, result.output
    assert "articles summarized" not in result.stderr
    assert "brief: 3 articles" in result.stderr


def _extraction(summary: Any) -> dict[str, Any]:
    data = summary.model_dump(
        mode="json", include={"summary", "key_takeaways", "events", "entities"}
    )
    for part in (*data["events"], *data["key_takeaways"]):
        part["evidence"] = [{"quote": ev["quote"]} for ev in part["evidence"]]
    return data


@pytest.mark.parametrize("quiet", [False, True])
def test_requests_tokens_and_failures_through_the_openai_backend(
    scripted_server: ScriptedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    quiet: bool,
) -> None:
    for name in ("OPENAI_API_KEY", "EVENTBRIEF_API_KEY", "EVENTBRIEF_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(tmp_path / "cache"))
    story = scenario()
    articles = tmp_path / "articles"
    articles.mkdir()
    for aid, (_, text) in story.items():
        (articles / f"{aid}.txt").write_text(text, encoding="utf-8")
    (articles / "empty.txt").write_text("", encoding="utf-8")

    def route(request: RecordedRequest) -> Any:
        user = request.messages[-1]["content"]
        aid = next(k for k, (_, text) in story.items() if text in user)
        return tool_call_reply(_extraction(story[aid][0]), usage=(300, 40))

    scripted_server.router = route
    result = runner.invoke(
        app,
        ["brief", str(articles), "--base-url", scripted_server.base_url, "--model", "m",
         "--published", "2026-05-20", *(["-q"] if quiet else [])],
    )  # fmt: skip
    assert result.exit_code == 1
    assert len(scripted_server.requests) == 3
    assert result.stderr.count("empty.txt: empty file") == 1
    line = (
        "eventbrief: 3 of 4 articles summarized, 1 failed; 3 requests, 0 cache hits, "
        "900 prompt + 120 completion tokens"
    )
    if quiet:
        assert "articles summarized" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1  # the failure, nothing else
    else:
        assert line in result.stderr
    assert len(Brief.model_validate_json(result.stdout).articles) == 3
