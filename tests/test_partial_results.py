"""Partial results end to end: an answer still invalid after the re-asks is written with its valid,
grounded part and `provenance.warnings`; the commands count and name partial articles, exit 0 for
them, --strict (or EVENTBRIEF_STRICT) fails them as before; partial results are never cached;
chunking keeps each chunk's warnings; eval scores a partial article as it is and marks it."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventbrief.backends import make_backend
from eventbrief.backends.base import ExtractionResult
from eventbrief.cache import CacheCounts, CachingBackend, ExtractionCache
from eventbrief.chunking import ChunkingBackend
from eventbrief.cli import app
from eventbrief.config import ENV_VARS, Settings
from eventbrief.models import Article, ArticleExtraction, ArticleMeta, ArticleSummary, Brief, Usage
from eventbrief.output import render_markdown
from eventbrief.pipeline import build_summary
from eventbrief.progress import RunSummary
from scoring_records import GOLDS, TEXTS, to_extraction, write_dataset
from scripted_server import RecordedRequest, Reply, ScriptedServer, tool_call_reply

runner = CliRunner()
KEY = "sk-partial-test-5c1e9a"

WHOLE = (
    "Harbour talks resume\n\n"
    "The port authority said on Monday that talks with the dockworkers' union would resume. "
    "Union leaders welcomed the offer of new talks. "
    "A first meeting is planned for Thursday in Gdansk.\n"
)
BROKEN = (
    "Ferry line reopens\n\n"
    "The ferry line between Visby and Nynashamn reopened on Tuesday after repairs. "
    "The operator said all crossings would run on schedule again. "
    "Passengers had waited three weeks for the line to reopen.\n"
)
LEAD = [
    "The ferry line between Visby and Nynashamn reopened on Tuesday after repairs.",
    "The operator said all crossings would run on schedule again.",
    "Passengers had waited three weeks for the line to reopen.",
]
FILLED = "filled 3 key takeaways from the article's lead sentences"
_ARTICLE_IN_PROMPT = re.compile(r"<article (\w+)>\n(.*)\n</article \1>", re.DOTALL)


def answer_for(text: str) -> dict[str, Any]:
    """A valid answer quoting the article's own sentences."""
    sentences = [s.strip() for s in re.findall(r"[^.]+\.", text.split("\n\n", 1)[1])]
    return {
        "summary": f"Summary: {sentences[0]}",
        "key_takeaways": [
            {"text": f"Point {n}.", "evidence": [{"quote": s}]} for n, s in enumerate(sentences)
        ],
        "events": [
            {
                "id": "e1",
                "type": "statement",
                "description": "Officials said something.",
                "participants": ["Port Authority"],
                "evidence": [{"quote": sentences[0]}],
            }
        ],
        "entities": [{"name": "Port Authority", "type": "organization"}],
    }


def _article_text(request: RecordedRequest) -> str:
    prompt = "\n".join(str(m.get("content") or "") for m in request.messages)
    found = _ARTICLE_IN_PROMPT.search(prompt)
    assert found is not None
    return found.group(2)


class Router:
    """The whole answer for every article, except no takeaways for the ferry article while
    `broken` is set."""

    def __init__(self) -> None:
        self.broken = True

    def __call__(self, request: RecordedRequest) -> Reply:
        text = _article_text(request)
        answer = answer_for(text)
        if self.broken and "Ferry line" in text:
            answer["key_takeaways"] = []
        return tool_call_reply(answer, usage=(100, 10))


@pytest.fixture
def env(tmp_path: Path, scripted_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two articles (harbour: whole answer; ferry: no takeaways) against the scripted server."""
    for names in ENV_VARS.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EVENTBRIEF_API_KEY", KEY)
    monkeypatch.setenv("EVENTBRIEF_BASE_URL", scripted_server.base_url)
    monkeypatch.setenv("EVENTBRIEF_MODEL", "scripted-model")
    monkeypatch.setenv("EVENTBRIEF_REASKS", "1")
    monkeypatch.setenv("EVENTBRIEF_MODE", "tools")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "harbour.txt").write_text(WHOLE, encoding="utf-8")
    (folder / "ferry.txt").write_text(BROKEN, encoding="utf-8")
    scripted_server.router = Router()
    return folder


def _records(stdout: str) -> dict[str, ArticleSummary]:
    records = [ArticleSummary.model_validate_json(line) for line in stdout.splitlines()]
    return {r.article.id: r for r in records}


def test_summarize_writes_a_partial_article_names_it_once_and_exits_0(
    env: Path, scripted_server: ScriptedServer
) -> None:
    # a publication date, so that "on Tuesday" resolves and no notice joins the partial line
    args = ["summarize", str(env), "--format", "jsonl", "--published", "2025-06-04"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    records = _records(result.stdout)
    assert sorted(records) == ["ferry", "harbour"]
    assert not records["harbour"].partial
    ferry = records["ferry"]
    assert ferry.partial and ferry.provenance.warnings == [FILLED]
    assert [t.text for t in ferry.key_takeaways] == LEAD
    assert ferry.provenance.grounding_rate == 1.0
    assert ferry.provenance.usage is not None and ferry.provenance.usage.requests == 2
    lines = [line for line in result.stderr.splitlines() if "ferry" in line]
    assert lines == [f"eventbrief: ferry: partial, 1 warning: {FILLED}"]
    assert "eventbrief: 2 of 2 articles summarized (1 partial), 0 failed; 3 requests" in (
        result.stderr
    )
    assert len(scripted_server.requests) == 3


@pytest.mark.parametrize("how", ["flag", "env"])
def test_strict_fails_the_article_as_before(
    env: Path, scripted_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    args = ["summarize", str(env), "--format", "jsonl"]
    if how == "flag":
        args.append("--strict")
    else:
        monkeypatch.setenv("EVENTBRIEF_STRICT", "1")
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.stderr
    assert sorted(_records(result.stdout)) == ["harbour"]
    lines = [line for line in result.stderr.splitlines() if "ferry" in line]
    assert lines == [
        "eventbrief: ferry: the model's answer was not valid after 2 tries: key_takeaways: "
        "List should have at least 3 items after validation, not 0"
    ]
    assert "1 of 2 articles summarized, 1 failed;" in result.stderr


def test_a_partial_result_is_not_cached_and_is_asked_again(
    env: Path, scripted_server: ScriptedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(tmp_path / "cache"))
    args = ["summarize", str(env), "--format", "jsonl"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.stderr
    assert "(1 partial), 0 failed; 3 requests, 0 cache hits" in first.stderr

    scripted_server.router.broken = False
    scripted_server.requests.clear()
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.stderr
    assert "2 of 2 articles summarized, 0 failed; 1 request, 1 cache hit" in second.stderr
    assert [_article_text(r).startswith("Ferry") for r in scripted_server.requests] == [True]
    ferry = _records(second.stdout)["ferry"]
    assert not ferry.partial
    assert [t.text for t in ferry.key_takeaways] == ["Point 0.", "Point 1.", "Point 2."]

    third = runner.invoke(app, args)
    assert "0 requests, 2 cache hits" in third.stderr


def test_brief_takes_a_partial_article_and_names_it(env: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.json"
    result = runner.invoke(app, ["brief", str(env), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    brief = Brief.model_validate_json(out.read_text(encoding="utf-8"))
    assert sorted(a.id for a in brief.articles) == ["ferry", "harbour"]
    assert f"eventbrief: ferry: partial, 1 warning: {FILLED}" in result.stderr.splitlines()
    assert "2 of 2 articles summarized (1 partial), 0 failed" in result.stderr

    strict = runner.invoke(app, ["brief", str(env), "--strict", "-o", str(out)])
    assert strict.exit_code == 1, strict.stderr
    brief = Brief.model_validate_json(out.read_text(encoding="utf-8"))
    assert [a.id for a in brief.articles] == ["harbour"]


def test_markdown_shows_a_partial_article_and_its_warnings(env: Path) -> None:
    ferry = str(env / "ferry.txt")
    args = ["summarize", ferry, "--format", "markdown", "--published", "2025-06-04"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "**partial** (see Warnings)" in result.stdout
    assert result.stdout.endswith(f"## Warnings\n\n- {FILLED}\n")


# eval


def _eval_router(partial_ids: set[str]) -> Any:
    golds = {aid: f() for aid, f in GOLDS.items()}

    def route(request: RecordedRequest) -> Reply:
        sent = json.dumps(request.messages, ensure_ascii=False)
        for aid, gold in golds.items():
            if TEXTS[aid].splitlines()[1][:40] in sent:
                answer = to_extraction(gold)
                if aid in partial_ids:
                    answer["events"][0]["evidence"] = [{"quote": "words the article never had"}]
                return tool_call_reply(answer)
        return Reply(status=400, body={"error": {"message": "unknown article"}})

    return route


def test_eval_scores_a_partial_article_as_it_is_and_marks_it(
    tmp_path: Path, scripted_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTBRIEF_API_KEY", KEY)
    monkeypatch.setenv("EVENTBRIEF_REASKS", "0")
    data = write_dataset(tmp_path / "d")
    scripted_server.router = _eval_router({"a"})
    args = ["eval", "--dataset", str(data), "--backend", "openai", "--model", "scripted-model"]
    args += ["--base-url", scripted_server.base_url, "--report", "-"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    a, b = report["per_article"]["a"], report["per_article"]["b"]
    assert (a["valid"], a["partial"], b["valid"], b["partial"]) == (True, True, True, False)
    n = len(GOLDS["a"]().events)
    assert a["partial_warnings"] == [
        "dropped 1 quote not found in the article",
        "dropped event e1 (no evidence left)",
        f"renumbered the events e1 to e{n - 1}",
    ]
    assert a["events"]["predicted"] == n - 1 and a["events"]["matched"] == n - 1
    assert a["events"]["precision"] == 1.0 and a["events"]["recall"] == (n - 1) / n
    assert b["events"]["f1"] == 1.0 and b["partial_warnings"] == []
    overall = report["overall"]
    assert (overall["valid_articles"], overall["partial_articles"]) == (2, 1)
    assert overall["schema_validity"] == 1.0
    assert "a: partial, 3 warnings: dropped 1 quote not found in the article;" in result.stderr
    assert "2 of 2 articles summarized (1 partial), 0 failed" in result.stderr
    assert "a (partial)" in result.stderr  # the table's row

    strict = runner.invoke(app, [*args, "--strict"])
    assert strict.exit_code == 0, strict.stderr
    report = json.loads(strict.stdout)
    assert report["per_article"]["a"]["valid"] is False
    assert report["overall"]["partial_articles"] == 0
    assert report["overall"]["schema_validity"] == 0.5


# the pieces: settings, cache, chunking, run summary


def test_strict_setting_reaches_the_backend() -> None:
    env = {"EVENTBRIEF_BASE_URL": "http://127.0.0.1:9/v1"}
    assert Settings.resolve(env=env).strict is False
    for raw, expected in (("1", True), ("yes", True), ("0", False), ("off", False)):
        settings = Settings.resolve(env={**env, "EVENTBRIEF_STRICT": raw})
        assert settings.strict is expected
        assert make_backend(settings).strict is expected  # type: ignore[attr-defined]
    assert Settings.resolve(env={**env, "EVENTBRIEF_STRICT": "0"}, strict=True).strict is True


def _article(text: str = BROKEN, article_id: str = "ferry") -> Article:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    meta = ArticleMeta(id=article_id, published=dt.date(2025, 5, 6), sha256=digest)
    return Article(meta=meta, text=text)


class _Scripted:
    """A backend answering each article id with a fixed result."""

    name = "scripted"

    def __init__(self, results: dict[str, ExtractionResult]) -> None:
        self.results = results
        self.asked: list[str] = []

    def identity(self) -> dict[str, str]:
        return {"backend": self.name}

    async def extract(self, article: Article) -> ExtractionResult:
        self.asked.append(article.meta.id)
        return self.results[article.meta.id.split("#")[0]]


def _result(warnings: tuple[str, ...] = ()) -> ExtractionResult:
    extraction = ArticleExtraction.model_validate(answer_for(BROKEN))
    return ExtractionResult(extraction, "m", "p1", Usage(requests=2), warnings)


def test_the_cache_never_stores_a_partial_result(tmp_path: Path) -> None:
    inner = _Scripted({"ferry": _result((FILLED,)), "harbour": _result()})
    cache = ExtractionCache(tmp_path)
    counts = CacheCounts()
    backend = CachingBackend(inner, cache, counts=counts)
    harbour = _article(WHOLE, "harbour")

    async def twice() -> list[ExtractionResult]:
        return [await backend.extract(a) for a in (_article(), harbour, _article(), harbour)]

    results = asyncio.run(twice())
    assert [r.warnings for r in results] == [(FILLED,), (), (FILLED,), ()]
    assert inner.asked == ["ferry", "harbour", "ferry"]
    assert (counts.hits, counts.misses, counts.usage.requests) == (1, 3, 6)
    assert cache.stats().entries == 1
    assert cache.get(backend.identity(), _article().meta) is None
    with pytest.raises(ValueError, match="partial"):
        cache.put(backend.identity(), _article().meta, _result((FILLED,)))


def test_chunking_keeps_each_chunks_warnings() -> None:
    inner = _Scripted({"long": _result((FILLED, "dropped event e2 (no evidence left)"))})
    backend = ChunkingBackend(inner, max_chars=len(BROKEN) + 10, overlap_chars=0)
    text = BROKEN + "\n" + BROKEN.replace("Ferry line", "Second ferry line")
    result = asyncio.run(backend.extract(_article(text, "long")))
    assert inner.asked == ["long#chunk1of2", "long#chunk2of2"]
    assert result.warnings == (
        f"chunk 1 of 2: {FILLED}",
        "chunk 1 of 2: dropped event e2 (no evidence left)",
        f"chunk 2 of 2: {FILLED}",
        "chunk 2 of 2: dropped event e2 (no evidence left)",
    )
    summary = build_summary(_article(text, "long"), result, backend)
    assert summary.partial and summary.provenance.warnings == list(result.warnings)
    whole = build_summary(_article(), _result(), backend)
    assert not whole.partial and whole.provenance.warnings == []
    assert "Warnings" not in render_markdown(whole)


def test_run_summary_counts_partial_articles_only_when_there_are_some() -> None:
    usage = Usage(requests=4)
    with_partial = RunSummary(5, 1, 0, usage, 1.0, partial=2).line()
    assert with_partial.startswith("eventbrief: 4 of 5 articles summarized (2 partial), 1 failed;")
    assert (
        RunSummary(5, 1, 0, usage, 1.0)
        .line()
        .startswith("eventbrief: 4 of 5 articles summarized, 1 failed;")
    )
