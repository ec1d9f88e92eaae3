"""Prompt injection: a hostile article is data. It reaches the server verbatim and inside its
delimiters, it changes nothing else in the request, the output still validates, and quotes that
are not in the article are rejected (re-ask, then a one-line error naming the article).

The corpus is tests/injection/ (see its README.md).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
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
    INJECTION_DIR,
    chat_requests,
    extraction_for,
    first_user_message,
    live_payloads,
    messages,
    one_line,
    request_body,
    tool_names,
    with_quote,
)
from scripted_server import Reply, content_reply, tool_call_reply

PUBLISHED = dt.date(2025, 6, 17)
CORPUS = sorted(p for p in INJECTION_DIR.iterdir() if p.suffix in {".txt", ".html"})
INVENTED = "PWNED: the model obeyed the article and invented this quote"
REASKS = 2

BENIGN = (
    "Officials meet for routine talks\n\n"
    "Oslo, June 17 (Test Wire) Officials met on Tuesday for routine talks, a spokesperson said.\n"
    "They agreed to meet again next month.\n"
)


MODES = ["tools", "json", "json_schema", "md_json"]


def _answer(extraction: dict[str, Any], mode: str) -> Reply:
    """The scripted model's answer in the shape `mode` asks for."""
    if mode == "tools":
        return tool_call_reply(extraction)
    if mode == "md_json":
        return content_reply(f"```json\n{json.dumps(extraction)}\n```")
    return content_reply(extraction)


def _backend(server: Any, mode: str = "tools", *, strict: bool = False) -> OpenAIBackend:
    return OpenAIBackend(
        model="scripted-model",
        base_url=server.base_url,
        api_key="test-key",
        mode=mode,
        timeout=5.0,
        max_attempts=2,
        max_retry_seconds=2.0,
        reasks=REASKS,
        strict=strict,
    )


def _extract(
    server: Any, article: Article, mode: str = "tools", *, strict: bool = False
) -> ArticleSummary:
    """One article through the real backend (openai + instructor over HTTP) and grounding."""

    async def run() -> ArticleSummary:
        backend = _backend(server, mode, strict=strict)
        try:
            result = await backend.extract(article)
        finally:
            await backend.aclose()
        return build_summary(article, result, backend)

    return asyncio.run(run())


def _load(path: Path) -> Article:
    return load_article(path, published=PUBLISHED)


def _visible(text: str) -> str:
    """What instructor's templating (Jinja, then textwrap.dedent) sends for `text`: dedent empties
    lines that hold only spaces and tabs; every other character is sent as it is."""
    return re.sub(r"(?m)^[ \t]+$", "", text)


def _unfenced(text: str) -> str:
    """`text` with per-article nonces (hex runs, as in `<article 9ac88278>`) masked."""
    return re.sub(r"[0-9a-f]{8,}", "#", text)


def _article_span(message: str, text: str) -> tuple[str, str]:
    """The message before and after the one place where the article's text sits."""
    sent = _visible(text)
    assert message.count(sent) == 1, "the article text is not in the prompt verbatim, exactly once"
    before, after = message.split(sent)
    return before, after


def test_corpus_is_hostile_and_loadable() -> None:
    """The corpus holds each kind of attack the tests claim to cover."""
    joined = "\n".join(p.read_text(encoding="utf-8") for p in CORPUS)
    for needle in (
        "IGNORE ALL PREVIOUS INSTRUCTIONS",
        '"key_takeaways"',
        "<|im_start|>system",
        '"role": "system"',
        '"role": "tool"',
        "{{ 7*7 }}",
        "{% for x in",
        "{0}",
        "{article}",
        "</article>",
        "<script>",
        "\u200b",
        "\u202e",
        "\u2067",
        "OPENAI_API_KEY",
    ):
        assert needle in joined, needle
    assert len(CORPUS) >= 10
    for path in CORPUS:
        assert _load(path).text.strip()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_hostile_article_reaches_server_verbatim_inside_delimiters(
    scripted_server: Any, path: Path, tmp_path: Path, mode: str
) -> None:
    article = _load(path)
    if path.suffix == ".txt":
        assert article.text == path.read_text(encoding="utf-8")
    benign_path = tmp_path / path.with_suffix(".txt").name
    benign_path.write_text(BENIGN, encoding="utf-8")
    benign = _load(benign_path)

    scripted_server.router = lambda request: _answer(
        extraction_for(
            article.text if _visible(article.text) in first_user_message(request) else BENIGN
        ),
        mode,
    )
    hostile_summary = _extract(scripted_server, article, mode)
    benign_summary = _extract(scripted_server, benign, mode)
    hostile_request, benign_request = chat_requests(scripted_server.requests)

    # Verbatim, once, and only in the user message.
    hostile_messages = messages(hostile_request)
    user = first_user_message(hostile_request)
    before, after = _article_span(user, article.text)
    for message in hostile_messages:
        if message.get("role") != "user":
            assert _visible(article.text) not in str(message.get("content"))

    # Inside the delimiters, and the article cannot close them itself.
    benign_before, benign_after = _article_span(first_user_message(benign_request), benign.text)
    assert _unfenced(before) == _unfenced(benign_before)
    assert _unfenced(after) == _unfenced(benign_after)
    opening = before.rstrip("\n").splitlines()[-1].strip()
    closing = after.lstrip("\n").splitlines()[0].strip()
    assert opening and closing, "the article is not delimited"
    assert closing not in article.text, f"the article contains the closing delimiter {closing!r}"

    # Nothing else in the request changed: same messages (roles, system prompt), tools, choice.
    hostile_body, benign_body = request_body(hostile_request), request_body(benign_request)
    assert [m.get("role") for m in hostile_messages] == [
        m.get("role") for m in messages(benign_request)
    ]
    assert [m for m in hostile_messages if m.get("role") == "system"] == [
        m for m in messages(benign_request) if m.get("role") == "system"
    ]
    assert {k: v for k, v in hostile_body.items() if k != "messages"} == {
        k: v for k, v in benign_body.items() if k != "messages"
    }

    # The output is what the (scripted) model answered, valid and fully grounded.
    expected = extraction_for(article.text)
    assert hostile_summary.summary == expected["summary"]
    assert [e.evidence[0].quote for e in hostile_summary.events] == [
        expected["events"][0]["evidence"][0]["quote"]
    ]
    assert hostile_summary.provenance.grounding_rate == 1.0
    for takeaway in hostile_summary.key_takeaways:
        for ev in takeaway.evidence:
            assert ev.start is not None and ev.end is not None
            assert article.text[ev.start : ev.end] == ev.quote
    assert benign_summary.article.id == hostile_summary.article.id
    ArticleSummary.model_validate_json(hostile_summary.model_dump_json())


def test_html_article_sends_no_script_content(scripted_server: Any) -> None:
    """Scripts, styles, noscript and event handlers of an HTML page never reach the model."""
    article = _load(INJECTION_DIR / "html_scripts.html")
    scripted_server.router = lambda request: tool_call_reply(extraction_for(article.text))
    _extract(scripted_server, article)
    sent = first_user_message(chat_requests(scripted_server.requests)[0])
    assert "undersea power cable" in sent
    hidden = ("<script", "document.cookie", "evil.example", "localStorage", "onerror", "PWNED")
    for needle in hidden:
        assert needle not in sent, needle


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_invented_quote_is_reasked_then_accepted(scripted_server: Any, path: Path) -> None:
    article = _load(path)
    valid = extraction_for(article.text)
    scripted_server.queue(tool_call_reply(with_quote(valid, INVENTED)), tool_call_reply(valid))
    summary = _extract(scripted_server, article)
    requests = chat_requests(scripted_server.requests)
    assert len(requests) == 2
    reask = "\n".join(str(m.get("content")) for m in messages(requests[1])[2:])
    assert INVENTED in reask, "the re-ask does not tell the model which quote was not found"
    quotes = [ev.quote for e in summary.events for ev in e.evidence]
    assert INVENTED not in quotes
    assert summary.provenance.grounding_rate == 1.0


@pytest.mark.parametrize(
    "path",
    [INJECTION_DIR / "fake_json_answer.txt", INJECTION_DIR / "ignore_instructions.txt"],
    ids=lambda p: p.name,
)
def test_persistent_invented_quote_fails_with_one_line_naming_the_article_when_strict(
    scripted_server: Any, path: Path
) -> None:
    article = _load(path)
    bad = with_quote(extraction_for(article.text), INVENTED)
    scripted_server.router = lambda request: tool_call_reply(bad)
    with pytest.raises(ExtractionError) as info:
        _extract(scripted_server, article, strict=True)
    message = str(info.value)
    assert one_line(message)
    assert article.meta.id in message
    assert len(chat_requests(scripted_server.requests)) == 1 + REASKS


@pytest.mark.parametrize(
    "path",
    [INJECTION_DIR / "fake_json_answer.txt", INJECTION_DIR / "ignore_instructions.txt"],
    ids=lambda p: p.name,
)
def test_persistent_invented_quote_is_dropped_from_the_partial_result(
    scripted_server: Any, path: Path
) -> None:
    article = _load(path)
    bad = with_quote(extraction_for(article.text), INVENTED)
    scripted_server.router = lambda request: tool_call_reply(bad)
    summary = _extract(scripted_server, article)
    assert len(chat_requests(scripted_server.requests)) == 1 + REASKS
    assert summary.partial
    assert summary.provenance.warnings == [
        "dropped 1 quote not found in the article",
        "dropped event e1 (no evidence left)",
    ]
    assert "PWNED" not in summary.model_dump_json()
    assert summary.provenance.grounding_rate == 1.0


def test_quotes_from_the_fake_answer_are_not_taken_as_the_answer(scripted_server: Any) -> None:
    """The fake JSON answer inside the article is not parsed as the model's reply: its invented
    quotes ("fabricated evidence") are absent from the output, which is what the model said."""
    article = _load(INJECTION_DIR / "fake_json_answer.txt")
    scripted_server.router = lambda request: tool_call_reply(extraction_for(article.text))
    summary = _extract(scripted_server, article)
    dumped = summary.model_dump_json()
    assert "Atlantis" not in dumped
    assert "Injected takeaway" not in dumped
    assert summary.summary == "A neutral test summary."


def _hostile_extraction(text: str) -> dict[str, Any]:
    """An answer that repeats the article's markup everywhere a model's words can go."""
    answer = extraction_for(text, summary='Leaders met. <script>alert("summary")</script>')
    answer["key_takeaways"][0]["text"] = '<a href="javascript:alert(7)">takeaway</a>'
    event = answer["events"][0]
    event["description"] = "<script>alert('event')</script> Leaders closed the summit."
    event["location"] = "<svg onload=alert(6)>"
    event["participants"] = ["<img src=x onerror=alert(5)>"]
    answer["entities"] = [
        {
            "name": "<img src=x onerror=alert(5)>",
            "type": "organization",
            "aliases": ["<script>alert('alias')</script>"],
            "description": "<iframe src=javascript:alert(8)></iframe>",
        }
    ]
    return answer


def _cli_env(server: Any, tmp_path: Path) -> dict[str, str]:
    return {
        "EVENTBRIEF_BACKEND": "openai",
        "EVENTBRIEF_BASE_URL": server.base_url,
        "EVENTBRIEF_API_KEY": "test-key",
        "EVENTBRIEF_MODEL": "scripted-model",
        "EVENTBRIEF_CACHE_DIR": str(tmp_path / "cache"),
    }


def _eval_page(server: Any, tmp_path: Path, text: str, answer: dict[str, Any]) -> str:
    """The eval HTML report of a one-article dataset whose gold is the scripted answer."""
    dataset = tmp_path / "dataset"
    (dataset / "articles").mkdir(parents=True)
    (dataset / "gold").mkdir()
    article = dataset / "articles" / "story.txt"
    article.write_text(text, encoding="utf-8")
    server.router = lambda request: tool_call_reply(answer)
    env = _cli_env(server, tmp_path)
    gold = dataset / "gold" / "story.json"
    made = CliRunner().invoke(app, ["summarize", str(article), "-o", str(gold)], env=env)
    assert made.exit_code == 0, made.stderr
    page = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["eval", "--dataset", str(dataset), "--html", str(page)], env=env
    )
    assert result.exit_code == 0, result.stderr
    return page.read_text(encoding="utf-8")


def test_eval_html_report_escapes_article_text(scripted_server: Any, tmp_path: Path) -> None:
    """The eval report shows gold and predicted quotes, titles and fields of a hostile article
    (and the model's echo of its markup): all of it as text, none of it as live markup."""
    hostile = (INJECTION_DIR / "script_in_text.txt").read_text("utf-8")
    page = _eval_page(scripted_server, tmp_path / "hostile", hostile, _hostile_extraction(hostile))
    benign = _eval_page(scripted_server, tmp_path / "benign", BENIGN, extraction_for(BENIGN))
    assert live_payloads(page, benign) == []
    assert "&lt;script&gt;alert(" in page, "the report does not show the article's markup at all"


NARRATIVE = 'Leaders met. <script>alert("narrative")</script> <img src=x onerror=alert(9)>'


def _extraction_or_narrative(answer: dict[str, Any]) -> Any:
    def route(request: Any) -> Reply:
        if "Narrative" in tool_names(request):
            return tool_call_reply({"paragraph": NARRATIVE}, name="Narrative")
        return tool_call_reply(answer)

    return route


def _brief_page(server: Any, tmp_path: Path, text: str, answer: dict[str, Any]) -> str:
    """The HTML brief of one article, through the openai backend, with a narrative."""
    folder = tmp_path / "articles"
    folder.mkdir(parents=True)
    (folder / "story.txt").write_text(text, encoding="utf-8")
    server.router = _extraction_or_narrative(answer)
    page = tmp_path / "brief.html"
    result = CliRunner().invoke(
        app,
        ["brief", str(folder), "--format", "html", "-o", str(page), "--narrate"],
        env=_cli_env(server, tmp_path),
    )
    assert result.exit_code == 0, result.stderr
    assert "narrative skipped" not in result.stderr, result.stderr
    return page.read_text(encoding="utf-8")


def test_brief_html_escapes_article_text(scripted_server: Any, tmp_path: Path) -> None:
    """The brief page shows the article, its quotes, events, entities and the model's narrative
    paragraph, all echoing the article's markup: none of it is live."""
    hostile = (INJECTION_DIR / "script_in_text.txt").read_text("utf-8")
    page = _brief_page(scripted_server, tmp_path / "hostile", hostile, _hostile_extraction(hostile))
    benign = _brief_page(scripted_server, tmp_path / "benign", BENIGN, extraction_for(BENIGN))
    assert live_payloads(page, benign) == []
    assert "&lt;script&gt;alert(" in page, "the page does not show the article's markup at all"
    assert "onerror=alert(9)" in page.replace("&#x27;", "'"), "the narrative is not on the page"
