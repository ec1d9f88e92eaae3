"""A deterministic stand-in for the model, shared by the benchmarks.

It answers over the scripted server (tests/scripted_server.py) in whichever format the caller
asked for: an eventbrief request (a tool call, or JSON content in the json modes) or a langextract
request ({"extractions": [...]}) for the same text. Both get the same sentences back as events, so
the two tools do comparable work on the way back and differ in what they send.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from scripted_server import (  # noqa: E402
    RecordedRequest,
    Reply,
    ScriptedServer,
    content_reply,
    tool_call_reply,
)

ARTICLES = ROOT / "evals" / "articles"
SEED_DATES = {
    "000": "2025-06-17",
    "001": "2025-06-04",
    "002": "2025-06-17",
    "003": "2025-03-21",
    "004": "2025-03-21",
}
_SENTENCE = re.compile(r"[^.!?\n]{30,}?[.!?](?=\s|$)")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+\b")
MAX_EVENTS = 6


def seed_texts() -> list[tuple[str, str]]:
    """(id, text) of the five seed articles."""
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(ARTICLES.glob("*.txt"))]


def _sentences(text: str) -> list[str]:
    return [m.group(0).strip() for m in _SENTENCE.finditer(text)]


def _events(text: str) -> list[tuple[str, str]]:
    """(sentence, actor) pairs: sentences that name someone, at most MAX_EVENTS."""
    found = []
    for sentence in _sentences(text):
        name = _NAME.search(sentence)
        if name:
            found.append((sentence, name.group(0)))
    return found[:MAX_EVENTS]


def extraction_for(text: str) -> dict[str, Any]:
    """An ArticleExtraction (as JSON) whose quotes are sentences of `text`."""
    sentences = _sentences(text) or [text.strip()]
    events = _events(text)
    actors = list(dict.fromkeys(actor for _, actor in events))
    takeaways = (sentences * 3)[:3]
    return {
        "summary": " ".join(sentences[0].split()[:60]),
        "key_takeaways": [{"text": s, "evidence": [{"quote": s}]} for s in takeaways],
        "events": [
            {
                "id": f"e{n}",
                "type": "statement",
                "description": sentence,
                "participants": [actor],
                "location": None,
                "date": None,
                "status": "occurred",
                "quantities": [],
                "attributed_to": [],
                "evidence": [{"quote": sentence}],
            }
            for n, (sentence, actor) in enumerate(events, 1)
        ],
        "entities": [
            {"name": a, "type": "other", "aliases": [], "description": None} for a in actors
        ],
    }


def langextract_answer(chunk: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for sentence, actor in _events(chunk):
        items.append(
            {
                "event": sentence,
                "event_attributes": {
                    "type": "statement",
                    "participants": actor,
                    "status": "occurred",
                },
            }
        )
        items.append({"entity": actor, "entity_attributes": {"type": "other"}})
    return {"extractions": items}


_FENCED = re.compile(r"<article (\w+)>\n(.*)\n</article \1>", re.DOTALL)


def _eventbrief_article(messages: list[dict[str, Any]]) -> str | None:
    for message in reversed(messages):
        content = message.get("content")
        match = _FENCED.search(content) if isinstance(content, str) else None
        if match:
            return match.group(2)
    return None


def _langextract_chunk(messages: list[dict[str, Any]]) -> str:
    prompt = messages[-1]["content"]
    return prompt.rsplit("\nQ: ", 1)[1].rsplit("\nA: ", 1)[0]


def caller(body: dict[str, Any]) -> str:
    """Which tool sent a chat-completions body."""
    return "eventbrief" if _eventbrief_article(body.get("messages") or []) else "langextract"


def answer(request: RecordedRequest) -> Reply:
    """The reply a model would give to `request` (eventbrief or langextract)."""
    body = request.body if isinstance(request.body, dict) else {}
    messages = body.get("messages") or []
    text = _eventbrief_article(messages)
    if text is not None:
        extraction = extraction_for(text)
        tools = body.get("tools")
        if tools:
            return tool_call_reply(extraction, name=tools[0]["function"]["name"])
        return content_reply(extraction)
    return content_reply(langextract_answer(_langextract_chunk(messages)))


def body_answer(body: dict[str, Any]) -> dict[str, Any]:
    """A chat-completions body for a Batch API request line (json_schema content)."""
    text = _eventbrief_article(body.get("messages") or []) or ""
    return content_reply(extraction_for(text)).body  # type: ignore[return-value]


def serve(latency: float = 0.0, log: Path | None = None) -> ScriptedServer:
    """A started scripted server that answers with this model after `latency` seconds; with
    `log`, one JSON line per request: the caller, its messages' texts and its tools or response
    format JSON (`message_parts`, `format_parts`), counted afterwards by the benchmark with a
    real tokenizer."""
    server = ScriptedServer().start()
    server.latency = latency
    if log is None:
        server.router = answer
        return server
    handle = log.open("a", encoding="utf-8", buffering=1)

    def logged(request: RecordedRequest) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        record = {
            "caller": caller(body),
            "parts": message_parts(body),
            "format": format_parts(body),
        }
        handle.write(json.dumps(record) + "\n")
        return answer(request)

    server.router = logged
    return server


class ServerProcess:
    """The scripted model in its own process, so that its threads do not share the benchmark's
    interpreter lock; `base_url` once started. A context manager."""

    def __init__(self, latency: float, log: Path | None = None) -> None:
        args = [sys.executable, __file__, "--latency", str(latency)]
        if log is not None:
            args += ["--log", str(log)]
        self._process = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        self.base_url = self._process.stdout.readline().strip()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=10)


def _main() -> None:
    parser = argparse.ArgumentParser(description="Serve the scripted model until stdin closes.")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--log", type=Path)
    args = parser.parse_args()
    server = serve(args.latency, args.log)
    print(server.base_url, flush=True)
    sys.stdin.read()
    server.close()


def message_parts(body: dict[str, Any]) -> list[str]:
    """Every message's content (chat framing tokens, ~3 per message, are left out)."""
    parts = [m.get("content") or "" for m in body.get("messages") or []]
    return [p for p in parts if isinstance(p, str)]


def format_parts(body: dict[str, Any]) -> list[str]:
    """The tools or response format as the JSON sent: prompt text on OpenAI's API; a grammar
    only, never shown to the model, in llama-cpp-python's json_object mode."""
    # as the openai SDK serialises it: compact, non-ASCII kept
    return [
        json.dumps(body[key], ensure_ascii=False, separators=(",", ":"))
        for key in ("tools", "response_format", "functions")
        if body.get(key)
    ]


_TOKEN = re.compile(r"\w+|[^\w\s]")


def word_tokens(text: str) -> int:
    """A tokenizer-free estimate kept beside the real count: words and punctuation marks."""
    return len(_TOKEN.findall(text))


if __name__ == "__main__":
    _main()
