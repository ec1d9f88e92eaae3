"""An OpenAI-compatible HTTP server on 127.0.0.1 that answers with scripted replies.

Tests (and bench/) drive the real `openai` client and `instructor` against it over real HTTP:
queue the replies a test needs, or set a `router` that picks one from the request, then assert
on `requests`, which records every request the server received.

A request with `"stream": true` gets a chat-completion reply as server-sent events, as OpenAI
streams it (the content and tool-call arguments in a few deltas, usage when the request asks
for it with `stream_options`, then `data: [DONE]`), so a test written for a plain JSON answer
holds for a streaming client too. A reply can pause between events, stall (send nothing more
but keep the connection open), or be a list of raw events; `hangups` records the replies whose
client closed the connection before they were sent in full.
"""

from __future__ import annotations

import dataclasses
import json
import math
import select
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SSEEvent = dict[str, Any] | str
"""A server-sent event: a dict is sent as `data: <its JSON>`, a str as it is (framing and all)."""
DONE_EVENT = "data: [DONE]\n\n"


@dataclass
class Reply:
    """One scripted answer. `drop` closes the connection without answering (a network fault).

    Streaming: `stream` None streams a chat-completion `body` when the request asks for it,
    True always does (a server that streams unasked), False never does (a server that ignores
    `stream` and answers JSON). `events`, when set, are sent as the stream instead of `body`.
    The text of the body is cut into `pieces` deltas; `chunk_pause` seconds pass between events;
    after `stall_after` events the server sends nothing more and holds the connection open
    until the client closes it (or the server stops)."""

    status: int = 200
    body: dict[str, Any] | list[Any] | str | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    stream: bool | None = None
    events: list[SSEEvent] | None = None
    pieces: int = 3
    chunk_pause: float = 0.0
    stall_after: int | None = None

    def streams(self, request: RecordedRequest) -> bool:
        """Whether this reply goes out as server-sent events for `request`."""
        if self.events is not None:
            return True
        if self.stream is False or not _is_completion(self):
            return False
        return self.stream is True or request.asks_stream


def streaming_reply(
    reply: Reply,
    *,
    pieces: int = 3,
    chunk_pause: float = 0.0,
    stall_after: int | None = None,
) -> Reply:
    """`reply` (a chat completion, e.g. from tool_call_reply) streamed whether asked or not."""
    return dataclasses.replace(
        reply, stream=True, pieces=pieces, chunk_pause=chunk_pause, stall_after=stall_after
    )


def sse_reply(*events: SSEEvent, **options: Any) -> Reply:
    """A reply that streams exactly `events` (add DONE_EVENT to end it as servers do)."""
    return Reply(events=list(events), **options)


def _is_completion(reply: Reply) -> bool:
    body = reply.body
    return reply.status == 200 and isinstance(body, dict) and isinstance(body.get("choices"), list)


def _split(text: str, pieces: int) -> list[str]:
    """`text` cut into at most `pieces` consecutive non-empty parts."""
    size = max(1, math.ceil(len(text) / max(1, pieces)))
    return [text[i : i + size] for i in range(0, len(text), size)]


def sse_chunks(
    completion: dict[str, Any], *, pieces: int = 3, include_usage: bool = True
) -> list[SSEEvent]:
    """The `chat.completion.chunk` events OpenAI would stream for `completion`: the role (and
    "" content for a text answer), text and tool-call arguments in `pieces` deltas each, the
    finish_reason, a usage chunk when `include_usage` (every chunk then has `"usage": null`),
    and DONE_EVENT."""
    head = {
        "id": completion.get("id"),
        "object": "chat.completion.chunk",
        "created": completion.get("created"),
        "model": completion.get("model"),
    }
    if include_usage:
        head["usage"] = None

    def chunk(index: int, delta: dict[str, Any], finish_reason: Any = None) -> dict[str, Any]:
        choice = {"index": index, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
        return {**head, "choices": [choice]}

    events: list[SSEEvent] = []
    for position, choice in enumerate(completion.get("choices") or []):
        index = choice.get("index", position)
        message = choice.get("message") or {}
        text = isinstance(message.get("content"), str)
        opening = {"role": message.get("role", "assistant"), "content": "" if text else None}
        events.append(chunk(index, opening))
        for key in ("content", "refusal"):
            if isinstance(message.get(key), str):
                events += [chunk(index, {key: part}) for part in _split(message[key], pieces)]
        for number, call in enumerate(message.get("tool_calls") or []):
            function = call.get("function") or {}
            call_opening = {
                "index": number,
                "id": call.get("id"),
                "type": call.get("type", "function"),
                "function": {"name": function.get("name"), "arguments": ""},
            }
            events.append(chunk(index, {"tool_calls": [call_opening]}))
            for part in _split(function.get("arguments") or "", pieces):
                delta = {"tool_calls": [{"index": number, "function": {"arguments": part}}]}
                events.append(chunk(index, delta))
        events.append(chunk(index, {}, choice.get("finish_reason")))
    if include_usage and completion.get("usage") is not None:
        events.append({**head, "choices": [], "usage": completion["usage"]})
    events.append(DONE_EVENT)
    return events


@dataclass
class RecordedRequest:
    """A request as the server received it; `body` is the parsed JSON (or the raw text)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes = b""

    @property
    def asks_stream(self) -> bool:
        """The request asks for a streamed answer (`"stream": true`)."""
        return isinstance(self.body, dict) and self.body.get("stream") is True

    @property
    def asks_usage(self) -> bool:
        """A streamed answer should end with a usage chunk (`stream_options.include_usage`)."""
        options = self.body.get("stream_options") if isinstance(self.body, dict) else None
        return isinstance(options, dict) and options.get("include_usage") is True

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages of a chat-completions request (empty for other requests)."""
        if isinstance(self.body, dict):
            return list(self.body.get("messages") or [])
        return []


class _Listener(ThreadingHTTPServer):
    """Accepts many connections at once (the default backlog of 5 drops some under load).

    A client that gave up (a timeout, an interrupted run) closes its socket while a reply is
    being written; that is expected in fault tests, so it is not printed to the test's stderr,
    where it would read like the tool's own traceback."""

    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


_counter = 0
_counter_lock = threading.Lock()


def _next_id() -> str:
    global _counter
    with _counter_lock:
        _counter += 1
        return f"chatcmpl-scripted-{_counter}"


def _completion(message: dict[str, Any], finish_reason: str, usage: tuple[int, int]) -> dict:
    prompt, completion = usage
    return {
        "id": _next_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "scripted",
        "choices": [
            {"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


def tool_call_reply(
    args: dict[str, Any] | str,
    *,
    name: str = "ArticleExtraction",
    usage: tuple[int, int] = (100, 50),
    finish_reason: str = "tool_calls",
) -> Reply:
    """A chat completion whose one tool call carries `args` (a dict, or a raw string such as
    malformed JSON)."""
    arguments = args if isinstance(args, str) else json.dumps(args)
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_" + _next_id().rsplit("-", 1)[-1],
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
        ],
    }
    return Reply(body=_completion(message, finish_reason, usage))


def content_reply(
    obj_or_text: Any,
    *,
    usage: tuple[int, int] = (100, 50),
    finish_reason: str = "stop",
) -> Reply:
    """A chat completion whose message content is `obj_or_text` (JSON-encoded unless a str)."""
    content = obj_or_text if isinstance(obj_or_text, str) else json.dumps(obj_or_text)
    message = {"role": "assistant", "content": content}
    return Reply(body=_completion(message, finish_reason, usage))


def error_reply(status: int, message: str, *, headers: dict[str, str] | None = None) -> Reply:
    """An OpenAI-style error body with the given HTTP status."""
    body = {"error": {"message": message, "type": "scripted_error", "code": status}}
    return Reply(status=status, body=body, headers=dict(headers or {}))


class ScriptedServer:
    """A threaded HTTP server answering each request with the next queued reply.

    When `router` is set it answers every request instead (the queue is not used). With
    nothing queued and no router the server answers 500 with an error naming the request, so
    a test that under-scripts fails loudly instead of hanging. `latency` is the time from a
    request's arrival to its reply (as a model's latency: the server's own work is inside it);
    a reply's `delay` comes on top.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.router: Callable[[RecordedRequest], Reply] | None = None
        self.latency: float = 0.0
        self.hangups: list[RecordedRequest] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._hung_up = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._httpd = _Listener(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    @property
    def pending(self) -> int:
        """How many queued replies are still unused."""
        with self._lock:
            return len(self._replies)

    def start(self) -> ScriptedServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="scripted-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def wait_for_hangups(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Wait until `count` clients have hung up on a reply being sent; False on timeout."""
        with self._hung_up:
            return self._hung_up.wait_for(lambda: len(self.hangups) >= count, timeout)

    def _record_hangup(self, request: RecordedRequest) -> None:
        with self._hung_up:
            self.hangups.append(request)
            self._hung_up.notify_all()

    def close(self) -> None:
        self._stopping.set()  # stalled replies stop holding their connections
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answer(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            router = self.router
            queued = self._replies.popleft() if router is None and self._replies else None
        if router is not None:
            return router(request)
        if queued is not None:
            return queued
        return error_reply(500, f"scripted server: no reply queued for {request.path}")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms ACK stall

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                received = time.monotonic()
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                recorded = RecordedRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    raw=raw,
                )
                reply = server._answer(recorded)
                # latency runs from the request's arrival: the server's own work is inside it
                elapsed = time.monotonic() - received
                pause = max(0.0, server.latency - elapsed) + reply.delay
                if pause > 0:
                    time.sleep(pause)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if reply.streams(recorded):
                    self._stream(reply, recorded)
                    return
                payload, content_type = _encode(reply.body)
                headers = {"Content-Type": content_type, **reply.headers}
                headers["Content-Length"] = str(len(payload))
                self.send_response(reply.status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, reply: Reply, request: RecordedRequest) -> None:
                """Send `reply` as server-sent events in HTTP/1.1 chunks, pausing and stalling
                as it says; a client that hangs up is recorded."""
                events = reply.events
                if events is None:
                    assert isinstance(reply.body, dict)
                    events = sse_chunks(
                        reply.body, pieces=reply.pieces, include_usage=request.asks_usage
                    )
                self.send_response(reply.status)
                headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
                for key, value in {**headers, **reply.headers}.items():
                    self.send_header(key, value)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for sent, event in enumerate(events):
                        if reply.stall_after is not None and sent >= reply.stall_after:
                            self._hold(None, request)
                            return
                        if sent and reply.chunk_pause and self._hold(reply.chunk_pause, request):
                            return
                        self._chunk(_event_bytes(event))
                    self._chunk(b"")
                except OSError:
                    self.close_connection = True
                    server._record_hangup(request)

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()

            def _hold(self, seconds: float | None, request: RecordedRequest) -> bool:
                """Send nothing for `seconds` (None: until the server stops); True, and the
                hangup recorded, when the client closes the connection meanwhile."""
                until = None if seconds is None else time.monotonic() + seconds
                while not server._stopping.is_set():
                    left = 0.05 if until is None else min(0.05, until - time.monotonic())
                    if left <= 0:
                        return False
                    readable, _, _ = select.select([self.connection], [], [], left)
                    if readable and not self.connection.recv(1, socket.MSG_PEEK):
                        self.close_connection = True
                        server._record_hangup(request)
                        return True
                    if readable:
                        time.sleep(left)  # the client sent more (a next request): not a hangup
                self.close_connection = True
                return False

            do_POST = _handle
            do_GET = _handle

        return Handler


def _event_bytes(event: SSEEvent) -> bytes:
    if isinstance(event, str):
        return event.encode("utf-8")
    return b"data: " + json.dumps(event).encode("utf-8") + b"\n\n"


def _encode(body: Any) -> tuple[bytes, str]:
    if body is None:
        return b"", "application/json"
    if isinstance(body, bytes):
        return body, "application/json"
    if isinstance(body, str):
        return body.encode("utf-8"), "text/plain; charset=utf-8"
    return json.dumps(body).encode("utf-8"), "application/json"
