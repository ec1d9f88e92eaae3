"""A persistent cache of extractions, so that no request is ever paid for twice.

One SQLite file (WAL, busy timeout) that several processes may share. A row is keyed by
everything that changes an answer: the backend's identity (backend, model, mode, prompt version,
schema hash, rule-set version) and the article's sha256 and publication date. It holds the
extraction JSON and the usage that produced it; never an API key, header or base URL.

The file carries its schema version (`PRAGMA user_version`); opening it applies, in order and
in one transaction, the migrations it has not had yet (as simonw/llm does). A file written before
versions existed is version 0 and keeps its rows: migration 1 creates only what it lacks.

`CachingBackend` wraps any backend: it answers from the cache when it can and stores each fresh
result as soon as it completes, so a run stopped half way resumes where it stopped. Its SQLite
calls run in a worker thread, never on the event loop. Fresh answers are metered by the
`MeteredBackend` it puts around its inner backend (metering.py). A partial result (one with
warnings, kept from an answer that never became valid) is not stored: asked again, the model may
answer whole, and a cached partial would hide that for good.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from eventbrief.backends.base import Backend, BackendWrapper, ExtractionResult
from eventbrief.config import env_value
from eventbrief.errors import ConfigError
from eventbrief.metering import CacheCounts, MeteredBackend
from eventbrief.models import Article, ArticleExtraction, ArticleMeta, Usage
from eventbrief.urls import strip_userinfo

CACHE_FILE = "extractions.sqlite3"
_FORMAT = "1"
_SECRET_KEY = re.compile(r"key|token|secret|password|authorization|header|cookie", re.IGNORECASE)

_CREATE_TABLES = """
CREATE TABLE IF NOT EXISTS extractions (
    key TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    article_sha256 TEXT NOT NULL,
    published TEXT,
    model TEXT,
    prompt_version TEXT,
    extraction TEXT NOT NULL,
    usage TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS endpoint_checks (
    endpoint TEXT NOT NULL,
    model TEXT NOT NULL,
    report TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    PRIMARY KEY (endpoint, model)
)
"""

Migration = Callable[[sqlite3.Connection], None]


def _create_tables(conn: sqlite3.Connection) -> None:
    """Version 1: the extractions and endpoint checks (a version-0 file has them already)."""
    for statement in _CREATE_TABLES.split(";"):
        conn.execute(statement)


MIGRATIONS: tuple[Migration, ...] = (_create_tables,)
"""Migration n+1 takes a file from schema version n to n+1; append, never edit or reorder."""
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations the file has not had, in one transaction (so processes that open a
    new file together migrate it once); returns the version it is now at. A file already at
    the current version is only read, so opening it never waits for a writer."""
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if current >= SCHEMA_VERSION:
        return current
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for step in MIGRATIONS[version:]:
            step(conn)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return max(version, SCHEMA_VERSION)


def default_cache_dir() -> Path:
    """`EVENTBRIEF_CACHE_DIR` when set, else the platform's user cache dir for eventbrief."""
    configured = env_value("cache_dir")
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("eventbrief", appauthor=False))


def safe_identity(identity: dict[str, str]) -> dict[str, str]:
    """The identity without anything that could be a credential: secret-looking keys are
    dropped and user:password@ is cut out of URLs (an identity should never hold either)."""
    return {
        name: strip_userinfo(str(value))
        for name, value in sorted(identity.items())
        if not _SECRET_KEY.search(name)
    }


def cache_key(identity: dict[str, str], meta: ArticleMeta) -> str:
    """A stable key: sha256 of the identity, the article's sha256 and its publication date."""
    published = meta.published.isoformat() if meta.published else None
    material = json.dumps(
        {
            "format": _FORMAT,
            "identity": safe_identity(identity),
            "sha256": meta.sha256,
            "published": published,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _use_wal(conn: sqlite3.Connection, patience: float) -> None:
    """Switch the file to WAL (it stays so). SQLite answers "database is locked" at once, busy
    timeout or not, when several processes make the switch on a new file together; try again
    until `patience` seconds have passed."""
    deadline = time.monotonic() + patience
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


@dataclass(frozen=True)
class CacheStats:
    path: Path
    entries: int
    size_bytes: int
    by_model: dict[str, int]


class ExtractionCache:
    """The SQLite store. Safe to use from several threads and several processes."""

    def __init__(self, directory: Path | None = None, *, busy_timeout_ms: int = 10_000) -> None:
        self.directory = directory if directory is not None else default_cache_dir()
        self.path = self.directory / CACHE_FILE
        self._busy_timeout_ms = busy_timeout_ms
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.path,
                timeout=self._busy_timeout_ms / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
                _use_wal(conn, self._busy_timeout_ms / 1000)
                conn.execute("PRAGMA synchronous = NORMAL")
                migrate(conn)
            except sqlite3.Error:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def open(self) -> ExtractionCache:
        """Open the file now; ConfigError (one line, naming it) when it cannot be used."""
        try:
            with self._lock:
                self._connection()
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ConfigError(
                f"{self.path}: cannot use the cache ({reason}); set EVENTBRIEF_CACHE_DIR to "
                "a writable folder, delete the file, or run with --no-cache"
            ) from None
        return self

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> ExtractionCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, identity: dict[str, str], meta: ArticleMeta) -> ExtractionResult | None:
        """The stored result, or None. A row that no longer validates is dropped as a miss."""
        key = cache_key(identity, meta)
        with self._lock:
            row = (
                self._connection()
                .execute(
                    "SELECT extraction, model, prompt_version, usage FROM extractions "
                    "WHERE key = ?",
                    (key,),
                )
                .fetchone()
            )
        if row is None:
            return None
        extraction_json, model, prompt_version, usage_json = row
        try:
            extraction = ArticleExtraction.model_validate_json(extraction_json)
            usage = Usage.model_validate_json(usage_json) if usage_json else None
        except ValueError:
            self.delete(key)
            return None
        return ExtractionResult(extraction, model, prompt_version, usage)

    def put(self, identity: dict[str, str], meta: ArticleMeta, result: ExtractionResult) -> None:
        """Store one result (replacing an older one for the same key) and commit at once.
        A partial result is refused: the table has no place for its warnings, and
        `CachingBackend` never offers one (see the module docstring)."""
        if result.warnings:
            raise ValueError("a partial result (with warnings) is not cached")
        usage = result.usage.model_copy(update={"cost_usd": None}) if result.usage else None
        row = (
            cache_key(identity, meta),
            json.dumps(safe_identity(identity), sort_keys=True),
            meta.sha256,
            meta.published.isoformat() if meta.published else None,
            result.model,
            result.prompt_version,
            result.extraction.model_dump_json(),
            usage.model_dump_json() if usage else None,
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        with self._lock:
            self._connection().execute(
                "INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row
            )

    def endpoint_report(self, endpoint: str, model: str) -> str | None:
        """The stored `endpoint check` report (JSON) for an endpoint and model, if any. The
        endpoint is stored as shown to users: without credentials or query."""
        with self._lock:
            row = (
                self._connection()
                .execute(
                    "SELECT report FROM endpoint_checks WHERE endpoint = ? AND model = ?",
                    (strip_userinfo(endpoint), model),
                )
                .fetchone()
            )
        return None if row is None else str(row[0])

    def put_endpoint_report(self, endpoint: str, model: str, report: str) -> None:
        with self._lock:
            self._connection().execute(
                "INSERT OR REPLACE INTO endpoint_checks VALUES (?, ?, ?, ?)",
                (
                    strip_userinfo(endpoint),
                    model,
                    report,
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                ),
            )

    def delete(self, key: str) -> None:
        with self._lock:
            self._connection().execute("DELETE FROM extractions WHERE key = ?", (key,))

    def stats(self) -> CacheStats:
        """Entries, size on disk (database and its WAL) and entries per backend/model."""
        if not self.path.exists():
            return CacheStats(self.path, 0, 0, {})
        with self._lock:
            conn = self._connection()
            entries = conn.execute("SELECT COUNT(*) FROM extractions").fetchone()[0]
            rows = conn.execute(
                "SELECT json_extract(identity, '$.backend'), model, COUNT(*) FROM extractions "
                "GROUP BY 1, 2 ORDER BY 3 DESC"
            ).fetchall()
        by_model = {f"{backend or '?'}/{model or '-'}": count for backend, model, count in rows}
        size = sum(
            p.stat().st_size
            for p in (self.path, self.path.with_name(self.path.name + "-wal"))
            if p.exists()
        )
        return CacheStats(self.path, entries, size, by_model)

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        if not self.path.exists():
            return 0
        with self._lock:
            conn = self._connection()
            removed = conn.execute("DELETE FROM extractions").rowcount
            conn.execute("DELETE FROM endpoint_checks")
            try:  # giving the space back needs the file to itself; emptying it does not
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("VACUUM")
            except sqlite3.OperationalError:
                pass
        return removed


class CachingBackend(BackendWrapper):
    """A backend that answers from the cache first; with `cache=None` it only meters.

    Its identity is the wrapped backend's, so wrapping changes no key and no output.
    """

    def __init__(
        self,
        inner: Backend,
        cache: ExtractionCache | None,
        counts: CacheCounts | None = None,
        *,
        priced: bool = False,
    ) -> None:
        super().__init__(inner)
        self.cache = cache
        self.counts = counts if counts is not None else CacheCounts()
        self._fresh = MeteredBackend(inner, self.counts, priced=priced)
        self._identity = self._fresh.identity()

    def identity(self) -> dict[str, str]:
        return self._identity

    async def extract(self, article: Article) -> ExtractionResult:
        if self.cache is not None:
            try:
                cached = await asyncio.to_thread(self.cache.get, self._identity, article.meta)
            except sqlite3.Error:  # a cache that fails mid-run costs a request, not the article
                self.counts.cache_errors += 1
                cached = None
            if cached is not None:
                self.counts.hits += 1
                return cached
        result = await self._fresh.extract(article)
        if self.cache is not None and not result.warnings:
            try:
                await asyncio.to_thread(self.cache.put, self._identity, article.meta, result)
            except sqlite3.Error:
                self.counts.cache_errors += 1
        return result

    async def aclose(self) -> None:
        if self.cache is not None:
            await asyncio.to_thread(self.cache.close)
        await self._fresh.aclose()
