"""Benchmark 3: a fully cached re-run, per article, beside the run that filled the cache.

200 article files through `summarize_many` (what `eventbrief summarize` runs: loading, the cache,
the backend, grounding) against the scripted model in its own process (200 ms per request,
32 in flight), twice with the same cache directory. The server logs every request it gets, so
the re-run's request count is measured, not assumed.

    .venv/bin/python bench/bench_cache.py [--articles 200]
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from pathlib import Path

from common import seed_articles, timed
from eventbrief.cache import CacheCounts
from eventbrief.config import Settings
from eventbrief.pipeline import summarize_many
from scripted_model import ServerProcess


def run(folder: Path, base_url: str) -> tuple[int, CacheCounts]:
    counts = CacheCounts()
    settings = Settings.resolve(
        backend="openai", base_url=base_url, model="gpt-4o-mini", concurrency=32
    )
    outcomes = summarize_many([str(folder)], settings=settings, counts=counts)
    return sum(1 for o in outcomes if o.summary is not None), counts


def main() -> None:
    parser = argparse.ArgumentParser(description="Cached re-run time per article.")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "articles"
        folder.mkdir()
        for article in seed_articles(args.articles):
            (folder / f"{article.meta.id}.txt").write_text(article.text, encoding="utf-8")
        os.environ["EVENTBRIEF_CACHE_DIR"] = str(root / "cache")
        os.environ["OPENAI_API_KEY"] = "bench"
        log = root / "requests.jsonl"
        with ServerProcess(args.latency, log) as server:
            (cold_ok, cold), cold_s = timed(lambda: run(folder, server.base_url))
            cold_requests = len(log.read_text().splitlines())
            (warm_ok, warm), warm_s = timed(lambda: run(folder, server.base_url))
            warm_requests = len(log.read_text().splitlines()) - cold_requests
    n = args.articles
    print(
        f"Benchmark 3: {n} article files, scripted model {args.latency * 1000:.0f} ms/request, "
        "32 in flight, one cache directory"
    )
    print(
        f"{'run':10} {'ok':>4} {'requests':>8} {'cache hits':>10} {'wall s':>7} {'ms/article':>10}"
    )
    print(
        f"{'first':10} {cold_ok:>4} {cold_requests:>8} {cold.hits:>10} {cold_s:>7.2f} "
        f"{cold_s / n * 1000:>10.2f}"
    )
    print(
        f"{'re-run':10} {warm_ok:>4} {warm_requests:>8} {warm.hits:>10} {warm_s:>7.2f} "
        f"{warm_s / n * 1000:>10.2f}"
    )
    print(f"re-run / first: {warm_s / cold_s:.3f} of the time, {warm_requests} requests")


if __name__ == "__main__":
    main()
