"""A deadline for a whole HTTP request: headers and body within `seconds` of sending.

An HTTP client's timeout bounds each read, not an answer: a server that drip-feeds its body a
byte at a time never trips it and can hold a request for hours. This transport wraps the real
one and raises the client's own ReadTimeout when the deadline passes, so the openai client
reports it as a timeout and the backend retries it like one. Waits in the client's request
hooks (the shared rate-limit gate) happen before the transport is called and do not count.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx2


class DeadlineTransport(httpx2.AsyncBaseTransport):
    """Wraps `inner`; every request must be answered in full within `seconds`."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        deadline = asyncio.get_running_loop().time() + self.seconds
        try:
            async with asyncio.timeout_at(deadline):
                response = await self.inner.handle_async_request(request)
        except TimeoutError:
            raise self._expired(request) from None
        response.stream = _DeadlineStream(response.stream, deadline, self._expired(request))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def _expired(self, request: httpx2.Request) -> httpx2.ReadTimeout:
        return httpx2.ReadTimeout(f"no complete answer within {self.seconds:g} s", request=request)


class _DeadlineStream(httpx2.AsyncByteStream):
    """A response body that must end by `deadline` (event-loop time)."""

    def __init__(
        self, inner: httpx2.AsyncByteStream, deadline: float, expired: httpx2.ReadTimeout
    ) -> None:
        self._inner = inner
        self._deadline = deadline
        self._expired = expired

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._inner.__aiter__()
        while True:
            try:
                async with asyncio.timeout_at(self._deadline):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise self._expired from None
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class SyncDeadlineTransport(httpx2.BaseTransport):
    """The same for a blocking client: the deadline is checked before and after each read of
    the body, so an answer ends at most one read timeout after its deadline."""

    def __init__(self, inner: httpx2.BaseTransport, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        deadline = time.monotonic() + self.seconds
        response = self.inner.handle_request(request)
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
