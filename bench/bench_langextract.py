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

eventbrief runs in tools mode (OpenAI's API), and in json_object mode without and with the
grammar keywords (`limits`, as `configure` sets them after the endpoint check of a
llama-cpp-python server in --mode auto). That server compiles json_object's response format
into a grammar and never shows it to the model, so those rows count the messages only (which
carry the schema too: instructor's JSON mode puts it in the system message); the response
format's tokens are printed below the table. `--prompts-from REV` adds a tools-mode row with the
prompt files of git revision REV (the same code and schema), to compare prompt versions.

    .venv/bin/pip install -e ".[peer]"; .venv/bin/python bench/bench_langextract.py
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tokenizer
from common import seed_articles, timed
from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.backends.openai.endpoint_report import EndpointReport
from eventbrief.config import Settings
from eventbrief.models import Article
from eventbrief.pipeline import for_run, run_articles
from eventbrief.prompt_templates import PromptTemplates, split_version
from scripted_model import ServerProcess, word_tokens

TASK = json.loads((Path(__file__).parent / "langextract_task.json").read_text(encoding="utf-8"))
CONCURRENCY = 8
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Variant:
    """How eventbrief is run: its mode, whether the grammar keywords are sent (`limits`), and
    other prompt templates than the checkout's."""

    name: str
    mode: str = "tools"
    limits: bool = False
    prompts: PromptTemplates | None = None


def prompts_at(revision: str) -> PromptTemplates:
    """The prompt templates of git revision `revision` of this repository."""

    def show(filename: str) -> tuple[str, str]:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:prompts/{filename}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return split_version(source, filename)

    (version, system), (_, user) = show("system.txt"), show("user.txt")
    return PromptTemplates(version=version, system=system, user=user)


def _grammar_report(backend: OpenAIBackend, mode: str) -> EndpointReport:
    """An endpoint check's verdict for a server that enforces `mode`'s grammar keywords."""
    return EndpointReport(
        endpoint=backend.endpoint,
        model=backend.model,
        checked_at="bench",
        probes=[],
        recommended_mode=mode,
        recommended_concurrency=CONCURRENCY,
        grammar_keywords=True,
    )


def run_eventbrief(articles: list[Article], base_url: str, variant: Variant) -> int:
    """The pipeline with the backend wrapped as a run wraps it (chunking; cache off)."""

    async def go() -> int:
        made = OpenAIBackend(
            model="gpt-4o-mini", base_url=base_url, api_key="bench", mode=variant.mode
        )
        if variant.limits:
            made.configure(_grammar_report(made, variant.mode))
        if variant.prompts is not None:
            made._prompts = variant.prompts  # the bench's one reach inside: older prompts
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
    unread: float | None = None  # o200k_base per article of a format the model is not shown


@dataclass(frozen=True)
class Run:
    """One row's run: a tool on the articles, given the server's URL; `caller` as the server
    tells the tools apart; `format_read` unless the format sent is a grammar only."""

    name: str
    run: Callable[[str], int]
    caller: str
    format_read: bool = True


def _requests(log: Path, caller: str, key: str = "parts") -> list[list[str]]:
    """The prompt parts (`parts`: messages; `format`: tools or response format) of every
    request `caller` made, as the server recorded them."""
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return [r[key] for r in records if r["caller"] == caller]


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


def _measure(run: Run, latency: float, log: Path, n: int) -> Row:
    """`run` against its own scripted server, and what its requests sent, per article."""
    with ServerProcess(latency, log) as server:
        done, seconds = timed(lambda: run.run(server.base_url))
    messages = _requests(log, run.caller)
    formats = _requests(log, run.caller, "format")
    sent = [m + f for m, f in zip(messages, formats, strict=True)] if run.format_read else messages
    parts = [part for request in sent for part in request]
    tokens = _o200k(sent)
    unread = None if run.format_read else _o200k(formats)
    return Row(
        name=run.name,
        done=done,
        requests=len(sent),
        tokens=None if tokens is None else tokens / n,
        words=sum(word_tokens(p) for p in parts) / n,
        chars4=sum(len(p) for p in parts) / 4 / n,
        seconds=seconds,
        unread=None if unread is None else unread / n,
    )


def compare(articles: list[Article], variants: list[Variant], latency: float, title: str) -> None:
    """One table: every eventbrief variant and langextract's two chunkings on `articles`."""
    runs = [
        Run(
            v.name,
            lambda url, v=v: run_eventbrief(articles, url, v),
            "eventbrief",
            format_read=v.mode != "json_object",
        )
        for v in variants
    ] + [
        Run(
            "langextract (1000-char chunks)",
            lambda url: run_langextract(articles, url, 1000),
            "langextract",
        ),
        Run(
            "langextract (one chunk/article)",
            lambda url: run_langextract(articles, url, 100_000),
            "langextract",
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            _measure(run, latency, Path(tmp) / f"{i}.jsonl", len(articles))
            for i, run in enumerate(runs)
        ]
    print(title)
    print(
        f"{'tool':40} {'ok':>3} {'requests':>8} {'o200k tok/article':>17} "
        f"{'words+punct':>11} {'chars/4':>7} {'wall s':>6}"
    )
    for r in rows:
        tokens = "-" if r.tokens is None else f"{r.tokens:.0f}"
        print(
            f"{r.name:40} {r.done:>3} {r.requests:>8} {tokens:>17} "
            f"{r.words:>11.0f} {r.chars4:>7.0f} {r.seconds:>6.2f}"
        )
    ours, theirs = rows[: len(variants)], rows[len(variants) :]
    for r in ours:
        if r.unread is not None:
            print(
                f"{r.name}: not counted, its response format ({r.unread:.0f} tok/article), "
                "a grammar llama-cpp-python does not show the model"
            )
    base = ours[0]
    for r in ours[1:]:
        if base.tokens is not None and r.tokens is not None:
            print(
                f"{r.name} - {base.name}: {r.tokens - base.tokens:+.0f} o200k tok/article "
                f"({_ratio(r.tokens, base.tokens)})"
            )
    for r in ours:
        for t in theirs:
            print(
                f"{r.name} / {t.name}: o200k prompt tokens {_ratio(r.tokens, t.tokens)} "
                f"(words {_ratio(r.words, t.words)}, chars/4 {_ratio(r.chars4, t.chars4)}), "
                f"wall time {_ratio(r.seconds, t.seconds)}"
            )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--long", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument(
        "--prompts-from",
        metavar="REV",
        help="also run tools mode with the prompt files of git revision REV (e.g. f83ca05)",
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    variants = [
        Variant("eventbrief tools"),
        Variant("eventbrief json_object", mode="json_object"),
        Variant("eventbrief json_object+limits", mode="json_object", limits=True),
    ]
    if args.prompts_from:
        old = prompts_at(args.prompts_from)
        variants.append(Variant(f"eventbrief tools, prompts {old.version}", prompts=old))
    compare(
        seed_articles(args.articles),
        variants,
        args.latency,
        f"Benchmark 4a: {args.articles} articles (the 5 seeds, cycled, ~2,600 chars each), "
        f"scripted model {args.latency * 1000:.0f} ms/request, {CONCURRENCY} requests in flight",
    )
    compare(
        long_articles(args.long),
        variants,
        args.latency,
        f"Benchmark 4b: {args.long} long articles (the 5 seeds joined, ~13,000 chars each), "
        f"same server and concurrency",
    )


if __name__ == "__main__":
    main()
