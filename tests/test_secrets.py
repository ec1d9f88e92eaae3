"""Secrets: the API key reaches the endpoint's Authorization header and nothing else.

The installed `eventbrief` runs as a real process with a distinctive fake key in its environment,
against a scripted server, in runs that succeed and runs that fail, including a server that
echoes the key back in its error messages and the openai client's own debug logging. Then every
byte the runs printed or wrote (outputs, reports, HTML, cache, logs, anything under the
isolated home) is searched for the key.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventbrief.cli import app
from eventbrief.config import Settings
from eventbrief.redaction import redact
from reliability_support import (
    FAKE_KEY,
    FAKE_KEY_FRAGMENTS,
    INJECTION_DIR,
    chat_requests,
    extraction_for,
    first_user_message,
    tool_names,
)
from scripted_server import Reply, ScriptedServer, error_reply, tool_call_reply

EVENTBRIEF = Path(sys.executable).with_name("eventbrief")
SEEDS = Path(__file__).resolve().parents[1] / "evals" / "articles"


class Run:
    """Runs the installed script with an isolated home; keeps everything it printed."""

    def __init__(self, server: ScriptedServer, root: Path) -> None:
        self.server = server
        self.root = root
        self.printed: list[tuple[str, str]] = []

    def env(self, **extra: str) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "EVENTBRIEF_"))}
        return {
            **keep,
            "HOME": str(self.root / "home"),
            "XDG_CACHE_HOME": str(self.root / "xdg-cache"),
            "XDG_DATA_HOME": str(self.root / "xdg-data"),
            "XDG_STATE_HOME": str(self.root / "xdg-state"),
            "XDG_CONFIG_HOME": str(self.root / "xdg-config"),
            "EVENTBRIEF_CACHE_DIR": str(self.root / "cache"),
            "EVENTBRIEF_MODEL": "scripted-model",
            "EVENTBRIEF_MODE": "tools",
            "EVENTBRIEF_TIMEOUT": "5",
            "EVENTBRIEF_MAX_ATTEMPTS": "2",
            "EVENTBRIEF_MAX_RETRY_SECONDS": "2",
            "EVENTBRIEF_REASKS": "1",
            **extra,
        }

    def __call__(self, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(EVENTBRIEF), *args],
            env=env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.printed.append((" ".join(args), done.stdout + done.stderr))
        return done


def _leaks(data: str | bytes) -> list[str]:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    return [needle for needle in (FAKE_KEY, *FAKE_KEY_FRAGMENTS) if needle in text]


def _scan(run: Run) -> list[str]:
    """Every place under the run's root, and every printed text, that holds the key."""
    found = [f"output of `{cmd}`: {_leaks(text)}" for cmd, text in run.printed if _leaks(text)]
    for path in sorted(run.root.rglob("*")):
        if path.is_file() and _leaks(path.read_bytes()):
            found.append(str(path.relative_to(run.root)))
    return found


def _articles(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    texts = {}
    for source in [
        *sorted(SEEDS.glob("*.txt"))[:2],
        INJECTION_DIR / "exfiltration.txt",
        INJECTION_DIR / "script_in_text.txt",
    ]:
        text = source.read_text(encoding="utf-8")
        (folder / source.name).write_text(text, encoding="utf-8")
        texts[source.stem] = text
    return texts


def _answer_by_article(texts: dict[str, str]) -> Callable[[Any], Reply]:
    def route(request: Any) -> Reply:
        user = first_user_message(request)
        for text in texts.values():
            if text.strip().splitlines()[-1] in user:
                return tool_call_reply(extraction_for(text))
        return error_reply(500, "scripted server: unknown article")

    return route


ECHO_STATUS = {0: 401, 1: 403, 2: 429, 3: 500}


def _echo_key(texts: dict[str, str]) -> Callable[[Any], Reply]:
    """Errors whose message repeats the Authorization header received, as some proxies do: a
    different status for each article."""
    endings = [text.strip().splitlines()[-1] for text in texts.values()]

    def route(request: Any) -> Reply:
        sent = request.headers.get("authorization", "")
        user = first_user_message(request)
        which = next((i for i, end in enumerate(endings) if end in user), 0)
        message = f"Incorrect API key provided: {sent}; headers were {sent!r}"
        return error_reply(ECHO_STATUS.get(which, 400), message)

    return route


@pytest.fixture
def run(scripted_server: ScriptedServer, tmp_path: Path) -> Run:
    return Run(scripted_server, tmp_path)


def test_successful_runs_leak_nothing(run: Run, scripted_server: ScriptedServer) -> None:
    texts = _articles(run.root / "in")
    scripted_server.router = _answer_by_article(texts)
    via_openai_var = run.env(OPENAI_API_KEY=FAKE_KEY, OPENAI_BASE_URL=scripted_server.base_url)
    done = run("summarize", "in", "-o", "out/", env=via_openai_var)
    assert done.returncode == 0, done.stderr
    assert len(list((run.root / "out").glob("*.json"))) == len(texts)

    via_own_var = run.env(
        EVENTBRIEF_API_KEY=FAKE_KEY,
        EVENTBRIEF_BASE_URL=scripted_server.base_url,
        EVENTBRIEF_BACKEND="openai",
    )
    done = run("summarize", "in", "--format", "markdown", "--no-cache", env=via_own_var)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# ")

    assert list((run.root / "cache").glob("*.sqlite3")), "no cache was written to scan"
    requests = chat_requests(scripted_server.requests)
    assert requests, "the runs made no request: the key was never in use"
    assert {r.headers.get("authorization") for r in requests} == {f"Bearer {FAKE_KEY}"}
    assert _scan(run) == []


def test_failing_runs_leak_nothing_even_when_the_server_echoes_the_key(
    run: Run, scripted_server: ScriptedServer
) -> None:
    """The endpoint puts the key in its error messages (401, 403, 429, 500); the one-line
    errors and the openai client's debug log (OPENAI_LOG=debug) still hold no trace of it."""
    texts = _articles(run.root / "in")
    scripted_server.router = _echo_key(texts)
    env = run.env(
        OPENAI_API_KEY=FAKE_KEY, OPENAI_BASE_URL=scripted_server.base_url, OPENAI_LOG="debug"
    )
    done = run("summarize", "in", "-o", "out/", env=env)
    assert done.returncode == 1, done.stderr
    for status in ECHO_STATUS.values():
        assert f"HTTP {status}" in done.stderr, done.stderr
    assert "Incorrect API key provided" in done.stderr
    assert "DEBUG" in done.stderr, "the openai client's debug log was not on"
    assert chat_requests(scripted_server.requests)
    assert _scan(run) == []


def test_configuration_errors_leak_nothing(run: Run, scripted_server: ScriptedServer) -> None:
    """In-process (CliRunner): bad settings next to a key, and an endpoint that is not there,
    once with the key written into its URL (as a password and as a query parameter)."""
    _articles(run.root / "in")
    unset: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith(("OPENAI_", "EVENTBRIEF_"))
    }
    url = scripted_server.base_url
    cases = [
        ({"EVENTBRIEF_TIMEOUT": "soon", "OPENAI_BASE_URL": url}, 2, "soon"),
        ({"EVENTBRIEF_MODE": "telepathy", "OPENAI_BASE_URL": url}, 2, "EVENTBRIEF_MODE"),
        ({"EVENTBRIEF_BASE_URL": "http://127.0.0.1:9/v1"}, 1, "could not connect"),
        (
            {"EVENTBRIEF_BASE_URL": f"http://user:{FAKE_KEY}@127.0.0.1:9/v1?api-key={FAKE_KEY}"},
            1,
            "could not connect",
        ),
    ]
    for case, (extra, code, says) in enumerate(cases):
        env = {**unset, **run.env(EVENTBRIEF_API_KEY=FAKE_KEY, **extra)}
        done = CliRunner().invoke(
            app, ["summarize", str(run.root / "in" / "exfiltration.txt")], env=env
        )
        run.printed.append((f"summarize, case {case}", done.output + done.stderr))
        assert done.exit_code == code, done.stderr
        assert says in done.stderr, done.stderr
    assert _scan(run) == []


def _dataset(run: Run, scripted_server: ScriptedServer) -> Path:
    """A dataset whose gold is what the scripted model answers (made with the key set too)."""
    dataset = run.root / "dataset"
    texts = _articles(dataset / "articles")
    (dataset / "gold").mkdir()
    scripted_server.router = _answer_by_article(texts)
    env = run.env(OPENAI_API_KEY=FAKE_KEY, OPENAI_BASE_URL=scripted_server.base_url)
    for name in texts:
        source = next((dataset / "articles").glob(f"{name}.*"))
        made = CliRunner().invoke(
            app, ["summarize", str(source), "-o", str(dataset / "gold" / f"{name}.json")], env=env
        )
        run.printed.append((f"summarize {name}", made.output + made.stderr))
        assert made.exit_code == 0, made.stderr
    return dataset


def test_eval_reports_leak_nothing(run: Run, scripted_server: ScriptedServer) -> None:
    """eval writes a JSON and an HTML report, once scoring real answers and once scoring
    failures whose server messages echo the key."""
    dataset = _dataset(run, scripted_server)
    texts = {p.stem: p.read_text("utf-8") for p in (dataset / "articles").iterdir()}
    env = run.env(OPENAI_API_KEY=FAKE_KEY, OPENAI_BASE_URL=scripted_server.base_url)
    scored = run(
        "eval", "--dataset", "dataset", "--report", "ok.json", "--html", "ok.html", env=env
    )
    assert scored.returncode == 0, scored.stderr
    assert (run.root / "ok.html").stat().st_size > 0

    scripted_server.router = _echo_key(texts)
    env = {**env, "OPENAI_LOG": "debug", "EVENTBRIEF_NO_CACHE": "1"}
    failed = run(
        "eval", "--dataset", "dataset", "--report", "bad.json", "--html", "bad.html", env=env
    )
    assert failed.returncode in (0, 1), failed.stderr
    assert "HTTP 401" in (run.root / "bad.json").read_text("utf-8")
    assert "Incorrect API key provided" in (run.root / "bad.html").read_text("utf-8")
    assert {r.headers.get("authorization") for r in chat_requests(scripted_server.requests)} == {
        f"Bearer {FAKE_KEY}"
    }
    assert _scan(run) == []


def test_brief_leaks_nothing(run: Run, scripted_server: ScriptedServer) -> None:
    """brief (JSON and HTML, with an LLM narrative) from articles, then the narrative alone
    from saved summaries against a server that echoes the key, with OPENAI_LOG=debug."""
    texts = _articles(run.root / "in")
    answer = _answer_by_article(texts)

    def route(request: Any) -> Reply:
        if "Narrative" in tool_names(request):
            return tool_call_reply({"paragraph": "Leaders met twice."}, name="Narrative")
        return answer(request)

    scripted_server.router = route
    env = run.env(OPENAI_API_KEY=FAKE_KEY, OPENAI_BASE_URL=scripted_server.base_url)
    done = run("brief", "in", "--format", "html", "-o", "brief.html", "--narrate", env=env)
    assert done.returncode == 0, done.stderr
    assert "Leaders met twice." in (run.root / "brief.html").read_text("utf-8")
    done = run("summarize", "in", "-o", "out/", env=env)
    assert done.returncode == 0, done.stderr

    scripted_server.router = _echo_key(texts)
    debug = {**env, "OPENAI_LOG": "debug"}
    done = run("brief", "--from-summaries", "out", "--narrate", "-o", "brief.json", env=debug)
    assert done.returncode == 0, done.stderr
    assert "narrative skipped" in done.stderr
    assert "Incorrect API key provided" in done.stderr
    assert {r.headers.get("authorization") for r in chat_requests(scripted_server.requests)} == {
        f"Bearer {FAKE_KEY}"
    }
    assert _scan(run) == []


def test_batch_commands_leak_nothing(run: Run, scripted_server: ScriptedServer) -> None:
    """batch prepare writes request bodies (never headers); submit and status meet a server
    that echoes the key in its errors, with the openai client's debug log on."""
    _articles(run.root / "in")
    env = run.env(OPENAI_API_KEY=FAKE_KEY, OPENAI_BASE_URL=scripted_server.base_url)
    made = CliRunner().invoke(
        app,
        ["batch", "prepare", str(run.root / "in"), "-o", str(run.root / "requests.jsonl")],
        env={**{k: None for k in os.environ if k.startswith(("OPENAI_", "EVENTBRIEF_"))}, **env},
    )
    run.printed.append(("batch prepare", made.output + made.stderr))
    assert made.exit_code == 0, made.stderr
    assert (run.root / "requests.jsonl").stat().st_size > 0

    def echo(request: Any) -> Reply:
        sent = request.headers.get("authorization", "")
        return error_reply(401, f"Incorrect API key provided: {sent}")

    scripted_server.router = echo
    debug = {**env, "OPENAI_LOG": "debug"}
    for args in (("submit", "requests.jsonl"), ("status", "batch_123")):
        done = run("batch", *args, env=debug)
        assert done.returncode != 0, done.stderr
        assert "Incorrect API key provided" in done.stderr or "401" in done.stderr, done.stderr
    assert {r.headers.get("authorization") for r in scripted_server.requests} == {
        f"Bearer {FAKE_KEY}"
    }
    assert _scan(run) == []


MESSAGE_WITH_XS = "Input should be 'text' or 'json_object'; expected"


@pytest.mark.parametrize(
    ("text", "secret", "expected"),
    [
        (MESSAGE_WITH_XS, "x", MESSAGE_WITH_XS),
        ("key x rejected", "x", "key *** rejected"),
        ("x", "x", "***"),
        ("Authorization: 'Bearer x'.", "x", "Authorization: 'Bearer ***'."),
        ("x-request-id x_1 box 2x x2", "x", "x-request-id x_1 box 2x x2"),
        ("key ñx or xé", "x", "key ñx or xé"),
        ("dummy key sk-1234 and sk-12345", "sk-1234", "dummy key *** and sk-12345"),
        (f"https://h/v1?api-key={FAKE_KEY}&x=1", FAKE_KEY, "https://h/v1?api-key=***&x=1"),
        (f'{{"detail":"bad key{FAKE_KEY}"}}', FAKE_KEY, '{"detail":"bad key***"}'),
        ("pre12345678post", "12345678", "pre***post"),
        (MESSAGE_WITH_XS, None, MESSAGE_WITH_XS),
        (MESSAGE_WITH_XS, "", MESSAGE_WITH_XS),
    ],
)
def test_one_redaction_rule(text: str, secret: str | None, expected: str) -> None:
    """A key of 8 or more characters is masked wherever it is; a shorter one only as a whole
    token, so a dummy key such as "x" leaves the words of a message alone."""
    assert redact(text, secret) == expected


def test_settings_redact_by_the_same_rule() -> None:
    settings = Settings.resolve(env={"OPENAI_API_KEY": "x"})
    assert settings.redact(MESSAGE_WITH_XS) == MESSAGE_WITH_XS
    assert settings.redact("key x rejected") == "key *** rejected"
    long_key = Settings.resolve(env={"OPENAI_API_KEY": FAKE_KEY})
    assert long_key.redact(f"url?key={FAKE_KEY}") == "url?key=***"
    assert Settings.resolve(env={}).redact("key x rejected") == "key x rejected"


def test_a_one_letter_key_does_not_garble_server_errors(
    run: Run, scripted_server: ScriptedServer
) -> None:
    """summarize with OPENAI_API_KEY=x against a server whose HTTP 500 body is full of words
    with an x in them and ends with the key it received: the words arrive whole, the key
    masked (in-process, so the code under test is this checkout's)."""
    _articles(run.root / "in")

    def route(request: Any) -> Reply:
        sent = request.headers.get("authorization", "")
        return error_reply(500, f"{MESSAGE_WITH_XS} an API key, got {sent}")

    scripted_server.router = route
    unset: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith(("OPENAI_", "EVENTBRIEF_"))
    }
    env = {**unset, **run.env(OPENAI_API_KEY="x", OPENAI_BASE_URL=scripted_server.base_url)}
    done = CliRunner().invoke(
        app, ["summarize", str(run.root / "in" / "exfiltration.txt")], env=env
    )
    assert done.exit_code == 1, done.stderr
    assert "HTTP 500" in done.stderr
    assert f"{MESSAGE_WITH_XS} an API key, got Bearer ***" in done.stderr
    assert "text" in done.stderr and "json_object" in done.stderr
    assert "te***t" not in done.stderr and "e***pected" not in done.stderr
    assert "Bearer x" not in done.stderr
    assert {r.headers.get("authorization") for r in chat_requests(scripted_server.requests)} == {
        "Bearer x"
    }
