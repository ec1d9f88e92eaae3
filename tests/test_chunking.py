"""Long articles: paragraph-aligned chunks with overlap, and merging the chunks' extractions."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventbrief.backends.base import ExtractionResult
from eventbrief.cache import CachingBackend, ExtractionCache
from eventbrief.chunking import CHUNK_CHARS_ENV, ChunkingBackend, merge_extractions, split_chunks
from eventbrief.errors import ConfigError
from eventbrief.models import Article, ArticleExtraction, Usage
from eventbrief.pipeline import build_summary
from scale_helpers import make_article


def _paragraphs(n: int, size: int = 100) -> list[str]:
    return [(f"Paragraph {i} says this. " * 20)[:size].strip() + "." for i in range(n)]


def test_a_text_that_fits_is_one_chunk() -> None:
    assert [(c.start, c.end) for c in split_chunks("short text", 100, 10)] == [(0, 10)]


def test_chunks_are_paragraph_aligned_and_overlap_by_whole_paragraphs() -> None:
    paras = _paragraphs(10)
    text = "\n\n".join(paras)
    starts = [text.index(p) for p in paras]
    chunks = split_chunks(text, max_chars=350, overlap_chars=120)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.end - chunk.start <= 350
        assert chunk.start in starts
        assert text[chunk.start : chunk.end] == text[chunk.start : chunk.end].strip()
    for before, after in itertools.pairwise(chunks):
        shared = text[after.start : before.end]
        # exactly one paragraph (≈101 chars) fits in a 120-char overlap
        assert shared in paras
    assert chunks[0].start == 0 and chunks[-1].end == len(text)


def test_a_paragraph_longer_than_a_chunk_is_cut_at_sentence_ends() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(60))
    chunks = split_chunks(text, max_chars=200, overlap_chars=0)
    assert len(chunks) > 1
    for chunk in chunks[:-1]:
        assert text[chunk.start : chunk.end].rstrip().endswith(".")
    assert "".join(text[c.start : c.end] for c in chunks) == text


@settings(max_examples=60, deadline=None)
@given(
    paras=st.lists(
        st.text(alphabet="abc de.\n", min_size=1, max_size=300).filter(lambda s: s.strip()),
        min_size=1,
        max_size=25,
    ),
    max_chars=st.integers(min_value=50, max_value=600),
    overlap=st.integers(min_value=0, max_value=300),
)
def test_chunks_cover_the_text_within_the_size_limit(
    paras: list[str], max_chars: int, overlap: int
) -> None:
    text = "\n\n".join(paras)
    chunks = split_chunks(text, max_chars, overlap)
    covered = [False] * len(text)
    for chunk in chunks:
        if len(chunks) > 1:
            assert chunk.end - chunk.start <= max_chars
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace())
    assert [c.start for c in chunks] == sorted({c.start for c in chunks})


def _extraction(
    events: list[dict], entities: list[dict], takeaways: list[str]
) -> ArticleExtraction:
    return ArticleExtraction.model_validate(
        {
            "summary": "Shoigu visited Pyongyang.",
            "key_takeaways": [{"text": t} for t in takeaways],
            "events": events,
            "entities": entities,
        }
    )


def _event(eid: str, quote: str, participants: list[str], type_: str = "visit") -> dict:
    return {
        "id": eid,
        "type": type_,
        "description": "x happened.",
        "participants": participants,
        "evidence": [{"quote": quote}],
    }


def test_merge_folds_overlap_duplicates_entities_by_alias_and_renumbers() -> None:
    first = _extraction(
        [
            _event("e1", "Shoigu arrived in Pyongyang", ["Sergei Shoigu"]),
            _event(
                "e2", "They signed an agreement on Tuesday", ["Sergei Shoigu", "Kim"], "agreement"
            ),
        ],
        [
            {"name": "Sergei Shoigu", "type": "person", "aliases": ["Shoigu"]},
            {"name": "Kim", "type": "person", "description": "leader"},
        ],
        ["A1.", "A2.", "A3."],
    )
    second = _extraction(
        [
            # the same agreement, seen again through the overlap, quoted a little longer
            _event(
                "e1",
                "They signed an agreement on Tuesday, officials said",
                ["Kim Jong Un", "Shoigu"],
                "agreement",
            ),
            _event("e2", "Troops were sent to Kursk", ["Kim Jong Un"], "military_deployment"),
        ],
        [
            {"name": "Kim Jong Un", "type": "person", "aliases": ["Kim"]},
            {"name": "Shoigu", "type": "person"},
        ],
        ["B1.", "B2.", "B3.", "B4.", "B5."],
    )
    merged = merge_extractions([first, second])
    assert [e.id for e in merged.events] == ["e1", "e2", "e3"]
    assert [e.type for e in merged.events] == ["visit", "agreement", "military_deployment"]
    agreement = merged.events[1]
    assert agreement.participants == ["Sergei Shoigu", "Kim Jong Un"]
    assert [q.quote for q in agreement.evidence] == [
        "They signed an agreement on Tuesday",
        "They signed an agreement on Tuesday, officials said",
    ]
    by_name = {e.name: e for e in merged.entities}
    assert set(by_name) == {"Sergei Shoigu", "Kim Jong Un"}
    assert by_name["Kim Jong Un"].aliases == ["Kim"]
    assert by_name["Kim Jong Un"].description == "leader"
    assert merged.events[2].participants == ["Kim Jong Un"]
    # round robin over chunks, at most seven
    assert [t.text for t in merged.key_takeaways] == [
        "A1.",
        "B1.",
        "A2.",
        "B2.",
        "A3.",
        "B3.",
        "B4.",
    ]


def test_same_quote_different_type_stays_two_events() -> None:
    a = _extraction(
        [_event("e1", "Q here", ["X"], "visit")],
        [{"name": "X", "type": "person"}],
        ["1.", "2.", "3."],
    )
    b = _extraction(
        [_event("e1", "Q here", ["X"], "meeting")],
        [{"name": "X", "type": "person"}],
        ["1.", "2.", "3."],
    )
    assert len(merge_extractions([a, b]).events) == 2


class ParagraphBackend:
    """Reports one visit per paragraph of whatever it is given, quoting the paragraph."""

    name = "paragraphs"

    def __init__(self, fail_after: int | None = None) -> None:
        self.seen: list[Article] = []
        self.fail_after = fail_after

    def identity(self) -> dict[str, str]:
        return {"backend": self.name, "model": "p"}

    async def extract(self, article: Article) -> ExtractionResult:
        if self.fail_after is not None and len(self.seen) >= self.fail_after:
            raise RuntimeError("stopped")
        self.seen.append(article)
        paras = [p for p in article.text.split("\n\n") if p.strip()]
        events = [_event(f"e{i}", p.split(".")[0], [p.split()[0]]) for i, p in enumerate(paras, 1)]
        entities = [
            {"name": n, "type": "person"} for n in dict.fromkeys(p.split()[0] for p in paras)
        ]
        takeaways = [f"{p.split()[0]} visited." for p in paras] + ["More.", "Again.", "Still."]
        extraction = _extraction(events, entities, takeaways[:3])
        return ExtractionResult(
            extraction, "p", "1", Usage(prompt_tokens=len(article.text), requests=1)
        )


def _long_article() -> Article:
    names = ["Anna", "Boris", "Chen", "Dara", "Emil", "Fatma", "Goran", "Hana"]
    text = "\n\n".join(
        f"{n} visited the capital on day {i}. " + "More words here. " * 12
        for i, n in enumerate(names)
    )
    return make_article("long", text=text)


def test_chunking_backend_merges_whole_article_without_duplicates() -> None:
    article = _long_article()
    inner = ParagraphBackend()
    backend = ChunkingBackend(inner, max_chars=700, overlap_chars=260)
    result = asyncio.run(backend.extract(article))
    assert len(inner.seen) > 2
    assert all(a.text in article.text for a in inner.seen)
    assert all(a.meta.id.startswith("long#chunk") for a in inner.seen)
    quotes = [e.evidence[0].quote for e in result.extraction.events]
    # every paragraph once, in article order, despite the overlaps
    assert [q.split()[0] for q in quotes] == [
        "Anna",
        "Boris",
        "Chen",
        "Dara",
        "Emil",
        "Fatma",
        "Goran",
        "Hana",
    ]
    positions = [article.text.find(q) for q in quotes]
    assert positions == sorted(positions) and -1 not in positions
    assert [e.id for e in result.extraction.events] == [f"e{i}" for i in range(1, 9)]
    assert result.usage is not None
    assert result.usage.requests == len(inner.seen)
    assert result.usage.prompt_tokens == sum(len(a.text) for a in inner.seen)


def test_short_articles_pass_through_untouched() -> None:
    inner = ParagraphBackend()
    article = make_article("short", text="Anna visited the capital.")
    asyncio.run(ChunkingBackend(inner, max_chars=700).extract(article))
    assert inner.seen == [article]


def test_an_interrupted_long_article_resumes_chunk_by_chunk(tmp_path: Path) -> None:
    article = _long_article()
    broken = ParagraphBackend(fail_after=2)
    first = ChunkingBackend(
        CachingBackend(broken, ExtractionCache(tmp_path)),
        max_chars=700,
        overlap_chars=260,
        parallel_chunks=1,
    )
    with pytest.raises(RuntimeError):
        asyncio.run(first.extract(article))
    fresh = ParagraphBackend()
    cached = CachingBackend(fresh, ExtractionCache(tmp_path))
    again = ChunkingBackend(cached, max_chars=700, overlap_chars=260, parallel_chunks=1)
    asyncio.run(again.extract(article))
    total = len(again.chunk_articles(article))
    assert cached.counts.hits == 2
    assert len(fresh.seen) == total - 2


def test_grounded_offsets_point_into_the_whole_article() -> None:
    article = _long_article()
    backend = ChunkingBackend(ParagraphBackend(), max_chars=700, overlap_chars=260)
    summary = build_summary(article, asyncio.run(backend.extract(article)), backend)
    starts = []
    for event in summary.events:
        evidence = event.evidence[0]
        assert evidence.start is not None and evidence.end is not None
        assert article.text[evidence.start : evidence.end] == evidence.quote
        starts.append(evidence.start)
    # the later paragraphs sit far beyond the first chunk: offsets are not chunk-relative
    assert max(starts) > 700
    assert summary.provenance.grounding_rate == 1.0


def test_single_line_breaks_are_paragraphs_when_there_are_no_blank_lines() -> None:
    lines = [f"Line {i} reports something of note here." for i in range(40)]
    text = "\n".join(lines)
    chunks = split_chunks(text, max_chars=400, overlap_chars=90)
    starts = {text.index(line) for line in lines}
    assert len(chunks) > 3
    assert all(c.start in starts for c in chunks)
    assert all(text[c.end - 1] == "." for c in chunks)


@pytest.mark.parametrize("value", ["lots", "10", "-5"])
def test_a_bad_chunk_size_is_a_config_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(CHUNK_CHARS_ENV, value)
    with pytest.raises(ConfigError, match=CHUNK_CHARS_ENV):
        ChunkingBackend(ParagraphBackend())
    monkeypatch.setenv(CHUNK_CHARS_ENV, "2000")
    assert ChunkingBackend(ParagraphBackend()).max_chars == 2000
