"""What every backend offers the pipeline: one article in, one ArticleExtraction out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from eventbrief.backends.endpoint_report import EndpointReport
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


@runtime_checkable
class EndpointBackend(Protocol):
    """A backend whose request shape depends on what its endpoint does (`--mode auto`): the
    pipeline settles it before the first request, from a stored or a fresh endpoint check."""

    model: str
    report: EndpointReport | None

    @property
    def needs_check(self) -> bool: ...

    @property
    def endpoint(self) -> str: ...

    def configure(self, report: EndpointReport) -> list[str]: ...

    async def check(self, progress: Callable[[str], None] | None = None) -> EndpointReport: ...
