"""The offline backend: a deterministic rule-based extractor that needs no network or model."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from eventbrief.backends.base import Capabilities, ExtractionResult
from eventbrief.backends.offline.attribution import register_sources
from eventbrief.backends.offline.document import Document
from eventbrief.backends.offline.events import DraftEvent, detect_events
from eventbrief.backends.offline.names import EntityTable, find_entities
from eventbrief.backends.offline.rules import data_digest
from eventbrief.backends.offline.salience import (
    QUOTATION_OPENS,
    compress,
    lead_summary,
    pick_takeaways,
)
from eventbrief.backends.offline.sentences import Sentence
from eventbrief.models import (
    MAX_TAKEAWAYS,
    MIN_TAKEAWAYS,
    Article,
    ArticleExtraction,
    Entity,
    Event,
    Quote,
    Takeaway,
    TimeValue,
    Usage,
    name_key,
)
from eventbrief.sentences import sentence_spans

if TYPE_CHECKING:
    from eventbrief.config import Settings


_SHARED_RULE_INPUTS = (
    "timex.py",
    "sentences.py",
    "calendar_names.py",
    "countries.py",
    "event_types.py",
    "data/countries.json",
)
"""Modules and data outside the offline package that its answers depend on (dates, where a
sentence ends, month names, the gazetteer, the event-type families), relative to the eventbrief
package."""


def _rules_digest() -> str:
    """A digest of the rule sources and rule data files, and of what they read from the rest of
    the package, so a cache keyed by `identity()` never serves answers of older rules."""
    here = Path(__file__).parent
    package = here.parent.parent
    sources = [*sorted(here.glob("*.py")), *(package / name for name in _SHARED_RULE_INPUTS)]
    digest = hashlib.sha256()
    for path in sources:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    digest.update(data_digest().encode())
    return digest.hexdigest()[:12]


RULES_VERSION = f"offline-rules-1+{_rules_digest()}"
_DESCRIPTION_WORDS = 40


def _description(text: str, event: DraftEvent) -> str:
    """The event told in the article's own words: its first body quote, compressed."""
    body = [m.quote for m in event.mentions if m.sentence.kind == "body"]
    start, end = body[0] if body else event.quotes()[0]
    words = compress(text[start:end]).split()
    if len(words) > _DESCRIPTION_WORDS:
        words = [
            *words[: _DESCRIPTION_WORDS - 1],
            words[_DESCRIPTION_WORDS - 1].rstrip(",;:") + "…",
        ]
    sentence = " ".join(words)
    return sentence if sentence[-1:] in ".!?…" else sentence + "."


def _entities(table: EntityTable, needed: set[str]) -> list[Entity]:
    records = sorted(table.records.values(), key=lambda r: r.first)
    out: list[Entity] = []
    seen: set[str] = set()
    for rec in records:
        if rec.count <= 0 and rec.name not in needed:
            continue
        if rec.type == "country" and not rec.surfaces and rec.name not in needed:
            continue  # named only by an adjective ("Chilean"): not an entity (GUIDELINES §3)
        key = name_key(rec.name)
        if key in seen:
            continue
        seen.add(key)
        aliases = [a for a in rec.aliases if name_key(a) not in seen or name_key(a) == key]
        out.append(
            Entity(name=rec.name, type=rec.type, aliases=aliases, description=rec.description)
        )
    known = {name_key(name) for entity in out for name in entity.names()}
    for name in sorted(needed):  # the contract: every participant is an entity
        if name_key(name) not in known:
            known.add(name_key(name))
            out.append(Entity(name=name, type="other"))
    return out


def _event_sentences(drafts: list[DraftEvent]) -> list[Sentence]:
    """One body sentence per event, most important events first: most mentioned, then the
    ones with dates, numbers and credits, then earliest. A sentence that opens with a
    quotation is someone's words, not the article's statement of the event."""

    def told(d: DraftEvent) -> list[Sentence]:
        return [m.sentence for m in d.mentions if not QUOTATION_OPENS.match(m.sentence.text)]

    def weight(d: DraftEvent) -> tuple[float, int]:
        facts = bool(d.date) + bool(d.quantities) + bool(d.credits) + (d.status != "occurred")
        return (-(len(told(d)) + 0.5 * facts), d.mentions[0].sentence.start)

    out: list[Sentence] = []
    taken: set[int] = set()  # sentence starts: a set keeps long texts linear
    for draft in sorted(drafts, key=weight):
        body = [s for s in told(draft) if s.kind == "body"]
        if body and body[0].start not in taken:
            taken.add(body[0].start)
            out.append(body[0])
    return out


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _takeaways(
    text: str,
    sentences: list[Sentence],
    preferred: list[Sentence],
) -> list[Takeaway]:
    """Up to seven distinct takeaways, each a statement of the article: its central sentences,
    then, for a short article, the sentences and clauses of its lines (a line they split
    replaced by its parts). A text that states fewer than three things gets fewer takeaways
    (the contract allows it): none is ever made up."""
    out: list[Takeaway] = []
    seen: set[str] = set()

    def add(line: str, quote: str) -> None:
        key = _key(line)
        if key and key not in seen and len(out) < MAX_TAKEAWAYS:
            seen.add(key)
            out.append(Takeaway(text=line, evidence=[Quote(quote=quote)]))

    for s in pick_takeaways(sentences, preferred):
        add(compress(s.text) or s.text, s.text)
    if len(out) < MIN_TAKEAWAYS:
        for s in sentences:
            if s.kind == "meta":
                continue
            line = compress(s.text)
            for a, b in sentence_spans(line, 0, len(line)):  # a title line may hold several
                for piece in re.split(r"[,;:]\s+|\s+(?:and|but|while)\s+", line[a:b]):
                    piece = piece.strip(" .")
                    if len(piece.split()) >= 3 and piece in text:
                        add(piece[:1].upper() + piece[1:] + ".", piece)
    out = [
        t for t in out if sum(o is not t and o.text.rstrip(".") in t.text for o in out) < 2
    ]  # "A. B. C." told whole and as its parts: the parts
    if not out:  # a text of no words ("—"): its one line is still what it says
        first = next((s for s in sentences if s.text.strip()), None)
        line = first.text.strip() if first else text.strip()
        out.append(Takeaway(text=line, evidence=[Quote(quote=line)]))
    return out


def draft_events(
    text: str, published: dt.date | None
) -> tuple[list[Sentence], EntityTable, list[DraftEvent]]:
    """Sentences, names and draft events of one article text (event `e{i}` is draft i-1)."""
    doc = Document.build(text)
    table = find_entities(text, doc.sentences)
    register_sources(text, table)
    return doc.sentences, table, detect_events(doc, table, published)


def extract_article(text: str, published: dt.date | None) -> ArticleExtraction:
    """The whole rule pipeline for one article text."""
    sentences, table, drafts = draft_events(text, published)
    events: list[Event] = []
    for i, draft in enumerate(drafts, start=1):
        events.append(
            Event(
                id=f"e{i}",
                type=draft.type,
                description=_description(text, draft),
                participants=draft.participants,
                location=draft.location,
                date=(
                    TimeValue(
                        text=draft.date.text,
                        value=draft.date.value,
                        approximate=draft.date.approximate,
                    )
                    if draft.date
                    else None
                ),
                status=draft.status,
                quantities=draft.quantities,
                attributed_to=draft.credits,
                evidence=[Quote(quote=text[s:e]) for s, e in draft.quotes()],
            )
        )
    needed = {p for e in events for p in e.participants}
    preferred = _event_sentences(drafts)
    takeaways = _takeaways(text, sentences, preferred)
    return ArticleExtraction(
        summary=lead_summary(sentences, preferred),
        key_takeaways=takeaways,
        events=events,
        entities=_entities(table, needed),
    )


class OfflineBackend:
    """Rule-based extraction in milliseconds; the same input always gives the same output."""

    name = "offline"
    capabilities = Capabilities(deterministic=True)

    @classmethod
    def make(cls, settings: Settings) -> OfflineBackend:
        """The registry's entry point for `offline` (it has no settings of its own)."""
        return cls()

    def identity(self) -> dict[str, str]:
        return {"backend": self.name, "model": "rules", "rules_version": RULES_VERSION}

    async def aclose(self) -> None:
        """Nothing to release: the rules hold no connection or file."""

    async def extract(self, article: Article) -> ExtractionResult:
        extraction = extract_article(article.text, article.meta.published)
        return ExtractionResult(
            extraction=extraction,
            model="rules",
            prompt_version=RULES_VERSION,
            usage=Usage(),
        )
