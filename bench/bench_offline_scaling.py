"""Benchmark: is the offline backend linear in text length? Times one extraction of texts of
100k to 1.6M characters (the dataset's articles repeated) and prints the ratio per doubling.

    python bench/bench_offline_scaling.py [--dataset evals/dev] [--start 100000] [--steps 5]

Exits 1 when a doubling costs more than 2.5 times the time of the size before it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from eventbrief.backends.offline import extract_article

MAX_RATIO = 2.5


def _text(articles: list[str], size: int) -> str:
    parts: list[str] = []
    total = 0
    while total < size:
        piece = articles[len(parts) % len(articles)]
        parts.append(piece)
        total += len(piece) + 2
    return "\n\n".join(parts)[:size]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=Path("evals/dev"))
    parser.add_argument("--start", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args(argv)
    articles = [
        p.read_text(encoding="utf-8") for p in sorted((args.dataset / "articles").glob("*.txt"))
    ]
    if not articles:
        print(f"no articles in {args.dataset / 'articles'}", file=sys.stderr)
        return 2
    extract_article(articles[0], None)  # loads the tables once
    previous: float | None = None
    worst = 0.0
    for step in range(args.steps):
        size = args.start * 2**step
        text = _text(articles, size)
        t = time.perf_counter()
        extract_article(text, None)
        seconds = time.perf_counter() - t
        ratio = seconds / previous if previous else None
        worst = max(worst, ratio or 0.0)
        shown = f"{ratio:5.2f}x" if ratio else "     -"
        print(f"{len(text):>9,} chars  {seconds:8.2f} s  {shown}", flush=True)
        previous = seconds
    print(f"worst ratio per doubling {worst:.2f} (bar {MAX_RATIO})")
    return 0 if worst <= MAX_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
