"""Benchmark 1: concurrency efficiency = ideal time ÷ measured time.

200 articles through eventbrief's real path (pipeline → OpenAIBackend → instructor → HTTP →
validation → grounding) against the scripted model in its own process answering every request
after 200 ms. Ideal time = articles × latency ÷ concurrency: what the model's latency alone
allows. No cache. Beside it, at the same concurrency, a bare instructor call per article on the
same server (no prompt file, no quote checker, no grounding): what the client library alone
reaches on this machine. The median of 3 interleaved rounds above concurrency 1 (the machine is
shared: other jobs hit both clients alike). Client CPU per article is printed too: when it times
the concurrency exceeds the latency, the event loop, not the model, sets the pace.

The server runs in its own process (`ServerProcess`), never as a thread of this one: its
parsing, JSON encoding and threads would otherwise share this interpreter's lock and count
against the client, whose cost is what is measured. On a 2-core machine it still shares the
CPUs with the client.

    .venv/bin/python bench/bench_concurrency.py [--articles 200] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time

import instructor
import openai

from common import seed_articles, timed
from eventbrief.backends.openai_compatible import OpenAIBackend
from eventbrief.models import Article, ArticleExtraction
from eventbrief.pipeline import run_articles
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
        raw = openai.AsyncOpenAI(base_url=base_url, api_key="bench", max_retries=0)
        client = instructor.from_openai(raw, mode=instructor.Mode.TOOLS)
        slots = asyncio.Semaphore(concurrency)

        async def one(article: Article) -> bool:
            async with slots:
                await client.chat.completions.create(
                    model="gpt-4o-mini",
                    response_model=ArticleExtraction,
                    messages=[{"role": "user", "content": "<article x>\n{{ a }}\n</article x>"}],
                    context={"a": article.text},
                    max_retries=0,
                )
                return True

        try:
            return sum(await asyncio.gather(*(one(a) for a in articles)))
        finally:
            await raw.close()

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
        f"{'client':16} {'concurrency':>11} {'ok':>4} {'ideal s':>8} {'measured s':>10} "
        f"{'efficiency':>10} {'CPU ms/article':>14}"
    )
    with ServerProcess(args.latency) as server:
        run(articles[:8], server.base_url, 8)  # warm-up: imports, first connections
        run_bare(articles[:8], server.base_url, 8)
        for level in args.levels:
            ideal = len(articles) * args.latency / level
            rounds = 1 if level == 1 else args.rounds
            results: dict[str, list[tuple[int, float, float]]] = {}
            for _ in range(rounds):  # interleaved: other jobs on the machine hit both alike
                for name, fn in (("eventbrief", run), ("bare instructor", run_bare)):
                    results.setdefault(name, []).append(
                        measure(fn, articles, server.base_url, level)
                    )
            for name, runs in results.items():
                done, seconds, cpu = sorted(runs, key=lambda r: r[1])[len(runs) // 2]
                print(
                    f"{name:16} {level:>11} {done:>4} {ideal:>8.2f} {seconds:>10.2f} "
                    f"{ideal / seconds:>10.3f} {cpu / len(articles) * 1000:>14.2f}"
                )


if __name__ == "__main__":
    main()
