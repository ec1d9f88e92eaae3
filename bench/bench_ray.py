"""Benchmark 6: `summarize --engine ray` against one process, side by side in one run.

A. The offline backend over 2,000 article files (the five seeds, each copy made distinct by a
   trailing line), no cache: `pipeline.summarize_many` in this process against
   `distributed.summarize_many` on a local Ray instance with 2 workers (one per core). The Ray
   time includes starting the actor pool (each worker imports eventbrief), not `ray.init`,
   which is printed on its own. Then Ray again with the SQLite cache on (a fresh one, so every
   article is written to it by two processes at once), and a re-run answered from it: the cache
   under Ray workers.
B. The LLM backend against the scripted model in its own process, answering 200 ms after each
   request arrives, at 32 requests in flight, no cache: one process (32 in flight) against Ray
   (2 workers × 16), with efficiency = ideal ÷ measured and "of bound" = bound ÷ measured as in
   benchmark 1.

Rounds are interleaved (the machine is shared; other jobs hit both alike); the median is
printed, with the load average before and after.

    .venv/bin/python bench/bench_ray.py [--articles 2000] [--llm-articles 2000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ray

from common import seed_articles
from eventbrief import distributed
from eventbrief.cache import CacheCounts
from eventbrief.config import Settings
from eventbrief.pipeline import summarize_many
from scripted_model import ServerProcess

WORKERS = 2


def write_articles(folder: Path, count: int) -> list[str]:
    """`count` distinct article files; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for article in seed_articles(count):
        path = folder / f"{article.meta.id}.txt"
        path.write_text(article.text, encoding="utf-8")
        paths.append(str(path))
    return paths


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


Run = Callable[[], tuple[int, CacheCounts]]


def timed(run: Run) -> tuple[int, CacheCounts, float]:
    start = time.perf_counter()
    done, counts = run()
    return done, counts, time.perf_counter() - start


def one_process(paths: list[str], settings: Settings) -> Run:
    def go() -> tuple[int, CacheCounts]:
        counts = CacheCounts()
        outcomes = summarize_many(paths, settings=settings, counts=counts)
        return sum(o.ok for o in outcomes), counts

    return go


def on_ray(paths: list[str], settings: Settings) -> Run:
    def go() -> tuple[int, CacheCounts]:
        counts = CacheCounts()
        outcomes = distributed.summarize_many(
            paths, settings=settings, counts=counts, workers=WORKERS
        )
        return sum(o.ok for o in outcomes), counts

    return go


def median_of(runs: list[tuple[int, CacheCounts, float]]) -> tuple[int, CacheCounts, float]:
    return sorted(runs, key=lambda r: r[2])[len(runs) // 2]


def offline(paths: list[str], rounds: int, cache_dir: Path) -> None:
    fresh = Settings.resolve(backend="offline", no_cache=True)
    cached = Settings.resolve(backend="offline", cache_dir=cache_dir)
    results: dict[str, list[tuple[int, CacheCounts, float]]] = {"one": [], "ray": []}
    before = load()
    for _ in range(rounds):
        results["one"].append(timed(one_process(paths, fresh)))
        results["ray"].append(timed(on_ray(paths, fresh)))
    print(f"\nA. offline backend, {len(paths)} article files, no cache (load before: {before})")
    print(f"{'engine':24} {'ok':>5} {'wall s':>8} {'ms/article':>10} {'speed-up':>8}")
    one = median_of(results["one"])[2]
    for name, label in (("one", "one process"), ("ray", f"Ray, {WORKERS} workers")):
        done, _, seconds = median_of(results[name])
        print(
            f"{label:24} {done:>5} {seconds:>8.2f} {seconds / len(paths) * 1000:>10.2f} "
            f"{one / seconds:>8.2f}"
        )
    print(
        f"load after: {load()}; all rounds (s): "
        + "; ".join(f"{k} {', '.join(f'{r[2]:.1f}' for r in v)}" for k, v in results.items())
    )

    print(f"\nA'. the SQLite cache (WAL) written by {WORKERS} Ray workers at once, then read")
    print(f"{'run':24} {'ok':>5} {'wall s':>8} {'hits':>5} {'written':>7} {'cache errors':>12}")
    for label in ("Ray, empty cache", "Ray, re-run"):
        done, counts, seconds = timed(on_ray(paths, cached))
        print(
            f"{label:24} {done:>5} {seconds:>8.2f} {counts.hits:>5} {counts.misses:>7} "
            f"{counts.cache_errors:>12}"
        )


def llm(paths: list[str], rounds: int, latency: float, concurrency: int) -> None:
    ideal = len(paths) * latency / concurrency
    bound = math.ceil(len(paths) / concurrency) * latency
    with ServerProcess(latency) as server:
        settings = Settings.resolve(
            backend="openai",
            base_url=server.base_url,
            model="gpt-4o-mini",
            api_key="bench",
            mode="tools",
            concurrency=concurrency,
            no_cache=True,
        )
        warm = paths[:8]
        one_process(warm, settings)()
        on_ray(warm, settings)()
        results: dict[str, list[tuple[int, CacheCounts, float]]] = {"one": [], "ray": []}
        before = load()
        for _ in range(rounds):
            results["one"].append(timed(one_process(paths, settings)))
            results["ray"].append(timed(on_ray(paths, settings)))
    print(
        f"\nB. LLM backend, {len(paths)} articles, scripted model {latency * 1000:.0f} ms per "
        f"request (own process), {concurrency} in flight, no cache (load before: {before})"
    )
    print(
        f"{'engine':24} {'ok':>5} {'ideal s':>8} {'bound s':>8} {'measured s':>10} "
        f"{'efficiency':>10} {'of bound':>8}"
    )
    labels = {
        "one": "one process",
        "ray": f"Ray, {WORKERS} × {concurrency // WORKERS}",
    }
    for name, label in labels.items():
        done, _, seconds = median_of(results[name])
        print(
            f"{label:24} {done:>5} {ideal:>8.2f} {bound:>8.2f} {seconds:>10.2f} "
            f"{ideal / seconds:>10.3f} {bound / seconds:>8.3f}"
        )
    print(f"load after: {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Ray against one process.")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--llm-articles", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=1, help="median of N interleaved rounds")
    parser.add_argument("--skip", choices=("offline", "llm"), help="leave one part out")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["EVENTBRIEF_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["EVENTBRIEF_CACHE_DIR"] = str(Path(tmp) / "unused-cache")
        paths = write_articles(Path(tmp) / "articles", max(args.articles, args.llm_articles))
        start = time.perf_counter()
        ray.init(num_cpus=WORKERS, include_dashboard=False, log_to_driver=False)
        print(f"Benchmark 6: Ray {ray.__version__}, ray.init {time.perf_counter() - start:.1f} s")
        try:
            if args.skip != "offline":
                offline(paths[: args.articles], args.rounds, Path(tmp) / "cache")
            if args.skip != "llm":
                llm(paths[: args.llm_articles], args.rounds, args.latency, args.concurrency)
        finally:
            ray.shutdown()


if __name__ == "__main__":
    main()
