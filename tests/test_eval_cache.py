"""`eventbrief eval` and the extraction cache: an unchanged re-run of the openai backend pays no
request and scores the same, cached articles report no latency, --no-cache asks again, and the
offline backend is never cached (the gate scores the rules as they are now)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventbrief.articles import load_article
from eventbrief.backends.offline import OfflineBackend
from eventbrief.cache import CacheCounts, CachingBackend, ExtractionCache
from eventbrief.chunking import ChunkingBackend
from eventbrief.cli import app
from eventbrief.pipeline import run_articles
from eventbrief.timing import TimedBackend
from scoring_records import GOLDS, TEXTS, to_extraction, write_dataset
from scripted_server import RecordedRequest, Reply, ScriptedServer, tool_call_reply

runner = CliRunner()
EVALS = Path(__file__).resolve().parent.parent / "evals"


def _router(golds: dict[str, Any]) -> Any:
    """Answer each request with the gold extraction of the article whose text it carries."""
    answers = {TEXTS[aid].splitlines()[1][:40]: to_extraction(g) for aid, g in golds.items()}

    def route(request: RecordedRequest) -> Reply:
        sent = json.dumps(request.messages, ensure_ascii=False)
        for marker, extraction in answers.items():
            if marker in sent:
                return tool_call_reply(extraction, usage=(1000, 200))
        return Reply(status=400, body={"error": {"message": "unknown article"}})

    return route


@pytest.fixture
def live(tmp_path: Path, scripted_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run `eval --backend openai` over a two-article dataset against the scripted server."""
    monkeypatch.setenv("EVENTBRIEF_API_KEY", "sk-scripted-test")
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EVENTBRIEF_NO_CACHE", raising=False)
    data = write_dataset(tmp_path / "dataset")
    scripted_server.router = _router({k: f() for k, f in GOLDS.items()})

    def run(*extra: str) -> tuple[Any, dict[str, Any]]:
        result = runner.invoke(
            app,
            [
                "eval", "--dataset", str(data), "--backend", "openai",
                "--base-url", scripted_server.base_url, "--model", "scripted-model",
                "--report", "-", *extra,
            ],
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        return result, json.loads(result.stdout)

    return run


def _scores(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what differs between a fresh and a cached run of the same answers."""
    per_article = {
        aid: {k: v for k, v in art.items() if k not in ("latency_s", "cached")}
        for aid, art in report["per_article"].items()
    }
    overall = {k: v for k, v in report["overall"].items() if k != "latency_s"}
    return {"overall": overall, "per_article": per_article}


def test_a_rerun_pays_no_request_and_scores_the_same(
    live: Any, scripted_server: ScriptedServer
) -> None:
    n = len(GOLDS)
    first, fresh = live()
    assert len(scripted_server.requests) == n
    assert fresh["run"]["cache_hits"] == 0
    assert fresh["run"]["usage"]["requests"] == n
    assert fresh["run"]["usage"]["prompt_tokens"] == 1000 * n
    for art in fresh["per_article"].values():
        assert art["cached"] is False
        assert art["latency_s"] is not None and art["latency_s"] > 0
    assert fresh["overall"]["latency_s"] > 0
    assert f"{n} of {n} articles summarized, 0 failed; {n} requests, 0 cache hits" in first.stderr
    assert f"(this run: {n} requests, 0 cache hits)" in first.stderr

    second, cached = live()
    assert len(scripted_server.requests) == n  # not one more
    assert _scores(cached) == _scores(fresh)
    assert cached["overall"]["events"]["f1"] == 1.0
    assert cached["run"]["cache_hits"] == n
    assert cached["run"]["usage"]["requests"] == 0
    assert cached["run"]["usage"]["prompt_tokens"] == 0
    for art in cached["per_article"].values():
        assert art["cached"] is True
        assert art["latency_s"] is None
    assert cached["overall"]["latency_s"] is None
    assert f"{n} of {n} articles summarized, 0 failed; 0 requests, {n} cache hits" in second.stderr
    assert "ok (cached)" in second.stderr
    assert "cached" in second.stderr.split("latency", 1)[1]  # the table's latency column

    third, again = live("--no-cache")
    assert len(scripted_server.requests) == 2 * n
    assert _scores(again) == _scores(fresh)
    assert again["run"]["cache_hits"] == 0
    assert again["run"]["usage"]["requests"] == n
    assert all(a["cached"] is False and a["latency_s"] > 0 for a in again["per_article"].values())
    assert f"{n} requests, 0 cache hits" in third.stderr


def test_only_the_articles_not_yet_cached_are_asked_for(
    live: Any, scripted_server: ScriptedServer, tmp_path: Path
) -> None:
    live()
    (tmp_path / "dataset" / "articles" / "b.txt").write_text(
        TEXTS["b"] + "\nA line added later.\n", encoding="utf-8"
    )
    _, report = live()
    assert len(scripted_server.requests) == len(GOLDS) + 1
    assert report["run"]["cache_hits"] == len(GOLDS) - 1
    assert report["per_article"]["a"]["cached"] is True
    assert report["per_article"]["a"]["latency_s"] is None
    assert report["per_article"]["b"]["cached"] is False
    assert report["per_article"]["b"]["latency_s"] > 0
    assert report["overall"]["latency_s"] == report["per_article"]["b"]["latency_s"]


def test_the_offline_backend_is_never_cached_and_the_gate_still_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(cache_dir))
    monkeypatch.delenv("EVENTBRIEF_NO_CACHE", raising=False)
    for _ in range(2):
        result = runner.invoke(
            app,
            [
                "eval", "--dataset", str(EVALS), "--backend", "offline", "--report", "-",
                "--baseline", str(EVALS / "baseline.json"), "--require-baseline",
            ],
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert "at or above baseline 'offline'" in result.stderr
        report = json.loads(result.stdout)
        assert report["run"]["cache_hits"] == 0
        assert all(a["latency_s"] > 0 for a in report["per_article"].values())
        assert "5 of 5 articles summarized, 0 failed; 0 requests, 0 cache hits" in result.stderr
    assert not cache_dir.exists() or not os.listdir(cache_dir)


def test_a_chunked_article_is_timed_under_its_own_id_and_cached_chunk_by_chunk(
    tmp_path: Path,
) -> None:
    article = load_article(next(iter(sorted((EVALS / "articles").glob("*.txt")))))
    timed = TimedBackend(OfflineBackend())
    counts = CacheCounts()
    with ExtractionCache(tmp_path) as cache:
        chunking = ChunkingBackend(CachingBackend(timed, cache, counts), max_chars=800)
        assert len(chunking.chunk_articles(article)) > 1
        backend = chunking  # the pipeline names the article in flight for the timer

        first = asyncio.run(run_articles([article], backend))
        assert first[0].ok, first[0].error
        assert list(timed.seconds) == [article.meta.id]
        assert timed.seconds[article.meta.id] > 0

        timed.seconds.clear()
        again = asyncio.run(run_articles([article], backend))
        assert again[0].ok
        assert timed.seconds == {}  # every chunk came from the cache: no latency to report
        assert counts.hits == counts.misses == len(chunking.chunk_articles(article))
