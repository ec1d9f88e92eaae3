"""Gold records as a person writes them: completed from the article, then checked against it.

A labeller writes what takes judgement: the events, entities, takeaways and summary, each
evidence quote copied from the article, and the publication date. The rest is derived here, so
nobody computes it by hand: the article's id (the file name), title (its first line) and
SHA-256, each quote's offsets (where it occurs in the text; its first occurrence) with `match`
"exact", and the provenance of a gold record. Derived values may still be written, as in the
project's own gold files; then they must agree with the article.

A wrong ruler makes every score wrong, so the checks are strict and every problem is reported,
each with its file and field: a quote not copied verbatim from the article, offsets that do not
point at their quote, a participant not named in the entities, an invalid date, anything else
the ArticleSummary schema rejects; for `gold/brief.json`, a mention of an event or article the
dataset does not have.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eventbrief.grounding import locate
from eventbrief.models import Article, ArticleSummary, name_key
from eventbrief.scoring.brief_score import BriefGold

GOLD_CREATED_AT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""The provenance time of a gold record written without one: fixed, so loading the same file
twice gives the same record (and the dataset the same fingerprint)."""

SCHEMA = "not a valid ArticleSummary"
BRIEF_SCHEMA = "not a brief gold file"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a dataset: the file, the field (dotted, as pydantic names it; None for
    the whole file) and what is wrong. `kind` says the file does not fit its schema at all."""

    file: Path
    field: str | None
    message: str
    kind: str | None = None

    def __str__(self) -> str:
        parts = [str(self.file), self.kind, self.field, self.message]
        return ": ".join(p for p in parts if p)


def _short(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def read_json(path: Path) -> tuple[Any, list[Problem]]:
    """The file's JSON, or the problem that it cannot be read or is not JSON."""
    try:
        return json.loads(path.read_bytes()), []
    except OSError as exc:
        return None, [Problem(path, None, f"cannot read: {exc.strerror or exc}")]
    except (ValueError, UnicodeDecodeError) as exc:
        return None, [Problem(path, None, f"not JSON: {exc}")]


def published_of(raw: Any) -> dt.date | None:
    """The publication date a gold record states (what the article is loaded with), or None
    when it states none or an invalid one (the schema check reports that)."""
    meta = raw.get("article") if isinstance(raw, dict) else None
    value = meta.get("published") if isinstance(meta, dict) else None
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _fill_article(data: dict[str, Any], article: Article) -> None:
    meta = data.setdefault("article", {})
    if isinstance(meta, dict):
        meta.setdefault("id", article.meta.id)
        meta.setdefault("title", article.meta.title)
        meta.setdefault("sha256", article.meta.sha256)
    data.setdefault(
        "provenance",
        {"backend": "gold", "created_at": GOLD_CREATED_AT.isoformat(), "grounding_rate": 1.0},
    )


def _quote_problem(path: Path, where: str, quote: str, text: str) -> Problem:
    """A quote that is not in the text; names the span it was probably meant to copy."""
    span = locate(quote, text)
    if span is None:
        return Problem(path, f"{where}.quote", f"not in the article: {_short(quote)}")
    nearest = text[span.start : span.end].strip()
    return Problem(
        path,
        f"{where}.quote",
        f"not in the article verbatim: {_short(quote)}; the article has {_short(nearest)}",
    )


def _fill_evidence(data: dict[str, Any], text: str, path: Path) -> list[Problem]:
    """Offsets for every quote that has none; a problem for each quote not in the text and each
    offset pair that does not point at its quote."""
    problems: list[Problem] = []
    for owner in ("events", "key_takeaways"):
        items = data.get(owner)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            evidence = item.get("evidence") if isinstance(item, dict) else None
            if not isinstance(evidence, list):
                continue
            for j, ev in enumerate(evidence):
                quote = ev.get("quote") if isinstance(ev, dict) else None
                if not isinstance(quote, str) or not quote:
                    continue  # the schema check names it
                where = f"{owner}.{i}.evidence.{j}"
                start, end = ev.get("start"), ev.get("end")
                if isinstance(start, int) and isinstance(end, int):
                    if text[start:end] != quote:
                        problems.append(
                            Problem(
                                path,
                                f"{where}.start",
                                f"offsets {start}:{end} do not point at the quote "
                                f"{_short(quote)} (the text there is {_short(text[start:end])})",
                            )
                        )
                    ev.setdefault("match", "exact")
                    continue
                found = text.find(quote)
                if found < 0:
                    problems.append(_quote_problem(path, where, quote, text))
                    continue
                ev.update(start=found, end=found + len(quote))
                ev.setdefault("match", "exact")
    return problems


def _participant_problems(data: dict[str, Any], path: Path) -> list[Problem]:
    """Each participant that is not an entity's name or alias, named by its own field (the
    schema's check stops at the first event)."""
    entities = data.get("entities")
    events = data.get("events")
    if not isinstance(entities, list) or not isinstance(events, list):
        return []
    known = set()
    for entity in entities:
        if isinstance(entity, dict):
            names = [entity.get("name"), *(entity.get("aliases") or [])]
            known |= {name_key(n) for n in names if isinstance(n, str)}
    problems = []
    for i, event in enumerate(events):
        participants = event.get("participants") if isinstance(event, dict) else None
        for j, name in enumerate(participants if isinstance(participants, list) else []):
            if isinstance(name, str) and name_key(name) not in known:
                problems.append(
                    Problem(
                        path,
                        f"events.{i}.participants.{j}",
                        f"{name!r} is not named in entities (add it, or use an entity's name "
                        "or alias)",
                    )
                )
    return problems


def schema_problems(exc: ValidationError, path: Path, kind: str) -> list[Problem]:
    return [
        Problem(path, ".".join(str(p) for p in error["loc"]) or None, error["msg"], kind)
        for error in exc.errors()
    ]


def complete_gold(
    raw: Any, path: Path, article: Article
) -> tuple[ArticleSummary | None, list[Problem]]:
    """The gold record of `raw` (parsed JSON of `path`) with what a person need not write
    filled in from `article`, or None and every problem found."""
    if not isinstance(raw, dict):
        return None, [Problem(path, None, "not a JSON object", SCHEMA)]
    data = copy.deepcopy(raw)
    _fill_article(data, article)
    problems = _fill_evidence(data, article.text, path)
    participants = _participant_problems(data, path)
    problems += participants
    try:
        gold = ArticleSummary.model_validate(data)
    except ValidationError as exc:
        found = schema_problems(exc, path, SCHEMA)
        if participants:  # the schema's own participant check says it again, less precisely
            found = [p for p in found if "not named in entities" not in p.message]
        return None, problems + found
    return (None, problems) if problems else (gold, [])


def brief_problems(raw: Any, path: Path, events: dict[str, set[str]] | None) -> list[Problem]:
    """Problems of `gold/brief.json`: its schema, and each mention of an article or event the
    dataset's gold does not have (`events` maps article id to its gold event ids; None when some
    gold could not be read, and only the schema is checked)."""
    try:
        brief = BriefGold.model_validate(raw)
    except ValidationError as exc:
        return schema_problems(exc, path, BRIEF_SCHEMA)
    if events is None:
        return []
    problems = []
    for i, cluster in enumerate(brief.clusters):
        for j, mention in enumerate(cluster.mentions):
            where = f"clusters.{i}.mentions.{j}"
            if mention.article_id not in events:
                problems.append(Problem(path, where, f"no gold article {mention.article_id!r}"))
            elif mention.event_id not in events[mention.article_id]:
                problems.append(
                    Problem(
                        path,
                        where,
                        f"no event {mention.event_id!r} in the gold of {mention.article_id!r}",
                    )
                )
    for i, conflict in enumerate(brief.conflicts):
        for j, value in enumerate(conflict.values):
            for k, article_id in enumerate(value.articles):
                if article_id not in events:
                    where = f"conflicts.{i}.values.{j}.articles.{k}"
                    problems.append(Problem(path, where, f"no gold article {article_id!r}"))
    return problems
