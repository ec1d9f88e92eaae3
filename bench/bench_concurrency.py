"""Benchmark 1: concurrency efficiency = ideal time ÷ measured time.

200 articles through eventbrief's real path (pipeline → OpenAIBackend → instructor → HTTP →
validation → grounding) against the scripted model in its own process answering every request
200 ms after it arrives. Ideal time = articles × latency ÷ concurrency. No cache.

Two references run beside it at the same concurrency, interleaved (the machine is shared: other
jobs hit all clients alike; the median of 3 rounds above concurrency 1 is printed):
- bare instructor: one `create` per article on the same server (no prompt file, no quote
  checker, no grounding): what the client library alone reaches on this machine;
- raw HTTP: the same messages and tool schema POSTed with httpx and the JSON reply decoded,
  nothing else: the most any Python client can reach here.

"bound" is the least time any client can take: with at most `concurrency` requests in flight,
some slot must serve ceil(articles ÷ concurrency) requests one after another, so it is that
many latencies. The ideal time is reachable only when concurrency divides the article count:
for 200 articles at concurrency 32 the bound is 7 × 200 ms = 1.4 s, so no client can exceed
an efficiency of 1.25 ÷ 1.4 = 0.893. "of bound" = bound ÷ measured. Client CPU per article is
printed too: when it times the concurrency exceeds the latency, the event loop, not the model,
sets the pace.

The server runs in its own process (`ServerProcess`), never as a thread of this one: its
parsing, JSON encoding and threads would otherwise share this interpreter's lock and count
against the client, whose cost is what is measured. On a 2-core machine it still shares the
CPUs with the client.

    .venv/bin/python bench/bench_concurrency.py [--articles 200] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import time

import httpx2

from common import bare_instructor, seed_articles, timed
from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.backends.openai.schema import asked_schema
from eventbrief.models import Article
from eventbrief.pipeline import run_articles
from eventbrief.prompt_templates import load_prompts
from scripted_model import ServerProcess


def run(articles: list[Article], base_url: str, concurrency: int) -> int:
    async def go() -> int:
        backend = OpenAIBackend(model="gpt-4o-mini", base_url=base_url, api_key="bench")
        try:
            outcomes = await run_articles(articles, backend, concurrency=concurrency)
        finally:
            await backend.aclose()
        return sum(1 for o in outcomes if o.summary is not None)

    return asyncio.run(go())


def run_bare(articles: list[Article], base_url: str, concurrency: int) -> int:
    async def go() -> int:
        slots = asyncio.Semaphore(concurrency)
        async with bare_instructor(base_url) as extract:

            async def one(article: Article) -> bool:
                async with slots:
                    await extract(article)
                    return True

            return sum(await asyncio.gather(*(one(a) for a in articles)))

    return asyncio.run(go())


def run_raw_http(articles: list[Article], base_url: str, concurrency: int) -> int:
    """POST each article's request (our messages and tool schema) and decode the JSON reply."""
    prompts = load_prompts()
    schema = asked_schema()
    bodies = []
    for article in articles:
        rendered = prompts.rendered(article)
        body = {
            "model": "gpt-4o-mini",
            "messages": [
                {"role": "system", "content": rendered["system"]},
                {"role": "user", "content": rendered["user"]},
            ],
            "tools": [
                {"type": "function", "function": {"name": schema["title"], "parameters": schema}}
            ],
            "tool_choice": {"type": "function", "function": {"name": schema["title"]}},
        }
        bodies.append(json.dumps(body).encode("utf-8"))

    async def go() -> int:
        slots = asyncio.Semaphore(concurrency)
        limits = httpx2.Limits(max_connections=1000, max_keepalive_connections=100)
        async with httpx2.AsyncClient(base_url=base_url, limits=limits) as client:

            async def one(body: bytes) -> bool:
                async with slots:
                    reply = await client.post(
                        "/chat/completions",
                        content=body,
                        headers={"Content-Type": "application/json"},
                    )
                    return bool(reply.json()["choices"])

            return sum(await asyncio.gather(*(one(b) for b in bodies)))

    return asyncio.run(go())


def measure(fn: object, *args: object) -> tuple[int, float, float]:
    """(articles done, wall seconds, client CPU seconds)."""
    cpu = time.process_time()
    done, seconds = timed(lambda: fn(*args))  # type: ignore[operator]
    return done, seconds, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description="Concurrency efficiency at 1, 8 and 32.")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--rounds", type=int, default=3, help="median of N above concurrency 1")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    articles = seed_articles(args.articles)
    print(
        f"Benchmark 1: {len(articles)} articles, scripted model {args.latency * 1000:.0f} ms "
        "per request (own process)"
    )
    print(
        f"{'client':16} {'concurrency':>11} {'ok':>4} {'ideal s':>8} {'bound s':>8} "
        f"{'measured s':>10} {'efficiency':>10} {'of bound':>8} {'CPU ms/article':>14}"
    )
    clients = (("eventbrief", run), ("bare instructor", run_bare), ("raw HTTP", run_raw_http))
    with ServerProcess(args.latency) as server:
        for _, fn in clients:  # warm-up: imports, first connections
            fn(articles[:8], server.base_url, 8)
        for level in args.levels:
            ideal = len(articles) * args.latency / level
            bound = math.ceil(len(articles) / level) * args.latency
            rounds = 1 if level == 1 else args.rounds
            results: dict[str, list[tuple[int, float, float]]] = {}
            for _ in range(rounds):  # interleaved: other jobs on the machine hit all alike
                for name, fn in clients:
                    results.setdefault(name, []).append(
                        measure(fn, articles, server.base_url, level)
                    )
            for name, runs in results.items():
                done, seconds, cpu = sorted(runs, key=lambda r: r[1])[len(runs) // 2]
                print(
                    f"{name:16} {level:>11} {done:>4} {ideal:>8.2f} {bound:>8.2f} "
                    f"{seconds:>10.2f} {ideal / seconds:>10.3f} {bound / seconds:>8.3f} "
                    f"{cpu / len(articles) * 1000:>14.2f}"
                )


if __name__ == "__main__":
    main()
