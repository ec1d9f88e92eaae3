"""A streamed chat completion folded back into the `chat.completion` a non-streaming server sends.

Streaming lets the client see that a slow server is still generating (see http_deadline.py);
instructor and the openai client should not have to know, so the server-sent events are read
here and the answer is rebuilt: content and tool-call arguments concatenated from their deltas,
the last finish_reason, and the usage from the chunk that carries it. Log probabilities are
never asked for, so `logprobs` is null as in a plain answer without them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

DONE = "[DONE]"


@dataclass(frozen=True)
class Event:
    """One server-sent event: its name ("message" unless the server named it) and data."""

    name: str
    data: str


class EventReader:
    """Server-sent events from the bytes of a response, as they arrive.

    Reads the fields a chat-completions stream uses (`data:`, `event:`) and the `error:` line
    some llama.cpp versions send instead of `data: {"error": ...}`; comments and other fields are
    skipped. A line is split on b"\\n" before it is decoded, so a multi-byte character cut
    between two reads is never broken."""

    def __init__(self) -> None:
        self._pending = b""
        self._name = ""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[Event]:
        *lines, self._pending = (self._pending + chunk).split(b"\n")
        events: list[Event] = []
        for raw in lines:
            line = raw.removesuffix(b"\r").decode("utf-8", "replace")
            if not line:
                if self._data:
                    events.append(Event(self._name or "message", "\n".join(self._data)))
                self._name, self._data = "", []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data":
                self._data.append(value)
            elif name == "event":
                self._name = value
            elif name == "error":
                self._name = "error"
                self._data.append(value)
        return events

    def end(self) -> list[Event]:
        """The event the stream's last bytes hold when no blank line closed it."""
        return self.feed(b"\n\n")


@dataclass
class _ToolCall:
    id: str | None = None
    type: str | None = None
    name: str | None = None
    arguments: list[str] = field(default_factory=list)

    def add(self, delta: dict[str, Any]) -> None:
        self.id = self.id or delta.get("id")
        self.type = self.type or delta.get("type")
        function = delta.get("function") or {}
        # a name comes whole in one delta (some servers repeat it): the first one counts
        self.name = self.name or function.get("name")
        if isinstance(function.get("arguments"), str):
            self.arguments.append(function["arguments"])

    def result(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type or "function",
            "function": {"name": self.name, "arguments": "".join(self.arguments)},
        }


@dataclass
class _Choice:
    role: str | None = None
    texts: dict[str, list[str]] = field(default_factory=dict)
    tool_calls: dict[int, _ToolCall] = field(default_factory=dict)
    finish_reason: str | None = None

    def add(self, choice: dict[str, Any]) -> None:
        delta = choice.get("delta") or {}
        self.role = self.role or delta.get("role")
        for key, value in delta.items():
            # content, refusal, and what some servers add (reasoning_content) all come in pieces
            if key not in ("role", "tool_calls") and isinstance(value, str):
                self.texts.setdefault(key, []).append(value)
        for position, call in enumerate(delta.get("tool_calls") or []):
            index = call.get("index", position)
            self.tool_calls.setdefault(index, _ToolCall()).add(call)
        if choice.get("finish_reason") is not None:
            self.finish_reason = choice["finish_reason"]

    def result(self, index: int) -> dict[str, Any]:
        texts = {key: "".join(parts) for key, parts in self.texts.items()}
        message: dict[str, Any] = {"role": self.role or "assistant", **texts}
        content = message.get("content")
        # a tool-call answer has no content; "" deltas before the calls do not make one
        message["content"] = None if content == "" and self.tool_calls else content
        if self.tool_calls:
            message["tool_calls"] = [self.tool_calls[i].result() for i in sorted(self.tool_calls)]
        return {
            "index": index,
            "message": message,
            "finish_reason": self.finish_reason,
            "logprobs": None,
        }


class CompletionBuilder:
    """Collects `chat.completion.chunk` objects; `completion()` is the answer they make."""

    def __init__(self) -> None:
        self._head: dict[str, Any] = {}
        self._choices: dict[int, _Choice] = {}
        self._usage: dict[str, Any] | None = None

    def add(self, chunk: dict[str, Any]) -> None:
        for key in ("id", "created", "model", "system_fingerprint"):
            if chunk.get(key) is not None:
                self._head.setdefault(key, chunk[key])
        if chunk.get("usage"):
            self._usage = chunk["usage"]
        for position, choice in enumerate(chunk.get("choices") or []):
            self._choices.setdefault(choice.get("index", position), _Choice()).add(choice)

    @property
    def finished(self) -> bool:
        """Every choice has its finish_reason: the answer is whole even if [DONE] never comes."""
        return bool(self._choices) and all(c.finish_reason for c in self._choices.values())

    def completion(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self._head.get("id", ""),
            "object": "chat.completion",
            "created": self._head.get("created", 0),
            "model": self._head.get("model", ""),
            "choices": [self._choices[i].result(i) for i in sorted(self._choices)],
        }
        if "system_fingerprint" in self._head:
            body["system_fingerprint"] = self._head["system_fingerprint"]
        if self._usage is not None:
            body["usage"] = self._usage
        return body


def parse(event: Event) -> dict[str, Any]:
    """The JSON object an event holds; an `error` event's is put under "error" as the
    `data: {"error": ...}` form has it. Raises ValueError when the data is no JSON object."""
    payload = json.loads(event.data)
    if not isinstance(payload, dict):
        raise ValueError("not a JSON object")
    if event.name == "error" and not isinstance(payload.get("error"), dict):
        return {"error": payload}
    return payload


def error_status(body: dict[str, Any]) -> int:
    """The HTTP status an error event names (its `code` or `status`), else 500."""
    error = body.get("error")
    for key in ("code", "status"):
        value = error.get(key) if isinstance(error, dict) else None
        if isinstance(value, int) and 400 <= value <= 599:
            return value
    return 500
