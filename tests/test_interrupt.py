"""Interruption: SIGINT or SIGTERM in the middle of a batch leaves only complete, valid output
files, and running the same command again finishes the rest without repeating a finished
request. The installed `eventbrief` script runs as a real process against a slow scripted server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from eventbrief.models import ArticleSummary
from reliability_support import chat_requests, extraction_for, first_user_message, no_traceback
from scripted_server import ScriptedServer, tool_call_reply

ARTICLES = 12
LATENCY = 0.5
EVENTBRIEF = Path(sys.executable).with_name("eventbrief")


def _texts(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True)
    texts = {}
    for i in range(ARTICLES):
        article_id = f"story-{i:02d}"
        text = (
            f"Harbour talks resume [{article_id}]\n\n"
            f"Tallinn, June 17 (Port Wire) Port officials met on Tuesday for talks [{article_id}], "
            "a spokesperson said.\nThey agreed to meet again next month.\n"
        )
        (folder / f"{article_id}.txt").write_text(text, encoding="utf-8")
        texts[article_id] = text
    return texts


def _which(request: Any, texts: dict[str, str]) -> str:
    user = first_user_message(request)
    return next((a for a in texts if f"[{a}]" in user), "(none)")


def _env(server: ScriptedServer, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "EVENTBRIEF_CACHE_DIR": str(tmp_path / "cache"),
        "EVENTBRIEF_BACKEND": "openai",
        "EVENTBRIEF_BASE_URL": server.base_url,
        "EVENTBRIEF_API_KEY": "test-key",
        "EVENTBRIEF_MODEL": "scripted-model",
        "EVENTBRIEF_TIMEOUT": "10",
        "EVENTBRIEF_NO_CACHE": "",
    }


def _command(tmp_path: Path) -> list[str]:
    return [
        str(EVENTBRIEF),
        "summarize",
        str(tmp_path / "in"),
        "-o",
        f"{tmp_path / 'out'}/",
        "--concurrency",
        "2",
    ]


def _default_sigint() -> None:
    """A shell may start background jobs with SIGINT ignored; Python then keeps ignoring it.
    Give the child the default disposition so it sees the interrupt as a user would send it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _check_outputs(out: Path, texts: dict[str, str]) -> set[str]:
    """Every file in `out` is a complete, valid summary of the article it is named for."""
    finished = set()
    for path in out.iterdir():
        assert path.suffix == ".json" and path.stem in texts, f"stray file {path.name}"
        summary = ArticleSummary.model_validate_json(path.read_text(encoding="utf-8"))
        assert summary.article.id == path.stem
        assert summary.summary == extraction_for(texts[path.stem])["summary"]
        assert summary.provenance.grounding_rate == 1.0
        finished.add(path.stem)
    return finished


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_batch_keeps_whole_files_and_resumes_without_repeats(
    scripted_server: ScriptedServer, tmp_path: Path, signum: int
) -> None:
    texts = _texts(tmp_path / "in")
    scripted_server.latency = LATENCY
    scripted_server.router = lambda request: tool_call_reply(
        extraction_for(texts.get(_which(request, texts), "no article in this request"))
    )
    out = tmp_path / "out"
    env = _env(scripted_server, tmp_path)

    process = subprocess.Popen(
        _command(tmp_path),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.json"))) < 2:
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode in (128 + signum, -signum), (process.returncode, stderr)
    assert no_traceback(stdout, stderr), stderr

    finished = _check_outputs(out, texts)
    assert 2 <= len(finished) < ARTICLES, "the signal did not land in the middle of the batch"
    first_run = {_which(r, texts) for r in chat_requests(scripted_server.requests)}
    assert finished <= first_run

    scripted_server.requests.clear()
    scripted_server.latency = 0.0
    rerun = subprocess.run(_command(tmp_path), env=env, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert _check_outputs(out, texts) == set(texts)
    # (a request the killed run had not finished sending reaches the server cut short and
    # names no article; it is not a repeat)
    second_run = [
        a
        for a in map(lambda r: _which(r, texts), chat_requests(scripted_server.requests))
        if a in texts
    ]
    assert not finished & set(second_run), "a finished article was requested again"
    assert len(second_run) == len(set(second_run)), "an article was requested twice"
    assert set(second_run) <= set(texts) - finished
    assert set(texts) - first_run <= set(second_run)
