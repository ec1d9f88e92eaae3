"""Where a brief's inputs come from: ArticleSummary files from earlier runs, and the article texts
they were made from (needed to highlight evidence by offsets)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eventbrief.articles import holds_articles, load_article
from eventbrief.errors import EventbriefError
from eventbrief.models import ArticleSummary

SUMMARY_SUFFIXES = (".json", ".jsonl")
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
BRIEF_GOLD = "brief.json"
"""A dataset's gold/ folder also holds the brief gold, which is not a summary."""


class SummaryFileError(EventbriefError):
    """A summary file cannot be used; the message names it, on one line."""


def read_summaries(path: Path) -> list[ArticleSummary]:
    """A file's ArticleSummary records: one JSON object, a list, or JSON lines."""
    try:
        raw = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".jsonl":
            items: list[Any] = [json.loads(line) for line in raw.splitlines() if line.strip()]
        else:
            data = json.loads(raw)
            items = data if isinstance(data, list) else [data]
        return [ArticleSummary.model_validate(item) for item in items]
    except OSError as exc:
        raise SummaryFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SummaryFileError(f"{path}: not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise SummaryFileError(f"{path}: not JSON: {exc.msg} at line {exc.lineno}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SummaryFileError(f"{path}: not an ArticleSummary: {where}: {first['msg']}") from None


def split_inputs(paths: Iterable[str], all_summaries: bool) -> tuple[list[Path], list[str]]:
    """(summary files, article sources): *.json/*.jsonl (but a JSONL file of articles) and
    folders without articles hold summaries; everything else goes to the pipeline as articles."""
    summary_files: list[Path] = []
    articles: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir() and (
            all_summaries or not any(c.suffix.lower() in ARTICLE_SUFFIXES for c in p.iterdir())
        ):
            summary_files.extend(
                sorted(
                    c
                    for c in p.iterdir()
                    if c.is_file() and c.suffix.lower() in SUMMARY_SUFFIXES and c.name != BRIEF_GOLD
                )
            )
        elif all_summaries or (p.suffix.lower() in SUMMARY_SUFFIXES and not holds_articles(p)):
            summary_files.append(p)
        else:
            articles.append(raw)
    return summary_files, articles


SOURCE_LEVELS = 3
"""How many folders up from a summary file a relative recorded source is looked for: a summary
written to out/ by a run in the project folder records "news/a.txt", which is ../news/a.txt."""


def _source_places(source: str, origin: Path | None) -> list[Path]:
    """The recorded source path as given, and for a relative one, resolved against the summary
    file's folder and the folders above it."""
    recorded = Path(source)
    places = [recorded]
    if origin is not None and not recorded.is_absolute():
        folder = origin.resolve().parent
        for base in [folder, *folder.parents][: SOURCE_LEVELS + 1]:
            places.append(base / recorded)
    return places


def find_text(
    summary: ArticleSummary, folders: Iterable[Path | None], origin: Path | None = None
) -> str | None:
    """The text the summary was made from (its sha256 matches): a file <id>.* in one of
    `folders`, else the recorded source path, as given or relative to the summary file `origin`.
    HTML is reduced to text as when summarizing."""
    meta = summary.article
    places: list[Path] = []
    for folder in folders:
        if folder is not None and folder.is_dir():
            places.extend(sorted(c for c in folder.glob(f"{meta.id}.*") if c.is_file()))
    if meta.source:
        places.extend(_source_places(meta.source, origin))
    tried: set[Path] = set()
    for place in places:
        if place in tried or place.suffix.lower() not in ARTICLE_SUFFIXES or not place.is_file():
            continue
        tried.add(place)
        try:
            text = load_article(place, meta.published, article_id=meta.id).text
        except (EventbriefError, OSError, ValueError):
            continue
        if hashlib.sha256(text.encode("utf-8")).hexdigest() == meta.sha256:
            return text
    return None
