"""Benchmark of the offline backend: median time per article against the 20 ms budget (#14), and
peak memory (tracemalloc), over the articles of a dataset (default evals/).

    python bench/bench_offline.py [--dataset evals] [--repeat 20]

The cold start (importing the backend, then its first article, which loads the rule files and
country tables and compiles their patterns) is timed in a fresh process without tracing, and its
peak memory in another: tracemalloc slows a first call several times over.

Prints numbers and ratios; exits 1 when the median is over budget.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from eventbrief.backends.offline import extract_article

BUDGET_MS = 20.0

_COLD = """
import datetime as dt, json, sys, time, tracemalloc
text, published = json.loads(sys.stdin.read())
published = dt.date.fromisoformat(published) if published else None
t0 = time.perf_counter()
from eventbrief.backends.offline import extract_article
t1 = time.perf_counter()
if sys.argv[1] == "memory":
    tracemalloc.start()
extract_article(text, published)
t2 = time.perf_counter()
peak = tracemalloc.get_traced_memory()[1] if sys.argv[1] == "memory" else 0
print(json.dumps([(t1 - t0) * 1000, (t2 - t1) * 1000, peak]))
"""


def _published(dataset: Path, article_id: str) -> dt.date | None:
    gold = dataset / "gold" / f"{article_id}.json"
    if not gold.exists():
        return None
    value = json.loads(gold.read_text(encoding="utf-8")).get("article", {}).get("published")
    return dt.date.fromisoformat(value) if value else None


def _cold(doc: tuple[str, dt.date | None], what: str) -> tuple[float, float, int]:
    """Import time, first-call time and (for "memory") the first call's peak traced bytes, in a
    fresh process."""
    text, published = doc
    given = json.dumps([text, published.isoformat() if published else None])
    run = subprocess.run(
        [sys.executable, "-c", _COLD, what], input=given, capture_output=True, text=True, check=True
    )
    import_ms, first_ms, peak = json.loads(run.stdout)
    return float(import_ms), float(first_ms), int(peak)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=Path("evals"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    paths = sorted((args.dataset / "articles").glob("*.txt"))
    if not paths:
        print(f"no articles in {args.dataset / 'articles'}", file=sys.stderr)
        return 2
    docs = [(p.read_text(encoding="utf-8"), _published(args.dataset, p.stem)) for p in paths]

    import_ms, cold_ms, _ = _cold(docs[0], "time")
    _, _, cold_peak = _cold(docs[0], "memory")
    extract_article(*docs[0])  # this process's own first call, before the timed ones

    per_article: list[float] = []
    for text, published in docs:
        runs = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            extract_article(text, published)
            runs.append((time.perf_counter() - t) * 1000)
        per_article.append(statistics.median(runs))
    median_ms = statistics.median(per_article)

    tracemalloc.start()
    for text, published in docs:
        extract_article(text, published)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_mib = peak / 2**20

    words = statistics.median(len(text.split()) for text, _ in docs)
    print(f"articles                 {len(docs)} (median {words:.0f} words)")
    print(f"import (fresh process)   {import_ms:8.1f} ms")
    print(f"first call (cold)        {cold_ms:8.1f} ms  rule files, tables, patterns")
    print(f"median per article       {median_ms:8.2f} ms")
    print(f"slowest article median   {max(per_article):8.2f} ms")
    print(f"median / budget          {median_ms / BUDGET_MS:8.3f}  (budget {BUDGET_MS:.0f} ms)")
    print(f"budget / median          {BUDGET_MS / median_ms:8.1f}x headroom")
    print(f"articles per second      {1000 / median_ms:8.0f}")
    print(f"peak memory (warm)       {peak_mib:8.2f} MiB per article run")
    print(f"peak memory (first call) {cold_peak / 2**20:8.2f} MiB incl. country tables")
    return 0 if median_ms <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
