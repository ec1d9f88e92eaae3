"""Events of an article: mentions of the same happening merged into one event.

Mentions (see `mentions`) merge when they have the same type, compatible date, place and
status, and overlapping people (GUIDELINES §1). Headline and bullet mentions only add evidence
to events the body states, unless they carry a date of their own. After merging, events said to
happen during a visit take its date and place, and "three months after X" dates an event from X.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from eventbrief.backends.offline import places
from eventbrief.backends.offline.document import Document
from eventbrief.backends.offline.lemmas import lemma
from eventbrief.backends.offline.mentions import (
    ONE_ACTOR,
    Mention,
    find_triggers,
    quote_then_pronoun,
    sentence_mentions,
    table_type_of,
    trigger_head,
    union,
    used_as_noun,
)
from eventbrief.backends.offline.names import EntityTable
from eventbrief.backends.offline.salience import FUNCTION_WORDS
from eventbrief.backends.offline.status import most_hedged
from eventbrief.models import EventType, Quantity, Status
from eventbrief.timex import TimexMatch, shift

_RANK_SPECIFIC = {4: 1, 7: 2, 10: 3}
_KINDS = ("person", "country", "organization")
_THESE_FORCES = re.compile(
    r"\b(?:these|those|the|such)\s+(?:forces|troops|soldiers|units|fighters)\b", re.IGNORECASE
)


_MERGE_WINDOW = 60
"""A mention merges with one of the last 60 events at most: far more than an article holds,
and it keeps a very long text linear in its length."""


@dataclass
class DraftEvent:
    type: EventType
    mentions: list[Mention] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    location: str | None = None
    date: TimexMatch | None = None
    statuses: list[Status] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    prior: bool = False

    @property
    def status(self) -> Status:
        return most_hedged(self.statuses)

    @property
    def rules(self) -> list[str]:
        """Ids of the trigger rules whose mentions made this event, first mention first."""
        return list(dict.fromkeys(m.rule for m in self.mentions if m.rule))

    def quotes(self) -> list[tuple[int, int]]:
        seen: list[tuple[int, int]] = []
        for m in sorted(self.mentions, key=lambda m: m.quote):
            if m.quote not in seen:
                seen.append(m.quote)
        return seen


def _specificity(t: TimexMatch | None) -> int:
    if t is None or t.value is None:
        return 0
    return _RANK_SPECIFIC.get(len(t.value), 0) * 2 + (0 if t.approximate else 1)


def _dates_compatible(a: TimexMatch | None, b: TimexMatch | None, span: int = 0) -> bool:
    """Equal or nested values; `span` days apart at most for events that last (a trip)."""
    if a is None or b is None or a.value is None or b.value is None:
        return True
    if a.value.startswith(b.value) or b.value.startswith(a.value):
        return True
    if span and len(a.value) == len(b.value) == 10:
        gap = dt.date.fromisoformat(a.value) - dt.date.fromisoformat(b.value)
        return abs(gap.days) <= span
    return False


def _statuses_compatible(a: str, b: str) -> bool:
    return a == b or {a, b} == {"occurred", "alleged"}


def _same_verb(event: DraftEvent, m: Mention) -> bool:
    """The mention's verb is one of the event's ("warned" … "warned", "wins" … "won")."""
    return trigger_head(m) in {trigger_head(o) for o in event.mentions}


def _same_happening(event: DraftEvent, m: Mention) -> bool:
    """Two `other` mentions tell one happening: the same rule, and the same verb or actor; a
    caption showing the story's happening, the same verb ("on the day it reopened")."""
    same_verb = _same_verb(event, m)
    if m.sentence.kind == "caption" and same_verb:
        return True
    if m.happening not in {o.happening for o in event.mentions if o.rule}:
        return False
    if m.rule.startswith("other.generic-"):
        return same_verb  # a general verb says nothing of the happening beyond itself
    if m.happening != m.rule and not m.participants:
        return True  # "went to the polls", "took part in the drills": a part of the named one
    return same_verb or bool(set(event.participants) & set(m.participants))


def _compatible(event: DraftEvent, m: Mention, table: EntityTable) -> float | None:
    """A merge score, or None when the mention cannot be this event."""
    if m.rule == _CAPTION_SCENE:
        return _shows(event, m, table)
    if event.type != m.type and not (event.type == "visit" and m.type == "meeting"):
        return None
    if event.type == "visit" and m.type == "meeting":
        if m.status != event.status or m.location not in (None, event.location):
            return None
        hostless = len(event.participants) == 1 and set(event.participants) < set(m.participants)
        if m.participants and not set(m.participants) <= set(event.participants) and not hostless:
            return None
    if event.type == "other" and not _same_happening(event, m):
        return None  # `other` gathers unlike happenings: a strike is not a cancelled flight
    if not _statuses_compatible(event.status, m.status):
        return None
    same_trip = event.type == m.type == "visit" and bool(
        set(event.participants) & set(m.participants)
    )
    if not _dates_compatible(event.date, m.date, 3 if same_trip else 0):
        return None
    both_dated = bool(event.date and m.date and event.date.value and m.date.value)
    if event.prior != m.prior and not both_dated:
        return None
    if not places.compatible(table, event.location, m.location):
        return None
    if m.distinct:
        return None
    shared = set(event.participants) & set(m.participants)
    if (
        event.type in ONE_ACTOR
        and event.participants
        and m.participants
        and m.participants[0] != event.participants[0]
    ):
        return None  # two speakers are two statements, two donors two pledges (actor first)
    if event.type in ("statement", "criticism") and not shared and not _same_verb(event, m):
        return None  # an unnamed speaker's words are not a named speaker's other words
    dated_match = both_dated and event.type not in ("visit", "meeting")
    kinds = ("person",) if event.type in ("visit", "meeting") else _KINDS
    for kind in kinds:
        ours = {p for p in event.participants if table_type_of(table, p) == kind}
        theirs = {p for p in m.participants if table_type_of(table, p) == kind}
        if ours and theirs and not ours & theirs and not (dated_match and kind != "person"):
            return None  # people act for their countries: compare like with like
    score = 1.0 + len(shared)
    if _same_verb(event, m):
        score += 1.5  # the same verb ("warned" … "warned")
    if both_dated:
        score += 3
    if event.location and event.location == m.location:
        score += 1
    return score


_CAPTION_SCENE = "other.generic-caption"


def _shows(event: DraftEvent, m: Mention, table: EntityTable) -> float | None:
    """A caption's scene is the story's event when it shows the same act ("Auma speaks to
    reporters …" beside "Speaking to reporters, Auma said …"), or one of its people on its day."""
    if not _dates_compatible(event.date, m.date):
        return None
    if _same_verb(event, m):
        return 1.0
    people = set(event.participants) & set(m.participants)
    on_its_day = bool(event.date and m.date and event.date.value == m.date.value)
    if on_its_day and any(table_type_of(table, p) == "person" for p in people):
        return 1.0
    if on_its_day and _things(m.sentence.text) & set().union(
        *(_things(o.sentence.text) for o in event.mentions)
    ):
        return 1.0
    return None


def _things(text: str) -> set[str]:
    """The lower-case content words of a sentence ("warships", "rocket", "vaccine"), by lemma."""
    return {
        lemma(w)
        for w in re.findall(r"\b[a-z][a-z-]{4,}\b", text)
        if w not in FUNCTION_WORDS and w not in ("people", "photo")
    }


def _absorb(event: DraftEvent, m: Mention, table: EntityTable) -> None:
    event.mentions.append(m)
    event.participants = union(event.participants, m.participants)
    event.location = places.more_specific(table, event.location, m.location)
    if _specificity(m.date) > _specificity(event.date) or (
        m.date is not None
        and _specificity(m.date) == _specificity(event.date)
        and event.type == "visit"
        and re.match(r"arriv", m.sentence.text[m.trigger[0] - m.sentence.start :])
    ):
        event.date = m.date  # a trip is dated by its arrival
    event.statuses.append(m.status)
    for q in m.quantities:
        if all(abs(q.value - o.value) > 1e-9 for o in event.quantities):
            event.quantities.append(q)
    event.credits = union(event.credits, m.credits)


def detect_events(doc: Document, table: EntityTable, published: dt.date | None) -> list[DraftEvent]:
    """Events of the article, in order of first mention in the body."""
    text, sentences = doc.text, doc.sentences
    body: list[Mention] = []
    extra: list[Mention] = []
    triggers = find_triggers(text)
    for sentence in sentences:
        if sentence.kind in ("meta", "heading"):
            continue
        mentions = sentence_mentions(doc, sentence, table, published, triggers)
        (body if sentence.kind == "body" else extra).extend(mentions)
    events: list[DraftEvent] = []
    last_deployment: Mention | None = None
    for m in body:
        if m.type == "military_deployment" and m.participants:
            last_deployment = m
        elif (
            not m.participants
            and last_deployment is not None
            and _THESE_FORCES.search(text[m.sentence.start : m.trigger[1]])
        ):
            m.participants = last_deployment.participants[:1]
        speech = _speech_continued(doc, events, m)
        if speech is not None:
            _absorb(speech, m, table)
            continue
        recent = events[-_MERGE_WINDOW:]
        scored = [(s, e) for e in recent if (s := _compatible(e, m, table)) is not None]
        if scored:
            _absorb(max(scored, key=lambda x: x[0])[1], m, table)
            continue
        if m.kind == "noun" and not (m.participants or m.date or m.location or m.quantities):
            continue
        if m.bare and not m.date:
            continue  # "The meeting emphasizes …" only points at an event told elsewhere
        event = DraftEvent(type=m.type, prior=m.prior)
        _absorb(event, m, table)
        events.append(event)
    _resolve_containers(events, table)
    _resolve_anchors(events)
    for m in extra:
        scored = [
            (s, e)
            for e in events
            if (s := _compatible(e, m, table)) is not None
            and not (
                m.date
                and m.date.value
                and e.date is None
                and not set(m.participants) & set(e.participants)
                and m.sentence.kind != "caption"
            )
        ]
        if scored:
            best = max(scored, key=lambda x: x[0])[1]
            best.mentions.append(m)
            best.statuses.append(m.status)  # the most hedged mention wins, headlines included
        elif m.date is not None and m.date.value and (m.participants or _shown(m)):
            event = DraftEvent(type=m.type, prior=m.prior)
            _absorb(event, m, table)
            events.append(event)
    _resolve_containers(events, table)
    return [e for e in events if _anchored(e)]


def _speech_continued(doc: Document, events: list[DraftEvent], m: Mention) -> DraftEvent | None:
    """'Kowalczyk criticised the ministry. "They cannot wait," he said.': the quotation is more
    of the words the sentence before reported, whatever their type or date."""
    if m.type != "statement" or not m.participants or not quote_then_pronoun(doc, m.trigger[0]):
        return None
    previous = doc.sentence_start(m.sentence.start, back=1)
    for event in reversed(events[-3:]):
        last = event.mentions[-1]
        if (
            event.type in ("statement", "criticism")
            and m.participants[0] in event.participants
            and last.sentence.start >= previous
        ):
            return event
    return None


def _shown(m: Mention) -> bool:
    """A dated caption's verb: the picture shows a happening, named actors or not ("Residents
    wade through a flooded street in Beira, February 17.")."""
    return m.sentence.kind == "caption" and m.kind == "verb"


def _anchored(event: DraftEvent) -> bool:
    """An event the article ties to something (who, when, where, how many, who says so) or
    states with a verb: "his predecessor resigned" is a happening though it names no one; a
    bare noun ("the talks") with nothing around it is not."""
    return bool(
        event.participants
        or event.date
        or event.location
        or event.quantities
        or event.credits
        or any(_stated_by_verb(m) for m in event.mentions)
    )


def _stated_by_verb(m: Mention) -> bool:
    """A verb asserts the happening; "condemned the strikes" only names one."""
    return m.kind == "verb" and not used_as_noun(m.sentence.text[: m.trigger[0] - m.sentence.start])


def _resolve_anchors(events: list[DraftEvent]) -> None:
    for event in events:
        if event.date is not None:
            continue
        for m in event.mentions:
            if m.anchor is None:
                continue
            base_mention, n, unit, expression, exact = m.anchor
            base = next((e for e in events if base_mention in e.mentions), None)
            if base is None or base is event or base.date is None or base.date.value is None:
                continue
            value = shift(base.date.value, -n, unit)
            if value is None:
                continue
            start = m.sentence.start + m.sentence.text.find(expression)
            event.date = TimexMatch(start, start + len(expression), expression, value, not exact)
            break


def _resolve_containers(events: list[DraftEvent], table: EntityTable) -> None:
    """Events held during a visit take its date and place; people on a trip are its
    participants, not the countries they act for (GUIDELINES §3–§5)."""
    current = [e for e in events if e.type == "visit" and not e.prior and e.status == "occurred"]
    for event in events:
        container = None
        for m in event.mentions:
            if m.container is not None:
                container = next((e for e in events if m.container in e.mentions), None)
            elif m.during_stay and current and event.type != "visit":
                container = current[0]
            if container is not None:
                break
        if container is not None and container is not event:
            if event.date is None:
                event.date = container.date
            if event.location is None:
                event.location = container.location
        if event.type == "visit" and event.prior and current and current[0] is not event:
            main = current[0]
            if set(event.participants) <= set(main.participants) and event.participants:
                event.location = event.location or main.location
        if event.type in ("visit", "meeting") and any(
            table_type_of(table, p) == "person" for p in event.participants
        ):
            event.participants = [
                p for p in event.participants if table_type_of(table, p) != "country"
            ]
