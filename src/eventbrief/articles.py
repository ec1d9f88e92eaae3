"""Loading articles: files, folders, globs and stdin into `Article` records.

The text an `Article` holds is exactly what evidence offsets point into and what `sha256` is taken
over, so it is kept as decoded (only a UTF-8 byte-order mark is dropped). Every way an input can be
unusable becomes an `ArticleError` with a one-line reason naming the file.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from eventbrief.calendar_names import MONTH_WORDS
from eventbrief.errors import ArticleError
from eventbrief.models import Article, ArticleMeta

STDIN = "-"
STDIN_ID = "stdin"
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES
DEFAULT_MAX_CHARS = 200_000
TITLE_MAX_CHARS = 150
DATELINE_LINES = 12

_GLOB_CHARS = re.compile(r"[*?\[]")
_SUPPORTED_NAMES = ".txt, .md or .html"

_MONTH = r"(?P<month>" + "|".join(sorted(MONTH_WORDS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_DATE = (
    r"(?:(?P<iso>\d{4}-\d{2}-\d{2})"
    rf"|{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})"
    rf"|{_WEEKDAY}(?P<day2>\d{{1,2}})\s+{_MONTH.replace('month', 'month2')}\s+(?P<year2>\d{{4}}))"
)
# A dateline starts a line: the date alone, after "Published:"/"Updated", or after a place
# ("SEOUL, June 4, 2025 —"). Dates inside sentences or captions are events, not publication.
_DATELINE = re.compile(
    r"^\s*(?:(?:published|updated|posted|date)(?:\s+on)?\s*:?\s*"
    r"|(?-i:[A-Z][A-Za-z.'\-]*(?:\s+[A-Z][A-Za-z.'\-]*){0,3})(?:\s*\([^)]{1,40}\))?,\s+)?"
    + _DATE
    + r"\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PublicationDates:
    """Publication dates given by the user: one for every article, and/or one per article id.

    Articles that never state their year need this: relative dates are resolved against it.
    """

    default: dt.date | None = None
    by_id: Mapping[str, dt.date] = field(default_factory=dict)

    def for_article(self, article_id: str) -> dt.date | None:
        return self.by_id.get(article_id, self.default)

    @classmethod
    def parse(cls, values: Iterable[str]) -> PublicationDates:
        """Read `DATE` (every article) and `ID=DATE` (one article) values; ValueError if bad."""
        default: dt.date | None = None
        by_id: dict[str, dt.date] = {}
        for value in values:
            article_id, sep, date_text = value.rpartition("=")
            try:
                date = dt.date.fromisoformat(date_text.strip())
            except ValueError:
                raise ValueError(
                    f"{value!r} is not DATE or ID=DATE (dates as YYYY-MM-DD)"
                ) from None
            if not sep:
                default = date
            elif article_id.strip():
                by_id[article_id.strip()] = date
            else:
                raise ValueError(f"{value!r} names no article before '='")
        return cls(default, by_id)


def expand_sources(paths: Iterable[str | Path]) -> list[str]:
    """Files, folders (their *.txt/*.md/*.html, not recursive), globs and "-" → sources in order.

    Nothing is read here: a missing file or a folder without articles is kept as given, so that
    `load_article` reports it as that article's error and the rest of a batch still runs.
    Duplicates are dropped (first occurrence wins).
    """
    sources: list[str] = []
    for raw in paths:
        path = str(raw)
        if path == STDIN:
            sources.append(STDIN)
            continue
        p = Path(path)
        if p.is_dir():
            found = sorted(
                str(child)
                for child in p.iterdir()
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES
            )
            sources.extend(found or [path])
        elif not p.exists() and _GLOB_CHARS.search(path):
            matches = sorted(m for m in glob.glob(path) if Path(m).is_file())
            sources.extend(matches or [path])
        else:
            sources.append(path)
    return list(dict.fromkeys(sources))


def article_ids(sources: Sequence[str]) -> list[str]:
    """One id per source: the file stem ("stdin" for "-"); collisions get "-2", "-3", … in order."""
    ids: list[str] = []
    taken: set[str] = set()
    for source in sources:
        base = STDIN_ID if source == STDIN else Path(source).stem or "article"
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        ids.append(candidate)
    return ids


def load_article(
    source: str | Path,
    published: dt.date | None = None,
    *,
    article_id: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    stdin: BinaryIO | None = None,
) -> Article:
    """Read one article. `published` (the --published flag) wins over HTML metadata and datelines.

    Raises ArticleError for a missing file, a folder, an unsupported type, binary data, invalid
    UTF-8, an empty text or one longer than `max_chars` characters.
    """
    name = str(source)
    label = STDIN_ID if name == STDIN else name  # how errors name it
    raw, is_html = _read_bytes(name, stdin)
    if b"\x00" in raw:
        raise ArticleError(label, "binary file (contains NUL bytes), not a text article")
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            label, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    if not decoded.strip():
        raise ArticleError(label, "empty file" if not decoded else "contains only white space")

    if is_html:
        text, title, html_published, url = _from_html(label, decoded)
    else:
        text, title, html_published, url = decoded, _title_from_text(decoded), None, None
    if len(text) > max_chars:
        raise ArticleError(
            label,
            f"too long: {len(text):,} characters (limit {max_chars:,}; "
            "raise it with EVENTBRIEF_MAX_CHARS)",
        )
    meta = ArticleMeta(
        id=article_id or (STDIN_ID if name == STDIN else Path(name).stem),
        title=title,
        source=name,
        published=published or html_published or find_dateline(text),
        url=url,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    return Article(meta=meta, text=text)


def find_dateline(text: str) -> dt.date | None:
    """The publication date from a dateline near the top, when it states a full date with a year."""
    for line in text.splitlines()[:DATELINE_LINES]:
        m = _DATELINE.match(line)
        if m is None:
            continue
        try:
            if m.group("iso"):
                return dt.date.fromisoformat(m.group("iso"))
            if m.group("year"):
                month, day, year = m.group("month"), m.group("day"), m.group("year")
            else:
                month, day, year = m.group("month2"), m.group("day2"), m.group("year2")
            return dt.date(int(year), MONTH_WORDS[month.lower()], int(day))
        except ValueError:
            continue
    return None


def _read_bytes(name: str, stdin: BinaryIO | None) -> tuple[bytes, bool]:
    """The raw bytes and whether they are HTML (by suffix; stdin is sniffed)."""
    if name == STDIN:
        stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise ArticleError(STDIN_ID, "no standard input to read")
        raw = stream.read()
        head = raw[:512].lstrip().lower()
        return raw, head.startswith((b"<!doctype html", b"<html"))
    path = Path(name)
    if not path.exists():
        if _GLOB_CHARS.search(name):
            raise ArticleError(name, "no file matches this pattern")
        raise ArticleError(name, "no such file")
    if path.is_dir():
        raise ArticleError(name, f"folder has no {_SUPPORTED_NAMES} articles")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ArticleError(
            name, f"unsupported file type {suffix or '(none)'!r}; use {_SUPPORTED_NAMES}"
        )
    try:
        return path.read_bytes(), suffix in HTML_SUFFIXES
    except OSError as exc:
        raise ArticleError(name, f"cannot read: {exc.strerror or exc}") from None


def _title_from_text(text: str) -> str | None:
    """The first non-blank line, without Markdown heading marks; an article that opens with a
    paragraph instead of a headline gets its first sentence (cut at a word when still long)."""
    for line in text.splitlines():
        title = line.strip().lstrip("#").strip()
        if title:
            return _shorten(title)
    return None


def _shorten(title: str) -> str:
    if len(title) <= TITLE_MAX_CHARS:
        return title
    sentence = re.match(r"(.+?[.!?])\s", title)
    if sentence and len(sentence.group(1)) <= TITLE_MAX_CHARS:
        return sentence.group(1)
    return title[:TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _from_html(name: str, html: str) -> tuple[str, str | None, dt.date | None, str | None]:
    """Main text, title, published date and URL of an HTML page (trafilatura, metadata only)."""
    import trafilatura
    from trafilatura.metadata import extract_metadata

    text = trafilatura.extract(html, include_comments=False, include_tables=False)
    if not text or not text.strip():
        raise ArticleError(name, "no article text found in the HTML")
    meta = extract_metadata(html, date_config={"extensive_search": False, "original_date": True})
    title = _shorten(" ".join((meta.title or "").split())) or _title_from_text(text)
    published = None
    if meta.date:
        try:
            published = dt.date.fromisoformat(meta.date[:10])
        except ValueError:
            published = None
    return text, title or None, published, meta.url or None
