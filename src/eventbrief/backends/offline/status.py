"""Status of a reported happening from hedging cue words (GUIDELINES §6).

occurred: stated as fact (also when credited with a neutral verb); planned: will, expected to,
scheduled; speculated: possible, potential, may, speculation; alleged: reportedly, allegedly,
believed, thought to, said to, unconfirmed, anonymous "reports indicate".
"""

from __future__ import annotations

import re

from eventbrief.models import Status

ALLEGED = re.compile(
    r"\b(?:reportedly|allegedly|purportedly|supposedly|apparently|"
    r"(?:is|are|was|were)\s+(?:widely\s+)?(?:believed|thought|said|alleged|suspected|understood|"
    r"reported|rumou?red)\s+to|it\s+is\s+(?:believed|thought|alleged|suspected)|"
    r"believed\s+to|thought\s+to|suspected\s+of|unconfirmed|unverified|not\s+(?:been\s+)?"
    r"(?:publicly\s+)?(?:acknowledged|confirmed)|have\s+not\s+(?:publicly\s+)?acknowledged|"
    r"has\s+not\s+(?:publicly\s+)?acknowledged|den(?:ied|ies|y|ying)(?!\s+(?:\S+\s+){0,2}?access)|"
    r"claims?\s+that|claimed|accused\s+of|accusing\s+\S+\s+of|"
    r"^reports\s+(?:indicate|suggest|say)|(?<![A-Z][a-z]\s)reports\s+(?:indicate|suggest|say)|"
    r"suggests?\s+that|intelligence\s+suggests)\b",
    re.IGNORECASE,
)
PLANNED = re.compile(
    r"\b(?:will|shall|is\s+set\s+to|are\s+set\s+to|set\s+to|(?:is|are|was|were)\s+expected\s+to|"
    r"expected\s+to|scheduled|plans?\s+to|planned|planning\s+to|aims?\s+to|intends?\s+to|"
    r"is\s+due\s+to|are\s+due\s+to|due\s+to\s+(?:open|begin|start|be|meet|visit|hold|sign|"
    r"arrive|resume|take|travel|launch)|to\s+be\s+held|upcoming|is\s+to\s+(?:visit|meet|hold|sign)|"
    r"are\s+to\s+(?:visit|meet|hold|sign)|going\s+to|likely\s+to|would|must\s+be|"
    r"needs?\s+to\s+be|has\s+yet\s+to|have\s+yet\s+to)\b",
    re.IGNORECASE,
)
SPECULATED = re.compile(
    r"\b(?:[Ss]peculation|[Ss]peculated|[Pp]ossible|[Pp]ossibly|[Pp]otential|[Pp]otentially|"
    r"may(?!\s+\d)|(?i:might|could)|[Rr]umou?rs?|[Rr]umou?red|[Hh]ypothetical|if)\b"
)
_RANK: dict[Status, int] = {"occurred": 0, "planned": 1, "speculated": 2, "alleged": 3}


_POSTPONED = re.compile(
    r"\b(?:could|may|might)\s+(?:still\s+|yet\s+)?be\s+(?:postponed|delayed|cancell?ed|"
    r"called\s+off|put\s+off|pushed\s+back)\b",
    re.IGNORECASE,
)


def status_of(clause: str) -> Status:
    """The status cue words in `clause` (the text that states one mention) give. "could be
    postponed" leaves a scheduled event planned: the cue bears on its timing."""
    if _POSTPONED.search(clause):
        clause = _POSTPONED.sub(" will ", clause)
    if SPECULATED.search(clause) and not re.search(
        r"\b(?:could|may|might)\s+(?:also\s+)?(?:be\s+)?(?:help|enhance|affect|cover|encompass|include)",
        clause,
        re.IGNORECASE,
    ):
        return "speculated"
    if ALLEGED.search(clause):
        return "alleged"
    if PLANNED.search(clause):
        return "planned"
    return "occurred"


def most_hedged(statuses: list[Status]) -> Status:
    """GUIDELINES §6: the most hedged mention wins."""
    return max(statuses, key=lambda s: _RANK[s]) if statuses else "occurred"
