"""Backends are found through the registry and described by capabilities, never by name; usage
is metered apart from the cache and priced once; the cache file carries a schema version."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from eventbrief.backends import REGISTRY, backend_class, capabilities, make_backend
from eventbrief.backends.base import Backend, Capabilities, Narrator
from eventbrief.cache import SCHEMA_VERSION, CachingBackend, ExtractionCache
from eventbrief.config import Settings
from eventbrief.errors import ConfigError, ExtractionError
from eventbrief.metering import CacheCounts, MeteredBackend
from eventbrief.models import Usage
from eventbrief.pipeline import for_run
from scale_helpers import CountingBackend, make_article

SRC = Path(__file__).resolve().parents[1] / "src" / "eventbrief"
OLD_TABLES = """
CREATE TABLE extractions (key TEXT PRIMARY KEY, identity TEXT NOT NULL,
    article_sha256 TEXT NOT NULL, published TEXT, model TEXT, prompt_version TEXT,
    extraction TEXT NOT NULL, usage TEXT, created_at TEXT NOT NULL);
CREATE TABLE endpoint_checks (endpoint TEXT NOT NULL, model TEXT NOT NULL, report TEXT NOT NULL,
    checked_at TEXT NOT NULL, PRIMARY KEY (endpoint, model))
"""


class Counting(CountingBackend):
    """The scale tests' double, with what the protocol asks beyond extraction."""

    capabilities = Capabilities()

    async def aclose(self) -> None:
        """Holds nothing to release."""


def test_every_registered_backend_states_its_capabilities() -> None:
    assert set(REGISTRY) == {"openai", "offline"}
    assert capabilities("openai") == Capabilities(
        chunk_chars=12_000, cacheable=True, priced=True, narrates=True, deterministic=False
    )
    assert capabilities("offline") == Capabilities(deterministic=True)
    assert capabilities("a-test-double") == Capabilities()
    with pytest.raises(ConfigError, match="unknown backend 'nope'"):
        backend_class("nope")


def test_made_backends_meet_the_protocol_and_only_the_llm_narrates() -> None:
    offline = make_backend(Settings.resolve(env={}, backend="offline"))
    online = make_backend(Settings.resolve(env={}, backend="openai", base_url="http://h:1/v1"))
    assert isinstance(offline, Backend) and isinstance(online, Backend)
    assert not isinstance(offline, Narrator)
    assert isinstance(online, Narrator)
    asyncio.run(offline.aclose())


def test_the_offline_backend_loads_no_llm_client() -> None:
    code = (
        "import sys\n"
        "from eventbrief.backends import make_backend\n"
        "from eventbrief.config import Settings\n"
        "make_backend(Settings.resolve(env={}, backend='offline'))\n"
        "print(sorted(m for m in ('openai', 'instructor', 'tenacity') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_no_backend_name_is_compared_outside_the_backend_package_and_config() -> None:
    compared = re.compile(r"""[!=]=\s*["'](openai|offline)["']|["'](openai|offline)["']\s*[!=]=""")
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        if "backends" not in path.relative_to(SRC).parts and path.name != "config.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if compared.search(line)
    ]
    assert found == []


def test_without_a_cache_usage_is_still_metered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(tmp_path))
    settings = Settings.resolve(env={}, backend="offline", no_cache=True)
    counts = CacheCounts()
    run = for_run(Counting(), settings, counts)
    assert isinstance(run, MeteredBackend)
    asyncio.run(run.extract(make_article("a1")))
    assert counts.usage.prompt_tokens == 1000 and counts.misses == 1
    assert not (tmp_path / "extractions.sqlite3").exists()


def test_a_failure_is_metered_and_priced_by_the_backends_model() -> None:
    class Failing(Counting):
        async def extract(self, article):  # type: ignore[no-untyped-def]
            raise ExtractionError(article.meta.id, "gave up", usage=Usage(prompt_tokens=1_000_000))

    counts = CacheCounts()
    metered = MeteredBackend(Failing(model="gpt-4o-mini"), counts, priced=True)
    assert counts.usage.cost_usd == 0.0  # a priced model: nothing spent yet is $0, not unknown
    with pytest.raises(ExtractionError):
        asyncio.run(metered.extract(make_article("a1")))
    assert counts.usage.prompt_tokens == 1_000_000
    assert counts.usage.cost_usd is not None and counts.usage.cost_usd > 0


def test_a_new_cache_file_is_at_the_current_schema_version(tmp_path: Path) -> None:
    with ExtractionCache(tmp_path).open():
        pass
    with sqlite3.connect(tmp_path / "extractions.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 1


def test_a_cache_file_written_before_versions_keeps_its_rows(tmp_path: Path) -> None:
    article = make_article("a1")
    with ExtractionCache(tmp_path) as cache:
        asyncio.run(CachingBackend(CountingBackend(), cache).extract(article))
    path = tmp_path / "extractions.sqlite3"
    with sqlite3.connect(path) as conn:  # make it a version-0 file, as eventbrief wrote before
        rows = conn.execute("SELECT * FROM extractions").fetchall()
        conn.executescript(
            "DROP TABLE extractions; DROP TABLE endpoint_checks;"
            + OLD_TABLES
            + "; PRAGMA user_version = 0"
        )
        conn.executemany("INSERT INTO extractions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    again = CachingBackend(CountingBackend(), ExtractionCache(tmp_path))
    asyncio.run(again.extract(article))
    assert (again.counts.hits, again.inner.calls) == (1, [])
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_cache_calls_run_off_the_event_loop(tmp_path: Path) -> None:
    threads: list[int] = []

    class Watched(ExtractionCache):
        def get(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            threads.append(threading.get_ident())
            return super().get(*args, **kwargs)

        def put(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            threads.append(threading.get_ident())
            return super().put(*args, **kwargs)

    async def run() -> int:
        backend = CachingBackend(Counting(), Watched(tmp_path))
        await backend.extract(make_article("a1"))
        await backend.aclose()
        return threading.get_ident()

    loop_thread = asyncio.run(run())
    assert len(threads) == 2 and loop_thread not in threads
