"""Scripted endpoints that behave like real servers do, for `endpoint check` and `--mode auto`.

`GrammarServer` acts as llama-cpp-python does: it refuses `json_schema` with an HTTP 500 whose
body is a validation error, enforces a schema given as `{"type": "json_object", "schema": …}`
and a named tool's parameters, counts prompt tokens, and serves one request at a time.
`LooseServer` acts as a server that claims everything and enforces nothing: every
`response_format` is taken and ignored, `tool_choice` is ignored, and the prompt is cut at
`context` tokens without a word (Ollama's default num_ctx).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from scripted_server import (
    RecordedRequest,
    Reply,
    content_reply,
    error_reply,
    streaming_reply,
    tool_call_reply,
)

PROBE_ANSWER = {"code": "QX-41", "items": [1, 2, 3]}


def prompt_tokens(request: RecordedRequest) -> int:
    """One token per word of every message, plus a small template overhead."""
    words = sum(len(str(m.get("content") or "").split()) for m in request.messages)
    return words + 7


def _is_probe(request: RecordedRequest) -> bool:
    """Every request but an article's extraction is one of the check's probes."""
    return "<article " not in json.dumps(request.body)


class GrammarServer:
    """A router for ScriptedServer; `extraction` answers the real (non-probe) requests."""

    def __init__(self, extraction: Callable[[RecordedRequest], dict[str, Any]]) -> None:
        self.extraction = extraction
        self.slot = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.latency = 0.15

    def __call__(self, request: RecordedRequest) -> Reply:
        with self.slot:  # one slot: requests queue, as on llama-cpp-python
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            time.sleep(self.latency)
            try:
                return self._answer(request)
            finally:
                self.in_flight -= 1

    def _answer(self, request: RecordedRequest) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        usage = (prompt_tokens(request), 20)
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            return error_reply(
                500,
                "1 validation error: {'type': 'literal_error', 'loc': ('body', "
                "'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\"}",
            )
        answer: dict[str, Any] = PROBE_ANSWER if _is_probe(request) else self.extraction(request)
        if body.get("tools"):
            choice = body.get("tool_choice") or {}
            name = (choice.get("function") or {}).get("name") if isinstance(choice, dict) else None
            return tool_call_reply(answer, name=name or "record_colour", usage=usage)
        if fmt.get("type") == "json_object" and "schema" not in fmt:
            return content_reply({"colour": "blue"}, usage=usage)
        if _is_probe(request) and not fmt:
            return content_reply("Counting: 1 2 3 4 5 6 7 8 9 10", usage=usage)
        return content_reply(answer, usage=usage)


class LooseServer:
    """Takes every request shape, enforces none, and truncates prompts at `context` tokens."""

    def __init__(self, context: int = 512) -> None:
        self.context = context

    def __call__(self, request: RecordedRequest) -> Reply:
        time.sleep(0.15)  # many requests at once, each as slow as one alone
        body = request.body if isinstance(request.body, dict) else {}
        usage = (min(prompt_tokens(request), self.context), 20)
        if body.get("tools"):
            return tool_call_reply({"colour": "blue"}, name="record_colour", usage=usage)
        reply = content_reply({"colour": "blue"}, usage=usage)
        if body.get("stream"):  # generated a piece at a time, all requests at once
            return streaming_reply(reply, pieces=4, chunk_pause=0.05)
        return reply
