"""The scripted server itself: queued replies in order, recorded requests, router, faults."""

from __future__ import annotations

import http.client
import json
import time

import pytest

from scripted_server import (
    RecordedRequest,
    Reply,
    ScriptedServer,
    content_reply,
    error_reply,
    streaming_reply,
    tool_call_reply,
)


def _post(server: ScriptedServer, body: dict) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request(
            "POST",
            "/v1/chat/completions",
            body=json.dumps(body),
            headers={"Content-Type": "application/json", "Authorization": "Bearer k"},
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_replies_come_in_queue_order_and_requests_are_recorded(
    scripted_server: ScriptedServer,
) -> None:
    assert scripted_server.base_url == f"http://127.0.0.1:{scripted_server.port}/v1"
    scripted_server.queue(
        tool_call_reply({"a": 1}, usage=(7, 3)),
        error_reply(429, "slow down", headers={"Retry-After": "1"}),
        content_reply({"b": 2}),
    )
    status, _, raw = _post(scripted_server, {"model": "m", "messages": [{"role": "user"}]})
    first = json.loads(raw)
    assert status == 200
    call = first["choices"][0]["message"]["tool_calls"][0]["function"]
    assert (call["name"], json.loads(call["arguments"])) == ("ArticleExtraction", {"a": 1})
    assert first["choices"][0]["finish_reason"] == "tool_calls"
    assert first["usage"] == {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}

    status, headers, raw = _post(scripted_server, {"n": 2})
    assert status == 429 and headers["Retry-After"] == "1"
    assert json.loads(raw)["error"]["message"] == "slow down"

    status, _, raw = _post(scripted_server, {"n": 3})
    assert json.loads(json.loads(raw)["choices"][0]["message"]["content"]) == {"b": 2}

    assert [r.body for r in scripted_server.requests][1:] == [{"n": 2}, {"n": 3}]
    first_request = scripted_server.requests[0]
    assert (first_request.method, first_request.path) == ("POST", "/v1/chat/completions")
    assert first_request.headers["authorization"] == "Bearer k"
    assert first_request.messages == [{"role": "user"}]
    assert scripted_server.pending == 0


def test_an_empty_queue_answers_500_naming_the_path(scripted_server: ScriptedServer) -> None:
    status, _, raw = _post(scripted_server, {})
    assert status == 500
    assert "no reply queued for /v1/chat/completions" in json.loads(raw)["error"]["message"]


def test_router_chooses_by_request(scripted_server: ScriptedServer) -> None:
    def route(request: RecordedRequest) -> Reply:
        return content_reply(f"echo {request.body['x']}", finish_reason="length")

    scripted_server.router = route
    scripted_server.latency = 0.15
    scripted_server.queue(content_reply("never used while a router is set"))
    began = time.monotonic()
    _, _, raw = _post(scripted_server, {"x": "hi"})
    assert time.monotonic() - began >= 0.15
    assert scripted_server.pending == 1
    choice = json.loads(raw)["choices"][0]
    assert (choice["message"]["content"], choice["finish_reason"]) == ("echo hi", "length")


def test_latency_counts_from_arrival_so_the_servers_own_work_is_inside_it(
    scripted_server: ScriptedServer,
) -> None:
    """A model with 200 ms latency answers 200 ms after the request arrives, however long the
    stand-in takes to compute its answer (here 120 ms): not 320 ms."""

    def slow(request: RecordedRequest) -> Reply:
        time.sleep(0.12)
        return content_reply("done")

    scripted_server.router = slow
    scripted_server.latency = 0.2
    began = time.monotonic()
    status, _, _ = _post(scripted_server, {})
    took = time.monotonic() - began
    assert status == 200
    assert 0.2 <= took < 0.3


def test_raw_bodies_delay_and_drop(scripted_server: ScriptedServer) -> None:
    scripted_server.queue(
        Reply(body=b"{not json", delay=0.2, headers={"Content-Type": "text/html"}),
        Reply(drop=True),
        Reply(status=204),
    )
    began = time.monotonic()
    status, headers, raw = _post(scripted_server, {})
    assert (status, raw, headers["Content-Type"]) == (200, b"{not json", "text/html")
    assert time.monotonic() - began >= 0.2
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        _post(scripted_server, {})
    status, _, raw = _post(scripted_server, {})
    assert (status, raw) == (204, b"")
    assert len(scripted_server.requests) == 3


def _events(raw: bytes) -> list[str]:
    """The data of each server-sent event in a body."""
    return [
        line.removeprefix("data: ")
        for line in raw.decode("utf-8").split("\n")
        if line.startswith("data: ")
    ]


def test_a_streamed_request_gets_its_completion_as_events(scripted_server: ScriptedServer) -> None:
    reply = tool_call_reply({"a": 1}, usage=(7, 3))
    scripted_server.queue(reply, reply)
    asked = {"stream": True, "stream_options": {"include_usage": True}}
    status, headers, raw = _post(scripted_server, asked)
    assert (status, headers["Content-Type"]) == (200, "text/event-stream")
    *chunks, done = _events(raw)
    assert done == "[DONE]"
    parsed = [json.loads(c) for c in chunks]
    arguments = "".join(
        call["function"].get("arguments", "")
        for chunk in parsed
        for choice in chunk["choices"]
        for call in choice["delta"].get("tool_calls", [])
    )
    body = reply.body
    assert isinstance(body, dict)
    assert arguments == body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    assert parsed[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert (parsed[-1]["choices"], parsed[-1]["usage"]) == ([], body["usage"])
    assert scripted_server.requests[0].body == asked

    _, _, raw = _post(scripted_server, {"stream": True})  # no usage asked for: none sent
    assert all(json.loads(c).get("usage") is None for c in _events(raw)[:-1])


def test_a_stalled_stream_holds_the_connection_until_the_client_hangs_up(
    scripted_server: ScriptedServer,
) -> None:
    scripted_server.queue(streaming_reply(content_reply("abcdef"), stall_after=2))
    conn = http.client.HTTPConnection("127.0.0.1", scripted_server.port, timeout=5)
    conn.request("POST", "/v1/chat/completions", body="{}")
    response = conn.getresponse()
    first = response.fp.readline()  # the first chunk's size line: events are flowing
    assert first.strip()
    time.sleep(0.3)
    assert scripted_server.hangups == []
    conn.close()
    assert scripted_server.wait_for_hangups(1, timeout=2.0)
    assert scripted_server.hangups[0].path == "/v1/chat/completions"
