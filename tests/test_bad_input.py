"""Bad input, property-based: whatever bytes an article holds, the tool answers with a valid
output or a clear one-line error naming the file, and never a traceback."""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from eventbrief.articles import DEFAULT_MAX_CHARS, load_article
from eventbrief.cli import app
from eventbrief.errors import ArticleError
from eventbrief.models import ArticleSummary
from reliability_support import extraction_for, no_traceback, one_line
from scripted_server import ScriptedServer, tool_call_reply

FEW = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PIPELINE = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Zero-width, byte-order mark, bidirectional controls, invisible and odd white space.
TRICKY = (
    "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u200e\u200f\u061c\u00ad\u00a0\u3000\u2028\u2029\r\t\x0b\x0c"
)
tricky_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_characters="\x00"),
        st.sampled_from(TRICKY),
        st.sampled_from("<>&\"'{}%$#\\/\n "),
    ),
    max_size=400,
)
INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80"]
bad_bytes = st.one_of(
    st.binary(max_size=600),
    st.builds(
        lambda head, bad, tail: head.encode("utf-8") + bad + tail.encode("utf-8"),
        tricky_text,
        st.sampled_from([*INVALID_UTF8, b"\x00"]),
        tricky_text,
    ),
    tricky_text.map(lambda t: t.encode("utf-8")),
    tricky_text.map(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8")),
)
SCRIPT_MARK = "SCRIPTMARK"
html_pages = st.builds(
    lambda title, body, scripts: (
        f"<html><head><title>{title}</title><script>{SCRIPT_MARK}{scripts}</script></head>"
        f"<body><script>{SCRIPT_MARK}{scripts}</script><p>{body}</p>"
        f"<script src=x>{SCRIPT_MARK}{scripts}</script>"
        f'<img src=x onerror="{SCRIPT_MARK}"></body></html>'
    ),
    tricky_text,
    tricky_text,
    tricky_text,
)


def _check_loaded_or_refused(path: Path, raw: bytes) -> None:
    """`load_article` either gives the decoded text back exactly, or refuses in one line."""
    try:
        article = load_article(path)
    except ArticleError as exc:
        message = str(exc)
        assert one_line(message), message
        assert message.startswith(str(path)), message
        return
    assert article.text.strip()
    assert article.meta.sha256 == hashlib.sha256(article.text.encode("utf-8")).hexdigest()
    if path.suffix == ".txt":
        assert article.text == raw.decode("utf-8-sig")
        assert b"\x00" not in raw


@FEW
@given(raw=bad_bytes)
def test_loading_any_bytes_gives_an_article_or_a_one_line_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.txt"
        path.write_bytes(raw)
        _check_loaded_or_refused(path, raw)


@settings(max_examples=20, deadline=None)
@given(page=html_pages)
def test_loading_html_full_of_scripts_never_returns_script_text(page: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_text(page, encoding="utf-8")
        _check_loaded_or_refused(path, page.encode("utf-8"))
        with contextlib.suppress(ArticleError):
            assert SCRIPT_MARK not in load_article(path).text


@pytest.mark.parametrize(
    ("name", "raw", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \n\t\r\n  \n", "white space"),
        ("nul.txt", b"Talks held\x00 in Oslo.", "binary"),
        ("latin1.txt", "Talks in Tromsø.".encode("latin-1"), "UTF-8"),
        ("five-mb.txt", b"Talks were held. " * (5 * 1024 * 1024 // 17), "too long"),
        ("huge-line.txt", b"x" * (DEFAULT_MAX_CHARS + 1), "too long"),
        ("scripts.html", b"<html><script>alert(1)</script><script>x()</script></html>", "no"),
        ("missing.txt", None, "no such file"),
    ],
)
def test_named_bad_inputs_are_refused_in_one_line(
    tmp_path: Path, name: str, raw: bytes | None, reason: str
) -> None:
    path = tmp_path / name
    if raw is not None:
        path.write_bytes(raw)
    with pytest.raises(ArticleError) as info:
        load_article(path)
    message = str(info.value)
    assert one_line(message)
    assert message.startswith(str(path))
    assert reason.lower() in message.lower(), message


def test_one_huge_line_under_the_limit_loads(tmp_path: Path) -> None:
    line = ("Talks were held in Oslo on Tuesday, officials said. " * 3000)[: DEFAULT_MAX_CHARS - 10]
    path = tmp_path / "long-line.txt"
    path.write_text(line, encoding="utf-8")
    article = load_article(path)
    assert article.text == line
    assert "\n" not in article.text


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def _env(server: ScriptedServer) -> dict[str, str]:
    return {
        "EVENTBRIEF_BACKEND": "openai",
        "EVENTBRIEF_BASE_URL": server.base_url,
        "EVENTBRIEF_API_KEY": "test-key",
        "EVENTBRIEF_MODEL": "scripted-model",
        "EVENTBRIEF_TIMEOUT": "5",
        "EVENTBRIEF_MAX_ATTEMPTS": "2",
        "EVENTBRIEF_MAX_RETRY_SECONDS": "1",
        "EVENTBRIEF_NO_CACHE": "1",
    }


def _check_cli_outcome(result: Any, article_id: str, *names: str) -> None:
    """A valid ArticleSummary on stdout (exit 0), or exit 1 with one stderr line naming the
    article (as `name:`, one of `names`)."""
    assert no_traceback(result.stdout, result.stderr), result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if result.exit_code == 0:
        summary = ArticleSummary.model_validate(json.loads(result.stdout))
        assert summary.article.id == article_id
        return
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    assert result.stdout.strip() == ""
    naming = [line for line in result.stderr.splitlines() if any(f" {n}: " in line for n in names)]
    assert len(naming) == 1, result.stderr


@PIPELINE
@given(raw=bad_bytes)
def test_whole_pipeline_over_any_bytes_never_tracebacks(server: ScriptedServer, raw: bytes) -> None:
    """Through `eventbrief summarize` and the real OpenAI backend: the scripted model quotes the
    article it was sent, so a loadable article must come out as a valid, grounded summary."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.txt"
        path.write_bytes(raw)
        try:
            text = load_article(path).text
        except ArticleError:
            text = "unused"
        server.router = lambda request: tool_call_reply(extraction_for(text))
        result = CliRunner().invoke(app, ["summarize", str(path)], env=_env(server))
        _check_cli_outcome(result, path.stem, str(path), path.stem)


readable_text = tricky_text.filter(lambda t: any(ch.isalnum() for ch in t))


@PIPELINE
@given(text=readable_text)
def test_any_readable_text_comes_out_valid_and_fully_grounded(
    server: ScriptedServer, text: str
) -> None:
    """Zero-width, bidirectional and odd white-space characters do not break grounding: every
    quote the model copies from the text gets offsets that slice back to it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "readable.txt"
        path.write_text(text, encoding="utf-8", newline="")
        article_text = load_article(path).text
        server.router = lambda request: tool_call_reply(extraction_for(article_text))
        result = CliRunner().invoke(app, ["summarize", str(path)], env=_env(server))
    assert result.exit_code == 0, result.stderr
    summary = ArticleSummary.model_validate(json.loads(result.stdout))
    assert summary.provenance.grounding_rate == 1.0
    for event in summary.events:
        for evidence in event.evidence:
            assert evidence.start is not None and evidence.end is not None
            assert evidence.match == "exact"
            assert article_text[evidence.start : evidence.end] == evidence.quote


OFFLINE_ENV = {"EVENTBRIEF_BACKEND": "offline", "EVENTBRIEF_NO_CACHE": "1"}


@PIPELINE
@given(raw=bad_bytes)
def test_offline_pipeline_over_any_bytes_never_tracebacks(raw: bytes) -> None:
    """The rule-based backend meets the same bytes: a valid summary or a one-line error."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.txt"
        path.write_bytes(raw)
        result = CliRunner().invoke(app, ["summarize", str(path)], env=OFFLINE_ENV)
        _check_cli_outcome(result, path.stem, str(path), path.stem)


@PIPELINE
@given(text=readable_text)
def test_offline_pipeline_over_any_readable_text_gives_a_valid_grounded_summary(
    text: str,
) -> None:
    """Readable text (any Unicode, tricky characters included) is a valid article: the offline
    backend must summarize it, and every offset it gives must slice back to its quote."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "readable.txt"
        path.write_text(text, encoding="utf-8", newline="")
        article_text = load_article(path).text
        result = CliRunner().invoke(app, ["summarize", str(path)], env=OFFLINE_ENV)
    assert no_traceback(result.stdout, result.stderr), result.stderr
    assert result.exit_code == 0, result.stderr
    summary = ArticleSummary.model_validate(json.loads(result.stdout))
    quotes = [ev for t in summary.key_takeaways for ev in t.evidence]
    quotes += [ev for e in summary.events for ev in e.evidence]
    for evidence in quotes:
        if evidence.start is not None and evidence.end is not None and evidence.match == "exact":
            assert article_text[evidence.start : evidence.end] == evidence.quote


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("five-mb.txt", b"Talks were held. " * (5 * 1024 * 1024 // 17)),
        ("nul.txt", b"Talks\x00held"),
        ("bad-utf8.txt", b"Talks \xff held"),
        ("blank.txt", b"   \n\n\t"),
        ("scripts.html", b"<html><body><script>alert(1)</script></body></html>"),
    ],
)
def test_bad_file_in_a_batch_loses_nothing(
    server: ScriptedServer, tmp_path: Path, name: str, raw: bytes
) -> None:
    """One bad file next to a good one: the good one is written, the bad one named, exit 1."""
    good = tmp_path / "good.txt"
    good.write_text("Talks held in Oslo\n\nOfficials met in Oslo on Tuesday.\n", encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(raw)
    text = load_article(good).text
    server.router = lambda request: tool_call_reply(extraction_for(text))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["summarize", str(good), str(bad), "-o", f"{out}/"], env=_env(server)
    )
    assert result.exit_code == 1, result.stderr
    assert no_traceback(result.stdout, result.stderr)
    assert [p.name for p in out.iterdir()] == ["good.json"]
    ArticleSummary.model_validate_json((out / "good.json").read_text("utf-8"))
    naming = [line for line in result.stderr.splitlines() if name in line]
    assert len(naming) == 1, result.stderr


@settings(max_examples=10, deadline=None)
@given(raw=bad_bytes)
def test_stdin_of_any_bytes_never_tracebacks(server: ScriptedServer, raw: bytes) -> None:
    """`summarize -` reads the same bytes from stdin: same outcome rules, named "stdin"."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "unused"
    server.router = lambda request: tool_call_reply(extraction_for(text))
    result = CliRunner().invoke(app, ["summarize", "-"], input=raw, env=_env(server))
    _check_cli_outcome(result, "stdin", "-", "stdin")


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("nul.txt", b"Talks\x00held"),
        ("bad-utf8.txt", b"Talks \xff held"),
        ("blank.txt", b"   \n\n\t"),
        ("scripts.html", b"<html><body><script>alert(1)</script></body></html>"),
        ("broken.json", b'{"schema_version": "1", "article": '),
    ],
)
def test_bad_file_among_brief_inputs_loses_nothing(tmp_path: Path, name: str, raw: bytes) -> None:
    """`brief` over good articles and one bad file: the brief holds the good ones, the bad one
    is named on one line, exit 1."""
    for i in range(2):
        (tmp_path / f"good-{i}.txt").write_text(
            f"Ministers meet in Oslo\n\nOslo, June {i + 3}, 2025 (Wire) Ministers met in Oslo "
            "on Tuesday to discuss fisheries, officials said.\n",
            encoding="utf-8",
        )
    (tmp_path / name).write_bytes(raw)
    out = tmp_path / "brief.json"
    inputs = [str(tmp_path / "good-0.txt"), str(tmp_path / "good-1.txt"), str(tmp_path / name)]
    result = CliRunner().invoke(app, ["brief", *inputs, "-o", str(out)], env=OFFLINE_ENV)
    assert no_traceback(result.stdout, result.stderr), result.stderr
    assert result.exit_code == 1, result.stderr
    brief = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(a["id"] for a in brief["articles"]) == ["good-0", "good-1"]
    naming = [line for line in result.stderr.splitlines() if name in line]
    assert len(naming) == 1, result.stderr
