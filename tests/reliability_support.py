"""Shared by the reliability tests: answers a model could give, and reading recorded requests.

The scripted server answers with what these functions build; the tests then look at what the tool
sent (`RecordedRequest`) and wrote. Nothing here knows the tool's internals.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

INJECTION_DIR = Path(__file__).parent / "injection"

# A distinctive fake API key: any trace of it in what the tool writes is a leak.
FAKE_KEY = "sk-reliability-CANARY-7f3c9e21d4b8a6f0"
# Fragments of the key that must not appear either (a key cut in half still leaks).
FAKE_KEY_FRAGMENTS = ("CANARY-7f3c9e21", "7f3c9e21d4b8a6f0")

MIN_QUOTE_CHARS = 1
MAX_QUOTE_CHARS = 90


def chat_completion(
    message: dict[str, Any],
    *,
    finish_reason: str | None = "stop",
    usage: tuple[int, int] = (100, 50),
    model: str = "scripted-model",
) -> dict[str, Any]:
    """A chat.completion body with one choice holding `message`."""
    return {
        "id": "chatcmpl-reliability",
        "object": "chat.completion",
        "created": 1_750_000_000,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": usage[0] + usage[1],
        },
    }


def tool_calls_message(calls: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """An assistant message with one tool call per (name, raw JSON arguments) pair."""
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": args}}
            for i, (name, args) in enumerate(calls)
        ],
    }


def quotes_from(text: str, count: int = 3) -> list[str]:
    """`count` verbatim spans of `text` (its lines that hold a letter or digit, cut short)."""
    spans: list[str] = []
    for line in text.splitlines():
        piece = line.strip()[:MAX_QUOTE_CHARS].strip()
        if len(piece) >= MIN_QUOTE_CHARS and any(ch.isalnum() for ch in piece):
            spans.append(piece)
    if not spans:
        stripped = text.strip()
        spans = [stripped[:MAX_QUOTE_CHARS].strip() or stripped]
    return [spans[i % len(spans)] for i in range(count)]


def extraction_for(text: str, *, summary: str = "A neutral test summary.") -> dict[str, Any]:
    """A valid ArticleExtraction whose every quote is a verbatim span of `text`."""
    quotes = quotes_from(text, 4)
    return {
        "summary": summary,
        "key_takeaways": [
            {"text": f"Takeaway {i + 1}.", "evidence": [{"quote": q}]}
            for i, q in enumerate(quotes[:3])
        ],
        "events": [
            {
                "id": "e1",
                "type": "statement",
                "description": "Officials made a statement.",
                "participants": ["Test Agency"],
                "location": None,
                "date": None,
                "status": "occurred",
                "quantities": [],
                "attributed_to": [],
                "evidence": [{"quote": quotes[3]}],
            }
        ],
        "entities": [
            {"name": "Test Agency", "type": "organization", "aliases": [], "description": None}
        ],
    }


def with_quote(extraction: dict[str, Any], quote: str) -> dict[str, Any]:
    """A copy of `extraction` whose first event cites `quote` (e.g. one not in the article)."""
    changed = json.loads(json.dumps(extraction))
    changed["events"][0]["evidence"] = [{"quote": quote}]
    return changed


def request_body(request: Any) -> dict[str, Any]:
    """The JSON body of a recorded request, whatever form the recorder kept it in."""
    body = request.body
    if isinstance(body, dict):
        return body
    if body is None:
        return {}
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8")
    return json.loads(body)


def messages(request: Any) -> list[dict[str, Any]]:
    return list(request_body(request).get("messages", []))


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def first_user_message(request: Any) -> str:
    return next((message_text(m) for m in messages(request) if m.get("role") == "user"), "")


def chat_requests(requests: Iterable[Any]) -> list[Any]:
    """Only the chat-completion calls (a server may also see other paths)."""
    return [r for r in requests if str(r.path).rstrip("/").endswith("/chat/completions")]


def one_line(text: str) -> bool:
    return "\n" not in text.strip() and bool(text.strip())


def no_traceback(*outputs: str) -> bool:
    return not any("Traceback (most recent call last)" in out for out in outputs)


class DripServer:
    """An HTTP server that answers the first `drips` requests one byte at a time, `interval`
    seconds apart: every read gets data well within a read timeout, yet the answer never ends
    in useful time. Later requests get the same body at once. (The scripted server writes
    whole replies, so it cannot play this fault.)"""

    def __init__(self, body: bytes, *, drips: int, interval: float = 0.2) -> None:
        self.body = body
        self.drips = drips
        self.interval = interval
        self.requests = 0
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}/v1"

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            with self._lock:
                self.requests += 1
                drip = self.requests <= self.drips
            threading.Thread(target=self._answer, args=(conn, drip), daemon=True).start()

    def _answer(self, conn: socket.socket, drip: bool) -> None:
        with conn:
            try:
                _read_request(conn)
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
                )
                conn.sendall(head.encode("ascii"))
                if not drip:
                    conn.sendall(self.body)
                    return
                for i in range(len(self.body)):
                    if self._closed.wait(self.interval):
                        return
                    conn.sendall(self.body[i : i + 1])
            except OSError:
                return


def _read_request(conn: socket.socket) -> None:
    """Read one request (headers and a Content-Length body) so the client is not cut off."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        rest += chunk


PAYLOAD_MARKERS = ("alert(", "evil.example", "document.cookie")


class _MarkupFinder(HTMLParser):
    """Collects, as a browser would parse them, the page's script elements (by their start tag)
    and the event-handler attributes and javascript: URLs that hold a PAYLOAD_MARKERS string."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(repr(sorted((n, v or "") for n, v in attrs)))
        for name, value in attrs:
            value = value or ""
            live = name.startswith("on") or value.strip().lower().startswith("javascript:")
            if live and any(m in value for m in PAYLOAD_MARKERS):
                self.handlers.append(f"<{tag} {name}={value!r}>")


def _markup(page: str) -> _MarkupFinder:
    finder = _MarkupFinder()
    finder.feed(page)
    finder.close()
    return finder


def live_payloads(page: str, benign_page: str) -> list[str]:
    """Markup from an article that a browser would run in `page`: event handlers and
    javascript: URLs carrying a payload, and any script element that the same page made from a
    harmless article (`benign_page`) does not have (an article's `</script><script>` breaking
    out of embedded data shows up here). Empty when everything is escaped."""
    hostile, benign = _markup(page), _markup(benign_page)
    extra_scripts = list(hostile.scripts)
    for script in benign.scripts:
        if script in extra_scripts:
            extra_scripts.remove(script)
    return hostile.handlers + [f"extra <script {attrs}>" for attrs in extra_scripts]


def tool_names(request: Any) -> list[str]:
    """The names of the tools a request offers (which answer it expects)."""
    tools = request_body(request).get("tools") or []
    return [t.get("function", {}).get("name", "") for t in tools if isinstance(t, dict)]
