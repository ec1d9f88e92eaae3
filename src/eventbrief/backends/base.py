"""What every backend offers the pipeline: one article in, one ArticleExtraction out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from eventbrief.models import Article, ArticleExtraction, Usage


@dataclass(frozen=True)
class ExtractionResult:
    """A backend's answer for one article, before grounding adds offsets and provenance."""

    extraction: ArticleExtraction
    model: str | None = None
    prompt_version: str | None = None
    usage: Usage | None = None
    warnings: tuple[str, ...] = ()
    """Non-empty for a partial result: what was changed to keep the valid part of an answer
    that never became valid (they become `provenance.warnings`)."""


@runtime_checkable
class Backend(Protocol):
    """A source of extractions. `identity` names everything that changes its answers (the cache
    key uses it): backend name, model, mode, prompt version, rule-set version."""

    name: str

    def identity(self) -> dict[str, str]: ...

    async def extract(self, article: Article) -> ExtractionResult: ...
