"""The Batch API path: prepare, submit, status and collect over a scripted /v1/files and
/v1/batches, with per-article failures and the same validation and grounding as a live run."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventbrief.articles import load_article
from eventbrief.backends.openai.batch.requests import (
    changed_inputs,
    custom_id,
    expected_custom_id,
    render_messages,
    request_body,
    split_custom_id,
)
from eventbrief.backends.openai.batch.schema import response_format
from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.cli import app
from eventbrief.models import ArticleSummary
from scale_helpers import (
    BATCH_TEXTS,
    article_in_prompt,
    make_article,
    make_extraction,
    write_corpus,
)
from scripted_batch_server import BatchService
from scripted_server import Reply, ScriptedServer, content_reply, error_reply

KEY = "sk-test-SECRET-batch-key"
TEXTS = BATCH_TEXTS


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "news")


def good_answer(body: dict[str, Any]) -> dict[str, Any]:
    text = article_in_prompt(body["messages"])
    return content_reply(make_extraction(text).model_dump()).body  # type: ignore[return-value]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("EVENTBRIEF_BASE_URL", "OPENAI_BASE_URL", "EVENTBRIEF_MODEL", "EVENTBRIEF_PRICES"):
        monkeypatch.delenv(var, raising=False)


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _serve(
    server: ScriptedServer, answer: Callable[[dict[str, Any]], Any], **kw: Any
) -> BatchService:
    service = BatchService(answer, **kw)
    server.router = service
    return service


def _short(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:4]


def test_custom_ids_name_the_article_and_digest_its_whole_request() -> None:
    article = make_article("x:y", text="Envoys met in Hanoi on Monday.")
    body = request_body("m1", render_messages(article))
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    date = article.meta.published.isoformat() if article.meta.published else ""
    parts = _short(article.meta.sha256) + _short(date) + _short("m1")
    assert custom_id(article.meta, body) == f"x:y:{digest}.{parts}"
    assert split_custom_id(custom_id(article.meta, body)) == ("x:y", f"{digest}.{parts}")
    assert expected_custom_id(article, "m1") == f"x:y:{digest}.{parts}"
    # any input of the request changes it: the text, the publication date, the model
    other_text = make_article("x:y", text="Envoys met in Hue on Monday.")
    other_date = make_article("x:y", text=article.text, published=dt.date(2024, 1, 2))
    ids = {
        expected_custom_id(article, "m1"),
        expected_custom_id(other_text, "m1"),
        expected_custom_id(other_date, "m1"),
        expected_custom_id(article, "m2"),
    }
    assert len(ids) == 4
    # and the short digests after the whole one say which of them changed
    wanted = expected_custom_id(article, "m1")
    assert changed_inputs(expected_custom_id(other_text, "m1"), wanted) == ["text"]
    assert changed_inputs(expected_custom_id(other_date, "m2"), wanted) == ["date", "model"]
    assert changed_inputs(wanted.replace(digest, "0" * 16), wanted) == []  # the prompt
    assert changed_inputs(f"x:y:{digest}", wanted) is None  # an older eventbrief's id


def test_prepare_writes_strict_requests_with_the_live_prompt(
    env: None, corpus: Path, tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    out = tmp_path / "requests.jsonl"
    result = _run(
        "batch",
        "prepare",
        str(corpus),
        "-o",
        str(out),
        "--model",
        "gpt-4o-mini",
        "--published",
        "2025-06-17",
    )
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [split_custom_id(line["custom_id"])[0] for line in lines] == sorted(TEXTS)
    first = lines[0]
    assert first["method"] == "POST" and first["url"] == "/v1/chat/completions"
    body = first["body"]
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"] == response_format()
    schema = body["response_format"]["json_schema"]
    assert schema["strict"] is True
    assert schema["schema"]["additionalProperties"] is False
    assert set(schema["schema"]["required"]) == set(schema["schema"]["properties"])
    assert article_in_prompt(body["messages"]) == TEXTS["alpha"] + "\n"
    assert "2025-06-17" in body["messages"][-1]["content"]
    assert KEY not in out.read_text()

    # the request is exactly the one a live --mode json_schema run sends for the same article
    article = load_article(corpus / "alpha.txt", dt.date(2025, 6, 17), article_id="alpha")
    scripted_server.queue(content_reply(make_extraction(article.text).model_dump()))
    backend = OpenAIBackend(
        "gpt-4o-mini", base_url=scripted_server.base_url, api_key=KEY, mode="json_schema"
    )

    async def live() -> None:
        try:
            await backend.extract(article)
        finally:
            await backend.aclose()

    asyncio.run(live())
    # the whole body, strict response format included: a batch line is a live json_schema
    # request, which is why collect caches its answer under the live identity. Live, the
    # transport asks for the answer as a stream (folded back into the same completion); the
    # Batch API takes no stream, and the answer does not depend on it.
    live_body = dict(scripted_server.requests[0].body)
    assert live_body.pop("stream") is True
    assert live_body.pop("stream_options") == {"include_usage": True}
    assert "stream" not in body and "stream_options" not in body
    assert live_body == body
    assert render_messages(article) == body["messages"]


def test_submit_status_collect_round_trip(
    env: None, corpus: Path, tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    service = _serve(scripted_server, good_answer, polls_before_done=2)
    requests = tmp_path / "requests.jsonl"
    assert _run("batch", "prepare", str(corpus), "-o", str(requests)).exit_code == 0
    url = scripted_server.base_url

    submitted = _run("batch", "submit", str(requests), "--base-url", url)
    assert submitted.exit_code == 0, submitted.stderr
    state = json.loads(submitted.stdout)
    batch_id = state["id"]
    assert service.uploads[0]["purpose"] == "batch"
    assert service.files[service.uploads[0]["id"]] == requests.read_bytes()
    assert service.batches[batch_id]["endpoint"] == "/v1/chat/completions"

    early = _run("batch", "collect", str(corpus), "--batch-id", batch_id, "--base-url", url)
    assert early.exit_code == 2
    assert "in_progress" in early.stderr and early.stdout == ""

    status = json.loads(_run("batch", "status", batch_id, "--base-url", url).stdout)
    assert status["status"] == "completed"
    assert status["request_counts"] == {"total": 4, "completed": 4, "failed": 0}

    out = tmp_path / "summaries.jsonl"
    collected = _run(
        "batch", "collect", str(corpus), "--batch-id", batch_id, "--base-url", url, "-o", str(out)
    )
    assert collected.exit_code == 0, collected.stderr
    summaries = [ArticleSummary.model_validate_json(line) for line in out.read_text().splitlines()]
    assert [s.article.id for s in summaries] == sorted(TEXTS)
    for summary in summaries:
        text = TEXTS[summary.article.id] + "\n"
        evidence = summary.events[0].evidence[0]
        assert text[evidence.start : evidence.end] == evidence.quote
        assert summary.provenance.grounding_rate == 1.0
        assert summary.provenance.usage is not None
        assert summary.provenance.usage.requests == 1
    assert "collected 4 of 4 articles, 0 failed" in collected.stderr
    # every request carried the key; no output shows it
    assert all(r.headers.get("authorization") == f"Bearer {KEY}" for r in scripted_server.requests)
    for result in (submitted, early, collected):
        assert KEY not in result.stdout + result.stderr


def test_failures_are_reported_by_article_and_nothing_is_re_asked(
    env: None, corpus: Path, tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    def answer(body: dict[str, Any]) -> dict[str, Any] | Reply:
        text = article_in_prompt(body["messages"])
        if text.startswith("Envoys"):  # alpha: quotes a sentence that is not in the article
            bad = make_extraction(text).model_dump()
            bad["events"][0]["evidence"] = [{"quote": "Envoys walked out of the talks."}]
            return content_reply(bad).body  # type: ignore[return-value]
        if text.startswith("The minister"):  # beta: the request failed at the provider
            return error_reply(500, "server overloaded")
        if text.startswith("Ships"):  # gamma: cut off at the token limit
            return content_reply('{"summary": "Ships', finish_reason="length").body  # type: ignore[return-value]
        return good_answer(body)

    service = _serve(scripted_server, answer)
    requests = tmp_path / "requests.jsonl"
    assert _run("batch", "prepare", str(corpus), "-o", str(requests)).exit_code == 0
    url = scripted_server.base_url
    batch_id = json.loads(_run("batch", "submit", str(requests), "--base-url", url).stdout)["id"]
    chat_before = sum(1 for r in scripted_server.requests if r.path.endswith("/chat/completions"))

    collected = _run("batch", "collect", str(corpus), "--batch-id", batch_id, "--base-url", url)
    assert collected.exit_code == 1
    lines = collected.stderr.splitlines()
    assert any(
        line.startswith("eventbrief: alpha: invalid answer:") and "Envoys walked out" in line
        for line in lines
    )
    assert any(
        line.startswith("eventbrief: beta: the batch request failed (500)") for line in lines
    )
    assert any(line.startswith("eventbrief: gamma: the answer was cut off") for line in lines)
    assert "collected 1 of 4 articles, 3 failed" in collected.stderr
    summaries = [json.loads(line) for line in collected.stdout.splitlines()]
    assert [s["article"]["id"] for s in summaries] == ["delta"]
    chat_after = sum(1 for r in scripted_server.requests if r.path.endswith("/chat/completions"))
    assert chat_before == chat_after == 0
    assert service.batches[batch_id]["request_counts"]["failed"] == 1


def test_collect_from_a_local_results_file_and_a_changed_article(
    env: None, corpus: Path, tmp_path: Path
) -> None:
    """vLLM's run-batch writes the output file itself; collect reads it without an API."""
    requests = tmp_path / "requests.jsonl"
    assert _run("batch", "prepare", str(corpus), "-o", str(requests)).exit_code == 0
    output_lines = []
    for line in requests.read_text().splitlines():
        request = json.loads(line)
        output_lines.append(
            json.dumps(
                {
                    "id": "vllm-1",
                    "custom_id": request["custom_id"],
                    "error": None,
                    "response": {
                        "status_code": 200,
                        "request_id": "r",
                        "body": good_answer(request["body"]),
                    },
                }
            )
        )
    results = tmp_path / "results.jsonl"
    results.write_text("\n".join(output_lines) + "\nnot json\n")
    (corpus / "gamma.txt").write_text("Ships docked at Busan on Monday instead.\n")

    collected = _run("batch", "collect", str(corpus), "--results", str(results))
    assert collected.exit_code == 1
    assert (
        "gamma: the request batch prepare wrote differs from this one: the article text changed"
    ) in collected.stderr
    assert "matches no given article" not in collected.stderr
    assert "line 5 of the batch output is not a result record" in collected.stderr
    ids = [json.loads(line)["article"]["id"] for line in collected.stdout.splitlines()]
    assert ids == ["alpha", "beta", "delta"]


def test_collect_needs_exactly_one_source(env: None, corpus: Path) -> None:
    neither = _run("batch", "collect", str(corpus))
    assert neither.exit_code == 2
    assert "exactly one of --batch-id or --results" in neither.stderr


def test_every_batch_command_help_shows_an_example() -> None:
    for command in ("prepare", "submit", "status", "collect"):
        shown = _run("batch", command, "--help")
        assert shown.exit_code == 0
        assert "eventbrief batch " + command in shown.stdout


def test_a_batch_the_provider_rejected_is_reported_not_waited_for(
    env: None, corpus: Path, tmp_path: Path, scripted_server: ScriptedServer
) -> None:
    _serve(scripted_server, good_answer, reject_input="model gpt-x is not available for batch")
    requests = tmp_path / "requests.jsonl"
    assert _run("batch", "prepare", str(corpus), "-o", str(requests)).exit_code == 0
    url = scripted_server.base_url
    batch_id = json.loads(_run("batch", "submit", str(requests), "--base-url", url).stdout)["id"]
    state = json.loads(_run("batch", "status", batch_id, "--base-url", url).stdout)
    assert state["status"] == "failed"
    assert state["problem"] == "model gpt-x is not available for batch (line 1)"
    collected = _run("batch", "collect", str(corpus), "--batch-id", batch_id, "--base-url", url)
    assert collected.exit_code == 2
    assert f"{batch_id}: the batch failed: model gpt-x is not available" in collected.stderr
    assert collected.stdout == ""


def test_submit_without_a_key_or_an_endpoint_says_which_is_missing(
    env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    requests = tmp_path / "requests.jsonl"
    requests.write_text("{}\n")
    for args in (["submit", str(requests)], ["status", "batch_abc"]):
        done = _run("batch", *args)
        assert done.exit_code == 2, done.stderr
        assert done.stderr == (
            "eventbrief: the Batch API at api.openai.com needs a key: set OPENAI_API_KEY (or "
            "EVENTBRIEF_API_KEY), or give --base-url for another server\n"
        )


def test_an_unreachable_endpoint_is_named(env: None, tmp_path: Path) -> None:
    with ScriptedServer() as server:
        url = server.base_url  # closed again: nothing listens there now
    requests = tmp_path / "requests.jsonl"
    requests.write_text("{}\n")
    done = _run("batch", "submit", str(requests), "--base-url", url)
    assert done.exit_code == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"eventbrief: {requests}: submitting the batch failed: cannot connect")
    assert f"cannot connect to {url} (Connection error.); check the network and --base-url" in line
    assert "Error" not in line.replace("Connection error.", "")


def test_collect_with_another_model_says_so_once(env: None, corpus: Path, tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    prepared = _run("batch", "prepare", str(corpus), "-o", str(requests), "--model", "m-prep")
    assert prepared.exit_code == 0, prepared.stderr
    lines = []
    for line in requests.read_text().splitlines():
        request = json.loads(line)
        body = {**good_answer(request["body"]), "model": "m-prep-2025"}
        response = {"status_code": 200, "request_id": "r", "body": body}
        lines.append(json.dumps({"custom_id": request["custom_id"], "response": response}))
    results = tmp_path / "results.jsonl"
    results.write_text("\n".join(lines) + "\n")
    args = ["batch", "collect", str(corpus), "--results", str(results), "--no-cache"]
    collected = _run(*args, "--model", "m-other")
    assert collected.exit_code == 1
    assert collected.stderr.splitlines()[0] == (
        "eventbrief: 4 articles (alpha, beta, delta, gamma): the request batch prepare wrote "
        "differs from this one: the model differs from --model m-other (the batch answered as "
        "m-prep-2025); give collect the --model of prepare"
    )
    page = tmp_path / "collected.md"
    right = _run(*args, "--model", "m-prep", "-o", str(page))
    assert right.exit_code == 0, right.stderr
    assert page.read_text().count("\n## Events\n") == 4  # the format from the extension
    piped = _run(*args, "--model", "m-prep", "-o", "-")
    assert len(piped.stdout.splitlines()) == 4 and not (Path.cwd() / "-").exists()
