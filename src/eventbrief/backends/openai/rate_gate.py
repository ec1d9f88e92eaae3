"""One rate-limit pause shared by every request of a run.

When the endpoint answers 429, retrying each task on its own timer keeps hammering it with the
other tasks' requests. A `RateGate` is shared by all requests of one backend: a 429 closes the
gate for its Retry-After, and every request, first or retried, waits for the gate before it is
sent. It hooks into the HTTP client (httpx event hooks), so it sees the openai client's own
retries too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from eventbrief.backends.openai.retry_after import retry_after_seconds


class RateGate:
    """Closed for a while after a rate-limit answer; `wait()` holds every sender until it opens.

    `default_pause` applies when a 429 carries no Retry-After; `max_pause` caps what a server
    may ask for, so a broken header cannot stall a run.
    """

    def __init__(
        self,
        *,
        default_pause: float = 1.0,
        max_pause: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.default_pause = default_pause
        self.max_pause = max_pause
        self._clock = clock
        self._open_at = 0.0
        self.pauses = 0
        self.waited = 0

    @property
    def closed_for(self) -> float:
        """Seconds until the gate opens (0 when open)."""
        return max(0.0, self._open_at - self._clock())

    def close(self, seconds: float | None) -> None:
        """Close the gate for `seconds` from now (never shortening a longer pause)."""
        pause = self.default_pause if seconds is None else seconds
        self._open_at = max(self._open_at, self._clock() + min(pause, self.max_pause))
        self.pauses += 1

    async def wait(self) -> None:
        """Return once the gate is open; loops because another 429 may extend the pause."""
        delay = self.closed_for
        if delay > 0:
            self.waited += 1
        while delay > 0:
            await asyncio.sleep(delay)
            delay = self.closed_for

    async def _on_request(self, request: Any) -> None:
        await self.wait()

    async def _on_response(self, response: Any) -> None:
        if response.status_code == 429:
            self.close(retry_after_seconds(response.headers))

    def event_hooks(self) -> dict[str, list[Callable[[Any], Awaitable[None]]]]:
        """httpx `event_hooks` for the client that sends the requests."""
        return {"request": [self._on_request], "response": [self._on_response]}
