"""Status of a reported happening from hedging cue words (GUIDELINES §6), NegEx/ConText style.

occurred: stated as fact (also when credited with a neutral verb); planned: will, expected to,
scheduled; speculated: possible, potential, may, speculation; alleged: reportedly, allegedly,
believed, thought to, said to, unconfirmed, anonymous "reports indicate". The cues are data
(`status.toml`), each with an id and examples.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from typing import NamedTuple, cast

from eventbrief.backends.offline.rules import read_data
from eventbrief.models import Status

_RANK: dict[Status, int] = {"occurred": 0, "planned": 1, "speculated": 2, "alleged": 3}
_PRECEDENCE: tuple[Status, ...] = ("speculated", "alleged", "planned")


class StatusCue(NamedTuple):
    """One cue: the status it gives, its compiled pattern and its own examples."""

    id: str
    status: Status
    pattern: re.Pattern[str]
    fires: tuple[str, ...]
    not_fires: tuple[str, ...]
    sentence: bool = False
    """Bears on every past happening told after it in its sentence (an anonymous source)."""


class StatusRules(NamedTuple):
    cues: tuple[StatusCue, ...]
    postponed: StatusCue
    content_modal: StatusCue


def _special(raw: dict[str, object]) -> StatusCue:
    return StatusCue(
        str(raw["id"]),
        "planned",
        re.compile(str(raw["pattern"]), re.IGNORECASE),
        tuple(cast(list[str], raw["fires"])),
        tuple(cast(list[str], raw["not_fires"])),
    )


@cache
def status_rules() -> StatusRules:
    """The cues of `status.toml`, compiled once."""
    data = tomllib.loads(read_data("status.toml"))
    cues = []
    for raw in data["cue"]:
        if raw["status"] not in _PRECEDENCE:
            raise ValueError(f"status cue {raw['id']}: unknown status {raw['status']!r}")
        flags = 0 if raw.get("case_sensitive") else re.IGNORECASE
        pattern = re.compile(rf"\b(?:{raw['pattern']})\b", flags)
        cues.append(
            StatusCue(
                raw["id"],
                raw["status"],
                pattern,
                tuple(raw["fires"]),
                tuple(raw["not_fires"]),
                raw.get("scope") == "sentence",
            )
        )
    return StatusRules(
        tuple(cues), _special(data["postponed"]), _special(data["speculated_exception"])
    )


def cue_of(clause: str) -> StatusCue | None:
    """The cue that sets the status of `clause` (the text that states one mention), if any.
    "could be postponed" leaves a scheduled event planned: the cue bears on its timing."""
    rules = status_rules()
    if rules.postponed.pattern.search(clause):
        clause = rules.postponed.pattern.sub(" will ", clause)
    for status in _PRECEDENCE:
        if status == "speculated" and rules.content_modal.pattern.search(clause):
            continue
        for cue in rules.cues:
            if cue.status == status and cue.pattern.search(clause):
                return cue
    return None


def sentence_cue_of(text: str) -> StatusCue | None:
    """A sentence-wide cue in `text` (the mention's sentence, quotations left out): "people
    familiar with the matter said X had …" or "…, people familiar with the matter said" makes
    the past acts the sentence tells alleged, however far they are from the credit."""
    return next((c for c in status_rules().cues if c.sentence and c.pattern.search(text)), None)


def status_of(clause: str) -> Status:
    """The status the cue words in `clause` give; "occurred" without a cue."""
    cue = cue_of(clause)
    return cue.status if cue else "occurred"


def most_hedged(statuses: list[Status]) -> Status:
    """GUIDELINES §6: the most hedged mention wins."""
    return max(statuses, key=lambda s: _RANK[s]) if statuses else "occurred"
