"""Concurrency of the store: 8 processes writing one cache at once lose nothing and corrupt
nothing, through the cache's API and through 8 `eventbrief summarize` runs sharing a cache."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from eventbrief.backends.base import ExtractionResult
from eventbrief.cache import CACHE_FILE, ExtractionCache
from eventbrief.models import ArticleExtraction, ArticleMeta, ArticleSummary, Usage
from reliability_support import chat_requests, extraction_for, first_user_message
from scripted_server import ScriptedServer, tool_call_reply

WORKERS = 8
OWN_ROWS = 60
SHARED_ROWS = 20
IDENTITY = {"backend": "openai", "model": "scripted-model", "mode": "tools", "prompt_version": "t"}
EVENTBRIEF = Path(sys.executable).with_name("eventbrief")
# Whole `eventbrief` processes cost a second or two each on a 2-core machine: fewer of them.
CLI_RUNS = 4


def _meta(name: str) -> ArticleMeta:
    return ArticleMeta(id=name, sha256=hashlib.sha256(name.encode()).hexdigest())


def _result(writer: int, name: str) -> ExtractionResult:
    text = f"Officials met in Oslo [{name}] on Tuesday.\nThey agreed to meet again.\n"
    extraction = extraction_for(text, summary=f"written by worker {writer} for {name}")
    return ExtractionResult(
        extraction=ArticleExtraction.model_validate(extraction),
        model="scripted-model",
        prompt_version="t",
        usage=Usage(prompt_tokens=writer, completion_tokens=1, requests=1),
    )


def _writer(folder: str, writer: int, barrier: Any, failures: Any) -> None:
    """Write own rows and shared rows, interleaved; read each own row straight back."""
    cache = ExtractionCache(Path(folder))
    barrier.wait()
    try:
        for i in range(max(OWN_ROWS, SHARED_ROWS)):
            if i < OWN_ROWS:
                name = f"own-{writer}-{i}"
                cache.put(IDENTITY, _meta(name), _result(writer, name))
                back = cache.get(IDENTITY, _meta(name))
                wrote = f"written by worker {writer} for {name}"
                if back is None or back.extraction.summary != wrote:
                    failures.put(f"worker {writer}: {name} not read back")
            if i < SHARED_ROWS:
                name = f"shared-{i}"
                cache.put(IDENTITY, _meta(name), _result(writer, name))
    except Exception as exc:
        failures.put(f"worker {writer}: {type(exc).__name__}: {exc}")
    finally:
        cache.close()


def test_eight_processes_write_one_cache_at_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(WORKERS)
    failures = ctx.Queue()
    workers = [
        ctx.Process(target=_writer, args=(str(tmp_path), w, barrier, failures))
        for w in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    problems = []
    while not failures.empty():
        problems.append(failures.get())
    assert problems == []
    assert [w.exitcode for w in workers] == [0] * WORKERS

    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM extractions").fetchone() == (
            WORKERS * OWN_ROWS + SHARED_ROWS,
        )
    with ExtractionCache(tmp_path) as cache:
        for w in range(WORKERS):
            for i in range(OWN_ROWS):
                name = f"own-{w}-{i}"
                got = cache.get(IDENTITY, _meta(name))
                assert got is not None, name
                assert got.extraction.summary == f"written by worker {w} for {name}"
                assert got.usage is not None and got.usage.prompt_tokens == w
        for i in range(SHARED_ROWS):
            got = cache.get(IDENTITY, _meta(f"shared-{i}"))
            assert got is not None
            writer = got.usage.prompt_tokens if got.usage else -1
            assert got.extraction.summary == f"written by worker {writer} for shared-{i}"


def test_cli_runs_at_once_share_one_cache(scripted_server: ScriptedServer, tmp_path: Path) -> None:
    """`eventbrief summarize` processes at once, each with its own articles and all with the
    same shared ones, one cache. Afterwards one run over everything makes no request at all."""
    texts: dict[str, str] = {}
    folders = []
    for w in range(CLI_RUNS):
        folder = tmp_path / f"in-{w}"
        folder.mkdir()
        names = [f"own-{w}-{i}" for i in range(2)] + [f"shared-{i}" for i in range(2)]
        for name in names:
            text = f"Ministers met in Oslo [{name}] on Tuesday.\nThey agreed to meet again.\n"
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
            texts[name] = text
        folders.append(folder)

    def route(request: Any) -> Any:
        user = first_user_message(request)
        name = next((n for n in texts if f"[{n}]" in user), None)
        return tool_call_reply(extraction_for(texts[name] if name else "unknown"))

    scripted_server.router = route
    scripted_server.latency = 0.05
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "EVENTBRIEF_"))},
        "HOME": str(tmp_path / "home"),
        "EVENTBRIEF_CACHE_DIR": str(tmp_path / "cache"),
        "EVENTBRIEF_BACKEND": "openai",
        "EVENTBRIEF_BASE_URL": scripted_server.base_url,
        "EVENTBRIEF_API_KEY": "test-key",
        "EVENTBRIEF_MODEL": "scripted-model",
        "EVENTBRIEF_MODE": "tools",
    }
    runs = [
        subprocess.Popen(
            [str(EVENTBRIEF), "summarize", str(folder), "-o", f"{tmp_path / f'out-{w}'}/"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w, folder in enumerate(folders)
    ]
    for process in runs:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    for w in range(CLI_RUNS):
        for path in (tmp_path / f"out-{w}").iterdir():
            summary = ArticleSummary.model_validate_json(path.read_text(encoding="utf-8"))
            assert f"[{summary.article.id}]" in texts[summary.article.id]

    with sqlite3.connect(tmp_path / "cache" / CACHE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM extractions").fetchone() == (len(texts),)

    scripted_server.requests.clear()
    everything = subprocess.run(
        [str(EVENTBRIEF), "summarize", *map(str, folders), "-o", f"{tmp_path / 'all'}/"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert everything.returncode == 0, everything.stderr
    assert chat_requests(scripted_server.requests) == []
    assert len(list((tmp_path / "all").glob("*.json"))) == sum(
        len(list(folder.iterdir())) for folder in folders
    )
