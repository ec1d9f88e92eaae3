"""Keep the valid, grounded part of a model's answer that never became valid.

A small model may answer every re-ask with the same flaw: two key takeaways instead of three, a
quote it made up, a date that does not exist. Failing the whole article for that throws away the
events and entities it did get right. `salvage` rebuilds a valid ArticleExtraction from the
answer as leniently parsed (`lenient_json`): every quote kept is found in the article by
grounding's own finder, an event left without evidence is dropped, items that do not validate on
their own are dropped, and what the contract requires but the answer lacks (three takeaways, or
as many as a short article has; a summary) is filled from the article's own lead sentences,
never invented. Each change is one
short warning line, so a partial result says what it lost.

Pure functions, no I/O: the backend decides when to salvage, the pipeline carries the warnings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

from eventbrief.grounding import Span, finder
from eventbrief.models import (
    MAX_TAKEAWAYS,
    MIN_TAKEAWAYS,
    SUMMARY_MAX_WORDS,
    Article,
    ArticleExtraction,
    Entity,
    Event,
    Quantity,
    Quote,
    Takeaway,
    TimeValue,
    check_iso_partial,
    name_key,
)

MAX_JSON_CHARS = 1024 * 1024
"""Longer answers are not searched for JSON (instructor's own extraction stops at 1 MiB)."""
_MIN_SENTENCE_WORDS = 4
"""A shorter piece ("Mr.", "U.S.") is joined to the next one: it is not a sentence of its own."""
_HEADLINE_WORDS = 8
"""A piece without a sentence end and shorter than this is a headline, byline or caption."""
_TAKEAWAY_MAX_WORDS = 60
"""A longer lead "sentence" is a list or a run-on line, not one key point."""
_NOT_PROSE = re.compile(r"[{}]|```|</?[A-Za-z]")
"""Code, JSON or markup in an article line: never made a takeaway (it may be injected)."""
_WHY_CHARS = 80

_DECODER = json.JSONDecoder(strict=False)
_PARAGRAPH = re.compile(r"[^\n]+")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


class SalvageError(ValueError):
    """Nothing usable in the answer: no summary, no valid event and no valid takeaway."""


@dataclass(frozen=True)
class Salvaged:
    """A valid extraction rebuilt from an invalid answer, and one line per change made."""

    extraction: ArticleExtraction
    warnings: list[str]


def lenient_json(text: str | bytes | bytearray) -> dict[str, Any] | None:
    """The last complete top-level JSON object in `text`, read with raw control characters
    allowed inside strings (`json.loads(strict=False)`: small models type a real newline into a
    quote); None when there is none.

    The last object, as instructor's md_json extraction takes it: the model's answer comes
    last, and JSON before it may be article text the model echoed. A broken object is skipped
    whole, never mined for the complete objects nested in it (an event is not an answer)."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    if len(text) > MAX_JSON_CHARS:
        return None
    found: dict[str, Any] | None = None
    at = text.find("{")
    while at >= 0:
        try:
            value, end = _DECODER.raw_decode(text, at)
        except (json.JSONDecodeError, RecursionError):
            end = _closing(text, at)
        else:
            if isinstance(value, dict):
                found = value
        at = text.find("{", end)
    return found


def cut_off_json(text: str | bytes | bytearray) -> dict[str, Any] | None:
    """The complete part of a JSON object that was cut off mid-way (an answer stopped at its
    token limit): from its first `{`, every finished value kept, an unfinished string, item or
    field left out; raw control characters inside strings allowed. None when there is no
    object."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    start = text.find("{")
    if start < 0 or len(text) > MAX_JSON_CHARS:
        return None
    try:
        value = from_json(_escaped_controls(text[start:]), allow_partial=True)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _escaped_controls(text: str) -> str:
    """`text` with control characters inside JSON strings written as escapes (the partial
    parser, unlike `json.loads(strict=False)`, refuses them raw)."""
    out: list[str] = []
    in_string, escaped = False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            elif char < " ":
                out.append(f"\\u{ord(char):04x}")
                continue
        elif char == '"':
            in_string = True
        out.append(char)
    return "".join(out)


def _closing(text: str, start: int) -> int:
    """Where the bracketed value opened at `start` closes (strings respected), or the end of
    the text when it never does (a truncated answer)."""
    depth, in_string, escaped = 0, False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def lead_sentences(text: str, title: str | None = None) -> list[str]:
    """The article's sentences in order, each an exact slice of `text` (so it grounds as its
    own quote), without the headline, bylines and captions that open many articles."""
    pieces = list(_pieces(text, title))
    return pieces or [p.strip() for p in _PARAGRAPH.findall(text) if p.strip()]


def _pieces(text: str, title: str | None) -> Iterator[str]:
    skip = name_key(title) if title else None
    for paragraph in _PARAGRAPH.finditer(text):
        body = paragraph.group()
        if skip and name_key(body) == skip:
            continue
        start = 0
        for end in _SENTENCE_END.finditer(body):
            piece = body[start : end.end()].strip()
            if len(piece.split()) >= _MIN_SENTENCE_WORDS:
                yield piece
                start = end.end()
        rest = body[start:].strip()
        if len(rest.split()) >= _HEADLINE_WORDS:
            yield rest


def takeaways_needed(text: str, title: str | None = None) -> int:
    """How many takeaways an answer must give: three, or the number of sentences of an article
    too short to state three things (GUIDELINES: a takeaway is never made up)."""
    return max(1, min(MIN_TAKEAWAYS, len({name_key(s) for s in lead_sentences(text, title)})))


def shorten_summary(summary: str, max_words: int = SUMMARY_MAX_WORDS) -> str:
    """`summary` cut to `max_words`: whole sentences while they fit, else its first words."""
    kept = ""
    for sentence in lead_sentences(summary):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate.split()) > max_words:
            break
        kept = candidate
    if kept:
        return kept
    return " ".join(summary.split()[:max_words]).rstrip(",;:") + "…"


def _lead_summary(article: Article) -> str:
    """The article's first sentences, up to the summary's word limit."""
    sentences = lead_sentences(article.text, article.meta.title)
    text = ""
    for sentence in sentences:
        candidate = f"{text} {' '.join(sentence.split())}".strip()
        if len(candidate.split()) > SUMMARY_MAX_WORDS:
            break
        text = candidate
    return text or shorten_summary(" ".join(sentences))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _why(error: ValidationError) -> str:
    """The first problem of a validation error, short: "type: 'treaty' is not allowed"."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "value"
    if first["type"] == "literal_error":
        message = f"{first['input']!r} is not allowed"
    elif first["type"] == "missing":
        message = "missing"
    else:
        message = first["msg"]
    if len(message) > _WHY_CHARS:
        message = message[: _WHY_CHARS - 1] + "…"
    return f"{where}: {message}"


class _Salvage:
    """One salvage run: the article's finder and the warnings and counts gathered on the way."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.find: Callable[[str], Span | None] = finder(article.text)
        self.warnings: list[str] = []
        self.unknown: set[str] = set()
        self.unfound = 0
        self.malformed = 0
        self.given_ids: list[str | None] = []

    def known(self, item: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
        """`item` without the fields `model` does not have (noted once, for the warning)."""
        fields = model.model_fields
        self.unknown.update(str(k) for k in item if k not in fields)
        return {k: v for k, v in item.items() if k in fields}

    def quotes(self, raw: Any) -> tuple[list[dict[str, str]], bool]:
        """The quotes of `raw` found in the article, and whether any quote was given at all."""
        if raw is None:
            return [], False
        items = raw if isinstance(raw, list) else [raw]
        kept = []
        for item in items:
            quote = item.get("quote") if isinstance(item, dict) else None
            if isinstance(item, dict):
                self.known(item, Quote)
            if not isinstance(quote, str) or not quote.strip():
                self.malformed += 1
            elif self.find(quote) is None:
                self.unfound += 1
            else:
                kept.append({"quote": quote})
        return kept, bool(items)

    def grounded(self, raw: Any, model: type[BaseModel], label: str) -> dict[str, Any] | None:
        """`raw`'s known fields with only its found quotes as evidence; None (and a warning
        naming `label`) when it is no object or no quote of it is in the article."""
        if not isinstance(raw, dict):
            self.warnings.append(f"dropped {label} (not an object)")
            return None
        item = self.known(raw, model)
        evidence, given_any = self.quotes(item.get("evidence"))
        if not evidence:
            reason = "no evidence left" if given_any else "no evidence"
            self.warnings.append(f"dropped {label} ({reason})")
            return None
        item["evidence"] = evidence
        return item

    def event(self, raw: Any, position: int) -> Event | None:
        given = raw.get("id") if isinstance(raw, dict) else None
        label = (
            f"event {given}" if isinstance(given, str) and given.strip() else f"event #{position}"
        )
        item = self.grounded(raw, Event, label)
        if item is None:
            return None
        item["id"] = "e1"  # renumbered once the events are known
        if "date" in item:
            item["date"] = self.date(item["date"], label)
        if "quantities" in item:
            item["quantities"] = self.quantities(item["quantities"], label)
        participants = item.get("participants")
        if isinstance(participants, list):
            blank = [p for p in participants if isinstance(p, str) and not p.strip()]
            if blank:
                self.warnings.append(f"removed {_plural(len(blank), 'empty participant')}")
            item["participants"] = [p for p in participants if p not in blank]
        try:
            event = Event.model_validate(item)
        except ValidationError as exc:
            self.warnings.append(f"dropped {label} ({_why(exc)})")
            return None
        self.given_ids.append(given if isinstance(given, str) else None)
        return event

    def date(self, raw: Any, label: str) -> dict[str, Any] | None:
        """The date as a valid TimeValue, its value nulled when it names no real day; None (no
        date) when it cannot be read at all."""
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.warnings.append(f"dropped the date of {label} (not an object)")
            return None
        item = self.known(raw, TimeValue)
        value = item.get("value")
        if isinstance(value, str):
            try:
                check_iso_partial(value)
            except ValueError:
                self.warnings.append(f"nulled the date {value!r} of {label} (not a real date)")
                item["value"] = None
        try:
            TimeValue.model_validate(item)
        except ValidationError as exc:
            self.warnings.append(f"dropped the date of {label} ({_why(exc)})")
            return None
        return item

    def quantities(self, raw: Any, label: str) -> list[dict[str, Any]]:
        """The quantities that validate; each one that does not is dropped on its own."""
        kept = []
        for item in raw if isinstance(raw, list) else [raw]:
            if not isinstance(item, dict):
                self.warnings.append(f"dropped a quantity of {label} (not an object)")
                continue
            known = self.known(item, Quantity)
            try:
                Quantity.model_validate(known)
            except ValidationError as exc:
                self.warnings.append(f"dropped a quantity of {label} ({_why(exc)})")
                continue
            kept.append(known)
        return kept

    def entity(self, raw: Any, position: int) -> Entity | None:
        name = raw.get("name") if isinstance(raw, dict) else None
        label = (
            f"entity {name!r}" if isinstance(name, str) and name.strip() else f"entity #{position}"
        )
        if not isinstance(raw, dict):
            self.warnings.append(f"dropped {label} (not an object)")
            return None
        try:
            return Entity.model_validate(self.known(raw, Entity))
        except ValidationError as exc:
            self.warnings.append(f"dropped {label} ({_why(exc)})")
            return None

    def takeaway(self, raw: Any, position: int) -> Takeaway | None:
        """A takeaway kept from an invalid answer must be grounded: one found quote at least
        (a whole answer may have takeaways without evidence; a salvaged one keeps only what the
        article backs, so text an injected article dictated cannot slip through unquoted)."""
        label = f"takeaway {position}"
        item = self.grounded(raw, Takeaway, label)
        if item is None:
            return None
        try:
            return Takeaway.model_validate(item)
        except ValidationError as exc:
            self.warnings.append(f"dropped {label} ({_why(exc)})")
            return None


def _items(answer: dict[str, Any], key: str, run: _Salvage) -> list[Any]:
    value = answer.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        run.warnings.append(f"ignored {key} (not a list)")
        return []
    return value


def salvage(article: Article, answer: Any) -> Salvaged:
    """A valid extraction from the parts of `answer` (an invalid answer, leniently parsed) that
    hold on their own, with a warning per change; SalvageError when nothing usable is left.

    Quotes not found in the article are dropped (a kept quote grounds where the checker found
    it), then events and takeaways left without evidence; events, entities and takeaways that do
    not validate
    are dropped; a date that names no real day is nulled; a participant without an entity gets
    one (type "other"); events are renumbered e1, e2, …; a summary over the word limit is cut
    and takeaways beyond seven are left out. Fewer than three takeaways are made up with the
    article's lead sentences (each its own evidence); a missing summary is the article's lead."""
    if not isinstance(answer, dict):
        raise SalvageError("the answer is not a JSON object")
    run = _Salvage(article)
    run.known(answer, ArticleExtraction)

    events = [
        e for n, raw in enumerate(_items(answer, "events", run), 1) if (e := run.event(raw, n))
    ]
    entities = [
        entity
        for n, raw in enumerate(_items(answer, "entities", run), 1)
        if (entity := run.entity(raw, n))
    ]
    takeaways = [
        t
        for n, raw in enumerate(_items(answer, "key_takeaways", run), 1)
        if (t := run.takeaway(raw, n))
    ]
    summary = answer.get("summary")
    summary = summary.strip() if isinstance(summary, str) else ""
    if not (summary or events or takeaways):
        raise SalvageError("the answer holds no summary, no valid event and no valid takeaway")

    # the counts over every item come first, then the item by item changes in answer order
    changes, run.warnings = run.warnings, []
    if run.unknown:
        run.warnings.append(f"ignored unknown fields: {', '.join(sorted(run.unknown))}")
    if run.unfound:
        run.warnings.append(f"dropped {_plural(run.unfound, 'quote')} not found in the article")
    if run.malformed:
        run.warnings.append(f"dropped {_plural(run.malformed, 'malformed quote')}")
    run.warnings.extend(changes)

    events = [e.model_copy(update={"id": f"e{n}"}) for n, e in enumerate(events, 1)]
    if run.given_ids != [e.id for e in events]:
        span = "the event as e1" if len(events) == 1 else f"the events e1 to e{len(events)}"
        run.warnings.append(f"renumbered {span}")
    entities = _with_participants(events, entities, run)
    takeaways = _enough_takeaways(takeaways, article, run)
    summary = _usable_summary(summary, article, run)
    try:
        extraction = ArticleExtraction(
            summary=summary, key_takeaways=takeaways, events=events, entities=entities
        )
    except ValidationError as exc:  # every part was checked; this is a bug, said in one line
        raise SalvageError(f"the salvaged answer is still not valid ({_why(exc)})") from None
    if not run.warnings:
        run.warnings.append("kept an answer that failed validation; nothing in it was changed")
    return Salvaged(extraction, run.warnings)


def _with_participants(events: list[Event], entities: list[Entity], run: _Salvage) -> list[Entity]:
    """`entities` plus one of type "other" for each participant that none of them names."""
    known = {name_key(n) for entity in entities for n in entity.names()}
    added = list(entities)
    for event in events:
        for participant in event.participants:
            if name_key(participant) not in known:
                known.add(name_key(participant))
                added.append(Entity(name=participant.strip(), type="other"))
                run.warnings.append(f"added entity {participant.strip()!r} for a participant")
    return added


def _enough_takeaways(takeaways: list[Takeaway], article: Article, run: _Salvage) -> list[Takeaway]:
    """Up to seven distinct takeaways: repeats dropped, the first seven kept, and the article's
    lead sentences added (each quoting itself) until there are three, or as many as a short
    article has (`takeaways_needed`); fewer than that fails, as a live answer would."""
    distinct: list[Takeaway] = []
    seen: set[str] = set()
    for takeaway in takeaways:
        if name_key(takeaway.text) not in seen:
            seen.add(name_key(takeaway.text))
            distinct.append(takeaway)
    if len(distinct) < len(takeaways):
        repeats = len(takeaways) - len(distinct)
        run.warnings.append(f"dropped {_plural(repeats, 'repeated key takeaway')}")
    if len(distinct) > MAX_TAKEAWAYS:
        run.warnings.append(f"kept the first {MAX_TAKEAWAYS} of {len(distinct)} key takeaways")
        distinct = distinct[:MAX_TAKEAWAYS]
    needed = takeaways_needed(article.text, article.meta.title)
    if len(distinct) >= needed:
        return distinct
    filled = 0
    for sentence in lead_sentences(article.text, article.meta.title):
        if len(distinct) >= needed:
            break
        text = " ".join(sentence.split())
        if len(text.split()) > _TAKEAWAY_MAX_WORDS or _NOT_PROSE.search(text):
            continue
        if name_key(text) in seen or run.find(sentence) is None:
            continue
        seen.add(name_key(text))
        distinct.append(Takeaway(text=text, evidence=[Quote(quote=sentence)]))
        filled += 1
    if len(distinct) < needed:
        raise SalvageError(
            f"the article has too few usable sentences to make up {needed} key takeaways"
        )
    if filled:
        run.warnings.append(
            f"filled {_plural(filled, 'key takeaway')} from the article's lead sentences"
        )
    return distinct


def _usable_summary(summary: str, article: Article, run: _Salvage) -> str:
    if not summary:
        run.warnings.append("filled the summary from the article's lead sentences")
        return _lead_summary(article)
    words = len(summary.split())
    if words > SUMMARY_MAX_WORDS:
        summary = shorten_summary(summary)
        run.warnings.append(f"cut the summary from {words} to {len(summary.split())} words")
    return summary
