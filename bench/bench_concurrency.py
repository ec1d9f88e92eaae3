"""Benchmark 1: concurrency efficiency = ideal time ÷ measured time.

200 articles through eventbrief's real path (pipeline → OpenAIBackend → instructor → HTTP →
validation → grounding) against the scripted model in its own process answering every request
after 200 ms. Ideal time = articles × latency ÷ concurrency: what the model's latency alone
allows. No cache.

    .venv/bin/python bench/bench_concurrency.py [--articles 200] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from eventbrief.pipeline import run_articles

from common import seed_articles, timed
from eventbrief.backends.openai_compatible import OpenAIBackend
from eventbrief.models import Article
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


def main() -> None:
    parser = argparse.ArgumentParser(description="Concurrency efficiency at 1, 8 and 32.")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    articles = seed_articles(args.articles)
    print(
        f"Benchmark 1: {len(articles)} articles, scripted model {args.latency * 1000:.0f} ms "
        "per request (own process)"
    )
    print(f"{'concurrency':>11} {'ok':>5} {'ideal s':>8} {'measured s':>10} {'efficiency':>10}")
    with ServerProcess(args.latency) as server:
        run(articles[:8], server.base_url, 8)  # warm-up: imports, first connections
        for level in args.levels:
            done, seconds = timed(lambda level=level: run(articles, server.base_url, level))
            ideal = len(articles) * args.latency / level
            print(f"{level:>11} {done:>5} {ideal:>8.2f} {seconds:>10.2f} {ideal / seconds:>10.3f}")


if __name__ == "__main__":
    main()
