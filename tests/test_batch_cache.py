"""`batch collect` puts every valid answer into the extraction cache, under the key a live
`summarize --mode json_schema` of the same articles looks up: no request is paid for twice."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventbrief.articles import load_article
from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.cache import ExtractionCache
from eventbrief.cli import app
from eventbrief.models import ArticleSummary
from scale_helpers import BATCH_TEXTS, article_in_prompt, make_extraction, write_corpus
from scripted_batch_server import BatchService
from scripted_server import Reply, ScriptedServer, content_reply, error_reply

MODEL = "gpt-4o-mini"
PUBLISHED = "2025-06-17"
TEXTS = BATCH_TEXTS


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "news")


@pytest.fixture
def cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(folder))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-batch-cache")
    for var in (
        "EVENTBRIEF_BASE_URL",
        "OPENAI_BASE_URL",
        "EVENTBRIEF_MODEL",
        "EVENTBRIEF_MODE",
        "EVENTBRIEF_NO_CACHE",
        "EVENTBRIEF_PRICES",
    ):
        monkeypatch.delenv(var, raising=False)
    return folder


def good_answer(body: dict[str, Any]) -> dict[str, Any]:
    """A valid answer whose reported usage differs per article (so stored usage is checked)."""
    text = article_in_prompt(body["messages"])
    reply = content_reply(make_extraction(text).model_dump(), usage=(1000 + len(text), 77))
    return reply.body  # type: ignore[return-value]


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _prepare(corpus: Path, requests: Path) -> Path:
    """`batch prepare` of the corpus for MODEL and PUBLISHED into `requests`."""
    prepared = _run(
        "batch", "prepare", str(corpus), "-o", str(requests), "--model", MODEL,
        "--published", PUBLISHED,
    )  # fmt: skip
    assert prepared.exit_code == 0, prepared.stderr
    return requests


def _batch(
    server: ScriptedServer,
    corpus: Path,
    tmp_path: Path,
    *collect_args: str,
    collect_published: str = PUBLISHED,
) -> Any:
    """prepare → submit → collect against the scripted Batch API; the collect result."""
    requests = _prepare(corpus, tmp_path / "requests.jsonl")
    url = server.base_url
    submitted = _run("batch", "submit", str(requests), "--base-url", url)
    assert submitted.exit_code == 0, submitted.stderr
    batch_id = json.loads(submitted.stdout)["id"]
    return _run(
        "batch", "collect", str(corpus), "--batch-id", batch_id, "--base-url", url,
        "--model", MODEL, "--published", collect_published, *collect_args,
    )  # fmt: skip


def _live_identity() -> dict[str, str]:
    return OpenAIBackend(MODEL, base_url="http://127.0.0.1:9/v1", mode="json_schema").identity()


def _cached(cache_dir: Path, corpus: Path) -> dict[str, Any]:
    """What the cache holds for each article under the live json_schema identity."""
    published = dt.date.fromisoformat(PUBLISHED)
    with ExtractionCache(cache_dir) as cache:
        return {
            name: cache.get(
                _live_identity(),
                load_article(corpus / f"{name}.txt", published, article_id=name).meta,
            )
            for name in TEXTS
        }


def _summaries(text: str) -> dict[str, ArticleSummary]:
    records = [ArticleSummary.model_validate_json(line) for line in text.splitlines() if line]
    return {s.article.id: s for s in records}


def test_collected_answers_spare_every_request_of_a_later_summarize(
    cache_dir: Path,
    corpus: Path,
    tmp_path: Path,
    scripted_server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scripted_server.router = BatchService(good_answer)
    out = tmp_path / "collected.jsonl"
    collected = _batch(scripted_server, corpus, tmp_path, "-o", str(out))
    assert collected.exit_code == 0, collected.stderr
    assert f"stored 4 results in the extraction cache as openai/{MODEL} json_schema" in (
        collected.stderr
    )
    from_batch = _summaries(out.read_text())
    assert sorted(from_batch) == sorted(TEXTS)

    monkeypatch.setenv("EVENTBRIEF_MAX_ATTEMPTS", "1")  # a miss fails at once, not after backoff
    with ScriptedServer() as down:  # would fail every request it got
        down.router = lambda request: error_reply(500, "down")
        live = _run(
            "summarize", str(corpus), "--backend", "openai", "--mode", "json_schema",
            "--model", MODEL, "--base-url", down.base_url, "--published", PUBLISHED,
            "--format", "jsonl",
        )  # fmt: skip
        assert live.exit_code == 0, live.stderr
        assert down.requests == []
    from_cache = _summaries(live.stdout)
    assert sorted(from_cache) == sorted(TEXTS)
    for name, summary in from_cache.items():
        batch = from_batch[name]
        assert summary.model_dump(exclude={"provenance"}) == batch.model_dump(
            exclude={"provenance"}
        )
        assert [e.evidence[0].start for e in summary.events] == [
            e.evidence[0].start for e in batch.events
        ]
        assert summary.events[0].evidence[0].start is not None
        # the usage stored is what the batch reported for this article
        usage = summary.provenance.usage
        assert usage is not None
        assert (usage.prompt_tokens, usage.completion_tokens, usage.requests) == (
            1000 + len(TEXTS[name]) + 1,
            77,
            1,
        )
        assert summary.provenance.model == MODEL
        assert summary.provenance.prompt_version == batch.provenance.prompt_version


def test_no_cache_stores_nothing(
    cache_dir: Path, corpus: Path, tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    scripted_server.router = BatchService(good_answer)
    collected = _batch(scripted_server, corpus, tmp_path, "--no-cache")
    assert collected.exit_code == 0, collected.stderr
    assert len(_summaries(collected.stdout)) == 4
    assert "stored" not in collected.stderr
    assert not (cache_dir / "extractions.sqlite3").exists()


def test_failed_answers_are_not_stored(
    cache_dir: Path, corpus: Path, tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    def answer(body: dict[str, Any]) -> dict[str, Any] | Reply:
        text = article_in_prompt(body["messages"])
        if text.startswith("Envoys"):  # alpha: a quote that is not in the article
            bad = make_extraction(text).model_dump()
            bad["events"][0]["evidence"] = [{"quote": "Envoys walked out of the talks."}]
            return content_reply(bad).body  # type: ignore[return-value]
        if text.startswith("The minister"):  # beta: the request failed at the provider
            return error_reply(500, "server overloaded")
        return good_answer(body)

    scripted_server.router = BatchService(answer)
    collected = _batch(scripted_server, corpus, tmp_path)
    assert collected.exit_code == 1
    assert "stored 2 results in the extraction cache" in collected.stderr
    cached = _cached(cache_dir, corpus)
    assert cached["alpha"] is None and cached["beta"] is None
    for name in ("gamma", "delta"):
        hit = cached[name]
        assert hit is not None
        assert hit.extraction == make_extraction(TEXTS[name] + "\n")
        assert hit.model == MODEL


def test_a_local_results_file_is_stored_too(cache_dir: Path, corpus: Path, tmp_path: Path) -> None:
    """vLLM's run-batch writes the output file itself; collecting it fills the cache."""
    requests = _prepare(corpus, tmp_path / "requests.jsonl")
    lines = []
    for line in requests.read_text().splitlines():
        request = json.loads(line)
        response = {"status_code": 200, "request_id": "r", "body": good_answer(request["body"])}
        record = {"id": "vllm", "custom_id": request["custom_id"], "response": response}
        lines.append(json.dumps({**record, "error": None}))
    results = tmp_path / "results.jsonl"
    results.write_text("\n".join(lines) + "\n")

    collected = _run(
        "batch", "collect", str(corpus), "--results", str(results), "--model", MODEL,
        "--published", PUBLISHED,
    )  # fmt: skip
    assert collected.exit_code == 0, collected.stderr
    assert "stored 4 results" in collected.stderr
    cached = _cached(cache_dir, corpus)
    assert all(cached[name] is not None for name in TEXTS)


def test_a_different_date_or_model_at_collect_is_refused_not_cached(
    cache_dir: Path, corpus: Path, tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    """The answer was asked with prepare's date and model: caching it under other ones would
    hand a later run an answer to a question it did not ask."""
    scripted_server.router = BatchService(good_answer)
    collected = _batch(scripted_server, corpus, tmp_path, collect_published="2024-01-02")
    assert collected.exit_code == 1
    assert collected.stdout == ""
    # one line for the four articles, naming what differs (it used to repeat for each)
    assert (
        "4 articles (alpha, beta, delta, gamma): the request batch prepare wrote differs from "
        "this one: the publication date differs (give collect the --published of prepare)\n"
    ) in collected.stderr
    assert "stored 0 results" in collected.stderr
    assert all(hit is None for hit in _cached(cache_dir, corpus).values())


def test_a_cache_that_cannot_be_used_loses_no_output(
    cache_dir: Path,
    corpus: Path,
    tmp_path: Path,
    scripted_server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be\n")
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(blocker))
    scripted_server.router = BatchService(good_answer)
    out = tmp_path / "collected.jsonl"
    collected = _batch(scripted_server, corpus, tmp_path, "-o", str(out))
    assert collected.exit_code == 0, collected.stderr
    assert sorted(_summaries(out.read_text())) == sorted(TEXTS)
    assert "cannot use the cache" in collected.stderr
    assert "stored 0 results in the extraction cache" in collected.stderr
    assert "the cache failed for 4" in collected.stderr
