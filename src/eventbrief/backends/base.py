"""What every backend offers the pipeline: one article in, one ArticleExtraction out, and the
capabilities callers would otherwise guess from its name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from eventbrief.backends.openai.endpoint_report import EndpointReport
from eventbrief.models import Article, ArticleExtraction, Brief, Usage

if TYPE_CHECKING:
    from eventbrief.config import Settings

DEFAULT_CHUNK_CHARS = 12_000
"""Characters of the longest article an LLM backend is sent in one request by default."""


@dataclass(frozen=True)
class Capabilities:
    """What a kind of backend can do and needs, so that no caller decides it by its name. A
    backend class states them as a class attribute; the registry reads them without making one."""

    chunk_chars: int | None = None
    """Longer articles are split into chunks of about this many characters (the run's
    EVENTBRIEF_CHUNK_CHARS overrides it); None: any length in one go."""
    cacheable: bool = True
    """Whether its answers are kept in the extraction cache."""
    priced: bool = False
    """Whether its usage costs money, priced by the model that answered (else it is free)."""
    narrates: bool = False
    """Whether it can write a brief's narrative paragraph (`Narrator`)."""
    deterministic: bool = False
    """Its answers come from rules, in milliseconds, the same for the same input: its model is
    its rules (reports key it by the backend alone), and an evaluation runs it fresh rather than
    trust a cache key that may not cover every input the rules read."""


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

    @property
    def capabilities(self) -> Capabilities: ...

    def identity(self) -> dict[str, str]: ...

    async def extract(self, article: Article) -> ExtractionResult: ...

    async def aclose(self) -> None:
        """Release what the backend holds (connections, files); it may be used again after."""


class BackendWrapper:
    """A backend wrapped for a run (timing, metering, the cache, chunking): its name, identity
    and capabilities are the wrapped backend's, so wrapping changes no cache key and no
    decision, and closing it closes the wrapped one."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.name = inner.name

    @property
    def capabilities(self) -> Capabilities:
        return self.inner.capabilities

    def identity(self) -> dict[str, str]:
        return self.inner.identity()

    async def aclose(self) -> None:
        await self.inner.aclose()


class BackendKind(Protocol):
    """A backend class as the registry sees it: what it can do, and how settings make one."""

    capabilities: Capabilities

    def make(self, settings: Settings) -> Backend: ...


@runtime_checkable
class Narrator(Protocol):
    """A backend that can write a brief's narrative (`capabilities.narrates`)."""

    def narrate(self, brief: Brief) -> str:
        """The paragraph; raises EventbriefError with a one-line reason when it cannot."""
        ...


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
