"""What a run's fresh requests used and cost: metered once, priced once.

`MeteredBackend` wraps the backend itself, so it counts every fresh answer and every failed
attempt (paid too) whether or not a cache sits in front of it; answers from the cache never
reach it and cost nothing. Each usage is priced once, here, by the model that answered (a
failure by the backend's model), so a run's total is the sum of what its articles' provenance
shows plus its failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eventbrief.backends.base import Backend, BackendWrapper, ExtractionResult
from eventbrief.errors import ExtractionError
from eventbrief.models import Article, Usage
from eventbrief.pricing import default_prices


@dataclass
class CacheCounts:
    """What a run cost: cache hits, fresh extractions and the usage of the fresh ones only."""

    hits: int = 0
    misses: int = 0
    usage: Usage = field(default_factory=Usage)
    cache_errors: int = 0


def priced(usage: Usage | None, model: str | None) -> Usage | None:
    """`usage` with its cost for `model` from the current price table (as it was when the
    model has no price)."""
    return default_prices().priced(model, usage)


class MeteredBackend(BackendWrapper):
    """A backend whose fresh usage is added, priced, to `counts.usage`. With `priced`, the
    backend's model has a price: a run that made no request then still costs $0, not unknown."""

    def __init__(self, inner: Backend, counts: CacheCounts, *, priced: bool = False) -> None:
        super().__init__(inner)
        self.counts = counts
        self._identity = inner.identity()
        self._model = self._identity.get("model") if priced else None
        if self._model is not None and default_prices().price_for(self._model) is not None:
            self._add(Usage(cost_usd=0.0))

    def identity(self) -> dict[str, str]:
        return self._identity

    async def extract(self, article: Article) -> ExtractionResult:
        try:
            result = await self.inner.extract(article)
        except ExtractionError as exc:  # failed attempts were still paid for
            if exc.usage is not None:
                self._add(priced(exc.usage, self._model) or exc.usage)
            raise
        self.counts.misses += 1
        if result.usage is None:
            return result
        usage = priced(result.usage, result.model or self._model) or result.usage
        self._add(usage)
        return ExtractionResult(
            result.extraction, result.model, result.prompt_version, usage, result.warnings
        )

    def _add(self, usage: Usage) -> None:
        self.counts.usage = self.counts.usage + usage
