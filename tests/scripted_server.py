"""An OpenAI-compatible HTTP server on 127.0.0.1 that answers with scripted replies.

Tests (and bench/) drive the real `openai` client and `instructor` against it over real HTTP:
queue the replies a test needs, or set a `router` that picks one from the request, then assert
on `requests`, which records every request the server received.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer. `drop` closes the connection without answering (a network fault)."""

    status: int = 200
    body: dict[str, Any] | list[Any] | str | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


@dataclass
class RecordedRequest:
    """A request as the server received it; `body` is the parsed JSON (or the raw text)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes = b""

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
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
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

    def close(self) -> None:
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
                payload, content_type = _encode(reply.body)
                headers = {"Content-Type": content_type, **reply.headers}
                headers["Content-Length"] = str(len(payload))
                self.send_response(reply.status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_POST = _handle
            do_GET = _handle

        return Handler


def _encode(body: Any) -> tuple[bytes, str]:
    if body is None:
        return b"", "application/json"
    if isinstance(body, bytes):
        return body, "application/json"
    if isinstance(body, str):
        return body.encode("utf-8"), "text/plain; charset=utf-8"
    return json.dumps(body).encode("utf-8"), "application/json"
