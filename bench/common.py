"""What the benchmarks share: the seed articles as many distinct articles, and timing."""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import instructor
import openai

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eventbrief.models import Article, ArticleExtraction, ArticleMeta
from scripted_model import SEED_DATES, seed_texts

T = TypeVar("T")


def seed_articles(count: int) -> list[Article]:
    """`count` articles cycling over the five seeds; each copy has its own id (and so its own
    request), and its text differs by a trailing line so no two share a cache key."""
    seeds = seed_texts()
    articles = []
    for n in range(count):
        stem, text = seeds[n % len(seeds)]
        body = text if n < len(seeds) else f"{text.rstrip()}\n(copy {n})\n"
        meta = ArticleMeta(
            id=f"{stem[:3]}-{n:04d}",
            published=dt.date.fromisoformat(SEED_DATES[stem[:3]]),
            sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        )
        articles.append(Article(meta=meta, text=body))
    return articles


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


@asynccontextmanager
async def bare_instructor(
    base_url: str,
) -> AsyncIterator[Callable[[Article], Awaitable[ArticleExtraction]]]:
    """The reference of benchmarks 1 and 2: instructor's own `create` per article, the article
    the only message (through `context`), no retries, no prompt file, no quote checker; the
    connections are closed on the way out."""
    raw = openai.AsyncOpenAI(base_url=base_url, api_key="bench", max_retries=0)
    client = instructor.from_openai(raw, mode=instructor.Mode.TOOLS)

    async def extract(article: Article) -> ArticleExtraction:
        return await client.chat.completions.create(
            model="gpt-4o-mini",
            response_model=ArticleExtraction,
            messages=[{"role": "user", "content": "<article x>\n{{ a }}\n</article x>"}],
            context={"a": article.text},
            max_retries=0,
        )

    try:
        yield extract
    finally:
        await raw.close()
