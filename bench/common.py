"""What the benchmarks share: the seed articles as many distinct articles, and timing."""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eventbrief.models import Article, ArticleMeta
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
