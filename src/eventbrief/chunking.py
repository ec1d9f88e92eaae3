"""Long articles: paragraph-aligned chunks with overlap, extracted one by one and merged.

A chunk is an exact slice of the article, so every quote the model copies from it is also a
span of the whole article: grounding the merged extraction against the full text gives offsets
relative to the whole article with no arithmetic. Merging renumbers events, folds the copies of an
event that the overlap showed twice, merges entities that share a name or alias, and keeps at
most seven takeaways, taken in turn from each chunk so every part of the article is represented.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from eventbrief.backends.base import (
    DEFAULT_CHUNK_CHARS,
    Backend,
    BackendWrapper,
    ExtractionResult,
)
from eventbrief.config import CHUNK_CHARS_VAR, MIN_CHUNK_CHARS, env_value
from eventbrief.entity_merge import group_entities, merged_entity
from eventbrief.errors import ConfigError
from eventbrief.models import (
    SUMMARY_MAX_WORDS,
    Article,
    ArticleExtraction,
    Entity,
    Event,
    Takeaway,
    Usage,
    name_key,
)

CHUNK_CHARS_ENV = CHUNK_CHARS_VAR
DEFAULT_OVERLAP_CHARS = 1_200
MAX_TAKEAWAYS = 7

T = TypeVar("T")

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_LINE_BREAK = re.compile(r"\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")


@dataclass(frozen=True)
class Chunk:
    """`text[start:end]` of the article."""

    start: int
    end: int


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs end at blank lines; in a text without any, at line breaks."""
    breaks = _PARAGRAPH_BREAK if _PARAGRAPH_BREAK.search(text) else _LINE_BREAK
    spans, cursor = [], 0
    for brk in breaks.finditer(text):
        if brk.start() > cursor:
            spans.append((cursor, brk.start()))
        cursor = brk.end()
    if cursor < len(text) and text[cursor:].strip():
        spans.append((cursor, len(text)))
    return spans


def _cut(start: int, end: int, text: str, max_chars: int) -> list[tuple[int, int]]:
    """Split one over-long paragraph at sentence ends, else at white space, else anywhere."""
    pieces = []
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cut = max((m.end() for m in _SENTENCE_END.finditer(window)), default=0)
        if cut < max_chars // 2:
            cut = window.rfind(" ") + 1
        if cut < max_chars // 2:
            cut = max_chars
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces


def split_chunks(
    text: str, max_chars: int = DEFAULT_CHUNK_CHARS, overlap_chars: int = DEFAULT_OVERLAP_CHARS
) -> list[Chunk]:
    """Paragraph-aligned chunks of at most `max_chars`; each after the first starts with the
    previous chunk's trailing paragraphs that fit in `overlap_chars`. A text that fits is one
    chunk."""
    if max_chars <= 0:
        raise ValueError("max_chars must be positive")
    if len(text) <= max_chars:
        return [Chunk(0, len(text))]
    units = [piece for s, e in _paragraph_spans(text) for piece in _cut(s, e, text, max_chars)]
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1][1] - units[first][0] <= max_chars:
            last += 1
        chunks.append(Chunk(units[first][0], units[last][1]))
        if last + 1 >= len(units):
            break
        nxt = last + 1
        while (
            nxt - 1 > first
            and units[last][1] - units[nxt - 1][0] <= overlap_chars
            and units[last + 1][1] - units[nxt - 1][0] <= max_chars
        ):
            nxt -= 1
        first = nxt
    return chunks


def _fold(quote: str) -> str:
    return " ".join(quote.split()).casefold()


def _shares_quote(a: Event, b: Event) -> bool:
    quotes_a = [_fold(q.quote) for q in a.evidence]
    quotes_b = [_fold(q.quote) for q in b.evidence]
    return any(x in y or y in x for x in quotes_a for y in quotes_b)


def _union(first: list[T], second: list[T], key: Callable[[T], Hashable]) -> list[T]:
    """`first` followed by the items of `second` whose key it does not already hold."""
    seen = {key(v) for v in first}
    out = list(first)
    for value in second:
        if key(value) not in seen:
            seen.add(key(value))
            out.append(value)
    return out


def merge_entities(groups: list[list[Entity]]) -> tuple[list[Entity], dict[str, str]]:
    """The chunks' entities merged by the rule a brief follows (`eventbrief.entity_merge`);
    returns them and a map from every folded name to the merged entity's name."""
    flat = [e for group in groups for e in group]
    entities: list[Entity] = []
    canonical: dict[str, str] = {}
    for members in group_entities(flat):
        entity = merged_entity([flat[i] for i in members])
        entities.append(entity)
        canonical.update({name_key(n): entity.name for i in members for n in flat[i].names()})
    return entities, canonical


def _merge_event(kept: Event, dup: Event) -> Event:
    return kept.model_copy(
        update={
            "participants": _union(kept.participants, dup.participants, key=name_key),
            "location": kept.location or dup.location,
            "date": kept.date or dup.date,
            "quantities": _union(kept.quantities, dup.quantities, key=lambda q: (q.value, q.unit)),
            "attributed_to": _union(kept.attributed_to, dup.attributed_to, key=name_key),
            "evidence": _union(kept.evidence, dup.evidence, key=lambda q: _fold(q.quote)),
        }
    )


def _merge_summaries(summaries: list[str]) -> str:
    """The first chunk's summary, then whole sentences of later ones while within the limit."""
    text = summaries[0]
    for later in summaries[1:]:
        for sentence in _SENTENCE_END.split(later):
            candidate = f"{text} {sentence}".strip()
            if sentence and len(candidate.split()) <= SUMMARY_MAX_WORDS:
                text = candidate
            else:
                return text
    return text


def _pick_takeaways(groups: list[list[Takeaway]]) -> list[Takeaway]:
    picked: list[Takeaway] = []
    seen: set[str] = set()
    for rank in range(max(len(g) for g in groups)):
        for group in groups:
            if rank < len(group) and _fold(group[rank].text) not in seen:
                seen.add(_fold(group[rank].text))
                picked.append(group[rank])
    return picked[:MAX_TAKEAWAYS]


def merge_extractions(parts: list[ArticleExtraction]) -> ArticleExtraction:
    """One extraction from the extractions of consecutive, overlapping chunks."""
    if len(parts) == 1:
        return parts[0]
    entities, canonical = merge_entities([p.entities for p in parts])
    events: list[tuple[int, Event]] = []
    for chunk_no, part in enumerate(parts):
        for event in part.events:
            event = event.model_copy(
                update={
                    "participants": _union(
                        [], [canonical.get(name_key(p), p) for p in event.participants], name_key
                    )
                }
            )
            dup = next(
                (
                    i
                    for i, (no, kept) in enumerate(events)
                    if no != chunk_no and kept.type == event.type and _shares_quote(kept, event)
                ),
                None,
            )
            if dup is None:
                events.append((chunk_no, event))
            else:
                events[dup] = (events[dup][0], _merge_event(events[dup][1], event))
    renumbered = [
        event.model_copy(update={"id": f"e{n}"}) for n, (_, event) in enumerate(events, 1)
    ]
    return ArticleExtraction(
        summary=_merge_summaries([p.summary for p in parts]),
        key_takeaways=_pick_takeaways([p.key_takeaways for p in parts]),
        events=renumbered,
        entities=entities,
    )


def chunk_warnings(groups: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Every chunk's warnings, each naming its chunk: the article is partial when any chunk
    is, and event ids in a chunk's warning are that chunk's own."""
    total = len(groups)
    return tuple(
        f"chunk {n} of {total}: {warning}" for n, group in enumerate(groups, 1) for warning in group
    )


def chunk_chars_from_env(default: int = DEFAULT_CHUNK_CHARS) -> int:
    """EVENTBRIEF_CHUNK_CHARS, else `default`; ConfigError for a value that is not a whole
    number of at least MIN_CHUNK_CHARS."""
    value = env_value("chunk_chars") or ""
    if not value:
        return default
    try:
        chars = int(value)
    except ValueError:
        chars = 0
    if chars < MIN_CHUNK_CHARS:
        raise ConfigError(
            f"{CHUNK_CHARS_ENV}: {value!r} is not a whole number of at least {MIN_CHUNK_CHARS}"
        )
    return chars


class ChunkingBackend(BackendWrapper):
    """A backend that splits articles longer than `max_chars` and merges the chunks' answers.

    Put it outside the cache wrapper: each chunk is then cached under its own sha256, so a long
    article interrupted half way resumes chunk by chunk and short articles keep their keys.
    Chunks go one at a time by default, so the run's --concurrency still bounds the requests in
    flight (an article holds one slot); `parallel_chunks` trades that bound for latency.
    """

    def __init__(
        self,
        inner: Backend,
        *,
        max_chars: int | None = None,
        overlap_chars: int = DEFAULT_OVERLAP_CHARS,
        parallel_chunks: int = 1,
    ) -> None:
        super().__init__(inner)
        self.max_chars = max_chars if max_chars is not None else chunk_chars_from_env()
        self.overlap_chars = overlap_chars
        self.parallel_chunks = max(1, parallel_chunks)

    def chunk_articles(self, article: Article) -> list[Article]:
        chunks = split_chunks(article.text, self.max_chars, self.overlap_chars)
        if len(chunks) == 1:
            return [article]
        out = []
        for n, chunk in enumerate(chunks, 1):
            text = article.text[chunk.start : chunk.end]
            meta = article.meta.model_copy(
                update={
                    "id": f"{article.meta.id}#chunk{n}of{len(chunks)}",
                    "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                }
            )
            out.append(Article(meta=meta, text=text))
        return out

    async def extract(self, article: Article) -> ExtractionResult:
        chunks = self.chunk_articles(article)
        if len(chunks) == 1:
            return await self.inner.extract(article)
        parallel = asyncio.Semaphore(self.parallel_chunks)

        async def one(chunk: Article) -> ExtractionResult:
            async with parallel:
                return await self.inner.extract(chunk)

        results = await asyncio.gather(*(one(c) for c in chunks))
        usages = [r.usage for r in results if r.usage is not None]
        usage = sum(usages, Usage()) if usages else None
        return ExtractionResult(
            merge_extractions([r.extraction for r in results]),
            results[0].model,
            results[0].prompt_version,
            usage,
            chunk_warnings([r.warnings for r in results]),
        )
