"""Writing summaries: JSON, JSON Lines or Markdown, to stdout, one file or one file per article.

Files are written atomically (a temporary file in the same folder, then `os.replace`), so an
interrupted run never leaves a half-written record where a finished one is expected.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, TextIO

from eventbrief.models import ArticleSummary, Evidence

Format = Literal["json", "jsonl", "markdown"]
FORMATS: tuple[str, ...] = Format.__args__  # type: ignore[attr-defined]
SUFFIXES: dict[str, str] = {"json": ".json", "jsonl": ".json", "markdown": ".md"}


def default_format(count: int) -> Format:
    """One article → one JSON object; several → JSON Lines."""
    return "json" if count == 1 else "jsonl"


def render_json(summary: ArticleSummary) -> str:
    return summary.model_dump_json(indent=2) + "\n"


def render_jsonl(summaries: Sequence[ArticleSummary]) -> str:
    return "".join(s.model_dump_json() + "\n" for s in summaries)


def render(summaries: Sequence[ArticleSummary], fmt: Format) -> str:
    """Several summaries as one text: `json` with more than one record is a JSON array."""
    if fmt == "markdown":
        return "\n---\n\n".join(render_markdown(s) for s in summaries)
    if fmt == "jsonl":
        return render_jsonl(summaries)
    if len(summaries) == 1:
        return render_json(summaries[0])
    records = [s.model_dump(mode="json") for s in summaries]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def render_markdown(summary: ArticleSummary) -> str:
    """A page for people: summary, takeaways, an events table with sources, entities."""
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
    if summary.partial:
        lines += ["", "## Warnings", ""]
        lines += [f"- {_inline(warning)}" for warning in prov.warnings]
    return "\n".join(lines) + "\n"


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: a temporary file in the same folder, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_dir_target(output: str | None) -> bool:
    """`-o DIR`: an existing folder, or a path written with a trailing separator."""
    if not output:
        return False
    return output.endswith((os.sep, "/")) or Path(output).is_dir()


def write_one(summary: ArticleSummary, folder: Path, fmt: Format) -> Path:
    """Write one record as `<id>.json` (or `<id>.md`) in `folder`."""
    path = folder / f"{summary.article.id}{SUFFIXES[fmt]}"
    write_text(path, render_markdown(summary) if fmt == "markdown" else render_json(summary))
    return path


def write_all(
    summaries: Sequence[ArticleSummary],
    fmt: Format,
    output: Path | None,
    stdout: TextIO | None = None,
) -> Path | None:
    """All records as one text, to `output` (a file) or stdout; returns the file written."""
    if not summaries:
        return None
    text = render(summaries, fmt)
    if output is None:
        stream = stdout or sys.stdout
        stream.write(text)
        stream.flush()
        return None
    write_text(output, text)
    return output


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
