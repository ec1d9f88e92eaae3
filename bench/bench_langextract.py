"""Benchmark 4: eventbrief against langextract on the same articles and the same scripted model.

Both tools talk to one scripted OpenAI-compatible server (its own process, 200 ms per request)
that answers each in the format it asks for with the same sentences. The server records what
every request sends the model (each message's content, and the tools or response format JSON);
the prompt tokens are then counted with OpenAI's o200k_base (gpt-4o, gpt-4o-mini) through the npm
package js-tiktoken (see tokenizer.py; installed on first run into the user cache dir), the same
way for both tools. Words plus punctuation marks and characters ÷ 4 are shown beside it as the
earlier estimates. Both run 8 requests at a time. langextract runs twice: with its default
1,000-character chunks, and with one chunk per article. A second set joins the five seeds into
one long article (~13,000 characters), where eventbrief splits at its own chunk size (12,000)
and langextract at 1,000.

    .venv/bin/pip install -e ".[peer]"; .venv/bin/python bench/bench_langextract.py
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import tokenizer
from common import seed_articles, timed
from eventbrief.backends.openai_compatible import OpenAIBackend
from eventbrief.config import Settings
from eventbrief.models import Article
from eventbrief.pipeline import for_run, run_articles
from scripted_model import ServerProcess, word_tokens

TASK = json.loads((Path(__file__).parent / "langextract_task.json").read_text(encoding="utf-8"))
CONCURRENCY = 8


def run_eventbrief(articles: list[Article], base_url: str) -> int:
    """The pipeline with the backend wrapped as a run wraps it (chunking; cache off)."""

    async def go() -> int:
        made = OpenAIBackend(model="gpt-4o-mini", base_url=base_url, api_key="bench")
        backend = for_run(made, Settings(no_cache=True))
        try:
            outcomes = await run_articles(articles, backend, concurrency=CONCURRENCY)
        finally:
            await backend.aclose()
        return sum(1 for o in outcomes if o.summary is not None)

    return asyncio.run(go())


def run_langextract(articles: list[Article], base_url: str, max_char_buffer: int) -> int:
    # the optional peer (extra "peer"), imported only when it runs
    import langextract as lx
    from langextract.prompt_validation import PromptValidationLevel

    example = TASK["example"]
    examples = [
        lx.data.ExampleData(
            text=example["text"],
            extractions=[
                lx.data.Extraction(
                    extraction_class=e["class"],
                    extraction_text=e["text"],
                    attributes=e["attributes"],
                )
                for e in example["extractions"]
            ],
        )
    ]
    documents = [lx.data.Document(text=a.text, document_id=a.meta.id) for a in articles]
    results = lx.extract(
        documents,
        prompt_description=TASK["prompt_description"],
        examples=examples,
        model_id="gpt-4o-mini",
        api_key="bench",
        language_model_params={"base_url": base_url},
        fence_output=False,
        use_schema_constraints=False,
        max_char_buffer=max_char_buffer,
        max_workers=CONCURRENCY,
        batch_length=CONCURRENCY * 8,
        show_progress=False,
        prompt_validation_level=PromptValidationLevel.OFF,
    )
    return sum(1 for doc in results if doc.extractions)


@dataclass
class Row:
    name: str
    done: int
    requests: int
    tokens: float | None  # o200k_base per article; None when the tokenizer is unavailable
    words: float
    chars4: float
    seconds: float


def _requests(log: Path, caller: str) -> list[list[str]]:
    """The prompt parts of every request `caller` made, as the server recorded them."""
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return [r["parts"] for r in records if r["caller"] == caller]


def _o200k(requests: list[list[str]]) -> int | None:
    """Total o200k_base tokens of all requests, or None (with a note) without node/npm."""
    try:
        return sum(tokenizer.count([part for parts in requests for part in parts]))
    except tokenizer.TokenizerUnavailable as exc:
        print(f"bench: no o200k_base count: {exc}", file=sys.stderr)
        return None


def long_articles(count: int) -> list[Article]:
    """`count` articles, each the five seeds joined (its own id and hash)."""
    seeds = seed_articles(5)
    joined = "\n\n".join(a.text.strip() for a in seeds)
    out = []
    for n in range(count):
        text = f"{joined}\n\n(copy {n})\n"
        meta = seeds[0].meta.model_copy(
            update={"id": f"long-{n:03d}", "sha256": hashlib.sha256(text.encode()).hexdigest()}
        )
        out.append(Article(meta=meta, text=text))
    return out


def _ratio(ours: float | None, theirs: float | None) -> str:
    return "-" if ours is None or not theirs else f"{ours / theirs:.2f}x"


def compare(articles: list[Article], latency: float, title: str) -> None:
    rows: list[Row] = []
    runs = [
        ("eventbrief", lambda url: run_eventbrief(articles, url)),
        ("langextract (1000-char chunks)", lambda url: run_langextract(articles, url, 1000)),
        ("langextract (one chunk/article)", lambda url: run_langextract(articles, url, 100_000)),
    ]
    n = len(articles)
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in runs:
            log = Path(tmp) / f"{len(rows)}.jsonl"
            with ServerProcess(latency, log) as server:
                done, seconds = timed(lambda run=run, server=server: run(server.base_url))
            sent = _requests(log, "eventbrief" if name == "eventbrief" else "langextract")
            parts = [part for request in sent for part in request]
            tokens = _o200k(sent)
            rows.append(
                Row(
                    name=name,
                    done=done,
                    requests=len(sent),
                    tokens=None if tokens is None else tokens / n,
                    words=sum(word_tokens(p) for p in parts) / n,
                    chars4=sum(len(p) for p in parts) / 4 / n,
                    seconds=seconds,
                )
            )
    print(title)
    print(
        f"{'tool':32} {'ok':>3} {'requests':>8} {'o200k tok/article':>17} "
        f"{'words+punct':>11} {'chars/4':>7} {'wall s':>6}"
    )
    for r in rows:
        tokens = "-" if r.tokens is None else f"{r.tokens:.0f}"
        print(
            f"{r.name:32} {r.done:>3} {r.requests:>8} {tokens:>17} "
            f"{r.words:>11.0f} {r.chars4:>7.0f} {r.seconds:>6.2f}"
        )
    base = rows[0]
    for r in rows[1:]:
        print(
            f"eventbrief / {r.name}: o200k prompt tokens {_ratio(base.tokens, r.tokens)} "
            f"(words {_ratio(base.words, r.words)}, chars/4 {_ratio(base.chars4, r.chars4)}), "
            f"wall time {_ratio(base.seconds, r.seconds)}"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--long", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    compare(
        seed_articles(args.articles),
        args.latency,
        f"Benchmark 4a: {args.articles} articles (the 5 seeds, cycled, ~2,600 chars each), "
        f"scripted model {args.latency * 1000:.0f} ms/request, {CONCURRENCY} requests in flight",
    )
    compare(
        long_articles(args.long),
        args.latency,
        f"Benchmark 4b: {args.long} long articles (the 5 seeds joined, ~13,000 chars each), "
        f"same server and concurrency",
    )


if __name__ == "__main__":
    main()
