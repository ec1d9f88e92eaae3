"""The event types: one registry for the schema, the prompt, the labelling guidelines, the brief's
coreference and the offline rules.

The text is that of the table in evals/GUIDELINES.md §2 (a test keeps the two equal, row by
row). `EventType` is written out as a Literal here because a type checker cannot read a literal
built at run time; a test keeps its names equal to the registry's, in order. The model is told
every definition in the system prompt (`definitions_text`), because a server may never show it
the schema's descriptions (llama.cpp in tools mode does not).
This module imports nothing from eventbrief: it sits below `eventbrief.models`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

EventType = Literal[
    "visit",
    "meeting",
    "agreement",
    "military_deployment",
    "arms_transfer",
    "technology_transfer",
    "aid",
    "statement",
    "criticism",
    "report_release",
    "sanctions",
    "armed_conflict",
    "other",
]

Family = Literal["encounter", "force", "transfer", "speech"]
"""Types close enough that two sources may name one happening with either (a visit reported as
a meeting, a deployment as fighting): the brief merges across a family at a lower score, and the
offline rules treat a family alike (what was transferred, who said it)."""


@dataclass(frozen=True)
class EventTypeInfo:
    """One event type as the guidelines define it; `counter_example` is the table cell as
    written (with its explanation), None when the table gives none."""

    name: EventType
    definition: str
    example: str
    counter_example: str | None
    family: Family | None = None
    one_off: bool = False
    """Happens on one day, so two different days are two events (a visit, a signing); ongoing
    kinds (fighting, deployments, deliveries) span days."""


EVENT_TYPE_INFO: tuple[EventTypeInfo, ...] = (
    EventTypeInfo(
        "visit",
        "someone travels to a place (arrival, stay, trip), including talks with the host named "
        "as its purpose",
        "The minister arrived in Oslo for talks with the prime minister.",
        '"The minister spoke to the prime minister by phone" (`meeting`, no travel)',
        family="encounter",
        one_off=True,
    ),
    EventTypeInfo(
        "meeting",
        "talks between named parties that are not folded into a visit (§1)",
        "The two foreign ministers met on the sidelines of the summit in Geneva.",
        '"She flew to Geneva to meet him" with nothing else reported (`visit`)',
        family="encounter",
        one_off=True,
    ),
    EventTypeInfo(
        "agreement",
        "a treaty, pact, deal or set of commitments concluded, signed or ratified",
        "The countries signed a defence pact in May.",
        '"The pact requires each side to help the other" (content of the agreement, not a '
        "happening)",
        one_off=True,
    ),
    EventTypeInfo(
        "military_deployment",
        "troops or forces sent, stationed or withdrawn",
        "Country A sent 5,000 soldiers to the border region.",
        '"Country A\'s army fought near the river" (`armed_conflict`)',
        family="force",
    ),
    EventTypeInfo(
        "arms_transfer",
        "weapons or munitions supplied, sold or delivered",
        "The government shipped artillery shells to its ally.",
        '"The two states discussed arms control" (`meeting`)',
        family="transfer",
    ),
    EventTypeInfo(
        "technology_transfer",
        "military or dual-use technology, know-how or technical support given",
        "Engineers from A helped B build a satellite ground station.",
        '"B tested its own new missile" (`other`)',
        family="transfer",
    ),
    EventTypeInfo(
        "aid",
        "economic, humanitarian or civilian assistance given or pledged",
        "The bank pledged $2 billion in reconstruction aid.",
        '"The country has sought support from its neighbours" (a stance, no event)',
        family="transfer",
    ),
    EventTypeInfo(
        "statement",
        "a public declaration, announcement or remark reported as its own happening",
        "The ministry announced that talks would resume.",
        '"The spokesman denounced the report as false" (`criticism`)',
        family="speech",
        one_off=True,
    ),
    EventTypeInfo(
        "criticism",
        "a statement whose main content is disapproval, condemnation or accusation of a named "
        "target",
        "The government accused the panel of fabricating evidence.",
        '"The government described the talks as productive" (`statement`)',
        family="speech",
        one_off=True,
    ),
    EventTypeInfo(
        "report_release",
        "an organization publishes a report, study or findings",
        "The watchdog issued a report on illicit shipments on Monday.",
        '"According to a report, troops moved north" (attribution only: the report is a source, '
        "not an event)",
        one_off=True,
    ),
    EventTypeInfo(
        "sanctions",
        "sanctions imposed, extended, lifted or enforced by a stated actor",
        "The union imposed new sanctions on five banks.",
        '"The country, under heavy sanctions, seeks trade" (a state)',
        one_off=True,
    ),
    EventTypeInfo(
        "armed_conflict",
        "fighting, attacks, strikes, combat by stated forces in a stated place or war",
        "Government forces have been fighting rebels in the north since April.",
        '"amid the ongoing war" (background phrase, no event)',
        family="force",
    ),
    EventTypeInfo(
        "other",
        "a happening that fits none of the above",
        "The leader dismissed his defence minister.",
        None,
    ),
)

EVENT_TYPE_NAMES: tuple[EventType, ...] = tuple(info.name for info in EVENT_TYPE_INFO)

ONE_OFF_TYPES: frozenset[EventType] = frozenset(i.name for i in EVENT_TYPE_INFO if i.one_off)


def family_of(name: str) -> Family | None:
    """The family a type belongs to, None for a type with no near neighbour."""
    return next((info.family for info in EVENT_TYPE_INFO if info.name == name), None)


def types_in(family: Family) -> frozenset[EventType]:
    """Every type of one family."""
    return frozenset(info.name for info in EVENT_TYPE_INFO if info.family == family)


FALLBACK_TYPE = EVENT_TYPE_NAMES[-1]
"""The type for a happening no other type fits; "none of the above" relies on it being last."""

TYPE_FIELD_DESCRIPTION = (
    f"One of the event types defined in the instructions; {FALLBACK_TYPE} when none fits."
)
"""`Event.type`'s schema description: the enum already lists the names, and the definitions are
in the system prompt (a server may not show descriptions), so repeating either here would only
add tokens to every request."""

_SECTION_REFERENCE = re.compile(r"\s*\(§\d+\)")
"""A pointer to another section of the guidelines, e.g. "(§1)": meaningless to the model."""


def definitions_text() -> str:
    """The block the system prompt gets: one line per type, its definition and its example.
    The counter-examples are left out: every request pays for this block (about 470 tokens),
    and they would add half as much again; the system prompt's own rules already draw the
    visit/meeting line and say which tendencies and background phrases are not events."""
    return "\n".join(
        f'- {info.name}: {_SECTION_REFERENCE.sub("", info.definition)}; e.g. "{info.example}"'
        for info in EVENT_TYPE_INFO
    )
