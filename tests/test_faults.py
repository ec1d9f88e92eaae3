"""The fault matrix: every way an OpenAI-compatible server can fail, met by the real backend.

Each row either recovers within bounded attempts and time, or fails with a one-line error naming
the article; in a batch the other articles are still written and the exit code is 1. README.md's
"Reliability" table lists the same rows (a test below keeps the two in step).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventbrief.articles import load_article
from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.cli import app
from eventbrief.errors import ExtractionError
from eventbrief.models import Article, ArticleSummary
from eventbrief.pipeline import build_summary
from reliability_support import (
    DripServer,
    chat_completion,
    chat_requests,
    extraction_for,
    first_user_message,
    one_line,
    tool_calls_message,
    tool_names,
    with_quote,
)
from scripted_server import Reply, content_reply, tool_call_reply

README = Path(__file__).resolve().parents[1] / "README.md"
TIMEOUT = 0.5
MAX_ATTEMPTS = 3
MAX_RETRY_SECONDS = 4.0
REASKS = 1
STALL = TIMEOUT * 5
SLACK = 2.0
# The most any failing article may take: every attempt timing out plus the retry budget.
TIME_BOUND = MAX_ATTEMPTS * TIMEOUT + MAX_RETRY_SECONDS + (1 + REASKS) * TIMEOUT + SLACK

ERROR_BODY = {"error": {"message": "scripted failure", "type": "server_error", "code": None}}
TEXT = (
    "Ministers sign fisheries accord\n\n"
    "Reykjavik, June 17 (North Wire) Fisheries ministers from Iceland and Norway signed an accord "
    "on Tuesday on shared cod quotas, the Icelandic ministry said.\n"
    "The accord runs for five years and will be reviewed in 2027, officials said.\n"
    "Norway's minister said the deal would protect coastal communities.\n"
)

Make = Callable[[dict[str, Any]], Reply]


def _status(code: int, **headers: str) -> Make:
    return lambda valid: Reply(status=code, body=ERROR_BODY, headers=dict(headers))


def _tool_args(raw: str, *, name: str = "ArticleExtraction", finish: str = "tool_calls") -> Make:
    return lambda valid: Reply(
        body=chat_completion(tool_calls_message([(name, raw)]), finish_reason=finish)
    )


@dataclass(frozen=True)
class Fault:
    """One row of the matrix. `once` is answered first, then a valid answer; `always` answers
    every request. `recover`: requests a transient fault costs in all (None: not retried, the
    article fails at once). `persist`: requests made when the fault never goes away, after which
    the article fails with a message holding `says` (or, with `accepted`, succeeds).
    `salvaged`: the warnings of the partial result that a persistent invalid answer leaves when
    the backend is not strict (it fails as `says` with strict only); None: nothing is usable."""

    key: str
    once: Make
    recover: int | None
    persist: int
    says: tuple[str, ...] = ()
    at_least_seconds: float = 0.0
    accepted: bool = False
    salvaged: tuple[str, ...] | None = None

    def always(self, valid: dict[str, Any]) -> Reply:
        return self.once(valid)


def _several_calls(first_is_extraction: bool) -> Make:
    def make(valid: dict[str, Any]) -> Reply:
        calls = [("ArticleExtraction", json.dumps(valid)), ("delete_files", '{"path": "/"}')]
        message = tool_calls_message(calls if first_is_extraction else calls[::-1])
        return Reply(body=chat_completion(message, finish_reason="tool_calls"))

    return make


FAULTS: list[Fault] = [
    Fault(
        "429-retry-after",
        _status(429, **{"Retry-After": "1"}),
        2,
        MAX_ATTEMPTS,
        ("HTTP 429", "asked to wait 1 s", f"{MAX_ATTEMPTS} attempts"),
        at_least_seconds=0.95,
    ),
    Fault(
        "429-retry-after-too-long",
        _status(429, **{"Retry-After": "3600"}),
        None,
        1,
        ("asked to wait 3600 s", "after 1 attempt"),
    ),
    Fault("429-no-retry-after", _status(429), 2, MAX_ATTEMPTS, ("HTTP 429",)),
    Fault("500", _status(500), 2, MAX_ATTEMPTS, ("HTTP 500", f"{MAX_ATTEMPTS} attempts")),
    Fault("502", _status(502), 2, MAX_ATTEMPTS, ("HTTP 502",)),
    Fault("503", _status(503), 2, MAX_ATTEMPTS, ("HTTP 503",)),
    Fault("408", _status(408), 2, MAX_ATTEMPTS, ("HTTP 408", f"{MAX_ATTEMPTS} attempts")),
    Fault(
        "400",
        _status(400),
        None,
        1,
        ("rejected the request of mode tools (HTTP 400)", "eventbrief endpoint check"),
    ),
    Fault(
        "500-validation",
        lambda valid: Reply(
            status=500,
            body={"error": {"message": "Input should be 'text' or 'json_object'"}},
        ),
        None,
        1,
        ("rejected the request of mode tools (HTTP 500)", "Input should be 'text'"),
    ),
    Fault("422", _status(422), None, 1, ("rejected the request of mode tools (HTTP 422)",)),
    Fault("401", _status(401), None, 1, ("refused the API key (HTTP 401)",)),
    Fault("404", _status(404), None, 1, ("HTTP 404", "check --model and --base-url")),
    Fault(
        "connection-reset",
        lambda valid: Reply(drop=True),
        2,
        MAX_ATTEMPTS,
        ("could not connect", f"{MAX_ATTEMPTS} attempts"),
    ),
    Fault(
        "stall-past-timeout",
        lambda valid: Reply(body=tool_call_reply(valid).body, delay=STALL),
        2,
        MAX_ATTEMPTS,
        (f"did not answer within {TIMEOUT:g} s", f"{MAX_ATTEMPTS} attempts"),
        at_least_seconds=TIMEOUT,
    ),
    Fault(
        "malformed-json",
        _tool_args('{"summary": "cut off'),
        2,
        1 + REASKS,
        ("invalid json",),
    ),
    Fault(
        "non-json-body",
        lambda valid: Reply(body="<html>502 Bad Gateway</html>"),
        2,
        1 + REASKS,
        ("not valid",),
    ),
    Fault(
        "schema-invalid",
        lambda valid: tool_call_reply({**valid, "key_takeaways": valid["key_takeaways"][:2]}),
        2,
        1 + REASKS,
        ("key_takeaways", "at least 3"),
        salvaged=("filled 1 key takeaway from the article's lead sentences",),
    ),
    Fault(
        "quote-not-in-article",
        lambda valid: tool_call_reply(with_quote(valid, "a sentence the article never says")),
        2,
        1 + REASKS,
        ("quote not found", "a sentence the article never says"),
        salvaged=(
            "dropped 1 quote not found in the article",
            "dropped event e1 (no evidence left)",
        ),
    ),
    Fault(
        "finish-reason-length",
        _tool_args('{"summary": "The minis', finish="length"),
        None,
        1,
        ("cut off", "token limit"),
    ),
    Fault(
        "refusal",
        lambda valid: Reply(
            body=chat_completion(
                {"role": "assistant", "content": None, "refusal": "I can't help with that."}
            )
        ),
        None,
        1,
        ("refused", "I can't help with that."),
    ),
    Fault(
        "content-refusal",
        lambda valid: content_reply("I'm sorry, but I can't help with that request."),
        2,
        1 + REASKS,
        ("no tool call",),
    ),
    Fault(
        "empty-choices",
        lambda valid: Reply(body={**chat_completion({}), "choices": []}),
        None,
        1,
        ("no choices",),
    ),
    Fault(
        "wrong-tool-name",
        lambda valid: tool_call_reply({"url": "https://evil.example/c"}, name="send_http_request"),
        2,
        1 + REASKS,
        ("summary: field required",),
    ),
    Fault("several-tool-calls", _several_calls(True), 1, 1, accepted=True),
    Fault(
        "several-tool-calls-extraction-last",
        _several_calls(False),
        2,
        1 + REASKS,
        ("summary: field required",),
    ),
]
# Rows of README's table tested by their own tests below (their server is not the scripted one).
OTHER_ROWS = ["narration-stall", "narration-drip-feed", "drip-feed"]
RECOVERABLE = [f for f in FAULTS if f.recover is not None]


def _backend(server: Any, mode: str = "tools", *, strict: bool = False) -> OpenAIBackend:
    return OpenAIBackend(
        model="scripted-model",
        base_url=server.base_url,
        api_key="test-key",
        mode=mode,
        timeout=TIMEOUT,
        max_attempts=MAX_ATTEMPTS,
        max_retry_seconds=MAX_RETRY_SECONDS,
        reasks=REASKS,
        strict=strict,
    )


def _extract(
    server: Any, article: Article, mode: str = "tools", *, strict: bool = False
) -> ArticleSummary:
    async def run() -> ArticleSummary:
        backend = _backend(server, mode, strict=strict)
        try:
            return build_summary(article, await backend.extract(article), backend)
        finally:
            await backend.aclose()

    return asyncio.run(run())


@pytest.fixture
def article(tmp_path: Path) -> Article:
    path = tmp_path / "fisheries-accord.txt"
    path.write_text(TEXT, encoding="utf-8")
    return load_article(path)


@pytest.mark.parametrize("fault", RECOVERABLE, ids=lambda f: f.key)
def test_transient_fault_recovers(scripted_server: Any, article: Article, fault: Fault) -> None:
    valid = extraction_for(article.text)
    scripted_server.queue(fault.once(valid), tool_call_reply(valid))
    started = time.monotonic()
    summary = _extract(scripted_server, article)
    elapsed = time.monotonic() - started
    assert len(chat_requests(scripted_server.requests)) == fault.recover
    assert fault.at_least_seconds <= elapsed < TIME_BOUND
    assert summary.summary == valid["summary"]
    assert summary.provenance.grounding_rate == 1.0
    assert summary.provenance.usage is not None
    assert summary.provenance.usage.requests >= 1


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.accepted], ids=lambda f: f.key)
def test_tolerated_fault_is_accepted_and_nothing_else_happens(
    scripted_server: Any, article: Article, fault: Fault
) -> None:
    """The answer is the extraction call's arguments, validated as usual; other tool calls are
    never run (eventbrief runs no tools) and leave no trace in the output."""
    valid = extraction_for(article.text)
    scripted_server.router = lambda request: fault.always(valid)
    summary = _extract(scripted_server, article)
    assert len(chat_requests(scripted_server.requests)) == fault.persist
    assert summary.summary == valid["summary"]
    assert "delete_files" not in summary.model_dump_json()


FAILING = [f for f in FAULTS if not f.accepted]


@pytest.mark.parametrize("fault", FAILING, ids=lambda f: f.key)
def test_persistent_fault_fails_with_one_line_naming_the_article(
    scripted_server: Any, article: Article, fault: Fault
) -> None:
    """Rows whose last answer can be salvaged fail so only with strict; the others always."""
    valid = extraction_for(article.text)
    scripted_server.router = lambda request: fault.always(valid)
    started = time.monotonic()
    with pytest.raises(ExtractionError) as info:
        _extract(scripted_server, article, strict=fault.salvaged is not None)
    elapsed = time.monotonic() - started
    message = str(info.value)
    assert one_line(message), message
    assert message.startswith(article.meta.id), message
    for word in fault.says:
        assert word.lower() in message.lower(), message
    assert len(chat_requests(scripted_server.requests)) == fault.persist
    assert elapsed < TIME_BOUND


SALVAGED = [f for f in FAULTS if f.salvaged is not None]


@pytest.mark.parametrize("fault", SALVAGED, ids=lambda f: f.key)
def test_persistent_invalid_answer_keeps_its_valid_grounded_part(
    scripted_server: Any, article: Article, fault: Fault
) -> None:
    valid = extraction_for(article.text)
    scripted_server.router = lambda request: fault.always(valid)
    started = time.monotonic()
    summary = _extract(scripted_server, article)
    assert len(chat_requests(scripted_server.requests)) == fault.persist
    assert time.monotonic() - started < TIME_BOUND
    assert summary.partial
    assert tuple(summary.provenance.warnings) == fault.salvaged
    assert summary.provenance.grounding_rate == 1.0
    assert summary.summary == valid["summary"]
    assert len(summary.key_takeaways) == 3


JSON_MODES = ["json", "json_schema", "md_json"]


@pytest.mark.parametrize("mode", JSON_MODES)
@pytest.mark.parametrize(
    "bad",
    [
        lambda valid: content_reply('{"summary": "cut off'),
        lambda valid: content_reply({**valid, "key_takeaways": valid["key_takeaways"][:2]}),
        lambda valid: content_reply(with_quote(valid, "a sentence the article never says")),
        lambda valid: content_reply("I'm sorry, but I can't help with that request."),
    ],
    ids=["malformed-json", "schema-invalid", "quote-not-in-article", "content-refusal"],
)
def test_invalid_json_content_is_reasked_in_json_modes(
    scripted_server: Any, article: Article, mode: str, bad: Make
) -> None:
    """The re-ask rows hold when the answer comes as message content (servers without tools)."""
    valid = extraction_for(article.text)
    scripted_server.queue(bad(valid), content_reply(valid))
    summary = _extract(scripted_server, article, mode)
    assert len(chat_requests(scripted_server.requests)) == 2
    assert summary.summary == valid["summary"]
    assert summary.provenance.grounding_rate == 1.0


def _drip_body(valid: dict[str, Any]) -> bytes:
    message = tool_calls_message([("ArticleExtraction", json.dumps(valid))])
    return json.dumps(chat_completion(message, finish_reason="tool_calls")).encode("utf-8")


@pytest.mark.timeout(30)
def test_drip_fed_answer_is_cut_at_the_deadline_then_retried(article: Article) -> None:
    """A server that sends one byte every 0.2 s never trips a read timeout of 0.5 s; the
    request still ends at its deadline (the same timeout, for the whole answer) and is retried."""
    valid = extraction_for(article.text)
    with DripServer(_drip_body(valid), drips=1) as server:
        started = time.monotonic()
        summary = _extract(server, article)
        elapsed = time.monotonic() - started
    assert server.requests == 2
    assert summary.summary == valid["summary"]
    assert TIMEOUT <= elapsed < TIME_BOUND


@pytest.mark.timeout(30)
def test_drip_fed_answer_every_time_fails_in_bounded_time(article: Article) -> None:
    valid = extraction_for(article.text)
    with DripServer(_drip_body(valid), drips=1000) as server:
        started = time.monotonic()
        with pytest.raises(ExtractionError) as info:
            _extract(server, article)
        elapsed = time.monotonic() - started
    message = str(info.value)
    assert one_line(message) and message.startswith(article.meta.id), message
    assert f"did not answer within {TIMEOUT:g} s" in message, message
    assert server.requests == MAX_ATTEMPTS
    assert elapsed < TIME_BOUND


def _batch_env(server: Any) -> dict[str, str]:
    return {
        "EVENTBRIEF_BACKEND": "openai",
        "EVENTBRIEF_BASE_URL": server.base_url,
        "EVENTBRIEF_API_KEY": "test-key",
        "EVENTBRIEF_MODEL": "scripted-model",
        "EVENTBRIEF_TIMEOUT": str(TIMEOUT),
        "EVENTBRIEF_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "EVENTBRIEF_MAX_RETRY_SECONDS": str(MAX_RETRY_SECONDS),
        "EVENTBRIEF_REASKS": str(REASKS),
        "EVENTBRIEF_NO_CACHE": "1",
    }


def _write_articles(folder: Path, ids: list[str]) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    texts = {}
    for article_id in ids:
        text = TEXT.replace("Reykjavik", f"Reykjavik [{article_id}]")
        (folder / f"{article_id}.txt").write_text(text, encoding="utf-8")
        texts[article_id] = load_article(folder / f"{article_id}.txt").text
    return texts


def test_batch_with_every_persistent_fault_writes_the_good_articles(
    scripted_server: Any, tmp_path: Path
) -> None:
    """One run: an article per fault plus three good ones, all concurrent. The good ones are
    written, and so are the salvaged ones (as partial); each failed or partial one is named on
    one stderr line, and the exit code is 1."""
    # A Retry-After beyond the retry budget pauses every request of the run (up to a cap), not
    # only its own article's: that row is tested alone, so it cannot hold up the rest here.
    in_batch = [f for f in FAILING if f.key != "429-retry-after-too-long"]
    faulty = {f"fault-{i:02d}-{f.key}": f for i, f in enumerate(in_batch)}
    good = [f"good-{i:02d}" for i in range(3)]
    texts = _write_articles(tmp_path / "in", [*faulty, *good])

    def route(request: Any) -> Reply:
        user = first_user_message(request)
        article_id = next(a for a in texts if f"[{a}]" in user)
        valid = extraction_for(texts[article_id])
        fault = faulty.get(article_id)
        return fault.always(valid) if fault else tool_call_reply(valid)

    scripted_server.router = route
    out = tmp_path / "out"
    args = ["summarize", str(tmp_path / "in"), "-o", f"{out}/", "--concurrency", "8"]
    args += ["--published", "2025-06-17"]  # dated: each article is named by its fault alone
    started = time.monotonic()
    result = CliRunner().invoke(app, args, env=_batch_env(scripted_server))
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, (result.exit_code, result.stderr, result.exception)
    partial = sorted(a for a, f in faulty.items() if f.salvaged is not None)
    written = sorted(p.stem for p in out.glob("*.json"))
    assert written == sorted(good + partial), (list(out.iterdir()), result.stderr)
    for article_id in written:
        summary = ArticleSummary.model_validate_json(
            (out / f"{article_id}.json").read_text("utf-8")
        )
        assert summary.partial == (article_id in partial)
    stderr_lines = result.stderr.splitlines()
    for article_id in faulty:
        naming = [line for line in stderr_lines if article_id in line]
        assert len(naming) == 1, (article_id, result.stderr)
        if article_id in partial:
            assert naming[0].startswith(f"eventbrief: {article_id}: partial, "), naming
    articles = len(faulty) + len(good)
    failed = len(faulty) - len(partial)
    assert (
        f"{articles - failed} of {articles} articles summarized ({len(partial)} partial), "
        f"{failed} failed;"
    ) in result.stderr
    assert "Traceback" not in result.output
    assert elapsed < 2 * TIME_BOUND


def test_twenty_articles_five_failing_then_rerun_requests_only_those_five(
    scripted_server: Any, tmp_path: Path
) -> None:
    """The acceptance case: 5 of 20 articles meet a persistent 500. The 15 are written, the 5
    named on one line each, exit 1; once the server recovers, the same command asks for the 5
    only (the 15 come from the cache) and exits 0."""
    ids = [f"batch-{i:02d}" for i in range(20)]
    failing = set(ids[::4])
    texts = _write_articles(tmp_path / "in", ids)
    down = {"yes": True}

    def route(request: Any) -> Reply:
        user = first_user_message(request)
        article_id = next(a for a in texts if f"[{a}]" in user)
        if down["yes"] and article_id in failing:
            return Reply(status=500, body=ERROR_BODY)
        return tool_call_reply(extraction_for(texts[article_id]))

    scripted_server.router = route
    env = {**_batch_env(scripted_server), "EVENTBRIEF_NO_CACHE": ""}
    env["EVENTBRIEF_CACHE_DIR"] = str(tmp_path / "cache")
    command = ["summarize", str(tmp_path / "in"), "-o", f"{tmp_path / 'out'}/"]

    first = CliRunner().invoke(app, command, env=env)
    assert first.exit_code == 1, first.stderr
    written = sorted(p.stem for p in (tmp_path / "out").glob("*.json"))
    assert written == sorted(set(ids) - failing)
    for article_id in failing:
        lines = [line for line in first.stderr.splitlines() if f" {article_id}: " in line]
        assert len(lines) == 1, first.stderr
        assert "HTTP 500" in lines[0]
    assert "15 of 20 articles summarized, 5 failed" in first.stderr

    down["yes"] = False
    scripted_server.requests.clear()
    second = CliRunner().invoke(app, command, env=env)
    assert second.exit_code == 0, second.stderr
    asked = sorted(
        next(a for a in texts if f"[{a}]" in first_user_message(r))
        for r in chat_requests(scripted_server.requests)
    )
    assert asked == sorted(failing)
    assert sorted(p.stem for p in (tmp_path / "out").glob("*.json")) == ids


def test_readme_table_matches_the_fault_matrix() -> None:
    """README's Reliability table has one row per fault above, in the same order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Reliability", 1)[1].split("\n## ", 1)[0]
    keys = [
        line.split("|")[1].strip().strip("`")
        for line in section.splitlines()
        if line.startswith("| `")
    ]
    assert keys == [f.key for f in FAULTS] + OTHER_ROWS


@pytest.mark.timeout(60)
def test_narration_against_a_stalled_server_is_skipped_in_bounded_time(
    scripted_server: Any, tmp_path: Path
) -> None:
    """The optional narrative paragraph meets a server that stalls: the brief is written without
    it, within the configured timeout, and stderr says why."""
    texts = _write_articles(tmp_path / "in", ["narrate-00", "narrate-01"])

    def route(request: Any) -> Reply:
        if "Narrative" in tool_names(request):
            return Reply(
                body=tool_call_reply({"paragraph": "late"}, name="Narrative").body, delay=30
            )
        user = first_user_message(request)
        return tool_call_reply(
            extraction_for(next(t for a, t in texts.items() if f"[{a}]" in user))
        )

    scripted_server.router = route
    started = time.monotonic()
    result = CliRunner().invoke(
        app,
        ["brief", str(tmp_path / "in"), "--narrate", "-o", str(tmp_path / "brief.json")],
        env=_batch_env(scripted_server),
    )
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.stderr
    assert "narrative skipped" in result.stderr
    brief = json.loads((tmp_path / "brief.json").read_text("utf-8"))
    assert brief["narrative"] is None
    assert elapsed < TIME_BOUND


@pytest.mark.timeout(60)
def test_drip_fed_narration_is_skipped_in_bounded_time(tmp_path: Path) -> None:
    """brief --narrate over saved summaries, against a server that drip-feeds the paragraph:
    the brief is written without it once the timeout (for the whole answer) has passed."""
    summaries = tmp_path / "summaries"
    summaries.mkdir()
    seed = Path(__file__).resolve().parents[1] / "evals" / "gold"
    for gold in sorted(seed.glob("00[01]_*.json")):
        (summaries / gold.name).write_bytes(gold.read_bytes())
    message = tool_calls_message([("Narrative", json.dumps({"paragraph": "Late words."}))])
    body = json.dumps(chat_completion(message, finish_reason="tool_calls")).encode("utf-8")
    with DripServer(body, drips=1000) as server:
        started = time.monotonic()
        result = CliRunner().invoke(
            app,
            [
                "brief",
                "--from-summaries",
                str(summaries),
                "--narrate",
                "-o",
                str(tmp_path / "b.json"),
            ],
            env={**_batch_env(server), "EVENTBRIEF_TIMEOUT": "1"},
        )
        elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.stderr
    assert "narrative skipped" in result.stderr
    assert json.loads((tmp_path / "b.json").read_text("utf-8"))["narrative"] is None
    assert elapsed < 15
