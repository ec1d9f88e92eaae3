"""Time limits on an answer over HTTP, and streaming so that a slow answer is told from a dead one.

An HTTP client's timeout bounds each read, not an answer: a server that drip-feeds its body a
byte at a time never trips it and can hold a request for hours. And a non-streamed answer sends
no byte until it is complete, so a model generating 2,000 tokens at 70 tokens/s on a CPU looks
exactly like a dead server for half a minute. `DeadlineTransport` wraps the real transport:

- with `stream`, a chat-completions request is sent with `"stream": true` (and usage asked for)
  and its server-sent events are folded back into the plain `chat.completion` a non-streaming
  server would send (chat_stream.py), so instructor and the openai client see no difference;
- `stall_seconds` bounds each wait for a byte (the headers included): a server still generating
  keeps sending, so only a stalled one trips it;
- `max_seconds` bounds the whole answer (None: no bound).

A limit passed raises the client's own ReadTimeout, which the openai client reports as a
timeout and the backend retries like one. Giving up, for any reason (a limit, the caller's
cancellation), closes the upstream response, so a streaming server sees the disconnect and stops
generating instead of holding its slot. Waits in the client's request hooks (the shared
rate-limit gate) happen before the transport is called and do not count.

Not folded, only timed: a response that is not an event stream (a server that ignores `stream`
and answers JSON, any error status). A server that rejects `stream_options` answers 400 or 422,
which is passed on as it is: such a server needs `--no-stream`.

`SyncDeadlineTransport` is the whole-answer deadline alone, for a blocking client (the optional
narrative paragraph is short and not streamed).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import aclosing
from typing import TypeVar

import httpx2

from eventbrief.backends.openai.chat_stream import (
    DONE,
    CompletionBuilder,
    Event,
    EventReader,
    error_status,
    parse,
)

T = TypeVar("T")

DRAIN_SECONDS = 1.0
"""How long to wait for the end of a stream after [DONE]: reading it lets the connection be
reused; a server that keeps it open after that costs this much, not a stall."""
_BODY_HEADERS = frozenset(
    {"content-type", "content-length", "content-encoding", "transfer-encoding"}
)


class DeadlineTransport(httpx2.AsyncBaseTransport):
    """Wraps `inner`: each answer within `max_seconds`, no wait for a byte above
    `stall_seconds`, and chat completions streamed when `stream` is set (see the module)."""

    def __init__(
        self,
        inner: httpx2.AsyncBaseTransport,
        max_seconds: float | None = None,
        *,
        stall_seconds: float | None = None,
        stream: bool = False,
    ) -> None:
        self.inner = inner
        self.max_seconds = max_seconds
        self.stall_seconds = stall_seconds
        self.stream = stream

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        limits = _Limits(request, self.max_seconds, self.stall_seconds)
        streamed = _streaming_twin(request) if self.stream else None
        response = await limits.wait(self.inner.handle_async_request(streamed or request))
        if not isinstance(response.stream, httpx2.AsyncByteStream):
            raise TypeError(f"{type(self.inner).__name__} answered with a blocking body")
        response.stream = _TimedStream(response.stream, limits)
        if streamed is None or response.status_code != 200 or not _is_event_stream(response):
            return response
        return await _fold(response, limits, request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class _Limits:
    """When a wait must end: `stall_seconds` after it began, and never after the answer's
    deadline (`max_seconds` after the request was handed to the transport)."""

    def __init__(
        self, request: httpx2.Request, max_seconds: float | None, stall_seconds: float | None
    ) -> None:
        self.request = request
        self.max_seconds = max_seconds
        self.stall_seconds = stall_seconds
        now = asyncio.get_running_loop().time()
        self.deadline = None if max_seconds is None else now + max_seconds

    async def wait(self, step: Awaitable[T]) -> T:
        stall_at = None
        if self.stall_seconds is not None:
            stall_at = asyncio.get_running_loop().time() + self.stall_seconds
        stalls = stall_at is not None and (self.deadline is None or stall_at < self.deadline)
        ends = stall_at if stalls else self.deadline
        if ends is None:
            return await step
        scope = asyncio.timeout_at(ends)
        try:
            async with scope:
                return await step
        except TimeoutError:
            if not scope.expired():
                raise
            raise self.expired(stalls) from None

    def expired(self, stalled: bool) -> httpx2.ReadTimeout:
        reason = (
            f"the answer stalled: no byte from the endpoint for {self.stall_seconds:g} s"
            if stalled
            else f"no complete answer within {self.max_seconds:g} s"
        )
        return httpx2.ReadTimeout(reason, request=self.request)


class _TimedStream(httpx2.AsyncByteStream):
    """A response body whose every read is bounded by `limits`."""

    def __init__(self, inner: httpx2.AsyncByteStream, limits: _Limits) -> None:
        self._inner = inner
        self._limits = limits

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._inner.__aiter__()
        while True:
            try:
                chunk = await self._limits.wait(chunks.__anext__())
            except StopAsyncIteration:
                return
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


def _streaming_twin(request: httpx2.Request) -> httpx2.Request | None:
    """`request` asking for a stream with usage, when it is a chat completion not already
    streamed; else None (it is sent as it is)."""
    if request.method != "POST" or not request.url.path.rstrip("/").endswith("/chat/completions"):
        return None
    try:
        body = json.loads(request.content)
    except (httpx2.RequestNotRead, ValueError):
        return None
    if not isinstance(body, dict) or body.get("stream") is True:
        return None
    options = body.get("stream_options")
    body["stream"] = True
    body["stream_options"] = {
        **(options if isinstance(options, dict) else {}),
        "include_usage": True,
    }
    headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return httpx2.Request(
        request.method, request.url, headers=headers, content=content, extensions=request.extensions
    )


def _is_event_stream(response: httpx2.Response) -> bool:
    kind = response.headers.get("content-type", "").partition(";")[0]
    return kind.strip().lower() == "text/event-stream"


async def _fold(
    response: httpx2.Response, limits: _Limits, request: httpx2.Request
) -> httpx2.Response:
    """The chat.completion an event stream makes, or the error response an error event makes.
    The upstream response is closed whatever happens (a cancellation included)."""
    reader = EventReader()
    folding = _Folding()
    failed: tuple[int, dict[str, object]] | None = None
    try:
        async with aclosing(response.aiter_bytes()) as chunks:
            async for chunk in chunks:
                for event in reader.feed(chunk):
                    failed = failed or folding.take(event)
                if failed:
                    break
                if folding.done:
                    limits.stall_seconds = DRAIN_SECONDS
            else:
                for event in reader.end():
                    failed = failed or folding.take(event)
    except httpx2.ReadTimeout:
        if not folding.whole:
            raise
    finally:
        await response.aclose()
    if failed is None and not folding.whole:
        message = "the endpoint's event stream ended before the answer was finished"
        failed = 502, {"error": {"message": message, "type": "incomplete_stream"}}
    if failed is not None:
        return _answer(response, request, *failed)
    return _answer(response, request, 200, folding.built.completion())


class _Folding:
    """The events of one answer, taken in turn until [DONE]."""

    def __init__(self) -> None:
        self.built = CompletionBuilder()
        self.done = False

    @property
    def whole(self) -> bool:
        """[DONE] came, or every choice finished (some servers never send [DONE])."""
        return self.done or self.built.finished

    def take(self, event: Event) -> tuple[int, dict[str, object]] | None:
        """The status and body of the error response `event` ends the answer with, if any."""
        if self.done:
            return None
        if event.data.strip() == DONE:
            self.done = True
            return None
        try:
            payload = parse(event)
        except ValueError:
            shown = event.data if len(event.data) <= 80 else event.data[:79] + "…"
            message = f"the endpoint streamed an event that is not a JSON object: {shown!r}"
            return 502, {"error": {"message": message, "type": "invalid_stream"}}
        if payload.get("error") is not None:
            return error_status(payload), payload
        self.built.add(payload)
        return None


def _answer(
    upstream: httpx2.Response, request: httpx2.Request, status: int, body: dict[str, object]
) -> httpx2.Response:
    """A JSON response as a non-streaming server would send it (its other headers kept:
    request ids, rate-limit counters)."""
    headers = [(k, v) for k, v in upstream.headers.multi_items() if k.lower() not in _BODY_HEADERS]
    headers.append(("content-type", "application/json"))
    return httpx2.Response(
        status,
        headers=headers,
        content=json.dumps(body).encode("utf-8"),
        request=request,
        extensions={k: v for k, v in upstream.extensions.items() if k == "http_version"},
    )


class SyncDeadlineTransport(httpx2.BaseTransport):
    """The whole-answer deadline for a blocking client: it is checked after each read of the
    body, so an answer ends at most one read timeout after its deadline."""

    def __init__(self, inner: httpx2.BaseTransport, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        deadline = time.monotonic() + self.seconds
        response = self.inner.handle_request(request)
        if not isinstance(response.stream, httpx2.SyncByteStream):
            raise TypeError(f"{type(self.inner).__name__} answered with an async body")
        expired = httpx2.ReadTimeout(
            f"no complete answer within {self.seconds:g} s", request=request
        )
        response.stream = _SyncDeadlineStream(response.stream, deadline, expired)
        return response

    def close(self) -> None:
        self.inner.close()


class _SyncDeadlineStream(httpx2.SyncByteStream):
    def __init__(
        self, inner: httpx2.SyncByteStream, deadline: float, expired: httpx2.ReadTimeout
    ) -> None:
        self._inner = inner
        self._deadline = deadline
        self._expired = expired

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if time.monotonic() > self._deadline:
                raise self._expired
            yield chunk

    def close(self) -> None:
        self._inner.close()
