"""The pipeline with a scripted in-process backend: grounding, provenance, concurrency, order,
failure isolation, the store seam, and the Python API."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

import eventbrief
from eventbrief.backends.base import Backend, Capabilities, ExtractionResult
from eventbrief.errors import ArticleError, ConfigError, ExtractionError
from eventbrief.models import Article, ArticleExtraction, ArticleSummary, Usage
from eventbrief.pipeline import (
    ArticleOutcome,
    build_summary,
    run_articles,
    run_sources,
    summarize,
    summarize_many,
)

TEXT = (
    "Envoy arrives for talks\n"
    "The envoy arrived in Hanoi on Monday for talks with the minister.\n"
    "Officials said a joint statement was expected on Wednesday.\n"
)


def extraction_for(text: str, *, missing_quote: bool = False) -> ArticleExtraction:
    """An extraction quoting the article's own lines (and one invented quote when asked)."""
    lines = [line for line in text.splitlines() if line.strip()]
    evidence = [{"quote": lines[1]}]
    if missing_quote:
        evidence.append({"quote": "The minister resigned after the talks collapsed."})
    return ArticleExtraction.model_validate(
        {
            "summary": "An envoy arrived for talks; a statement was expected.",
            "key_takeaways": [
                {"text": "The envoy arrived.", "evidence": [{"quote": lines[1]}]},
                {"text": "A statement was expected.", "evidence": [{"quote": lines[-1]}]},
                {"text": "Talks were held.", "evidence": []},
            ],
            "events": [
                {
                    "id": "e1",
                    "type": "visit",
                    "description": "The envoy arrived in Hanoi.",
                    "participants": ["envoy"],
                    "location": "Hanoi",
                    "status": "occurred",
                    "evidence": evidence,
                }
            ],
            "entities": [{"name": "envoy", "type": "person"}],
        }
    )


class ScriptedBackend:
    """A mock model: answers from the article text; "FAIL" / "BOOM" in the text make it fail;
    records how many articles were in flight at once."""

    name = "scripted"
    capabilities = Capabilities()

    def __init__(self, delays: dict[str, float] | None = None) -> None:
        self.delays = delays or {}
        self.calls: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def identity(self) -> dict[str, str]:
        return {"backend": self.name, "model": "scripted-1", "prompt_version": "p-test"}

    async def aclose(self) -> None:
        """Holds nothing to release."""

    async def extract(self, article: Article) -> ExtractionResult:
        self.calls.append(article.meta.id)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delays.get(article.meta.id, 0.001))
            if "FAIL" in article.text:
                raise ExtractionError(article.meta.id, "the model gave up after 3 attempts")
            if "BOOM" in article.text:
                raise RuntimeError("socket closed\nwhile reading")
            return ExtractionResult(
                extraction=extraction_for(article.text, missing_quote="MISS" in article.text),
                model="scripted-1",
                prompt_version="p-test",
                usage=Usage(prompt_tokens=100, completion_tokens=50, requests=1),
            )
        finally:
            self.in_flight -= 1


def make_article(text: str = TEXT, article_id: str = "a1") -> Article:
    import hashlib

    from eventbrief.models import ArticleMeta

    meta = ArticleMeta(
        id=article_id,
        title="Envoy arrives for talks",
        source=f"{article_id}.txt",
        published=dt.date(2025, 6, 4),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    return Article(meta=meta, text=text)


def test_backend_double_meets_the_protocol() -> None:
    assert isinstance(ScriptedBackend(), Backend)


def test_build_summary_grounds_quotes_and_adds_provenance() -> None:
    backend = ScriptedBackend()
    article = make_article(TEXT + "MISS\n")
    result = asyncio.run(backend.extract(article))
    before = dt.datetime.now(dt.UTC)
    summary = build_summary(article, result, backend)
    assert summary.article == article.meta
    quote = "The envoy arrived in Hanoi on Monday for talks with the minister."
    found, missing = summary.events[0].evidence
    assert (found.start, found.end, found.match) == (
        TEXT.index(quote),
        TEXT.index(quote) + len(quote),
        "exact",
    )
    assert article.text[found.start : found.end] == quote
    assert (missing.start, missing.end, missing.match) == (None, None, None)
    # 4 quotes in all (2 takeaway quotes + 2 event quotes), 3 found.
    assert summary.provenance.grounding_rate == pytest.approx(0.75)
    assert summary.provenance.backend == "scripted"
    assert summary.provenance.model == "scripted-1"
    assert summary.provenance.prompt_version == "p-test"
    assert summary.provenance.usage == Usage(prompt_tokens=100, completion_tokens=50, requests=1)
    assert summary.provenance.created_at.tzinfo is not None
    assert before <= summary.provenance.created_at <= dt.datetime.now(dt.UTC)
    assert [t.text for t in summary.key_takeaways] == [
        "The envoy arrived.",
        "A statement was expected.",
        "Talks were held.",
    ]
    assert summary.entities[0].name == "envoy"


def write_batch(tmp_path: Path) -> list[str]:
    files = {
        "a.txt": TEXT,
        "b.txt": TEXT.replace("Hanoi", "Seoul"),
        "c.txt": TEXT + "FAIL\n",
        "d.txt": TEXT + "BOOM\n",
        "e.txt": "",
        "f.txt": TEXT.replace("Hanoi", "Tokyo"),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [str(tmp_path / n) for n in files] + [str(tmp_path / "missing.txt")]


def test_run_sources_isolates_failures_and_keeps_input_order(tmp_path: Path) -> None:
    sources = write_batch(tmp_path)
    backend = ScriptedBackend(delays={"a": 0.05, "b": 0.001, "f": 0.02})
    seen: list[ArticleOutcome] = []
    outcomes = asyncio.run(run_sources(sources, backend, concurrency=3, on_result=seen.append))
    assert [o.source for o in outcomes] == sources
    assert [o.article_id for o in outcomes] == ["a", "b", "c", "d", "e", "f", "missing"]
    assert [o.ok for o in outcomes] == [True, True, False, False, False, True, False]
    errors = {o.article_id: o.error for o in outcomes if o.error}
    assert errors["c"] == "c: the model gave up after 3 attempts"
    assert errors["d"] == "d: unexpected RuntimeError: socket closed while reading"
    assert errors["e"] == f"{tmp_path / 'e.txt'}: empty file"
    assert errors["missing"] == f"{tmp_path / 'missing.txt'}: no such file"
    assert all("\n" not in e for e in errors.values())
    # Reported as they complete: the slow article "a" comes after the quick "b".
    assert sorted(o.source for o in seen) == sorted(sources)
    assert [o.article_id for o in seen].index("b") < [o.article_id for o in seen].index("a")
    summaries = {o.article_id: o.summary for o in outcomes if o.summary}
    assert summaries["b"] is not None and summaries["b"].events[0].location == "Hanoi"
    assert "Seoul" in summaries["b"].events[0].evidence[0].quote


def test_concurrency_is_bounded(tmp_path: Path) -> None:
    sources = []
    for i in range(10):
        path = tmp_path / f"n{i}.txt"
        path.write_text(TEXT, encoding="utf-8")
        sources.append(str(path))
    backend = ScriptedBackend(delays={f"n{i}": 0.02 for i in range(10)})
    outcomes = asyncio.run(run_sources(sources, backend, concurrency=3))
    assert all(o.ok for o in outcomes)
    assert backend.max_in_flight == 3
    one_at_a_time = ScriptedBackend()
    asyncio.run(run_sources(sources, one_at_a_time, concurrency=1))
    assert one_at_a_time.max_in_flight == 1
    assert one_at_a_time.calls == [f"n{i}" for i in range(10)]


def test_run_articles_on_loaded_articles() -> None:
    articles = [make_article(article_id="x"), make_article(TEXT + "FAIL", article_id="y")]
    outcomes = asyncio.run(run_articles(articles, ScriptedBackend()))
    assert [(o.article_id, o.ok) for o in outcomes] == [("x", True), ("y", False)]
    assert outcomes[1].error == "y: the model gave up after 3 attempts"


class MisconfiguredBackend(ScriptedBackend):
    """Fails every article with one of our errors that does not name the article."""

    async def extract(self, article: Article) -> ExtractionResult:
        raise ConfigError("no price for model m")


def test_every_outcome_error_names_its_article_once() -> None:
    """ArticleOutcome.error names the article, so callers print it without adding the id."""
    articles = [make_article(article_id="z")]
    (outcome,) = asyncio.run(run_articles(articles, MisconfiguredBackend()))
    assert outcome.error == "z: no price for model m"


def test_python_api(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(TEXT, encoding="utf-8")
    summary = eventbrief.summarize(path, backend=ScriptedBackend(), published=dt.date(2025, 6, 4))
    assert isinstance(summary, ArticleSummary)
    assert summary.article.id == "story"
    assert summary.article.published == dt.date(2025, 6, 4)
    with pytest.raises(ArticleError, match="no such file"):
        summarize(tmp_path / "none.txt", backend=ScriptedBackend())
    bad = tmp_path / "bad.txt"
    bad.write_text(TEXT + "FAIL", encoding="utf-8")
    with pytest.raises(ExtractionError, match="bad: the model gave up"):
        summarize(bad, backend=ScriptedBackend())
    outcomes = summarize_many([tmp_path], backend=ScriptedBackend(), concurrency=2)
    assert [(o.article_id, o.ok) for o in outcomes] == [("bad", False), ("story", True)]
    assert eventbrief.summarize_many is summarize_many


def test_python_api_backend_by_name_uses_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventbrief.errors import ConfigError

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("EVENTBRIEF_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("EVENTBRIEF_BASE_URL", raising=False)
    path = tmp_path / "story.txt"
    path.write_text(TEXT, encoding="utf-8")
    with pytest.raises(ConfigError, match="backend openai has no endpoint"):
        summarize(path, backend="openai")
    with pytest.raises(ConfigError, match="--backend: "):
        summarize_many([path], backend="cloud")


def test_import_eventbrief_stays_cheap() -> None:
    code = (
        "import sys, eventbrief; "
        "heavy = [m for m in ('eventbrief.pipeline', 'openai', 'instructor', 'trafilatura') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
