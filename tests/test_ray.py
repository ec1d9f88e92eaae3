"""`summarize --engine ray` (eventbrief.distributed) on a local Ray instance with 2 CPUs: the
same records as one process, failures kept per article, re-runs answered from the cache.

Needs the `ray` extra; without it these tests skip, except under CI=true, where .ci/run installs
it and a missing Ray is a failure."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventbrief.articles import expand_sources
from eventbrief.cache import CACHE_FILE, CacheCounts
from eventbrief.cli.app import app
from eventbrief.config import Settings
from eventbrief.pipeline import ArticleOutcome, run, source_jobs, summarize_many
from reliability_support import extraction_for
from scale_helpers import article_in_prompt
from scripted_server import RecordedRequest, Reply, ScriptedServer, error_reply, tool_call_reply

if os.environ.get("CI") == "true":
    import ray
else:
    ray = pytest.importorskip("ray")

from eventbrief import distributed  # imports ray

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 100
FAILING = 5
FAIL_MARK = "(this copy fails)"

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module", autouse=True)
def _local_ray() -> Iterator[None]:
    """One local Ray instance for the module (starting one takes seconds on 2 cores)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _corpus(folder: Path, failing: int = 0) -> Path:
    """ARTICLES files cycling over the seed articles, each one distinct (a trailing line); the
    first `failing` carry FAIL_MARK, which the scripted model always refuses."""
    seeds = sorted((ROOT / "evals" / "articles").glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(ARTICLES):
        text = seeds[n % len(seeds)].read_text(encoding="utf-8").rstrip()
        mark = f" {FAIL_MARK}" if n < failing else ""
        (folder / f"a{n:03d}.txt").write_text(f"{text}\n(copy {n}){mark}\n", encoding="utf-8")
    return folder


def _model(request: RecordedRequest) -> Reply:
    text = article_in_prompt(request.body["messages"])  # type: ignore[index]
    if FAIL_MARK in text:
        return error_reply(500, "scripted: this article always fails")
    return tool_call_reply(extraction_for(text))


def _asked(server: ScriptedServer) -> Counter[str]:
    """How many requests the server got for each article text."""
    return Counter(article_in_prompt(r.body["messages"]) for r in server.requests)  # type: ignore[index]


def _records(outcomes: list[ArticleOutcome]) -> dict[str, Any]:
    """Each outcome as comparable data: its record without `created_at`, or its error."""
    found: dict[str, Any] = {}
    for o in outcomes:
        if o.summary is None:
            found[str(o.article_id)] = o.error
            continue
        record = o.summary.model_dump(mode="json")
        del record["provenance"]["created_at"]
        found[str(o.article_id)] = (record, o.notices, o.text)
    return found


def _openai_settings(
    server: ScriptedServer, model: str = "scripted-model", **flags: Any
) -> Settings:
    return Settings.resolve(
        backend="openai",
        base_url=server.base_url,
        model=model,
        api_key="sk-test-not-a-real-key",
        concurrency=8,
        max_attempts=1,  # a retry's timing would make the error lines differ
        **flags,
    )


def test_offline_cli_writes_what_one_process_writes(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in")
    runner = CliRunner()
    local = runner.invoke(app, ["summarize", str(corpus), "-o", f"{tmp_path}/local/", "--no-cache"])
    assert local.exit_code == 0, local.output
    on_ray = runner.invoke(
        app, ["summarize", str(corpus), "-o", f"{tmp_path}/ray/", "--engine", "ray"]
    )
    assert on_ray.exit_code == 0, on_ray.output
    assert f"{ARTICLES} of {ARTICLES} articles summarized, 0 failed" in on_ray.output

    def written(folder: Path) -> dict[str, Any]:
        records = {}
        for path in sorted(folder.glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            del record["provenance"]["created_at"]
            records[path.name] = record
        return records

    ray_records = written(tmp_path / "ray")
    assert len(ray_records) == ARTICLES
    assert ray_records == written(tmp_path / "local")

    again = runner.invoke(
        app, ["summarize", str(corpus), "-o", f"{tmp_path}/ray/", "--engine", "ray"]
    )
    assert again.exit_code == 0, again.output
    assert f"0 requests, {ARTICLES} cache hits" in again.output


def test_scripted_server_failures_stay_per_article_and_rerun_asks_only_for_them(
    tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    corpus = _corpus(tmp_path / "in", failing=FAILING)
    scripted_server.router = _model
    local = summarize_many([corpus], settings=_openai_settings(scripted_server, no_cache=True))
    scripted_server.requests.clear()

    counts = CacheCounts()
    heard: list[str] = []
    outcomes = distributed.summarize_many(
        [corpus],
        settings=_openai_settings(scripted_server),
        counts=counts,
        on_result=lambda o: heard.append(str(o.article_id)),
        keep_text=True,
    )
    assert _records(outcomes) == _records(local)
    assert [o.article_id for o in outcomes] == [f"a{n:03d}" for n in range(ARTICLES)]
    assert sorted(heard) == [o.article_id for o in outcomes]
    failed = [o for o in outcomes if o.error is not None]
    assert [o.article_id for o in failed] == [f"a{n:03d}" for n in range(FAILING)]
    assert all("500" in str(o.error) for o in failed)
    ok = ARTICLES - FAILING
    assert (counts.misses, counts.hits, counts.cache_errors) == (ok, 0, 0)
    asked = _asked(scripted_server)
    assert len(asked) == ARTICLES and set(asked.values()) == {1}
    assert counts.usage.requests == ARTICLES  # a failed request is a request too
    with sqlite3.connect(Path(os.environ["EVENTBRIEF_CACHE_DIR"]) / CACHE_FILE) as db:
        assert db.execute("SELECT count(*) FROM extractions").fetchone() == (ok,)

    scripted_server.requests.clear()
    again = CacheCounts()
    rerun = distributed.summarize_many(
        [corpus], settings=_openai_settings(scripted_server), counts=again, keep_text=True
    )
    assert _records(rerun) == _records(local)
    asked = _asked(scripted_server)
    assert len(asked) == FAILING and all(FAIL_MARK in text for text in asked)
    assert (again.hits, again.usage.requests) == (ok, FAILING)


def test_the_run_result_is_the_one_process_run_result(
    tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    """What the run summary reads (priced usage, counts, backend, identity) and each outcome's
    timing and article come back from the workers as one process has them."""
    sources = sorted(str(p) for p in _corpus(tmp_path / "in", failing=2).glob("*.txt"))[:12]
    scripted_server.router = _model
    settings = _openai_settings(scripted_server, model="gpt-4o-mini", no_cache=True)
    local = run(source_jobs(sources), settings)
    on_ray = distributed.run(sources, settings, keep_text=True)
    assert _records(on_ray.outcomes) == _records(local.outcomes)
    assert on_ray.usage.requests == local.usage.requests == 12
    assert on_ray.usage.prompt_tokens == local.usage.prompt_tokens > 0
    assert on_ray.usage.completion_tokens == local.usage.completion_tokens > 0
    assert on_ray.usage.cost_usd == pytest.approx(local.usage.cost_usd) and local.usage.cost_usd
    assert on_ray.counts.usage == on_ray.usage
    assert (on_ray.counts.hits, on_ray.counts.misses) == (local.counts.hits, local.counts.misses)
    assert (on_ray.failed, on_ray.backend, on_ray.identity) == (2, local.backend, local.identity)
    assert [o.seconds is not None for o in on_ray.outcomes] == [o.ok for o in local.outcomes]
    assert [o.article for o in on_ray.outcomes] == [o.article for o in local.outcomes]
    assert sum(o.article is not None for o in on_ray.outcomes) == 10


def test_all_answered_rerun_makes_no_request(
    tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    corpus = _corpus(tmp_path / "in")
    scripted_server.router = _model
    first = distributed.summarize_many([corpus], settings=_openai_settings(scripted_server))
    assert sum(o.ok for o in first) == ARTICLES
    assert len(scripted_server.requests) == ARTICLES
    second = distributed.summarize_many([corpus], settings=_openai_settings(scripted_server))
    assert sum(o.ok for o in second) == ARTICLES
    assert len(scripted_server.requests) == ARTICLES


def _feed(path: Path, good: int) -> Path:
    """A JSONL of `good` articles (cycling over the seeds, each distinct, every third with its
    id and metadata) and 2 bad lines (a duplicate id and a line with no text)."""
    seeds = sorted((ROOT / "evals" / "articles").glob("*.txt"))
    lines = []
    for n in range(good):
        row: dict[str, Any] = {
            "text": seeds[n % len(seeds)].read_text(encoding="utf-8").rstrip() + f"\n(copy {n})\n"
        }
        if n % 3 == 0:
            row |= {"id": f"story-{n}", "title": f"Story {n}", "published": "2025-06-04"}
            row |= {"url": f"https://news.example/{n}", "source": "Example Wire"}
        lines.append(json.dumps(row))
    lines[5:5] = [json.dumps({"id": "story-0", "text": "Again."}), json.dumps({"title": "t"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_of_articles_on_ray_writes_what_one_process_writes(tmp_path: Path) -> None:
    feed = _feed(tmp_path / "feed.jsonl", good=20)
    runner = CliRunner()
    written: dict[str, dict[str, Any]] = {}
    for engine in ("local", "ray"):
        result = runner.invoke(
            app,
            [
                *("summarize", str(feed), "-o", f"{tmp_path}/{engine}/", "--engine", engine),
                *("--backend", "offline", "--no-cache", "--published", "feed-2=2024-01-02"),
            ],
        )
        assert result.exit_code == 1, result.output
        assert "20 of 22 articles summarized, 2 failed" in result.output
        assert sorted(line for line in result.output.splitlines() if f"{feed}:" in line) == [
            f"eventbrief: {feed}:6: duplicate id 'story-0' (an earlier line has it)",
            f'eventbrief: {feed}:7: no "text" string',
        ]
        written[engine] = {}
        for path in sorted((tmp_path / engine).glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            del record["provenance"]["created_at"]
            written[engine][path.stem] = record
    assert written["ray"] == written["local"]
    records = written["ray"]
    assert len(records) == 20
    assert records["story-3"]["article"] == {
        **records["story-3"]["article"],
        "id": "story-3",
        "title": "Story 3",
        "published": "2025-06-04",
        "url": "https://news.example/3",
        "source": "Example Wire",
    }
    assert records["feed-2"]["article"]["source"] == f"{feed}:2"
    assert records["feed-2"]["article"]["published"] == "2024-01-02"
    assert records["feed-8"]["article"]["source"] == f"{feed}:8"  # ids count the bad lines too


def test_jsonl_rows_carry_their_text_to_the_workers(tmp_path: Path) -> None:
    """A cluster's nodes need not share the file: the rows hold the lines."""
    feed = _feed(tmp_path / "feed.jsonl", good=4)
    sources = expand_sources([feed])
    feed.unlink()
    outcomes = distributed.run(sources, Settings.resolve(backend="offline", no_cache=True)).outcomes
    assert [(o.source, o.article_id, o.ok) for o in outcomes] == [
        (f"{feed}:1", "story-0", True),
        (f"{feed}:2", "feed-2", True),
        (f"{feed}:3", "feed-3", True),
        (f"{feed}:4", "story-3", True),
        (f"{feed}:5", "story-0-2", False),
        (f"{feed}:6", "feed-6", False),
    ]


def test_one_endpoint_budget_is_split_over_the_pool() -> None:
    llm = Settings.resolve(backend="openai", base_url="http://127.0.0.1:9/v1", model="m")
    plan = distributed.plan
    assert plan(llm, 32, cpus=2, workers=None, articles=100) == distributed.Plan(2, 16, 64, 0.25)
    assert plan(llm, 32, cpus=2, workers=8, articles=100) == distributed.Plan(8, 4, 16, 0.25)
    assert plan(llm, 3, cpus=16, workers=None, articles=100) == distributed.Plan(3, 1, 4, 0.25)
    offline = Settings.resolve(backend="offline")
    assert plan(offline, 8, cpus=2, workers=None, articles=100) == distributed.Plan(2, 1, 16, 1.0)
    assert plan(offline, 8, cpus=2, workers=None, articles=2000) == distributed.Plan(2, 1, 125, 1.0)
    assert plan(offline, 8, cpus=4, workers=None, articles=10**6).batch_size == 256


def test_stdin_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["summarize", "-", "--engine", "ray"], input="A text.\n")
    assert result.exit_code == 2
    assert "--engine ray reads files, folders and globs, not stdin" in result.output


def test_help_and_a_local_summarize_do_not_import_ray(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Envoys met in Hanoi on Monday. They agreed to talk again.\n")
    probe = (
        "import sys\n"
        "from eventbrief.cli import main\n"
        "for argv in (['--help'], ['summarize', '--help'], ['summarize', sys.argv[1], '-q']):\n"
        "    sys.argv = ['eventbrief', *argv]\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exit:\n"
        "        assert exit.code in (0, None), exit.code\n"
        "print('ray' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(story)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "False"
