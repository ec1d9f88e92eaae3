"""The extraction cache: keys, persistence, several processes, secrets, resuming a run."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventbrief.backends.base import ExtractionResult
from eventbrief.cache import (
    CACHE_FILE,
    CachingBackend,
    ExtractionCache,
    cache_key,
    default_cache_dir,
    safe_identity,
)
from eventbrief.cli import app
from eventbrief.models import Usage
from scale_helpers import CountingBackend, article_in_prompt, make_article, make_extraction
from scripted_server import RecordedRequest, Reply, ScriptedServer, error_reply, tool_call_reply

IDENTITY = {"backend": "openai", "model": "gpt-x", "mode": "tools", "prompt_version": "3"}


def _result(text: str) -> ExtractionResult:
    return ExtractionResult(
        make_extraction(text),
        "gpt-x",
        "3",
        Usage(prompt_tokens=10, completion_tokens=5, requests=2, cost_usd=0.5),
    )


def test_put_then_get_returns_the_same_extraction(tmp_path: Path) -> None:
    article = make_article("a1")
    with ExtractionCache(tmp_path) as cache:
        assert cache.get(IDENTITY, article.meta) is None
        cache.put(IDENTITY, article.meta, _result(article.text))
    with ExtractionCache(tmp_path) as reopened:
        got = reopened.get(IDENTITY, article.meta)
    assert got is not None
    assert got.extraction == make_extraction(article.text)
    assert (got.model, got.prompt_version) == ("gpt-x", "3")
    # usage is kept without a price: cost is computed from the current price table
    assert got.usage == Usage(prompt_tokens=10, completion_tokens=5, requests=2)


@pytest.mark.parametrize(
    "change",
    ["model", "mode", "prompt_version", "schema_hash", "backend", "text", "published"],
)
def test_every_part_of_the_key_matters(tmp_path: Path, change: str) -> None:
    article = make_article("a1")
    cache = ExtractionCache(tmp_path)
    cache.put(IDENTITY, article.meta, _result(article.text))
    identity = dict(IDENTITY)
    other = article
    if change == "text":
        other = make_article("a1", text=article.text + " More.")
    elif change == "published":
        other = make_article("a1", published=dt.date(2025, 6, 18))
    else:
        identity[change] = "changed"
    assert cache.get(identity, other.meta) is None
    assert cache.get(IDENTITY, article.meta) is not None


def test_key_ignores_order_and_secret_fields() -> None:
    meta = make_article("a1").meta
    reordered = dict(reversed(list(IDENTITY.items())))
    assert cache_key(IDENTITY, meta) == cache_key(reordered, meta)
    assert cache_key(IDENTITY, meta) == cache_key({**IDENTITY, "api_key": "sk-x"}, meta)


def test_secrets_never_reach_the_file(tmp_path: Path) -> None:
    article = make_article("a1")
    identity = {
        **IDENTITY,
        "api_key": "sk-SECRET-1",
        "authorization_header": "Bearer sk-SECRET-2",
        "base_url": "https://user:sk-SECRET-3@example.test/v1",
    }
    assert safe_identity(identity)["base_url"] == "https://example.test/v1"
    cache = ExtractionCache(tmp_path)
    cache.put(identity, article.meta, _result(article.text))
    cache.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"SECRET" not in raw
    assert b"Bearer" not in raw


def test_a_row_that_no_longer_validates_is_a_miss(tmp_path: Path) -> None:
    article = make_article("a1")
    cache = ExtractionCache(tmp_path)
    cache.put(IDENTITY, article.meta, _result(article.text))
    with sqlite3.connect(tmp_path / CACHE_FILE) as conn:
        conn.execute("UPDATE extractions SET extraction = '{\"summary\": 1}'")
    assert cache.get(IDENTITY, article.meta) is None
    assert cache.stats().entries == 0


def test_stats_and_clear(tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "nested")
    assert cache.stats().entries == 0
    for n in range(3):
        article = make_article(f"a{n}")
        cache.put(IDENTITY, article.meta, _result(article.text))
    stats = cache.stats()
    assert stats.entries == 3
    assert stats.by_model == {"openai/gpt-x": 3}
    assert stats.size_bytes > 0
    assert cache.clear() == 3
    assert cache.stats().entries == 0


def test_location_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    assert ExtractionCache().path == tmp_path / "c" / CACHE_FILE
    monkeypatch.delenv("EVENTBRIEF_CACHE_DIR")
    assert "eventbrief" in str(default_cache_dir())


def test_wal_mode_is_on(tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path)
    article = make_article("a1")
    cache.put(IDENTITY, article.meta, _result(article.text))
    with sqlite3.connect(tmp_path / CACHE_FILE) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _writer(directory: str, worker: int, count: int) -> None:
    cache = ExtractionCache(Path(directory))
    for n in range(count):
        article = make_article(f"w{worker}-{n}")
        cache.put(IDENTITY, article.meta, _result(article.text))
        assert cache.get(IDENTITY, article.meta) is not None
    cache.close()


def test_several_processes_write_at_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")  # each child opens its own connection
    workers = [ctx.Process(target=_writer, args=(str(tmp_path), w, 150)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    assert ExtractionCache(tmp_path).stats().entries == 600


async def _run_all(backend: CachingBackend, articles: list) -> list:
    return await asyncio.gather(*(backend.extract(a) for a in articles), return_exceptions=True)


def test_unchanged_rerun_makes_no_request(tmp_path: Path) -> None:
    articles = [make_article(f"a{n}") for n in range(5)]
    first = CachingBackend(CountingBackend(), ExtractionCache(tmp_path))
    asyncio.run(_run_all(first, articles))
    assert len(first.inner.calls) == 5
    assert (first.counts.hits, first.counts.misses) == (0, 5)
    assert first.counts.usage.requests == 5

    again = CachingBackend(CountingBackend(), ExtractionCache(tmp_path))
    results = asyncio.run(_run_all(again, articles))
    assert again.inner.calls == []
    assert (again.counts.hits, again.counts.misses) == (5, 0)
    assert again.counts.usage == Usage()
    assert [r.extraction for r in results] == [make_extraction(a.text) for a in articles]


def test_interrupted_run_resumes_with_only_the_missing_articles(tmp_path: Path) -> None:
    articles = [make_article(f"a{n}") for n in range(6)]
    broken = CachingBackend(CountingBackend(fail_ids={"a3", "a4", "a5"}), ExtractionCache(tmp_path))
    results = asyncio.run(_run_all(broken, articles))
    assert [isinstance(r, Exception) for r in results] == [False] * 3 + [True] * 3

    resumed = CachingBackend(CountingBackend(), ExtractionCache(tmp_path))
    asyncio.run(_run_all(resumed, articles))
    assert sorted(resumed.inner.calls) == ["a3", "a4", "a5"]
    assert resumed.counts.hits == 3


def test_without_a_cache_it_only_counts(tmp_path: Path) -> None:
    articles = [make_article("a1"), make_article("a1")]
    backend = CachingBackend(CountingBackend(), None)
    asyncio.run(_run_all(backend, articles))
    assert backend.inner.calls == ["a1", "a1"]
    assert backend.counts.usage.prompt_tokens == 2000
    assert backend.identity() == backend.inner.identity()


def test_cache_commands(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(tmp_path))
    cache = ExtractionCache()
    for n in range(2):
        article = make_article(f"a{n}")
        cache.put(IDENTITY, article.meta, _result(article.text))
    cache.close()
    runner = CliRunner()
    shown = runner.invoke(app, ["cache", "stats", "--json"])
    assert shown.exit_code == 0
    numbers = json.loads(shown.stdout)
    assert numbers["entries"] == 2
    assert numbers["path"] == str(tmp_path / CACHE_FILE)
    assert numbers["by_model"] == {"openai/gpt-x": 2}
    cleared = runner.invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0
    assert "removed 2" in cleared.stderr
    assert cleared.stdout == ""
    assert json.loads(runner.invoke(app, ["cache", "stats", "--json"]).stdout)["entries"] == 0


def _chat_requests(server: ScriptedServer) -> list[str]:
    """The article text of every complete chat request the server received, in order (a client
    killed mid-send leaves a request without a parseable body: it asked for nothing)."""
    return [
        article_in_prompt(r.messages)
        for r in server.requests
        if r.path.endswith("/completions") and r.messages
    ]


def test_cli_reruns_answer_from_the_cache_and_resume_after_failures(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    texts = {
        f"n{n}": f"Delegation {n} arrived in Oslo on Monday. Talks followed." for n in range(4)
    }
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    failing = {texts["n2"], texts["n3"]}

    def router(request: RecordedRequest) -> Reply:
        text = article_in_prompt(request.messages)
        if text in failing:
            return error_reply(400, "the run was cut short here")
        return tool_call_reply(make_extraction(text).model_dump(), usage=(700, 90))

    scripted_server.router = router
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-cache-run")
    monkeypatch.setenv("EVENTBRIEF_MODEL", "gpt-4o-mini")
    monkeypatch.delenv("EVENTBRIEF_NO_CACHE", raising=False)
    args = ["summarize", str(folder), "--base-url", scripted_server.base_url, "--format", "jsonl"]
    args += ["--published", "2025-06-02"]  # "on Monday" resolves: no notice on stderr
    runner = CliRunner()

    first = runner.invoke(app, args)
    assert first.exit_code == 1
    assert sorted(_chat_requests(scripted_server)) == sorted(texts.values())
    # the two refused requests count as requests (with no tokens reported by the server)
    assert "2 of 4 articles summarized, 2 failed; 4 requests, 0 cache hits" in first.stderr
    assert "1,400 prompt + 180 completion tokens" in first.stderr

    failing.clear()
    scripted_server.requests.clear()
    resumed = runner.invoke(app, args)
    assert resumed.exit_code == 0, resumed.stderr
    assert sorted(_chat_requests(scripted_server)) == sorted([texts["n2"], texts["n3"]])
    assert "4 of 4 articles summarized, 0 failed; 2 requests, 2 cache hits" in resumed.stderr

    scripted_server.requests.clear()
    again = runner.invoke(app, args)
    assert again.exit_code == 0
    assert _chat_requests(scripted_server) == []
    assert "0 requests, 4 cache hits" in again.stderr and "$0.0000" in again.stderr
    first_run = [json.loads(line) for line in resumed.stdout.splitlines()]
    cached_run = [json.loads(line) for line in again.stdout.splitlines()]
    for record in first_run + cached_run:
        record["provenance"].pop("created_at")
    assert cached_run == first_run
    usage = cached_run[0]["provenance"]["usage"]
    assert usage["prompt_tokens"] == 700 and usage["cost_usd"] > 0

    bypass = runner.invoke(app, [*args, "--no-cache", "--quiet"])
    assert bypass.exit_code == 0
    assert len(_chat_requests(scripted_server)) == 4
    assert bypass.stderr == ""


def test_a_run_stopped_with_ctrl_c_resumes_with_only_the_missing_articles(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    """A real interruption: SIGINT to the CLI process half way through a run."""
    folder = tmp_path / "news"
    folder.mkdir()
    texts = [f"Mission {n} landed in Quito on Friday. Talks began." for n in range(12)]
    for n, text in enumerate(texts):
        (folder / f"m{n}.txt").write_text(text, encoding="utf-8")
    scripted_server.latency = 0.3

    def router(request: RecordedRequest) -> Reply:
        if not request.messages:
            return error_reply(400, "incomplete request")
        return tool_call_reply(make_extraction(article_in_prompt(request.messages)).model_dump())

    scripted_server.router = router
    env = {
        **os.environ,
        "EVENTBRIEF_CACHE_DIR": str(tmp_path / "cache"),
        "OPENAI_API_KEY": "sk-test-interrupt",
        "EVENTBRIEF_MODEL": "gpt-4o-mini",
    }
    command = [
        sys.executable,
        "-c",
        "from eventbrief.cli import main; main()",
        "summarize",
        str(folder),
        "--concurrency",
        "2",
        "--base-url",
        scripted_server.base_url,
        "-o",
        str(tmp_path / "out.jsonl"),
    ]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while len(_chat_requests(scripted_server)) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)
    assert process.returncode != 0
    sent_first = _chat_requests(scripted_server)
    assert 4 <= len(sent_first) < len(texts)
    stored = ExtractionCache(tmp_path / "cache").stats().entries
    assert 1 <= stored < len(texts)

    scripted_server.latency = 0
    scripted_server.requests.clear()
    for name in ("EVENTBRIEF_CACHE_DIR", "OPENAI_API_KEY", "EVENTBRIEF_MODEL"):
        monkeypatch.setenv(name, env[name])
    rerun = CliRunner().invoke(app, command[3:])
    assert rerun.exit_code == 0, rerun.stderr
    sent_again = _chat_requests(scripted_server)
    assert len(sent_again) == len(texts) - stored
    hits = "1 cache hit," if stored == 1 else f"{stored} cache hits,"
    assert hits in rerun.stderr


@pytest.mark.parametrize("problem", ["a file where the folder should be", "not a database"])
def test_an_unusable_cache_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, problem: str
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Envoys met in Oslo on Monday.", encoding="utf-8")
    if problem == "not a database":
        (tmp_path / "cache").mkdir()
        (tmp_path / "cache" / CACHE_FILE).write_bytes(b"this is not sqlite" * 100)
    else:
        (tmp_path / "cache").write_text("a file")
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-unusable-cache")
    result = CliRunner().invoke(
        app, ["summarize", str(article), "--base-url", "http://127.0.0.1:9/v1"]
    )
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if "cannot use the cache" in line]
    assert len(errors) == 1
    assert str(tmp_path / "cache") in errors[0] and "--no-cache" in errors[0]
    assert "sk-test" not in result.stderr


class _BrokenCache(ExtractionCache):
    def put(self, *args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")


def test_a_cache_that_fails_mid_run_loses_no_article(tmp_path: Path) -> None:
    backend = CachingBackend(CountingBackend(), _BrokenCache(tmp_path))
    results = asyncio.run(_run_all(backend, [make_article("a1"), make_article("a2")]))
    assert all(isinstance(r, ExtractionResult) for r in results)
    assert backend.counts.cache_errors == 2
    assert backend.counts.misses == 2


def test_cache_commands_on_a_broken_file_say_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / CACHE_FILE).write_bytes(b"not a database at all" * 50)
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(tmp_path))
    for command in (["cache", "stats"], ["cache", "clear"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1
        assert str(tmp_path / CACHE_FILE) in result.stderr
