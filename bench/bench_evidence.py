"""Benchmark 5: evidence as copied quotes against evidence as sentence numbers, in tokens.

The real openai backend asks the test suite's scripted server (in this process) for each of the
five seed articles, in tools and in json_object mode, once per evidence style; the server answers
with the article's gold record (evals/gold), so both styles say the same thing and differ only
in how they give evidence:

- quotes: the gold quotes, copied;
- sentences: each gold quote cited as the number of the sentence holding it, with the quote as
  its clause when it is only part of the sentence (what a model matching the gold would send);
- sentences, no clauses: every citation a bare number (the least a model can send).

Every answer is checked: the record it makes must hold the gold's quotes (sentence style: the
cited sentence where no clause is sent) and ground them all. Tokens are o200k_base (gpt-4o,
gpt-4o-mini) through js-tiktoken (tokenizer.py), or characters ÷ 4 when node or npm is missing.
Prompt tokens are the messages, plus the tool schema in tools mode (OpenAI's API reads it);
json_object's response format is a grammar llama-cpp-python never shows the model, and
instructor's JSON mode puts the schema in the system message anyway. Completion tokens are the
answer as sent (the tool call's arguments, or the content).

    .venv/bin/python bench/bench_evidence.py
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import hashlib
import json
import logging
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tokenizer
from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.grounding import locate
from eventbrief.models import Article, ArticleMeta, ArticleSummary
from eventbrief.pipeline import build_summary
from eventbrief.sentences import split_sentences
from scripted_model import format_parts, message_parts

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from scripted_server import (  # noqa: E402
    RecordedRequest,
    Reply,
    ScriptedServer,
    content_reply,
    tool_call_reply,
)

MODES = ("tools", "json_object")


@dataclass(frozen=True)
class Seed:
    article: Article
    gold: dict[str, Any]


@dataclass(frozen=True)
class Style:
    """How the scripted model gives evidence; `evidence` is the backend's setting."""

    name: str
    evidence: str
    clauses: bool = True


STYLES = (
    Style("quotes", "quotes"),
    Style("sentences", "sentences"),
    Style("sentences, no clauses", "sentences", clauses=False),
)


def seeds() -> list[Seed]:
    """The five seed articles with their gold records."""
    out = []
    for path in sorted((ROOT / "evals" / "gold").glob("0*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = (ROOT / "evals" / "articles" / f"{path.stem}.txt").read_text(encoding="utf-8")
        meta = ArticleMeta(
            id=path.stem,
            published=dt.date.fromisoformat(gold["article"]["published"]),
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
        out.append(Seed(Article(meta=meta, text=text), gold))
    return out


def answer_for(seed: Seed, style: Style) -> dict[str, Any]:
    """The gold record as an ArticleExtraction answer in `style`."""
    answer = {
        key: copy.deepcopy(seed.gold[key])
        for key in ("summary", "key_takeaways", "events", "entities")
    }
    sentences = split_sentences(seed.article.text)
    for item in (*answer["key_takeaways"], *answer["events"]):
        evidence = []
        for quote in (e["quote"] for e in item["evidence"]):
            if style.evidence == "quotes":
                evidence.append({"quote": quote})
                continue
            span = locate(quote, seed.article.text)
            if span is None:
                raise SystemExit(f"{seed.article.meta.id}: gold quote not in the article: {quote}")
            (sentence,) = [s for s in sentences if s.start <= span.start and span.end <= s.end]
            whole = (span.start, span.end) == (sentence.start, sentence.end)
            cited: dict[str, Any] = {"sentence": sentence.number}
            if style.clauses and not whole:
                cited["clause"] = quote
            evidence.append(cited)
        item["evidence"] = evidence
    return answer


@dataclass
class Row:
    style: str
    mode: str
    prompt: list[str]
    completion: list[str]
    evidence_items: int
    grounding: float


def _count(texts: list[str]) -> tuple[list[int], str]:
    try:
        return tokenizer.count(texts), "o200k_base"
    except tokenizer.TokenizerUnavailable as exc:
        print(f"bench: counting characters / 4 instead: {exc}", file=sys.stderr)
        return [round(len(t) / 4) for t in texts], "chars/4"


def _expected_quotes(seed: Seed, style: Style) -> list[str]:
    """The quotes the record must hold: the gold's, or the cited sentence where no clause."""
    sentences = split_sentences(seed.article.text)
    out = []
    for item in (*seed.gold["key_takeaways"], *seed.gold["events"]):
        for quote in (e["quote"] for e in item["evidence"]):
            if style.clauses:
                out.append(quote)
                continue
            span = locate(quote, seed.article.text)
            assert span is not None
            (sentence,) = [s for s in sentences if s.start <= span.start and span.end <= s.end]
            out.append(sentence.text)
    return out


def run(style: Style, mode: str, seed: Seed) -> Row:
    """One article through the backend against a scripted server answering with the gold."""
    answer = answer_for(seed, style)
    sent: list[dict[str, Any]] = []
    replies: list[str] = []

    def router(request: RecordedRequest) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        sent.append(body)
        text = json.dumps(answer, ensure_ascii=False)
        replies.append(text)
        if body.get("tools"):
            return tool_call_reply(text, name=body["tools"][0]["function"]["name"])
        return content_reply(text)

    async def go(base_url: str) -> ArticleSummary:
        backend = OpenAIBackend(
            "gpt-4o-mini", base_url=base_url, api_key="bench", mode=mode, evidence=style.evidence
        )
        try:
            return build_summary(seed.article, await backend.extract(seed.article), backend)
        finally:
            await backend.aclose()

    with ScriptedServer() as server:
        server.router = router
        summary = asyncio.run(go(server.base_url))
    if len(sent) != 1 or summary.partial:
        raise SystemExit(f"{seed.article.meta.id} {style.name} {mode}: not answered at once")
    quotes = [e.quote for item in (*summary.key_takeaways, *summary.events) for e in item.evidence]
    if quotes != _expected_quotes(seed, style):
        raise SystemExit(f"{seed.article.meta.id} {style.name} {mode}: quotes differ from gold")
    (body,) = sent
    prompt = message_parts(body) + (format_parts(body) if mode == "tools" else [])
    return Row(style.name, mode, prompt, replies, len(quotes), summary.provenance.grounding_rate)


def main() -> None:
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    articles = seeds()
    rows = [run(style, mode, seed) for mode in MODES for style in STYLES for seed in articles]
    texts = [t for r in rows for t in (*r.prompt, *r.completion)]
    counts, unit = _count(texts)
    at = 0
    table: dict[tuple[str, str], list[tuple[int, int, int, float]]] = {}
    for r in rows:
        prompt = sum(counts[at : at + len(r.prompt)])
        at += len(r.prompt)
        completion = sum(counts[at : at + len(r.completion)])
        at += len(r.completion)
        table.setdefault((r.mode, r.style), []).append(
            (prompt, completion, r.evidence_items, r.grounding)
        )
    n = len(articles)
    print(
        f"Benchmark 5: the {n} seed articles answered with their gold records ({unit} tokens per "
        "article; each record holds the gold's evidence and grounds all of it)"
    )
    print(
        f"{'mode':12} {'evidence':22} {'prompt':>7} {'completion':>10} {'total':>7} "
        f"{'completion vs quotes':>20} {'items':>5} {'grounded':>8}"
    )
    for mode in MODES:
        base = sum(c for _, c, _, _ in table[(mode, "quotes")]) / n
        for style in STYLES:
            values = table[(mode, style.name)]
            prompt = sum(p for p, _, _, _ in values) / n
            completion = sum(c for _, c, _, _ in values) / n
            items = sum(i for _, _, i, _ in values)
            grounded = min(g for _, _, _, g in values)
            change = f"{(completion - base) / base:+.1%}" if style.name != "quotes" else "-"
            print(
                f"{mode:12} {style.name:22} {prompt:>7.0f} {completion:>10.0f} "
                f"{prompt + completion:>7.0f} {change:>20} {items:>5} {grounded:>8.2f}"
            )
    print()
    print("completion tokens per article (tools mode):")
    print(f"{'article':24} " + " ".join(f"{s.name:>22}" for s in STYLES))
    for number, seed in enumerate(articles):
        cells = " ".join(f"{table[('tools', s.name)][number][1]:>22}" for s in STYLES)
        print(f"{seed.article.meta.id:24} {cells}")


if __name__ == "__main__":
    main()
