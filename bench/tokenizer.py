"""Real BPE token counts for the benchmarks: OpenAI's o200k_base through the npm package
`js-tiktoken`, whose rank files ship inside the package (PyPI tiktoken downloads its vocabulary
at run time, which this machine cannot). The package is installed on first use with npm into a
cache folder outside the repository; node counts every text in one call.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import platformdirs

PACKAGE = "js-tiktoken@1.0.21"
ENCODING = "o200k_base"
SCRIPT = Path(__file__).resolve().parent / "count_tokens.cjs"


class TokenizerUnavailable(RuntimeError):
    """node or npm is missing, or the package could not be installed."""


def install_dir() -> Path:
    """Where js-tiktoken is installed: $EVENTBRIEF_BENCH_NODE_DIR, else the user cache dir."""
    override = os.environ.get("EVENTBRIEF_BENCH_NODE_DIR")
    base = Path(override) if override else Path(platformdirs.user_cache_dir("eventbrief"))
    return base / "bench-node" / PACKAGE.replace("@", "-")


def ensure_installed() -> Path:
    """The install prefix, running `npm install --prefix` once if the package is not there."""
    prefix = install_dir()
    if (prefix / "node_modules" / "js-tiktoken" / "package.json").is_file():
        return prefix
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise TokenizerUnavailable("node and npm are needed to count tokens with js-tiktoken")
    prefix.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--silent", PACKAGE],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise TokenizerUnavailable(f"npm install {PACKAGE} failed: {done.stderr.strip()[:300]}")
    return prefix


def count(texts: list[str], encoding: str = ENCODING) -> list[int]:
    """Token count of each text with `encoding`, in order."""
    if not texts:
        return []
    node = shutil.which("node")
    if node is None:
        raise TokenizerUnavailable("node is needed to count tokens with js-tiktoken")
    stdin = "".join(json.dumps(t) + "\n" for t in texts)
    done = subprocess.run(
        [node, str(SCRIPT), str(ensure_installed()), encoding],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise TokenizerUnavailable(f"counting with js-tiktoken failed: {done.stderr.strip()[:300]}")
    counts = [int(line) for line in done.stdout.split()]
    if len(counts) != len(texts):
        raise TokenizerUnavailable(f"js-tiktoken counted {len(counts)} of {len(texts)} texts")
    return counts
