"""Benchmark: the whole-process time of `eventbrief --help` beside `python -c "import typer"`.

A command-line tool run in a loop over files pays its start-up every time; `--help` imports
only the CLI's shell (commands load when they run), so it should cost about what typer costs.
The two are run alternately, so a busy machine slows both alike; the medians and their ratio
are printed (the issue asks for at most 2x).

    .venv/bin/python bench/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

ENTRY = "from eventbrief.cli import main; main()"  # what the `eventbrief` script runs
COMMANDS: dict[str, list[str]] = {
    "import typer": [sys.executable, "-c", "import typer"],
    "eventbrief --help": [sys.executable, "-c", ENTRY, "--help"],
}


def wall_time(argv: list[str]) -> float:
    """Seconds from starting the process to its exit."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():
        wall_time(argv)  # warm the file cache and the bytecode
    for _ in range(args.runs):
        for name, argv in COMMANDS.items():
            times[name].append(wall_time(argv))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name:<20} median {median * 1000:7.1f} ms over {args.runs} runs")
    ratio = medians["eventbrief --help"] / medians["import typer"]
    print(f"ratio                {ratio:.2f}x")


if __name__ == "__main__":
    main()
