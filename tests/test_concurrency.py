"""Concurrency and request cost: the shared rate-limit gate, the schema as sent, progress and
the run summary."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
from pathlib import Path

import pytest

from eventbrief.backends.base import ExtractionResult
from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.backends.openai.rate_gate import RateGate
from eventbrief.backends.openai.retry_after import retry_after_seconds
from eventbrief.cache import CacheCounts
from eventbrief.chunking import CHUNK_CHARS_ENV, split_chunks
from eventbrief.cli.extraction_step import report_run
from eventbrief.config import Settings
from eventbrief.models import EVENT_TYPES, Article, ArticleExtraction, Usage
from eventbrief.pipeline import summarize_many
from eventbrief.progress import RunProgress, RunSummary, wants_progress
from eventbrief.scoring.report import RunInfo, UsageTotals, paid_note
from scale_helpers import article_in_prompt, make_article, make_extraction
from scripted_server import RecordedRequest, Reply, ScriptedServer, error_reply, tool_call_reply


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({}, None),
        ({"retry-after": "soon"}, None),
    ],
)
def test_retry_after_header_forms(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_seconds(headers) == seconds


def test_gate_closes_for_the_longest_pause_and_caps_it() -> None:
    clock = FakeClock()
    gate = RateGate(default_pause=1.0, max_pause=30.0, clock=clock)
    assert gate.closed_for == 0
    gate.close(5.0)
    gate.close(2.0)  # a shorter pause never reopens the gate early
    assert gate.closed_for == 5.0
    clock.now += 4
    assert gate.closed_for == 1.0
    gate.close(None)  # no Retry-After: the default pause
    assert gate.closed_for == 1.0
    gate.close(3600)
    assert gate.closed_for == 30.0
    assert gate.pauses == 4


def test_waiters_are_held_until_the_gate_opens() -> None:
    async def scenario() -> list[float]:
        gate = RateGate()
        gate.close(0.2)
        start = time.monotonic()

        async def sender() -> float:
            await gate.wait()
            return time.monotonic() - start

        return await asyncio.gather(*(sender() for _ in range(5)))

    waited = asyncio.run(scenario())
    assert all(0.18 <= w < 0.5 for w in waited)


def test_no_progress_bar_off_a_terminal_or_when_quiet() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert wants_progress(5, stream=Tty())
    assert not wants_progress(5, stream=Tty(), quiet=True)
    assert wants_progress(1, stream=Tty())  # a spinner: one long article is not silent
    assert not wants_progress(5, stream=io.StringIO())


class _Outcome:
    def __init__(self, error: str | None) -> None:
        self.error = error


def test_progress_counts_and_draws_only_when_enabled() -> None:
    silent = io.StringIO()
    with RunProgress(3, enabled=False, stream=silent) as bar:
        for error in (None, "a2: failed", None):
            bar(_Outcome(error))
    assert (bar.done, bar.failed) == (3, 1)
    assert silent.getvalue() == ""

    drawn = io.StringIO()
    with RunProgress(2, enabled=True, stream=drawn) as bar:
        bar(_Outcome(None))
        bar(_Outcome(None))
    assert bar.enabled and bar.done == 2


def test_run_summary_line() -> None:
    usage = Usage(prompt_tokens=12345, completion_tokens=678, requests=4, cost_usd=0.01234)
    line = RunSummary(articles=5, failed=1, cache_hits=2, usage=usage, wall_seconds=3.21).line()
    assert line == (
        "eventbrief: 4 of 5 articles summarized, 1 failed; 4 requests, 2 cache hits, "
        "12,345 prompt + 678 completion tokens, $0.0123, 3.2 s"
    )
    unknown = RunSummary(5, 0, 0, Usage(prompt_tokens=1, requests=1), 1.0).line()
    assert "cost unknown" in unknown
    cached = RunSummary(5, 0, 5, Usage(), 0.01).line()
    assert "0 requests, 5 cache hits" in cached and "$0.0000" in cached


def test_run_summary_line_says_one_in_the_singular() -> None:
    one = RunSummary(1, 0, 1, Usage(prompt_tokens=10, requests=1, cost_usd=0.0), 0.5).line()
    assert one == (
        "eventbrief: 1 of 1 article summarized, 0 failed; 1 request, 1 cache hit, "
        "10 prompt + 0 completion tokens, $0.0000, 0.5 s"
    )
    two = RunSummary(2, 1, 2, Usage(requests=2, cost_usd=0.0), 0.5).line()
    assert "1 of 2 articles summarized, 1 failed; 2 requests, 2 cache hits, " in two


def test_eval_note_and_cache_failures_say_one_in_the_singular(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = RunInfo(dataset="d", backend="openai", cache_hits=1, usage=UsageTotals(requests=1))
    assert paid_note(run) == " (this run: 1 request, 1 cache hit)"
    run = RunInfo(dataset="d", backend="openai", cache_hits=2, usage=UsageTotals(requests=2))
    assert paid_note(run) == " (this run: 2 requests, 2 cache hits)"
    settings = Settings.resolve(env={}, backend="offline")
    for errors in (1, 2):
        report_run(settings, CacheCounts(cache_errors=errors), articles=1, failed=0, started=0.0)
    said = [line for line in capsys.readouterr().err.splitlines() if "cache failed" in line]
    assert said == [
        "eventbrief: the extraction cache failed 1 time; those results were not kept",
        "eventbrief: the extraction cache failed 2 times; those results were not kept",
    ]


def test_a_429_pauses_every_task_not_just_its_own(scripted_server: ScriptedServer) -> None:
    """Two articles at a time; the first answer is a 429 asking for 0.4 s. The requests sent after
    it, by any task, wait out the pause instead of going straight to the endpoint."""
    arrivals: list[tuple[float, int]] = []
    lock = threading.Lock()

    def router(request: RecordedRequest) -> Reply:
        with lock:
            first = not arrivals
            arrivals.append((time.monotonic(), 429 if first else 200))
        if first:
            return error_reply(429, "slow down", headers={"Retry-After": "0.4"})
        reply = tool_call_reply(make_extraction(article_in_prompt(request.messages)).model_dump())
        reply.delay = 0.15  # answers take a while; the 429 comes back at once
        return reply

    scripted_server.router = router
    backend = OpenAIBackend(model="m", base_url=scripted_server.base_url, api_key="k")
    articles = [make_article(f"a{n}") for n in range(6)]

    async def run() -> list[ExtractionResult]:
        slots = asyncio.Semaphore(2)

        async def one(article: Article) -> ExtractionResult:
            async with slots:
                return await backend.extract(article)

        try:
            return await asyncio.gather(*(one(a) for a in articles))
        finally:
            await backend.aclose()

    results = asyncio.run(run())
    assert len(results) == 6
    assert backend.rate_gate.pauses == 1
    limited_at = arrivals[0][0]
    later = [t - limited_at for t, _ in arrivals[1:]]
    # the request already in flight with the 429 goes through; all others waited the pause
    assert sum(1 for gap in later if gap < 0.3) == 1
    assert sum(1 for gap in later if gap >= 0.35) >= 5
    assert backend.rate_gate.waited >= 1


def test_the_schema_is_sent_once_built_and_without_titles(scripted_server: ScriptedServer) -> None:
    """Generated titles repeat each field's name: ~10% of the prompt, paid on every request."""
    scripted_server.queue(
        tool_call_reply(make_extraction("Envoys met in Oslo.").model_dump()),
        tool_call_reply(make_extraction("Envoys met in Oslo.").model_dump()),
    )
    backend = OpenAIBackend(model="m", base_url=scripted_server.base_url, api_key="k")

    async def run() -> None:
        try:
            for _ in range(2):
                await backend.extract(make_article("a1", text="Envoys met in Oslo."))
        finally:
            await backend.aclose()

    asyncio.run(run())
    first, second = (r.body["tools"][0]["function"] for r in scripted_server.requests)
    assert first == second
    assert first["name"] == "ArticleExtraction"
    sent = json.dumps(first["parameters"])
    assert '"title"' not in sent
    full = ArticleExtraction.model_json_schema()
    assert set(first["parameters"]["properties"]) == set(full["properties"])
    assert first["parameters"]["$defs"]["Event"]["properties"]["type"]["enum"] == list(EVENT_TYPES)
    assert len(sent) < 0.92 * len(json.dumps(full))


def test_requests_in_flight_never_exceed_the_concurrency_even_with_chunking(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    in_flight, peak = 0, 0
    lock = threading.Lock()

    def router(request: RecordedRequest) -> Reply:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        return tool_call_reply(make_extraction(article_in_prompt(request.messages)).model_dump())

    scripted_server.router = router
    folder = tmp_path / "news"
    folder.mkdir()
    long_text = "\n\n".join(f"Convoy {n} crossed the border on Monday. " * 12 for n in range(6))
    for n in range(6):
        (folder / f"short{n}.txt").write_text(f"Envoy {n} met officials in Lima.", "utf-8")
        (folder / f"long{n}.txt").write_text(f"{long_text}\n\nCopy {n}.", "utf-8")
    monkeypatch.setenv(CHUNK_CHARS_ENV, "1000")
    settings = Settings.resolve(
        backend="openai",
        base_url=scripted_server.base_url,
        api_key="k",
        model="m",
        concurrency=3,
        no_cache=True,
    )
    outcomes = summarize_many([str(folder)], settings=settings)
    assert [o.error for o in outcomes] == [None] * 12
    chunked = len(split_chunks(f"{long_text}\n\nCopy 0.", 1000, 1200))
    assert chunked > 1
    assert len(scripted_server.requests) == 6 + 6 * chunked
    assert peak == 3
