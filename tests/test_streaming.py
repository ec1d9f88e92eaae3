"""Streamed answers: a slow server that keeps sending is waited for, a stalled one is not.

The backend asks for every chat completion as a stream and folds the events back into the plain
chat.completion a non-streaming server sends (backends/openai/http_deadline.py,
chat_stream.py). These tests drive the real openai client and instructor, or the transport
alone, against the scripted server over real HTTP.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

from eventbrief.articles import load_article
from eventbrief.backends import make_backend
from eventbrief.backends.base import ExtractionResult
from eventbrief.backends.openai.chat_stream import Event, EventReader
from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.backends.openai.http_deadline import DeadlineTransport
from eventbrief.cli import app
from eventbrief.config import Settings
from eventbrief.errors import ExtractionError
from eventbrief.models import Article, Usage
from eventbrief.pipeline import build_summary
from reliability_support import (
    DripServer,
    chat_completion,
    chat_requests,
    extraction_for,
    one_line,
    tool_calls_message,
)
from scripted_server import (
    DONE_EVENT,
    Reply,
    ScriptedServer,
    content_reply,
    error_reply,
    sse_chunks,
    sse_reply,
    streaming_reply,
    tool_call_reply,
)

TEXT = (
    "Ministers sign fisheries accord\n\n"
    "Reykjavik, June 17 (North Wire) Fisheries ministers from Iceland and Norway signed an accord "
    "on Tuesday on shared cod quotas, the Icelandic ministry said.\n"
    "The accord runs for five years and will be reviewed in 2027, officials said.\n"
)
SLACK = 2.0
"""Seconds a limit may be overrun: the first request's setup (~1 s: imports, the schema), the
event loop, the client and the server's polling."""
CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def article(tmp_path: Path) -> Article:
    path = tmp_path / "fisheries-accord.txt"
    path.write_text(TEXT, encoding="utf-8")
    return load_article(path)


def _backend(server: ScriptedServer, **options: Any) -> OpenAIBackend:
    return OpenAIBackend("scripted-model", base_url=server.base_url, api_key="test-key", **options)


def _extract(backend: OpenAIBackend, article: Article) -> ExtractionResult:
    async def run() -> ExtractionResult:
        try:
            return await backend.extract(article)
        finally:
            await backend.aclose()

    return asyncio.run(run())


def _fold(
    url: str, body: dict[str, Any] | None = None, **options: Any
) -> tuple[httpx2.Response, float]:
    """POST a chat completion through the transport alone (streaming on); the response as the
    openai client would get it, and the seconds it took."""
    options.setdefault("stream", True)

    async def post() -> httpx2.Response:
        transport = DeadlineTransport(httpx2.AsyncHTTPTransport(), **options)
        async with httpx2.AsyncClient(transport=transport, timeout=30) as client:
            return await client.post(f"{url}/chat/completions", json=body or CHAT)

    started = time.monotonic()
    response = asyncio.run(post())
    return response, time.monotonic() - started


def _body(reply: Reply) -> dict[str, Any]:
    assert isinstance(reply.body, dict)
    return reply.body


@pytest.mark.timeout(300)
def test_an_answer_streaming_steadily_for_three_minutes_completes_with_default_settings(
    scripted_server: ScriptedServer, article: Article
) -> None:
    """A CPU server at a few tokens a second: about an event a second for 3 minutes, three
    times the old whole-answer deadline. With the default settings it is waited for and
    validates."""
    settings = Settings.resolve(
        env={},
        backend="openai",
        base_url=scripted_server.base_url,
        api_key="test-key",
        model="scripted-model",
        mode="tools",  # the scripted answer is a tool call; every other setting is the default
    )
    assert (settings.timeout, settings.stall_timeout, settings.stream) == (600.0, 60.0, True)
    valid = extraction_for(article.text)
    body = _body(tool_call_reply(valid, usage=(900, 700)))
    # about one event a second (the arguments in 180 deltas or a few fewer) for 180 s
    events = len(sse_chunks(body, pieces=180))
    pause = 180.0 / (events - 1)
    assert 1.0 <= pause < 1.2
    scripted_server.queue(streaming_reply(Reply(body=body), pieces=180, chunk_pause=pause))
    backend = make_backend(settings)
    assert isinstance(backend, OpenAIBackend)

    started = time.monotonic()
    result = _extract(backend, article)
    elapsed = time.monotonic() - started

    assert 180.0 <= elapsed < 180.0 + 10 * SLACK
    summary = build_summary(article, result, backend)
    assert summary.summary == valid["summary"]
    assert summary.provenance.grounding_rate == 1.0
    assert result.usage == Usage(prompt_tokens=900, completion_tokens=700, requests=1)
    (request,) = chat_requests(scripted_server.requests)
    assert request.body["stream"] is True
    assert scripted_server.hangups == []


def test_an_answer_that_stalls_fails_within_the_stall_limit(
    scripted_server: ScriptedServer, article: Article
) -> None:
    valid = extraction_for(article.text)
    scripted_server.router = lambda request: streaming_reply(
        tool_call_reply(valid), pieces=10, stall_after=3
    )
    started = time.monotonic()
    with pytest.raises(ExtractionError) as info:
        _extract(_backend(scripted_server, stall_timeout=2.0, max_attempts=1), article)
    elapsed = time.monotonic() - started

    assert 2.0 <= elapsed < 2.0 + SLACK
    message = str(info.value)
    assert one_line(message), message
    assert message == (
        f"{article.meta.id}: the endpoint stalled: no byte for 2 s (1 attempt); a slow server "
        "may need a larger --stall-timeout"
    )
    assert len(chat_requests(scripted_server.requests)) == 1
    # the client hung up: a streaming server sees it and stops generating
    assert scripted_server.wait_for_hangups(1)


def test_a_stalled_answer_is_asked_for_again(
    scripted_server: ScriptedServer, article: Article
) -> None:
    valid = extraction_for(article.text)
    scripted_server.queue(
        streaming_reply(tool_call_reply(valid), stall_after=2),
        tool_call_reply(valid, usage=(10, 5)),
    )
    result = _extract(_backend(scripted_server, stall_timeout=1.0, max_attempts=2), article)
    assert result.extraction.summary == valid["summary"]
    assert len(chat_requests(scripted_server.requests)) == 2
    assert result.usage.requests == 2
    assert result.usage.completion_tokens == 5  # the stalled attempt never told its usage
    assert scripted_server.wait_for_hangups(1)


def test_the_transport_names_the_stall(scripted_server: ScriptedServer) -> None:
    scripted_server.queue(streaming_reply(content_reply("a long answer"), stall_after=1))
    with pytest.raises(httpx2.ReadTimeout, match="stalled: no byte from the endpoint for 1 s"):
        _fold(scripted_server.base_url, stall_seconds=1.0)
    assert scripted_server.wait_for_hangups(1)


def test_a_server_silent_before_its_headers_is_a_stall(scripted_server: ScriptedServer) -> None:
    scripted_server.queue(Reply(body=content_reply("late").body, delay=5.0))
    started = time.monotonic()
    with pytest.raises(httpx2.ReadTimeout, match="stalled"):
        _fold(scripted_server.base_url, stall_seconds=1.0)
    assert time.monotonic() - started < 1.0 + SLACK


def test_the_total_cap_ends_a_steady_stream_and_closes_it(
    scripted_server: ScriptedServer,
) -> None:
    scripted_server.queue(
        streaming_reply(content_reply("x" * 100), pieces=100, chunk_pause=0.2),
    )
    started = time.monotonic()
    with pytest.raises(httpx2.ReadTimeout, match="no complete answer within 1 s"):
        _fold(scripted_server.base_url, max_seconds=1.0, stall_seconds=5.0)
    assert time.monotonic() - started < 1.0 + SLACK
    assert scripted_server.wait_for_hangups(1)


def test_cancelling_the_extraction_closes_the_stream(
    scripted_server: ScriptedServer, article: Article
) -> None:
    """Ctrl-C or a caller's own timeout: the server sees the disconnect at once."""
    valid = extraction_for(article.text)
    scripted_server.queue(streaming_reply(tool_call_reply(valid), pieces=50, chunk_pause=0.2))
    backend = _backend(scripted_server)

    async def give_up() -> None:
        try:
            await asyncio.wait_for(backend.extract(article), timeout=1.0)
        finally:
            await backend.aclose()

    with pytest.raises(TimeoutError):
        asyncio.run(give_up())
    assert scripted_server.wait_for_hangups(1, timeout=2.0)


def _plain(message: dict[str, Any], finish_reason: str) -> Reply:
    """A completion as OpenAI sends it unstreamed (with `"logprobs": null`)."""
    body = chat_completion(message, finish_reason=finish_reason)
    body["choices"][0]["logprobs"] = None
    return Reply(body=body)


def _refusal() -> Reply:
    message = {"role": "assistant", "content": None, "refusal": "I can't help with that."}
    return _plain(message, "stop")


def _several_calls() -> Reply:
    calls = [("ArticleExtraction", '{"summary": "s"}'), ("delete_files", '{"path": "/"}')]
    return _plain(tool_calls_message(calls), "tool_calls")


@pytest.mark.parametrize(
    "reply",
    [
        tool_call_reply({"summary": "Ministers signed an accord.", "n": [1, 2]}, usage=(812, 403)),
        content_reply({"summary": "Ísland og Noregur — 2027"}, usage=(7, 3)),
        content_reply(""),
        _refusal(),
        _several_calls(),
    ],
    ids=["tool-call", "content", "empty-content", "refusal", "several-tool-calls"],
)
def test_the_folded_stream_is_the_completion_a_plain_server_sends(
    scripted_server: ScriptedServer, reply: Reply
) -> None:
    scripted_server.queue(reply)
    response, _ = _fold(scripted_server.base_url, stall_seconds=5.0)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == reply.body
    (request,) = scripted_server.requests
    assert request.body == {**CHAT, "stream": True, "stream_options": {"include_usage": True}}


def test_streamed_and_plain_extractions_are_the_same(
    scripted_server: ScriptedServer, article: Article
) -> None:
    valid = extraction_for(article.text)
    scripted_server.router = lambda request: tool_call_reply(valid, usage=(321, 123))
    streamed = _extract(_backend(scripted_server), article)
    plain = _extract(_backend(scripted_server, stream=False), article)
    assert streamed == plain
    assert streamed.usage == Usage(prompt_tokens=321, completion_tokens=123, requests=1)
    assert [r.asks_stream for r in scripted_server.requests] == [True, False]


def test_usage_is_absent_when_the_server_never_sends_it(scripted_server: ScriptedServer) -> None:
    body = _body(tool_call_reply({"summary": "s"}))
    scripted_server.queue(sse_reply(*sse_chunks(body, include_usage=False)))
    response, _ = _fold(scripted_server.base_url)
    assert response.json() == {k: v for k, v in body.items() if k != "usage"}


def _llama_cpp_events() -> list[Any]:
    """A llama.cpp-style stream: null content before the call, the name and the arguments in
    separate deltas, finish_reason and usage (and timings) in one last chunk, no [DONE]."""
    head = {"id": "chatcmpl-llama", "object": "chat.completion.chunk", "created": 7, "model": "q"}

    def delta(value: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
        choice = {"index": 0, "delta": value, "finish_reason": finish}
        return {**head, "choices": [choice], **extra}

    call = {"index": 0, "id": "call_q", "type": "function", "function": {"name": "F"}}
    return [
        delta({"role": "assistant", "content": None}),
        delta({"tool_calls": [call]}),
        delta({"tool_calls": [{"index": 0, "function": {"arguments": '{"a": '}}]}),
        delta({"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]}),
        delta(
            {},
            "tool_calls",
            usage={"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9},
            timings={"predicted_per_second": 70.1},
        ),
    ]


LLAMA_CPP_COMPLETION = {
    "id": "chatcmpl-llama",
    "object": "chat.completion",
    "created": 7,
    "model": "q",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_q",
                        "type": "function",
                        "function": {"name": "F", "arguments": '{"a": 1}'},
                    }
                ],
            },
            "finish_reason": "tool_calls",
            "logprobs": None,
        }
    ],
    "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9},
}


def test_a_stream_without_done_is_folded_when_every_choice_finished(
    scripted_server: ScriptedServer,
) -> None:
    scripted_server.queue(sse_reply(*_llama_cpp_events()))
    response, _ = _fold(scripted_server.base_url, stall_seconds=5.0)
    assert response.json() == LLAMA_CPP_COMPLETION


def test_a_finished_answer_is_kept_when_the_server_then_stalls(
    scripted_server: ScriptedServer,
) -> None:
    """The answer is whole (its finish_reason came); the server holds the connection open
    without [DONE]: the stall ends the wait, not the answer."""
    events = _llama_cpp_events()
    scripted_server.queue(sse_reply(*events, stall_after=len(events)))
    response, elapsed = _fold(scripted_server.base_url, stall_seconds=1.0)
    assert response.json() == LLAMA_CPP_COMPLETION
    assert elapsed < 1.0 + SLACK


def test_a_stream_cut_before_its_end_is_a_bad_gateway(scripted_server: ScriptedServer) -> None:
    scripted_server.queue(sse_reply(*sse_chunks(_body(content_reply("an answer")))[:3]))
    response, _ = _fold(scripted_server.base_url)
    assert response.status_code == 502
    assert response.json()["error"]["message"] == (
        "the endpoint's event stream ended before the answer was finished"
    )


def test_an_event_that_is_not_json_is_a_bad_gateway(scripted_server: ScriptedServer) -> None:
    scripted_server.queue(sse_reply("data: <html>oops</html>\n\n", DONE_EVENT))
    response, _ = _fold(scripted_server.base_url)
    assert response.status_code == 502
    assert "not a JSON object: '<html>oops</html>'" in response.json()["error"]["message"]


def test_a_json_answer_to_a_streamed_request_passes_through(
    scripted_server: ScriptedServer,
) -> None:
    """A server that ignores `stream` answers JSON: handed on as it came."""
    reply = tool_call_reply({"summary": "s"})
    scripted_server.queue(Reply(body=reply.body, stream=False, headers={"X-Request-Id": "r1"}))
    response, _ = _fold(scripted_server.base_url, stall_seconds=5.0)
    assert scripted_server.requests[0].asks_stream
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "r1"
    assert response.json() == reply.body


def test_an_error_status_passes_through(scripted_server: ScriptedServer) -> None:
    reply = error_reply(429, "slow down", headers={"Retry-After": "7"})
    scripted_server.queue(reply)
    response, _ = _fold(scripted_server.base_url, stall_seconds=5.0)
    assert (response.status_code, response.headers["retry-after"]) == (429, "7")
    assert response.json() == reply.body


@pytest.mark.timeout(30)
def test_a_json_body_that_stops_coming_is_a_stall() -> None:
    """A server that ignores `stream` and then goes silent mid-body: each read is bounded."""
    with DripServer(b'{"choices": []}', drips=1, interval=5.0) as server:
        started = time.monotonic()
        with pytest.raises(httpx2.ReadTimeout, match="stalled"):
            _fold(server.base_url, stall_seconds=1.0)
        assert time.monotonic() - started < 1.0 + SLACK


@pytest.mark.parametrize(
    ("event", "status", "body"),
    [
        (
            {"error": {"message": "model crashed", "type": "server_error", "code": 503}},
            503,
            {"error": {"message": "model crashed", "type": "server_error", "code": 503}},
        ),
        (
            'error: {"code": 500, "message": "slot unavailable", "type": "server_error"}\n\n',
            500,
            {"error": {"code": 500, "message": "slot unavailable", "type": "server_error"}},
        ),
        (
            'event: error\ndata: {"message": "overloaded"}\n\n',
            500,
            {"error": {"message": "overloaded"}},
        ),
        ({"error": "out of memory"}, 500, {"error": "out of memory"}),
    ],
    ids=["data-error-with-code", "llama-cpp-error-line", "error-event", "error-string"],
)
def test_an_error_event_becomes_an_error_response(
    scripted_server: ScriptedServer, event: Any, status: int, body: dict[str, Any]
) -> None:
    first = sse_chunks(_body(content_reply("partial")))[0]
    scripted_server.queue(sse_reply(first, event, DONE_EVENT))
    response, _ = _fold(scripted_server.base_url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json() == body


def test_an_error_event_fails_the_article_like_an_error_status(
    scripted_server: ScriptedServer, article: Article
) -> None:
    error = {"error": {"message": "model crashed", "type": "server_error"}}
    scripted_server.router = lambda request: sse_reply(error)
    with pytest.raises(ExtractionError) as info:
        _extract(_backend(scripted_server, max_attempts=2, max_retry_seconds=5.0), article)
    assert str(info.value) == (
        f"{article.meta.id}: the endpoint kept failing (HTTP 500) after 2 attempts: model crashed"
    )


def test_events_are_read_across_any_cut_of_the_bytes() -> None:
    """CRLF lines, a comment, a two-line data field, a character cut between two reads, and a
    last event with no blank line after it."""
    raw = ': keep-alive\r\ndata: {"a":\r\ndata: "é"}\r\n\r\nevent: error\ndata: x\n\ndata: [DONE]'
    reader = EventReader()
    events: list[Event] = []
    for byte in raw.encode("utf-8"):
        events += reader.feed(bytes([byte]))
    events += reader.end()
    assert events == [
        Event("message", '{"a":\n"é"}'),
        Event("error", "x"),
        Event("message", "[DONE]"),
    ]


def _summarize(server: ScriptedServer, tmp_path: Path, *args: str, **env: str) -> list[Any]:
    """Run `summarize` on one article against `server`; the chat requests it sent."""
    path = tmp_path / "fisheries-accord.txt"
    path.write_text(TEXT, encoding="utf-8")
    server.router = lambda request: tool_call_reply(extraction_for(load_article(path).text))
    environment = {
        "EVENTBRIEF_BACKEND": "openai",
        "EVENTBRIEF_BASE_URL": server.base_url,
        "EVENTBRIEF_API_KEY": "test-key",
        "EVENTBRIEF_MODEL": "scripted-model",
        "EVENTBRIEF_NO_CACHE": "1",
        "EVENTBRIEF_TIMEOUT": "",
        "EVENTBRIEF_STALL_TIMEOUT": "",
        "EVENTBRIEF_STREAM": "",
        **env,
    }
    result = CliRunner().invoke(app, ["summarize", str(path), "-q", *args], env=environment)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["summary"] == "A neutral test summary."
    return chat_requests(server.requests)


def test_summarize_streams_by_default(scripted_server: ScriptedServer, tmp_path: Path) -> None:
    (request,) = _summarize(scripted_server, tmp_path)
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    # the client's own read limit never cuts a wait the stall limit allows (600 s vs 60 s)
    assert float(request.headers["x-stainless-read-timeout"]) == 600.0


def test_no_stream_sends_no_stream_key(scripted_server: ScriptedServer, tmp_path: Path) -> None:
    (request,) = _summarize(scripted_server, tmp_path, "--no-stream")
    assert "stream" not in request.body
    assert "stream_options" not in request.body


def test_eventbrief_stream_0_sends_no_stream_key(
    scripted_server: ScriptedServer, tmp_path: Path
) -> None:
    (request,) = _summarize(scripted_server, tmp_path, EVENTBRIEF_STREAM="0")
    assert "stream" not in request.body


def test_timeout_flags_reach_the_client(scripted_server: ScriptedServer, tmp_path: Path) -> None:
    """A total cap below the stall limit: each read may still wait the stall limit."""
    (request,) = _summarize(scripted_server, tmp_path, "--timeout", "30", "--stall-timeout", "45")
    assert float(request.headers["x-stainless-read-timeout"]) == 45.0


@pytest.mark.parametrize("command", ["summarize", "brief", "eval"])
def test_help_names_the_timeout_and_stream_options_and_their_variables(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    shown = " ".join(result.output.split())
    for option, variable in [
        ("--timeout SECONDS", "[env EVENTBRIEF_TIMEOUT]"),
        ("--stall-timeout SECONDS", "[env EVENTBRIEF_STALL_TIMEOUT]"),
        ("--stream / --no-stream", "[env EVENTBRIEF_STREAM]"),
    ]:
        assert option in shown and variable in shown, (option, shown)
    assert "Stream answers so a stalled server is told apart from a slow one" in shown


@pytest.mark.timeout(60)
def test_the_unstreamed_narrative_waits_no_longer_than_the_stall_limit(
    scripted_server: ScriptedServer, tmp_path: Path
) -> None:
    """brief --narrate is not streamed: its whole answer is bounded by the stall limit, not by
    the long answer cap a streamed extraction gets."""
    summaries = tmp_path / "summaries"
    summaries.mkdir()
    seed = Path(__file__).resolve().parents[1] / "evals" / "gold"
    for gold in sorted(seed.glob("00[01]_*.json")):
        (summaries / gold.name).write_bytes(gold.read_bytes())
    late = tool_call_reply({"paragraph": "Late words."}, name="Narrative")
    scripted_server.router = lambda request: Reply(body=late.body, delay=20.0)
    env = {
        "EVENTBRIEF_BASE_URL": scripted_server.base_url,
        "EVENTBRIEF_API_KEY": "test-key",
        "EVENTBRIEF_TIMEOUT": "",
        "EVENTBRIEF_STALL_TIMEOUT": "1",
    }
    out = tmp_path / "brief.json"
    started = time.monotonic()
    result = CliRunner().invoke(
        app, ["brief", "--from-summaries", str(summaries), "--narrate", "-o", str(out)], env=env
    )
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.stderr
    assert "narrative skipped" in result.stderr
    assert json.loads(out.read_text("utf-8"))["narrative"] is None
    assert elapsed < 15
