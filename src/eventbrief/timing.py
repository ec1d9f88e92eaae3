"""How long the backend itself took for each article of a run.

The pipeline puts `TimedBackend` under the extraction cache, so only fresh extractions are
timed: an article's latency is the backend's time for it, summed over its chunks, and an
article answered wholly from the cache has none (the cache's speed is not the model's). Chunks
are articles of their own, so the article in flight is named by the pipeline in `IN_FLIGHT`
rather than read from the chunk.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from eventbrief.backends.base import Backend, BackendWrapper, ExtractionResult
from eventbrief.models import Article

IN_FLIGHT: ContextVar[str | None] = ContextVar("eventbrief_article_in_flight", default=None)


@contextmanager
def in_flight(article_id: str) -> Iterator[None]:
    """Name the article whose extraction runs inside (each pipeline task has its own)."""
    token = IN_FLIGHT.set(article_id)
    try:
        yield
    finally:
        IN_FLIGHT.reset(token)


class TimedBackend(BackendWrapper):
    """A backend whose fresh extractions are timed into `seconds`, by the article in flight."""

    def __init__(self, inner: Backend) -> None:
        super().__init__(inner)
        self.seconds: dict[str, float] = {}

    async def extract(self, article: Article) -> ExtractionResult:
        started = time.perf_counter()
        try:
            return await self.inner.extract(article)
        finally:
            key = IN_FLIGHT.get() or article.meta.id
            self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started
