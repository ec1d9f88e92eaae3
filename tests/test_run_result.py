"""One run result: the pipeline's `run` gives summarize, brief and eval the outcomes with their
loaded articles, what the run paid, its cache hits and timings; articles are loaded once."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import click
import pytest
from typer.testing import CliRunner

import eventbrief.articles
from eventbrief.cli.app import app
from eventbrief.cli.options import BACKEND_OPTIONS
from eventbrief.config import Settings
from eventbrief.pipeline import RunResult, article_jobs, run, source_jobs
from test_pipeline import TEXT, ScriptedBackend, make_article

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "evals" / "articles" / "004_2ad1f6fdf5f1c408.txt"
PAGE = """<html><head><title>Envoy arrives for talks</title>
<meta property="article:published_time" content="2025-06-04"></head>
<body><article><h1>Envoy arrives for talks</h1>
<p>The envoy arrived in Hanoi on Monday for talks with the minister of foreign affairs.</p>
<p>Officials said a joint statement on the new trade agreement was expected on Wednesday.</p>
</article></body></html>
"""


def test_run_returns_outcomes_with_their_articles_usage_and_timings(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT + "FAIL\n", encoding="utf-8")
    settings = Settings.resolve(env={}, config={}, backend="offline")
    jobs = source_jobs([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    result = run(jobs, settings, backend=ScriptedBackend())
    assert isinstance(result, RunResult)
    ok, failed = result.outcomes
    assert ok.article is not None and ok.text == TEXT
    assert ok.seconds is not None and ok.seconds > 0
    assert not ok.cached
    assert failed.article is None and failed.error is not None
    assert (result.failed, result.partial) == (1, 0)
    assert result.backend == "scripted"
    assert result.identity["model"] == "scripted-1"
    assert result.seconds > 0


def test_a_second_run_is_answered_by_the_cache_and_untimed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.resolve(env={}, config={}, backend="offline", cache_dir=tmp_path / "c")
    articles = [make_article(TEXT, "a1"), make_article(TEXT.replace("Monday", "Friday"), "a2")]
    first = run(article_jobs(articles), settings)
    assert [o.cached for o in first.outcomes] == [False, False]
    assert (first.counts.hits, first.counts.misses) == (0, 2)
    second = run(article_jobs(articles), settings)
    assert [(o.cached, o.seconds) for o in second.outcomes] == [(True, None), (True, None)]
    assert second.counts.hits == 2
    assert (tmp_path / "c").is_dir()  # the cache lives where the settings say


def test_brief_loads_each_article_once_and_writes_atomically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("one", "two"):
        (tmp_path / f"{name}.html").write_text(PAGE.replace("Hanoi", name), encoding="utf-8")
    calls: list[str] = []
    real = eventbrief.articles._from_html

    def counted(name: str, html: str):  # type: ignore[no-untyped-def]
        calls.append(name)
        return real(name, html)

    monkeypatch.setattr(eventbrief.articles, "_from_html", counted)
    out = tmp_path / "brief.html"
    result = CliRunner().invoke(
        app, ["brief", str(tmp_path / "*.html"), "--backend", "offline", "-o", str(out), "-q"]
    )
    assert result.exit_code == 0, result.stderr
    assert len(calls) == 2  # trafilatura ran once per article, not again for the page
    assert "Envoy" in out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    from eventbrief.output import current_umask

    return current_umask()


@pytest.mark.parametrize("command", ["summarize", "brief", "eval"])
def test_a_configuration_error_is_one_line_and_exit_2_in_every_command(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTBRIEF_CHUNK_CHARS", "lots")
    given = ["--dataset", str(ROOT / "evals")] if command == "eval" else [str(ARTICLE)]
    result = CliRunner().invoke(app, [command, *given, "--backend", "offline"])
    assert result.exit_code == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if "EVENTBRIEF_CHUNK_CHARS" in line]
    assert len(lines) == 1
    assert lines[0].startswith("eventbrief: EVENTBRIEF_CHUNK_CHARS: ")
    assert result.stdout == ""


def test_the_backend_options_are_declared_once_for_the_three_commands() -> None:
    import typer.main

    group = typer.main.get_command(app)
    context = click.Context(group)

    def options(command: str) -> list[str]:
        found = group.get_command(context, command)  # type: ignore[attr-defined]
        return [p.name for p in found.params if p.name in BACKEND_OPTIONS]

    assert options("summarize") == list(BACKEND_OPTIONS)
    assert options("eval") == list(BACKEND_OPTIONS)
    assert options("brief") == [name for name in BACKEND_OPTIONS if name != "mode"]


def test_eval_with_predictions_names_the_backend_flags_it_ignores(tmp_path: Path) -> None:
    gold = ROOT / "evals" / "gold"
    result = CliRunner().invoke(
        app,
        ["eval", "--predictions", str(gold), "--model", "m", "--no-stream", "--strict",
         "--report", "-", "--resamples", "0"],
    )  # fmt: skip
    assert "--predictions runs no backend; ignoring --model, --no-stream, --strict" in (
        result.stderr
    )
    assert json.loads(result.stdout)["run"]["identity"] == {"predictions": str(gold)}
