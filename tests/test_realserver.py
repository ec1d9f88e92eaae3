"""eventbrief against a real server with a real model: llama-cpp-python's OpenAI-compatible
server and SmolLM2-135M-Instruct (tests/llama_server.py). A 135M model does this task badly;
what is tested is that eventbrief tells the truth about the server and ends every article as a
valid (possibly partial) summary or one line naming it, within its request budget."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from rapidfuzz import fuzz
from typer.testing import CliRunner

from eventbrief.backends.openai.endpoint_check import (
    _CONTEXT_SENTENCE,
    _LONG_REPEATS,
    PROBE_PROMPT,
    PROBE_SCHEMA,
    conforms,
)
from eventbrief.cli import app
from eventbrief.models import ArticleSummary
from llama_server import MODEL_NAME, llama_server

pytestmark = pytest.mark.realserver

SEEDS = Path(__file__).resolve().parents[1] / "evals" / "articles"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with llama_server(tmp_path_factory.mktemp("llama") / "server.log") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the module: summarize reuses the report `endpoint check` stored
    (the check costs about a minute of this server's time)."""
    return tmp_path_factory.mktemp("store")


@pytest.fixture
def env(server: str, store: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.delenv("EVENTBRIEF_MODE", raising=False)
    return {
        "EVENTBRIEF_BASE_URL": server,
        "EVENTBRIEF_MODEL": MODEL_NAME,
        "EVENTBRIEF_API_KEY": "x",  # a dummy key, as local servers are often given
        "EVENTBRIEF_CACHE_DIR": str(store),
    }


_MARKS = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def _plain(text: str) -> str:
    """White space collapsed and typographic quote marks and dashes made plain, as grounding
    compares an exact quote."""
    return " ".join(text.translate(_MARKS).split())


def _post(server: str, body: dict[str, Any]) -> httpx2.Response:
    body = {"model": MODEL_NAME, "max_tokens": 96, "temperature": 0, **body}
    return httpx2.post(f"{server}/chat/completions", json=body, timeout=300)


def _structured_truth(response: httpx2.Response) -> str:
    """What a response_format request did, judged from the raw HTTP answer."""
    if response.status_code != 200:
        body = response.text
        shape = response.status_code in (400, 422) or re.search(r"Input should be", body)
        return "rejected" if shape else "failed"
    content = response.json()["choices"][0]["message"]["content"] or ""
    try:
        answer = json.loads(content, strict=False)
    except ValueError:
        return "accepted"
    return "enforced" if conforms(answer) else "accepted"


@pytest.mark.timeout(600)
def test_endpoint_check_reports_what_the_server_does(server: str, env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["endpoint", "check", "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    verdict = {p["name"]: p["verdict"] for p in report["probes"]}

    json_schema = _post(
        server,
        {
            "messages": [{"role": "user", "content": PROBE_PROMPT}],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "probe", "strict": True, "schema": PROBE_SCHEMA},
            },
        },
    )
    assert verdict["json_schema"] == _structured_truth(json_schema)
    json_object = _post(
        server,
        {
            "messages": [{"role": "user", "content": PROBE_PROMPT}],
            "response_format": {"type": "json_object", "schema": PROBE_SCHEMA},
        },
    )
    assert verdict["json_object_schema"] == _structured_truth(json_object)

    colour = {"type": "object", "properties": {"colour": {"type": "string"}}}
    tools = _post(
        server,
        {
            "messages": [
                {"role": "user", "content": "Call the tool record_colour with colour blue."}
            ],
            "tools": [
                {"type": "function", "function": {"name": "record_colour", "parameters": colour}},
                {
                    "type": "function",
                    "function": {"name": "record_code", "parameters": PROBE_SCHEMA},
                },
            ],
            "tool_choice": {"type": "function", "function": {"name": "record_code"}},
        },
    )
    assert tools.status_code == 200
    calls = tools.json()["choices"][0]["message"].get("tool_calls") or []
    assert verdict["tool_choice"] == (
        "yes" if calls and calls[0]["function"]["name"] == "record_code" else "no"
    )
    followed = bool(calls) and conforms(json.loads(calls[0]["function"]["arguments"], strict=False))
    assert verdict["tools"] == ("enforced" if followed else "accepted")

    long = _post(
        server,
        {
            "max_tokens": 1,
            "messages": [{"role": "user", "content": _CONTEXT_SENTENCE * _LONG_REPEATS}],
        },
    )
    assert long.status_code == 200
    assert report["context_tokens"] == long.json()["usage"]["prompt_tokens"]
    assert verdict["context"] == "yes" and report["truncates_at"] is None  # n_ctx 8192

    async def streamed(name: str) -> tuple[float, float]:
        """When the first and the last chunk of one streamed answer arrived."""
        ask = f"Write a long story about a dog called {name}."
        body = {
            "model": MODEL_NAME, "max_tokens": 48, "stream": True, "temperature": 0,
            "messages": [{"role": "user", "content": ask}],
        }  # fmt: skip
        async with (
            httpx2.AsyncClient(timeout=300) as client,
            client.stream("POST", f"{server}/chat/completions", json=body) as response,
        ):
            arrived = [time.perf_counter() async for line in response.aiter_lines() if line]
        return arrived[0], arrived[-1]

    async def two_at_once() -> list[tuple[float, float]]:
        return list(await asyncio.gather(streamed("Rex"), streamed("Max")))

    (first_start, first_end), (second_start, second_end) = asyncio.run(two_at_once())
    overlapped = min(first_end, second_end) > max(first_start, second_start)
    assert (report["parallel_slots"] > 1) == overlapped
    assert report["recommended_concurrency"] == report["parallel_slots"]
    expected_mode = (
        "json_schema" if verdict["json_schema"] == "enforced"
        else "json_object" if verdict["json_object_schema"] == "enforced"
        else "tools"
    )  # fmt: skip
    assert report["recommended_mode"] == expected_mode


@pytest.mark.timeout(1500)
def test_summarize_auto_ends_every_seed_valid_or_named(
    server: str, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["summarize", str(SEEDS), "-o", f"{out}/"], env=env)
    stderr = result.stderr
    assert result.exit_code in (0, 1), stderr
    assert "Traceback" not in stderr + result.stdout
    assert "***" not in stderr  # the dummy key "x" masks nothing inside words
    ids = sorted(p.stem for p in SEEDS.glob("*.txt"))
    written = {p.stem: p for p in out.glob("*.json")}
    for article_id in ids:
        named = [
            line
            for line in stderr.splitlines()
            if line.startswith(f"eventbrief: {article_id}:")
            and "no publication date found" not in line  # a notice, not a failure or partial
        ]
        if article_id in written:
            summary = ArticleSummary.model_validate_json(written[article_id].read_text())
            usage = summary.provenance.usage
            assert usage is not None and 1 <= usage.requests <= 3
            text = (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8")
            quotes = [q for e in summary.events for q in e.evidence] + [
                q for t in summary.key_takeaways for q in t.evidence
            ]
            for quote in quotes:
                assert quote.start is not None and quote.end is not None
                span = text[quote.start : quote.end]
                if quote.match == "exact":
                    assert _plain(span) == _plain(quote.quote)
                else:
                    assert fuzz.ratio(_plain(span), _plain(quote.quote)) >= 90
            assert len(named) <= 1  # a partial article is named once
        else:
            assert len(named) == 1, stderr
            tries = re.search(r"after (\d+) (?:tries|attempts)", named[0])
            assert tries is None or int(tries.group(1)) <= 3
    assert len(written) >= 4, stderr
    total = re.search(r"; (\d+) requests?,", stderr)
    assert total is not None and int(total.group(1)) <= 3 * len(ids) + 0
