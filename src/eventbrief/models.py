"""The data contract (schema_version "1"): the one source of truth for schemas/ and for the LLM.

`ArticleExtraction` is what a backend returns and what the LLM is asked for; its field
descriptions are part of the prompt. `ArticleSummary` is what the tool writes: the extraction
with evidence offsets, article metadata and provenance. `Brief` merges many summaries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from eventbrief.event_types import TYPE_FIELD_DESCRIPTION, EventType

SCHEMA_VERSION: Final = "1"
SUMMARY_MAX_WORDS = 80
MIN_TAKEAWAYS: Final = 3
"""Key takeaways a record gives, unless its article states fewer things: a takeaway is a statement
of the article, never a line made up to reach a count."""
MAX_TAKEAWAYS: Final = 7
TAKEAWAYS_NEEDED: Final = "takeaways_needed"
"""Validation-context key: how many takeaways this article's answer must give (an LLM's answer
is checked against min(MIN_TAKEAWAYS, the sentences the article has)); without it, one."""

EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
"""The names of `EventType` (defined beside each type's definition in eventbrief.event_types)."""

Status = Literal["occurred", "planned", "speculated", "alleged"]
STATUSES: tuple[Status, ...] = get_args(Status)

EntityType = Literal["person", "organization", "country", "location", "other"]

_ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def check_iso_partial(value: str) -> str:
    """Accept "YYYY", "YYYY-MM" or "YYYY-MM-DD" only when it names a real calendar date."""
    m = _ISO_PARTIAL.match(value)
    if not m:
        raise ValueError(f"date value {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"date value {value!r} is not a real calendar date") from exc
    return value


_NAME_SEPARATORS = re.compile(r"[\s\-‐‑‒–—.'’]+")


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """Fold a name for comparison: case, hyphens, dots and spacing do not matter. Cached: the
    offline backend asks for the same few names thousands of times per article."""
    return _NAME_SEPARATORS.sub(" ", name).strip().casefold()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Quote(_Model):
    """Evidence as the LLM gives it: a verbatim span only; the tool finds its offsets."""

    quote: str = Field(
        min_length=1,
        description="A clause or sentence copied verbatim from the article.",
    )

    @field_validator("quote")
    @classmethod
    def _quote_in_article(cls, value: str, info: ValidationInfo) -> str:
        """When validation runs with the article in its context, reject quotes not in it."""
        context = info.context if isinstance(info.context, dict) else None
        checker = context.get("quote_checker") if context else None
        if checker is not None:
            checker(value)
        return value


class Evidence(Quote):
    """A quote with its char offsets into the article text; null when it cannot be found."""

    start: int | None = Field(default=None, ge=0, description="Start offset; filled by grounding.")
    end: int | None = Field(default=None, ge=0, description="End offset; filled by grounding.")
    match: Literal["exact", "fuzzy"] | None = Field(
        default=None, description="How grounding found the quote; null when it was not found."
    )


class TimeValue(_Model):
    text: str = Field(description='The date expression as written ("on Tuesday").')
    value: str | None = Field(
        default=None,
        description=(
            '"YYYY", "YYYY-MM" or "YYYY-MM-DD"; null when the text and publication date do not '
            "give one."
        ),
    )
    approximate: bool = Field(
        default=False,
        description='True for vague expressions ("early June", "late 2022", "about a year ago").',
    )

    @field_validator("value")
    @classmethod
    def _iso_partial(cls, value: str | None) -> str | None:
        return None if value is None else check_iso_partial(value)


class Quantity(_Model):
    value: float = Field(description="The number stated (11,000 → 11000).")
    unit: str = Field(description='What is counted, as written ("troops").')
    text: str = Field(description='The quantity as written ("approximately 11,000 troops").')
    approximate: bool = Field(
        default=False, description='True with "about", "approximately", "some", "more than".'
    )


class Entity(_Model):
    name: str = Field(min_length=1, description="Canonical name: the fullest form in the article.")
    type: EntityType
    aliases: list[str] = Field(
        default_factory=list,
        description="Other names the article uses: an acronym, a variant, a short form.",
    )
    description: str | None = Field(default=None, description="Role or title as stated, or null.")

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


_EVENT_FIELDS_DOC = {
    "id": '"e1", "e2", …, unique in the article.',
    "type": TYPE_FIELD_DESCRIPTION,
    "description": "One neutral sentence saying who did what, to or with whom.",
    "participants": (
        "Entity names (each also in entities) of the actors and their counterparts; a visit's "
        "destination is its location, not a participant."
    ),
    "location": "The most specific place stated, or null.",
    "date": "When it happened or will happen; null when the article does not say.",
    "status": (
        "occurred: stated as fact; planned: scheduled or expected; speculated: possible, "
        'rumoured; alleged: "reportedly", believed, unconfirmed or denied.'
    ),
    "quantities": "Numbers given for this event (troops, missiles, money).",
    "attributed_to": (
        'Sources credited ("according to X", "X reported"), never the article\'s own outlet.'
    ),
    "evidence": "Quotes that state the event; at least one.",
}


class Event(_Model):
    id: str = Field(pattern=r"^e[1-9][0-9]*$", description=_EVENT_FIELDS_DOC["id"])
    type: EventType = Field(description=_EVENT_FIELDS_DOC["type"])
    description: str = Field(min_length=1, description=_EVENT_FIELDS_DOC["description"])
    participants: list[str] = Field(
        default_factory=list, description=_EVENT_FIELDS_DOC["participants"]
    )
    location: str | None = Field(default=None, description=_EVENT_FIELDS_DOC["location"])
    date: TimeValue | None = Field(default=None, description=_EVENT_FIELDS_DOC["date"])
    status: Status = Field(default="occurred", description=_EVENT_FIELDS_DOC["status"])
    quantities: list[Quantity] = Field(
        default_factory=list, description=_EVENT_FIELDS_DOC["quantities"]
    )
    attributed_to: list[str] = Field(
        default_factory=list, description=_EVENT_FIELDS_DOC["attributed_to"]
    )
    evidence: Sequence[Quote] = Field(min_length=1, description=_EVENT_FIELDS_DOC["evidence"])


class Takeaway(_Model):
    text: str = Field(min_length=1, description="One key point of the article, in one sentence.")
    evidence: Sequence[Quote] = Field(default_factory=list, description="Quotes that support it.")


def _check_summary(value: str) -> str:
    words = len(value.split())
    if words > SUMMARY_MAX_WORDS:
        raise ValueError(f"summary has {words} words; at most {SUMMARY_MAX_WORDS} are allowed")
    return value


def _check_events_and_entities(events: list[Any], entities: list[Entity]) -> None:
    seen: set[str] = set()
    for event in events:
        if event.id in seen:
            raise ValueError(f"event id {event.id!r} is used more than once")
        seen.add(event.id)
    known = {name_key(n) for entity in entities for n in entity.names()}
    for event in events:
        missing = [p for p in event.participants if name_key(p) not in known]
        if missing:
            raise ValueError(
                f"event {event.id}: participants {missing} are not named in entities; "
                "add each to entities (or use an entity's canonical name)"
            )


class ArticleExtraction(_Model):
    """Everything the article reports: events, entities, a summary and key takeaways."""

    summary: str = Field(
        min_length=1,
        description=f"One neutral paragraph of at most {SUMMARY_MAX_WORDS} words.",
    )
    key_takeaways: list[Takeaway] = Field(
        max_length=MAX_TAKEAWAYS,
        description="3 to 7 key points of the article.",
        json_schema_extra={"minItems": 1},
    )
    events: list[Event] = Field(
        default_factory=list, description="Every distinct event the article reports."
    )
    entities: list[Entity] = Field(
        default_factory=list,
        description="People, organizations, countries and places the article names.",
    )

    @field_validator("summary")
    @classmethod
    def _summary_length(cls, value: str) -> str:
        return _check_summary(value)

    @field_validator("key_takeaways")
    @classmethod
    def _enough_takeaways(cls, value: list[Takeaway], info: ValidationInfo) -> list[Takeaway]:
        """Three for an article that has three sentences (the validation context says how many
        this article needs); one at least for a record read without its article."""
        context = info.context if isinstance(info.context, dict) else None
        needed = int(context.get(TAKEAWAYS_NEEDED, 1)) if context else 1
        if len(value) < needed:
            items = "item" if needed == 1 else "items"
            raise PydanticCustomError(
                "too_short",
                f"List should have at least {{min_length}} {items} after validation, "
                "not {actual_length}",
                {"field_type": "List", "min_length": needed, "actual_length": len(value)},
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ArticleExtraction:
        _check_events_and_entities(self.events, self.entities)
        return self


class GroundedEvent(Event):
    evidence: Sequence[Evidence] = Field(min_length=1, description=_EVENT_FIELDS_DOC["evidence"])


class GroundedTakeaway(Takeaway):
    evidence: Sequence[Evidence] = Field(default_factory=list)


class ArticleMeta(_Model):
    id: str = Field(min_length=1, description="Stable id: the file name without its extension.")
    title: str | None = None
    source: str | None = Field(default=None, description="Outlet or path the article came from.")
    published: dt.date | None = Field(
        default=None, description="Publication date: what relative dates are resolved against."
    )
    url: str | None = None
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the article text.")


class Article(_Model):
    """An article as loaded: its metadata and the exact text that offsets point into."""

    meta: ArticleMeta
    text: str


class Usage(_Model):
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    requests: int = Field(default=0, ge=0)
    cost_usd: float | None = Field(default=None, ge=0)

    def __add__(self, other: Usage) -> Usage:
        cost = None
        if self.cost_usd is not None or other.cost_usd is not None:
            cost = (self.cost_usd or 0.0) + (other.cost_usd or 0.0)
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            requests=self.requests + other.requests,
            cost_usd=cost,
        )


class Provenance(_Model):
    backend: str
    model: str | None = None
    prompt_version: str | None = None
    created_at: dt.datetime
    usage: Usage | None = None
    grounding_rate: float = Field(ge=0, le=1, description="Share of quotes found in the text.")
    evidence: Literal["quotes", "sentences"] | None = Field(
        default=None,
        description=(
            "How the model gave evidence: quotes it copied, or the numbers of the article's "
            "sentences (each quote is then a cited sentence or a clause of it); null for the "
            "offline backend."
        ),
    )
    warnings: list[str] = Field(
        default_factory=list,
        description=(
            "What was changed to keep the valid, grounded part of an answer that was still "
            "invalid after the re-asks (quotes, events or items dropped, takeaways filled from "
            "the article's lead sentences, …), one line each; empty for a whole answer. A record "
            "with warnings is partial."
        ),
    )


class ArticleSummary(_Model):
    """What the tool writes for one article."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    article: ArticleMeta
    summary: str = Field(min_length=1)
    key_takeaways: list[GroundedTakeaway] = Field(min_length=1, max_length=MAX_TAKEAWAYS)
    events: list[GroundedEvent] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    provenance: Provenance

    @field_validator("summary")
    @classmethod
    def _summary_length(cls, value: str) -> str:
        return _check_summary(value)

    @property
    def partial(self) -> bool:
        """Kept from an answer that never became valid: `provenance.warnings` say what it lost."""
        return bool(self.provenance.warnings)

    @model_validator(mode="after")
    def _consistent(self) -> ArticleSummary:
        _check_events_and_entities(self.events, self.entities)
        return self


class Mention(_Model):
    article_id: str
    event_id: str


class SourcedEvidence(Evidence):
    article_id: str = Field(description="The article whose text the offsets point into.")


class BriefEvent(GroundedEvent):
    """A happening merged across articles; `id` is brief-wide ("e1", …)."""

    evidence: list[SourcedEvidence] = Field(min_length=1)
    mentions: list[Mention] = Field(min_length=1)
    independent_sources: int = Field(
        ge=1,
        description=(
            "How many independent articles report it: its mentions' articles, each copy counted "
            "as the article it copies (see `duplicate_of`), so one wire story run by two outlets "
            "is one source."
        ),
    )


class BriefTakeaway(_Model):
    """A point made across articles: near-identical takeaways, or ones about the same events."""

    text: str
    support: list[str] = Field(min_length=1, description="Ids of the articles that back it.")
    events: list[str] = Field(
        default_factory=list, description="Ids of the brief events its evidence quotes state."
    )


class BriefArticle(ArticleMeta):
    """An article of a brief: its metadata, and whether it is a copy of another article."""

    duplicate_of: str | None = Field(
        default=None,
        description=(
            "Id of the earlier article this one copies (the same wire text under another name "
            "or outlet); null for an independent article."
        ),
    )
    similarity: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Share of this copy's 5-word shingles also in the article it copies.",
    )


class BriefStory(_Model):
    """Articles connected by a shared event or entity; a brief of one story has one."""

    title: str
    articles: list[str] = Field(min_length=1)


class SetAside(_Model):
    """An article event left out of the merge because its quotes are not news text."""

    article_id: str
    event_id: str
    reason: Literal["caption", "boilerplate"]


class ConflictValue(_Model):
    value: Any = Field(description="The value as the articles state it.")
    text: str | None = Field(default=None, description="How it is written, when that differs.")
    articles: list[str] = Field(min_length=1)


class Conflict(_Model):
    event_id: str | None = Field(
        default=None, description="The brief event it concerns; null for a series of events."
    )
    field: str = Field(description="date, quantity, location, status, visit_count, …")
    description: str
    values: list[ConflictValue] = Field(min_length=2)


class Brief(_Model):
    schema_version: Literal["1"] = SCHEMA_VERSION
    title: str
    articles: list[BriefArticle]
    stories: list[BriefStory] = Field(
        default_factory=list,
        description=(
            "Groups of articles that share an event or an entity, largest first; more than one "
            "means some articles are about another story."
        ),
    )
    events: list[BriefEvent] = Field(default_factory=list, description="In date order.")
    key_takeaways: list[BriefTakeaway] = Field(
        default_factory=list,
        max_length=7,
        description="At most 7 points merged across articles, most independent support first.",
    )
    entities: list[Entity] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    set_aside: list[SetAside] = Field(
        default_factory=list,
        description="Article events not merged: photo captions and boilerplate.",
    )
    narrative: str | None = Field(default=None, description="Optional LLM-written paragraph.")
