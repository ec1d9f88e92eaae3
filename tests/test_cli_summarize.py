"""`eventbrief summarize` end to end: CliRunner and the installed script, against the scripted
OpenAI-compatible server on 127.0.0.1 (real openai client and instructor over real HTTP)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from eventbrief.cli.app import app
from eventbrief.models import ArticleSummary
from scripted_server import RecordedRequest, Reply, ScriptedServer, content_reply, tool_call_reply

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "evals" / "articles" / "004_2ad1f6fdf5f1c408.txt"
FAKE_KEY = "sk-eventbrief-TESTKEY-3d9f2a7c81b4e6"
ENV_VARS = [
    v for v in os.environ if v.startswith(("EVENTBRIEF_", "OPENAI_")) or v.endswith("_API_KEY")
]

# What a model might answer for ARTICLE: the contract's ArticleExtraction fields, verbatim quotes
# (one with a straight apostrophe where the text has a curly one: grounding normalises it).
EXTRACTION: dict[str, Any] = {
    "summary": (
        "Sergei Shoigu arrived in North Korea on March 21 for his second meeting with Kim "
        "Jong-un in six months, amid growing military ties including troop deployments."
    ),
    "key_takeaways": [
        {
            "text": "Shoigu met Kim Jong-un for the second time in six months.",
            "evidence": [
                {
                    "quote": "Sergei Shoigu visited North Korea to meet Kim Jong-un for the "
                    "second time in six months."
                }
            ],
        },
        {
            "text": "A Russian deputy foreign minister visited earlier in the month.",
            "evidence": [
                {
                    "quote": "Earlier this month, Russian Deputy Foreign Minister Andrey Rudenko "
                    "also visited North Korea"
                }
            ],
        },
        {
            "text": "North Korea reportedly receives drone technology support from Moscow.",
            "evidence": [
                {
                    "quote": "North Korea is receiving technical support from Moscow for the "
                    "development of various drone technologies"
                }
            ],
        },
    ],
    "events": [
        {
            "id": "e1",
            "type": "visit",
            "description": "Sergei Shoigu arrived in North Korea to meet Kim Jong-un.",
            "participants": ["Sergei Shoigu", "Kim Jong-un"],
            "location": "North Korea",
            "date": {"text": "On March 21", "value": "2025-03-21", "approximate": False},
            "status": "occurred",
            "quantities": [],
            "attributed_to": ["Yonhap"],
            "evidence": [
                {
                    "quote": "On March 21, Sergei Shoigu, the Secretary of Russia's Security "
                    "Council, arrived in North Korea"
                }
            ],
        },
        {
            "id": "e2",
            "type": "military_deployment",
            "description": "North Korea deployed soldiers to Russia.",
            "participants": ["North Korea", "Russia"],
            "location": "Russia",
            "date": {"text": "In late 2022", "value": "2022", "approximate": True},
            "status": "alleged",
            "quantities": [
                {
                    "value": 12000,
                    "unit": "soldiers",
                    "text": "approximately 12,000 soldiers",
                    "approximate": True,
                }
            ],
            "attributed_to": [],
            "evidence": [
                {
                    "quote": "In late 2022, North Korea reportedly deployed approximately "
                    "12,000 soldiers to Russia"
                }
            ],
        },
    ],
    "entities": [
        {
            "name": "Sergei Shoigu",
            "type": "person",
            "aliases": ["Shoigu"],
            "description": "Secretary of Russia's Security Council",
        },
        {"name": "Kim Jong-un", "type": "person", "aliases": [], "description": "leader"},
        {"name": "North Korea", "type": "country", "aliases": [], "description": None},
        {"name": "Russia", "type": "country", "aliases": [], "description": None},
        {"name": "Yonhap", "type": "organization", "aliases": [], "description": None},
    ],
}

_ARTICLE_IN_PROMPT = re.compile(r"<article (\w+)>\n(.*)\n</article \1>", re.DOTALL)


def extraction_for(text: str) -> dict[str, Any]:
    """A generic valid answer for any small article: quotes its own first lines."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return {
        "summary": f"Summary of: {lines[0]}",
        "key_takeaways": [
            {"text": f"Point {i}.", "evidence": [{"quote": lines[min(i, len(lines) - 1)]}]}
            for i in range(3)
        ],
        "events": [
            {
                "id": "e1",
                "type": "statement",
                "description": "Someone said something.",
                "participants": ["Ministry"],
                "evidence": [{"quote": lines[-1]}],
            }
        ],
        "entities": [{"name": "Ministry", "type": "organization"}],
    }


def article_router(request: RecordedRequest) -> Reply:
    """Answer each request from the article it carries (so batches may run concurrently)."""
    prompt = "\n".join(str(m.get("content") or "") for m in request.messages)
    found = _ARTICLE_IN_PROMPT.search(prompt)
    assert found is not None, "the article is delimited in the prompt"
    return tool_call_reply(extraction_for(found.group(2)))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No endpoint or key from the machine running the tests; only the fake key."""
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def article_schema() -> dict[str, Any]:
    result = CliRunner().invoke(app, ["schema", "article"])
    assert result.exit_code == 0
    return json.loads(result.stdout)


def openai_args(server: ScriptedServer, *more: str) -> list[str]:
    return [
        "summarize",
        "--backend",
        "openai",
        "--base-url",
        server.base_url,
        "--model",
        "m",
        *more,
    ]


def assert_complete_summary(record: dict[str, Any], schema: dict[str, Any], text: str) -> None:
    """Valid against the published schema; every event, takeaway and entity; every offset."""
    jsonschema.validate(record, schema)
    summary = ArticleSummary.model_validate(record)
    assert [e.id for e in summary.events] == ["e1", "e2"]
    assert [t.text for t in summary.key_takeaways] == [
        t["text"] for t in EXTRACTION["key_takeaways"]
    ]
    assert [e.name for e in summary.entities] == [e["name"] for e in EXTRACTION["entities"]]
    assert summary.events[1].quantities[0].value == 12000
    assert summary.events[0].date is not None and summary.events[0].date.value == "2025-03-21"
    evidence = [e for item in (*summary.key_takeaways, *summary.events) for e in item.evidence]
    assert len(evidence) == 5
    for item in evidence:
        assert item.start is not None and item.end is not None, item.quote
        found = text[item.start : item.end]
        assert found.replace("’", "'") == item.quote
    assert summary.provenance.grounding_rate == 1.0
    assert summary.provenance.backend == "openai"
    assert summary.provenance.model == "m"
    assert summary.provenance.usage is not None
    assert summary.provenance.usage.requests >= 1
    assert summary.article.id == ARTICLE.stem
    assert summary.article.title is not None and summary.article.title.startswith("Sergei Shoigu")


def test_tools_mode_end_to_end(
    runner: CliRunner, scripted_server: ScriptedServer, article_schema: dict[str, Any]
) -> None:
    scripted_server.queue(tool_call_reply(EXTRACTION, usage=(1200, 300)))
    result = runner.invoke(app, openai_args(scripted_server, str(ARTICLE)))
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert_complete_summary(record, article_schema, ARTICLE.read_text(encoding="utf-8"))
    assert record["provenance"]["usage"]["prompt_tokens"] == 1200
    assert len(scripted_server.requests) == 1
    request = scripted_server.requests[0]
    assert request.body["model"] == "m"
    assert request.body["tools"][0]["function"]["name"] == "ArticleExtraction"
    assert request.headers["authorization"] == f"Bearer {FAKE_KEY}"
    assert "backend openai" in result.stderr
    assert FAKE_KEY not in result.stdout + result.stderr


@pytest.mark.parametrize("mode", ["json", "json_schema", "md_json"])
def test_json_modes_end_to_end(
    mode: str,
    runner: CliRunner,
    scripted_server: ScriptedServer,
    article_schema: dict[str, Any],
) -> None:
    answer = json.dumps(EXTRACTION)
    if mode == "md_json":
        answer = f"Here it is:\n```json\n{answer}\n```"
    scripted_server.queue(content_reply(answer))
    result = runner.invoke(app, openai_args(scripted_server, "--mode", mode, str(ARTICLE)))
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert_complete_summary(record, article_schema, ARTICLE.read_text(encoding="utf-8"))
    assert "tools" not in scripted_server.requests[0].body
    if mode == "json_schema":
        assert scripted_server.requests[0].body["response_format"]["type"] == "json_schema"
    assert FAKE_KEY not in result.stdout + result.stderr


def write_batch(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "good1": ("good1.txt", "Ministry statement\nThe ministry said talks would resume.\n"),
        "good2": ("good2.md", "# Second report\n\nThe ministry denied the report on Monday.\n"),
        "empty": ("empty.txt", ""),
        "binary": ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00"),
        "latin1": ("latin1.txt", "Caf\xe9 talks\n".encode("latin-1")),
    }
    paths = {}
    for key, (name, data) in files.items():
        path = folder / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        paths[key] = path
    return paths


def test_batch_with_bad_files_still_writes_the_others(
    runner: CliRunner, scripted_server: ScriptedServer, tmp_path: Path
) -> None:
    scripted_server.router = article_router
    paths = write_batch(tmp_path / "in")
    out = tmp_path / "out"
    missing = tmp_path / "in" / "missing.txt"
    result = runner.invoke(
        app, openai_args(scripted_server, str(tmp_path / "in"), str(missing), "-o", f"{out}/")
    )
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["good1.json", "good2.json"]
    good = ArticleSummary.model_validate_json((out / "good2.json").read_text())
    assert good.article.title == "Second report"
    assert good.events[0].evidence[0].quote == "The ministry denied the report on Monday."
    assert good.events[0].evidence[0].start is not None
    errors = [line for line in result.stderr.splitlines() if ": " in line and "in/" in line]
    assert sorted(errors) == sorted(
        [
            f"eventbrief: {paths['binary']}: binary file (contains NUL bytes), not a text article",
            f"eventbrief: {paths['empty']}: empty file",
            f"eventbrief: {paths['latin1']}: not valid UTF-8 (byte 0xe9 at offset 3)",
            f"eventbrief: {missing}: no such file",
        ]
    )
    assert "eventbrief: 2 of 6 articles summarized, 4 failed" in result.stderr
    assert len(scripted_server.requests) == 2


def test_persistent_server_error_fails_one_article_and_keeps_the_other(
    runner: CliRunner, scripted_server: ScriptedServer, tmp_path: Path
) -> None:
    from scripted_server import error_reply

    def router(request: RecordedRequest) -> Reply:
        if "denied the report" in json.dumps(request.body):
            return error_reply(500, "internal error")
        return article_router(request)

    scripted_server.router = router
    paths = write_batch(tmp_path)
    started = time.monotonic()
    result = runner.invoke(
        app, openai_args(scripted_server, str(paths["good1"]), str(paths["good2"]))
    )
    assert time.monotonic() - started < 60
    assert result.exit_code == 1
    assert [json.loads(line)["article"]["id"] for line in result.stdout.splitlines()] == ["good1"]
    failures = [line for line in result.stderr.splitlines() if line.startswith("eventbrief: good2")]
    assert len(failures) == 1
    assert "500" in failures[0] or "server" in failures[0]
    assert FAKE_KEY not in result.stderr


def test_several_articles_print_json_lines_in_input_order(
    runner: CliRunner, scripted_server: ScriptedServer, tmp_path: Path
) -> None:
    scripted_server.router = article_router
    paths = write_batch(tmp_path)
    args = [str(paths["good2"]), str(paths["empty"]), str(paths["good1"]), "--concurrency", "2"]
    result = runner.invoke(app, openai_args(scripted_server, *args))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [json.loads(line)["article"]["id"] for line in lines] == ["good2", "good1"]
    assert f"{paths['empty']}: empty file" in result.stderr


def test_output_file_formats(
    runner: CliRunner, scripted_server: ScriptedServer, tmp_path: Path
) -> None:
    scripted_server.router = article_router
    paths = write_batch(tmp_path)
    sources = [str(paths["good1"]), str(paths["good2"])]
    jsonl = tmp_path / "all.jsonl"
    result = runner.invoke(app, openai_args(scripted_server, *sources, "-o", str(jsonl)))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    ids = [json.loads(line)["article"]["id"] for line in jsonl.read_text().splitlines()]
    assert ids == ["good1", "good2"]
    array = tmp_path / "all.json"
    result = runner.invoke(
        app, openai_args(scripted_server, *sources, "--format", "json", "-o", str(array))
    )
    assert [r["article"]["id"] for r in json.loads(array.read_text())] == ["good1", "good2"]
    markdown = tmp_path / "one.md"
    result = runner.invoke(
        app,
        openai_args(scripted_server, sources[1], "--format", "markdown", "-o", str(markdown)),
    )
    assert result.exit_code == 0, result.stderr
    page = markdown.read_text()
    assert page.startswith("# Second report\n")
    assert "## Summary" in page and "## Key takeaways" in page and "## Entities" in page
    assert "| e1 |" in page and "“The ministry denied the report on Monday.” [" in page
    assert "- **Ministry** (organization)" in page
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_stdin_and_published_flag(
    runner: CliRunner, scripted_server: ScriptedServer, article_schema: dict[str, Any]
) -> None:
    scripted_server.queue(tool_call_reply(EXTRACTION))
    text = ARTICLE.read_text(encoding="utf-8")
    result = runner.invoke(
        app, openai_args(scripted_server, "-", "--published", "2025-03-21"), input=text
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["article"]["id"] == "stdin"
    assert record["article"]["published"] == "2025-03-21"
    prompt = "\n".join(m["content"] for m in scripted_server.requests[0].messages)
    assert "2025-03-21" in prompt


def test_published_per_article_id_and_a_default_for_the_rest(
    runner: CliRunner, scripted_server: ScriptedServer, tmp_path: Path
) -> None:
    scripted_server.router = article_router
    paths = write_batch(tmp_path)
    sources = [str(paths["good1"]), str(paths["good2"])]
    args = ["--published", "good2=2024-11-05", "--published", "2025-01-31", "--format", "jsonl"]
    result = runner.invoke(app, openai_args(scripted_server, *sources, *args))
    assert result.exit_code == 0, result.stderr
    dates = {
        r["article"]["id"]: r["article"]["published"]
        for r in map(json.loads, result.stdout.splitlines())
    }
    assert dates == {"good1": "2025-01-31", "good2": "2024-11-05"}
    prompts = {
        "\n".join(m["content"] for m in request.messages) for request in scripted_server.requests
    }
    assert any("2024-11-05" in p for p in prompts) and any("2025-01-31" in p for p in prompts)


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("missing", "no such file"),
        ("empty", "empty file"),
        ("binary", "binary file (contains NUL bytes)"),
        ("latin1", "not valid UTF-8"),
        ("folder", "folder has no .txt, .md or .html articles"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(
    setup: str, reason: str, runner: CliRunner, scripted_server: ScriptedServer, tmp_path: Path
) -> None:
    paths = write_batch(tmp_path / "in")
    (tmp_path / "folder").mkdir()
    target = {
        "missing": tmp_path / "missing.txt",
        "folder": tmp_path / "folder",
    }.get(setup) or paths[setup]
    result = runner.invoke(app, openai_args(scripted_server, str(target)))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if str(target) in line]
    assert len(lines) == 1
    assert lines[0].startswith(f"eventbrief: {target}: {reason}")
    assert scripted_server.requests == []


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["a.txt", "--concurrency", "0"], {}, "--concurrency"),
        (["a.txt", "--format", "xml"], {}, "--format"),
        (["a.txt", "--backend", "cloud"], {}, "--backend"),
        (["a.txt", "--mode", "xml"], {}, "--mode"),
        (["a.txt", "--published", "June 4"], {}, "is not DATE or ID=DATE"),
        (["a.txt", "--published", "=2025-06-04"], {}, "names no article"),
        (["a.txt"], {"EVENTBRIEF_CONCURRENCY": "lots"}, "EVENTBRIEF_CONCURRENCY"),
        (["a.txt", "--no-such-flag"], {}, "No such option"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], env: dict[str, str], message: str, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["summarize", *args], env=env)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_auto_without_endpoint_says_how_to_configure_one(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    result = runner.invoke(app, ["summarize", str(ARTICLE)])
    assert "backend offline (auto: no endpoint configured)" in result.stderr
    if result.exit_code == 2:
        assert "EVENTBRIEF_BASE_URL or OPENAI_BASE_URL" in result.stderr
        assert "--base-url" in result.stderr
    else:
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["provenance"]["backend"] == "offline"


def test_help_shows_examples(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summarize", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "eventbrief summarize evals/articles/" in result.stdout


def installed_script() -> str:
    script = Path(sys.executable).with_name("eventbrief")
    found = str(script) if script.exists() else shutil.which("eventbrief")
    assert found, "the eventbrief console script is installed next to this Python"
    return found


def test_installed_script_end_to_end(
    scripted_server: ScriptedServer, tmp_path: Path, article_schema: dict[str, Any]
) -> None:
    """The console script in a subprocess, from another directory, with only env for the key:
    a batch with one bad file writes the good ones, and the key is in nothing it writes."""
    scripted_server.router = lambda request: (
        tool_call_reply(EXTRACTION)
        if "Sergei Shoigu" in json.dumps(request.body)
        else article_router(request)
    )
    paths = write_batch(tmp_path / "in")
    shutil.copy(ARTICLE, tmp_path / "in" / ARTICLE.name)
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    env.update({"OPENAI_API_KEY": FAKE_KEY, "EVENTBRIEF_BASE_URL": scripted_server.base_url})
    proc = subprocess.run(
        [installed_script(), "summarize", "in", "-o", "out/", "--model", "m"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert "backend openai (auto: endpoint configured)" in proc.stderr
    assert f"in/{paths['empty'].name}: empty file" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        f"{ARTICLE.stem}.json",
        "good1.json",
        "good2.json",
    ]
    record = json.loads((out / f"{ARTICLE.stem}.json").read_text())
    assert_complete_summary(record, article_schema, ARTICLE.read_text(encoding="utf-8"))
    written = "".join(p.read_text() for p in out.iterdir())
    assert FAKE_KEY not in proc.stdout + proc.stderr + written
    assert all(r.headers["authorization"] == f"Bearer {FAKE_KEY}" for r in scripted_server.requests)


def articles_jsonl(path: Path) -> tuple[Path, dict[str, str]]:
    """A JSONL of 3 good articles (with metadata) and 2 bad lines (lines 2 and 5); the texts by
    id."""
    seeds = sorted((ROOT / "evals" / "articles").glob("*.txt"))[:3]
    texts = {
        "kim-visit": seeds[0].read_text(encoding="utf-8"),
        "feed-3": seeds[1].read_text(encoding="utf-8"),
        "third": seeds[2].read_text(encoding="utf-8"),
    }
    lines = [
        json.dumps(
            {
                "id": "kim-visit",
                "text": texts["kim-visit"],
                "title": "Envoy visit",
                "published": "2025-06-04",
                "url": "https://news.example/kim",
                "source": "Example Wire",
            }
        ),
        json.dumps({"id": "kim-visit", "text": "The same id again."}),
        json.dumps({"text": texts["feed-3"]}),
        json.dumps({"id": "third", "text": texts["third"], "published": "2025-03-21"}),
        "{no json here",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, texts


def test_jsonl_of_articles_writes_the_good_lines_and_names_the_bad_ones(
    runner: CliRunner, tmp_path: Path
) -> None:
    feed, texts = articles_jsonl(tmp_path / "feed.jsonl")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "summarize",
            str(feed),
            "--backend",
            "offline",
            "-o",
            f"{out}/",
            "--published",
            "third=2024-12-31",
        ],
    )
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["feed-3.json", "kim-visit.json", "third.json"]
    errors = [line for line in result.stderr.splitlines() if f"{feed}:" in line]
    assert errors == [
        f"eventbrief: {feed}:2: duplicate id 'kim-visit' (an earlier line has it)",
        f"eventbrief: {feed}:5: not valid JSON (Expecting property name enclosed in double "
        "quotes: line 1 column 2 (char 1))",
    ]
    assert "eventbrief: 3 of 5 articles summarized, 2 failed" in result.stderr
    records = {
        p.stem: ArticleSummary.model_validate_json(p.read_text(encoding="utf-8"))
        for p in out.iterdir()
    }
    kim = records["kim-visit"].article
    assert (kim.title, kim.source, kim.url, str(kim.published)) == (
        "Envoy visit",
        "Example Wire",
        "https://news.example/kim",
        "2025-06-04",
    )
    assert records["feed-3"].article.source == f"{feed}:3"
    assert records["third"].article.published is not None
    assert records["third"].article.published.isoformat() == "2024-12-31"  # --published wins
    for article_id, record in records.items():
        assert record.article.id == article_id
        text = texts[article_id]
        assert record.article.sha256 == hashlib.sha256(text.encode()).hexdigest()
        quotes = [(e.quote, e.start, e.end) for ev in record.events for e in ev.evidence]
        assert quotes, article_id
        assert all(start is not None and text[start:end] == q for q, start, end in quotes)
