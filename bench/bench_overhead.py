"""Benchmark 2: eventbrief's own cost per article, beside a bare instructor call.

The scripted model (own process, no latency) gives both the same answer for the same article.
Bare instructor: `client.chat.completions.create(response_model=ArticleExtraction, ...)` with the
article as the only message. eventbrief: OpenAIBackend.extract (prompt rendering, the quote
checker during validation, usage metering, retry wrapper) and build_summary (grounding,
provenance). Both pay the same HTTP round trip, so the difference is eventbrief's overhead.

    .venv/bin/python bench/bench_overhead.py [--articles 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from common import bare_instructor, seed_articles, timed
from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.models import Article
from eventbrief.pipeline import build_summary
from scripted_model import ServerProcess


def eventbrief_path(articles: list[Article], base_url: str) -> None:
    async def go() -> None:
        backend = OpenAIBackend(model="gpt-4o-mini", base_url=base_url, api_key="bench")
        try:
            for article in articles:
                build_summary(article, await backend.extract(article), backend)
        finally:
            await backend.aclose()

    asyncio.run(go())


def bare_instructor_path(articles: list[Article], base_url: str) -> None:
    async def go() -> None:
        async with bare_instructor(base_url) as extract:
            for article in articles:
                await extract(article)

    asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(description="Per-article overhead beside bare instructor.")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    articles = seed_articles(args.articles)
    n = len(articles)
    with ServerProcess(0.0) as server:
        bare_instructor_path(articles[:10], server.base_url)  # warm-up
        eventbrief_path(articles[:10], server.base_url)
        bare, ours = [], []
        for _ in range(args.rounds):  # interleaved, best of N: the machine's noise hits both
            bare.append(timed(lambda: bare_instructor_path(articles, server.base_url))[1] / n)
            ours.append(timed(lambda: eventbrief_path(articles, server.base_url))[1] / n)
    b, e = min(bare) * 1000, min(ours) * 1000
    print(
        f"Benchmark 2: {n} articles one at a time, scripted model with no latency, best of "
        f"{args.rounds}"
    )
    print(f"bare instructor call        {b:7.2f} ms/article")
    print(f"eventbrief extract + ground {e:7.2f} ms/article")
    print(f"overhead                    {e - b:7.2f} ms/article  (ratio {e / b:.2f}x)")


if __name__ == "__main__":
    main()
