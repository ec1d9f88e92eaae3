"""Loading articles: files, folders, globs, JSONL files of articles and stdin into `Article`s.

The text an `Article` holds is exactly what evidence offsets point into and what `sha256` is taken
over, so it is kept as decoded (only a UTF-8 byte-order mark is dropped). Every way an input can be
unusable becomes an `ArticleError` with a one-line reason naming the file (`FILE:LINE` for a line
of a JSONL file).
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from eventbrief.calendar_names import MONTH_WORDS
from eventbrief.errors import ArticleError
from eventbrief.models import Article, ArticleMeta

STDIN = "-"
STDIN_ID = "stdin"
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES
JSONL_SUFFIX = ".jsonl"
JSONL_FIELDS = ("text", "id", "title", "published", "url", "source")
DEFAULT_MAX_CHARS = 200_000
TITLE_MAX_CHARS = 150
DATELINE_LINES = 12

_GLOB_CHARS = re.compile(r"[*?\[]")
_SUPPORTED_NAMES = ".txt, .md or .html"
# An id names the article's output file (<id>.json): no folders, no leading dot, no spaces.
_ROW_ID = re.compile(r"[^\W_][\w.\-]{0,199}")

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


@dataclass(frozen=True)
class Row:
    """One line of a JSONL file of articles, read when the sources are expanded: the line travels
    with it (a worker on another machine needs no file), and is checked only when loaded, so a
    bad line is that article's error. `problem` is what expansion already knows is wrong."""

    file: str
    line: int
    json: str
    article_id: str
    problem: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


Source = str | Row
"""What `expand_sources` gives: a path (or "-"), or one line of a JSONL file."""


def expand_sources(paths: Iterable[str | Path]) -> list[Source]:
    """Files, folders (their *.txt/*.md/*.html, not recursive), globs, JSONL files of articles
    (one `Row` per non-blank line) and "-" → sources in order.

    Only JSONL files are read here: a missing file or a folder without articles is kept as
    given, so that `load_article` reports it as that article's error and the rest of a batch
    still runs. Duplicates are dropped (first occurrence wins).
    """
    found: list[str] = []
    for raw in paths:
        path = str(raw)
        if path == STDIN:
            found.append(STDIN)
            continue
        p = Path(path)
        if p.is_dir():
            listed = sorted(
                str(child)
                for child in p.iterdir()
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES
            )
            found.extend(listed or [path])
        elif not p.exists() and _GLOB_CHARS.search(path):
            matches = sorted(m for m in glob.glob(path) if Path(m).is_file())
            found.extend(matches or [path])
        else:
            found.append(path)
    sources: list[Source] = []
    row_ids: set[str] = set()
    for path in dict.fromkeys(found):
        rows = _jsonl_rows(path, row_ids) if path.lower().endswith(JSONL_SUFFIX) else []
        sources.extend(rows or [path])
    return sources


def _jsonl_rows(path: str, taken: set[str]) -> list[Row]:
    """The articles of a JSONL file, one a non-blank line; none when it cannot be read (then
    `load_article` says why). An id given twice (in any JSONL file of the run) is a bad line."""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return []
    stem = Path(path).stem or "article"
    rows: list[Row] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        problem: str | None = None
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            problem = f"not valid UTF-8 (byte 0x{line[exc.start]:02x} at offset {exc.start})"
            rows.append(Row(path, number, "", f"{stem}-{number}", problem))
            continue
        given = _given_id(text)
        if given is not None:
            if given in taken:
                problem = f"duplicate id {given!r} (an earlier line has it)"
            taken.add(given)
        rows.append(Row(path, number, text, given or f"{stem}-{number}", problem))
    return rows


def holds_articles(path: str | Path) -> bool:
    """Whether a .jsonl file holds articles rather than ArticleSummary records (what `brief`
    also reads): its first non-blank line is an object with a `text` and no `article`."""
    try:
        with Path(path).open("rb") as lines:
            first = next((line for line in lines if line.strip()), b"")
        data = json.loads(first)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "text" in data and "article" not in data


def _given_id(line: str) -> str | None:
    """The line's `id` when it is one an article can have (a bad one is found when loading)."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    given = data.get("id") if isinstance(data, dict) else None
    return given if isinstance(given, str) and _ROW_ID.fullmatch(given) else None


def article_ids(sources: Sequence[Source]) -> list[str]:
    """One id per source: the file stem ("stdin" for "-"), a JSONL line's id; collisions get
    "-2", "-3", … in order."""
    ids: list[str] = []
    taken: set[str] = set()
    for source in sources:
        if isinstance(source, Row):
            base = source.article_id
        else:
            base = STDIN_ID if source == STDIN else Path(source).stem or "article"
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        ids.append(candidate)
    return ids


def load_article(
    source: Source | Path,
    published: dt.date | None = None,
    *,
    article_id: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    stdin: BinaryIO | None = None,
) -> Article:
    """Read one article. `published` (the --published flag) wins over HTML metadata, a JSONL
    line's `published` and datelines.

    Raises ArticleError for a missing file, a folder, an unsupported type, binary data, invalid
    UTF-8, an empty text or one longer than `max_chars` characters, and for a JSONL line that is
    not an article (see `load_row`).
    """
    if isinstance(source, Row):
        return load_row(source, published, article_id=article_id, max_chars=max_chars)
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
    _check_length(label, text, max_chars)
    meta = ArticleMeta(
        id=article_id or (STDIN_ID if name == STDIN else Path(name).stem),
        title=title,
        source=name,
        published=published or html_published or find_dateline(text),
        url=url,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    return Article(meta=meta, text=text)


def load_row(
    row: Row,
    published: dt.date | None = None,
    *,
    article_id: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Article:
    """One JSONL line as an article: `text` (required), `id`, `title`, `published` (YYYY-MM-DD),
    `url`, `source`; other keys are ignored. The text is held to what a file's is (no NUL, not
    blank, valid Unicode, at most `max_chars`); every error names FILE:LINE."""
    label = str(row)
    if row.problem is not None:
        raise ArticleError(label, row.problem)
    try:
        data = json.loads(row.json)
    except ValueError as exc:
        raise ArticleError(label, f"not valid JSON ({_first_line(exc)})") from None
    if not isinstance(data, dict):
        raise ArticleError(label, f"not a JSON object (a {type(data).__name__})")
    text = data.get("text")
    if not isinstance(text, str):
        raise ArticleError(label, 'no "text" string' if text is None else '"text" is not a string')
    fields = {key: _row_field(label, data, key) for key in JSONL_FIELDS[1:]}
    if fields["id"] is not None and not _ROW_ID.fullmatch(fields["id"]):
        raise ArticleError(
            label,
            f"id {fields['id'][:80]!r} is not a usable id (letters, digits, '.', '_', '-'; "
            "at most 200, not starting with '.', '_' or '-')",
        )
    if "\x00" in text:
        raise ArticleError(label, "binary text (contains NUL characters), not a text article")
    if not text.strip():
        raise ArticleError(label, "empty text" if not text else "contains only white space")
    try:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    except UnicodeEncodeError as exc:
        raise ArticleError(
            label, f"not valid Unicode (a lone surrogate at character {exc.start})"
        ) from None
    _check_length(label, text, max_chars)
    row_published = None
    if fields["published"] is not None:
        try:
            row_published = dt.date.fromisoformat(fields["published"])
        except ValueError:
            raise ArticleError(
                label, f"published {fields['published'][:40]!r} is not a date (YYYY-MM-DD)"
            ) from None
    meta = ArticleMeta(
        id=article_id or row.article_id,
        title=_shorten(" ".join((fields["title"] or "").split())) or _title_from_text(text),
        source=fields["source"] or label,
        published=published or row_published or find_dateline(text),
        url=fields["url"] or None,
        sha256=digest,
    )
    return Article(meta=meta, text=text)


def _row_field(label: str, data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ArticleError(label, f"{key!r} is not a string")


def _first_line(exc: ValueError) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _check_length(label: str, text: str, max_chars: int) -> None:
    if len(text) > max_chars:
        raise ArticleError(
            label,
            f"too long: {len(text):,} characters (limit {max_chars:,}; "
            "raise it with EVENTBRIEF_MAX_CHARS)",
        )


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
    if suffix == JSONL_SUFFIX:  # its lines are the articles (`expand_sources`); there were none
        try:
            path.read_bytes()
        except OSError as exc:
            raise ArticleError(name, f"cannot read: {exc.strerror or exc}") from None
        raise ArticleError(name, "no articles (a JSONL file of articles has one per line)")
    if suffix not in SUPPORTED_SUFFIXES:
        raise ArticleError(
            name,
            f"unsupported file type {suffix or '(none)'!r}; use {_SUPPORTED_NAMES}, or .jsonl "
            "with one article per line",
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
