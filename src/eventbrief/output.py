"""Writing summaries: JSON, JSON Lines, Markdown or HTML, to stdout, one file or one file per
article.

The format is `--format`'s, else the one `-o FILE`'s extension names, else JSON (one object for
one article, JSON Lines for several); `-o -` is stdout, as `-` is stdin. Files are written
atomically (a temporary file in the same folder, then `os.replace`), so an interrupted run never
leaves a half-written record where a finished one is expected, and with the mode `open()` would
give them: the umask's, or an existing file's own.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, TextIO, cast, get_args

from eventbrief.brief.article_page import render_summaries_html
from eventbrief.models import ArticleSummary, Evidence

Format = Literal["json", "jsonl", "markdown", "html"]
FORMATS: tuple[Format, ...] = get_args(Format)
SUFFIXES: dict[str, str] = {"json": ".json", "jsonl": ".json", "markdown": ".md", "html": ".html"}
SUFFIX_FORMATS: dict[str, str] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
STDOUT = "-"
Notices = Mapping[str, Sequence[str]]
"""Notices (see `eventbrief.notices`) by article id."""


def default_format(count: int) -> Format:
    """One article → one JSON object; several → JSON Lines."""
    return "json" if count == 1 else "jsonl"


def format_from_suffix(target: str | Path | None, allowed: Sequence[str] = FORMATS) -> str | None:
    """The format a file name's extension names (`brief.md` → markdown), if it is one of
    `allowed`; None for stdout, a folder or any other extension."""
    if target is None or str(target) == STDOUT:
        return None
    named = SUFFIX_FORMATS.get(Path(target).suffix.lower())
    return named if named in allowed else None


def choose_format(given: str | None, output: str | None, count: int) -> Format:
    """`--format` wins; then the extension of `-o FILE`; then JSON as `default_format` says."""
    chosen = given or format_from_suffix(None if is_dir_target(output) else output)
    return cast(Format, chosen) if chosen else default_format(count)


def render_json(summary: ArticleSummary) -> str:
    return summary.model_dump_json(indent=2) + "\n"


def render_jsonl(summaries: Sequence[ArticleSummary]) -> str:
    return "".join(s.model_dump_json() + "\n" for s in summaries)


def render(
    summaries: Sequence[ArticleSummary],
    fmt: Format,
    notices: Notices | None = None,
    texts: Mapping[str, str] | None = None,
) -> str:
    """Several summaries as one text: `json` with more than one record is a JSON array. The
    pages for people (Markdown, HTML) show each article's notices; HTML also its text, from
    `texts` by article id. JSON carries the records alone, as their schema says."""
    notices = notices or {}
    if fmt == "html":
        return render_summaries_html(summaries, texts, notices)
    if fmt == "markdown":
        return "\n---\n\n".join(
            render_markdown(s, notices.get(s.article.id, ())) for s in summaries
        )
    if fmt == "jsonl":
        return render_jsonl(summaries)
    if len(summaries) == 1:
        return render_json(summaries[0])
    records = [s.model_dump(mode="json") for s in summaries]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def render_markdown(summary: ArticleSummary, notices: Sequence[str] = ()) -> str:
    """A page for people: summary, takeaways, an events table with sources, entities, and
    Warnings: the notices, then what a partial result lost."""
    meta, prov = summary.article, summary.provenance
    lines = [f"# {_inline(meta.title or meta.id)}", ""]
    facts = [f"id `{meta.id}`"]
    if meta.published:
        facts.append(f"published {meta.published.isoformat()}")
    where = meta.url or ("stdin" if meta.source == "-" else meta.source)
    if where:
        facts.append(f"source {where}")
    model = f" ({prov.model})" if prov.model else ""
    facts.append(f"backend {prov.backend}{model}")
    facts.append(f"grounding {prov.grounding_rate:.0%}")
    if summary.partial:
        facts.append("**partial** (see Warnings)")
    elif notices:
        facts.append(f"{len(notices)} warning{'s' if len(notices) != 1 else ''} (see Warnings)")
    lines += [" · ".join(facts), "", "## Summary", "", summary.summary, "", "## Key takeaways", ""]
    for takeaway in summary.key_takeaways:
        sources = _sources(takeaway.evidence)
        lines.append(f"- {takeaway.text}" + (f" — {sources}" if sources else ""))
    lines += ["", "## Events", ""]
    if summary.events:
        lines += [
            "| id | date | type | status | what happened | where | sources |",
            "|---|---|---|---|---|---|---|",
        ]
        for event in summary.events:
            date = ""
            if event.date is not None:
                date = event.date.value or event.date.text
                if event.date.approximate:
                    date = f"~{date}"
            who = f" ({', '.join(event.participants)})" if event.participants else ""
            cells = [
                event.id,
                date,
                event.type,
                event.status,
                event.description + who,
                event.location or "",
                _sources(event.evidence),
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    else:
        lines.append("No events found.")
    lines += ["", "## Entities", ""]
    for entity in summary.entities:
        aliases = f"; also {', '.join(entity.aliases)}" if entity.aliases else ""
        about = f" — {entity.description}" if entity.description else ""
        lines.append(f"- **{_inline(entity.name)}** ({entity.type}{aliases}){about}")
    if not summary.entities:
        lines.append("No entities found.")
    warnings = [*notices, *prov.warnings]
    if warnings:
        lines += ["", "## Warnings", ""]
        lines += [f"- {_inline(warning)}" for warning in warnings]
    return "\n".join(lines) + "\n"


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: a temporary file in the same folder, then os.replace.
    The temporary file is private (mkstemp makes it 0600); before it takes the name it gets the
    mode a plain `open()` would have given: an existing file's own, else 0666 less the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            os.fchmod(handle.fileno(), mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_to(target: str | Path | None, text: str, stdout: TextIO | None = None) -> Path | None:
    """`text` to a file (atomically), or to stdout for None or "-"; returns the file written."""
    if target is None or str(target) == STDOUT:
        stream = stdout or sys.stdout
        stream.write(text)
        stream.flush()
        return None
    path = Path(target)
    write_text(path, text)
    return path


_UMASK_LOCK = threading.Lock()
_UMASK_LINE = re.compile(r"^Umask:\s*([0-7]+)$", re.MULTILINE)


def current_umask() -> int:
    """The process umask: read from /proc where it is shown (Linux), since setting it to read
    it back briefly changes it for every thread; else set and restored under a lock."""
    try:
        found = _UMASK_LINE.search(Path("/proc/self/status").read_text())
    except OSError:
        found = None
    if found:
        return int(found.group(1), 8)
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """An existing file's own mode (as `>` keeps it), else 0666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def is_dir_target(output: str | None) -> bool:
    """`-o DIR`: an existing folder, or a path written with a trailing separator."""
    if not output or output == STDOUT:
        return False
    return output.endswith((os.sep, "/")) or Path(output).is_dir()


def write_one(
    summary: ArticleSummary,
    folder: Path,
    fmt: Format,
    notices: Sequence[str] = (),
    text: str | None = None,
) -> Path:
    """Write one record as `<id>.json` (`<id>.md`, `<id>.html`) in `folder`."""
    path = folder / f"{summary.article.id}{SUFFIXES[fmt]}"
    aid = summary.article.id
    if fmt in ("markdown", "html"):
        page = render([summary], fmt, {aid: notices}, {aid: text} if text is not None else None)
    else:
        page = render_json(summary)
    write_text(path, page)
    return path


def write_all(
    summaries: Sequence[ArticleSummary],
    fmt: Format,
    output: str | Path | None,
    stdout: TextIO | None = None,
    notices: Notices | None = None,
    texts: Mapping[str, str] | None = None,
) -> Path | None:
    """All records as one text, to `output` (a file; None or "-" for stdout); returns the file
    written."""
    if not summaries:
        return None
    return write_to(output, render(summaries, fmt, notices, texts), stdout)


def _sources(evidence: Sequence[Evidence]) -> str:
    parts = []
    for item in evidence:
        where = f" [{item.start}–{item.end}]" if item.start is not None else " [not found]"
        parts.append(f"“{item.quote}”{where}")
    return "; ".join(parts)


def _inline(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|")
