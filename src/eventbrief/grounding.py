"""Find evidence quotes in the article text and give them char offsets.

An LLM copies quotes with small slips: curly vs straight quote marks, dashes, line breaks turned
into spaces, a changed letter. A quote is found exactly once white space, quote marks and dashes
are normalised; failing that, a fuzzy alignment (rapidfuzz) above a threshold is accepted and
reported as "fuzzy". Offsets always point into the original text.
"""

from __future__ import annotations

import functools
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from eventbrief.models import (
    ArticleExtraction,
    Evidence,
    GroundedEvent,
    GroundedTakeaway,
    Quote,
)

FUZZY_THRESHOLD = 95.0
"""Lowest rapidfuzz partial-ratio score (0-100) at which a quote counts as found: a slip of a
letter or a mark in a sentence passes, a changed word ("Monday" for "Tuesday") does not."""
FUZZY_MIN_CHARS = 12
"""Shorter quotes must match exactly: fuzzy scores on a few characters mean little."""
_NUMBER = re.compile(r"\d+")
"""A fuzzy match must keep every number of the quote: 11,000 troops is not 12,000 troops."""

_CHAR_MAP = {
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "′": "'",
    "`": "'",
    "´": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "″": '"',
    "«": '"',
    "»": '"',
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "−": "-",
    "…": "...",
}


@dataclass(frozen=True)
class Span:
    """Where a quote sits in the text: `text[start:end]`, found exactly or fuzzily."""

    start: int
    end: int
    match: Literal["exact", "fuzzy"]


@dataclass(frozen=True)
class Grounded:
    """An extraction's takeaways and events with offsets, and the share of quotes found."""

    takeaways: list[GroundedTakeaway]
    events: list[GroundedEvent]
    grounding_rate: float


_MAPPED = str.maketrans(_CHAR_MAP)
_SPECIAL = re.compile(r"\s+|[" + re.escape("".join(_CHAR_MAP)) + "]")
"""A run of white space (Unicode, as str.isspace) or one character that `_CHAR_MAP` rewrites."""
_SPACE_RUN = re.compile(r"\s+")


class _Normalised:
    """A text with white space runs collapsed and quote marks and dashes made plain, plus the
    index in the original text of every normalised character.

    Built a piece at a time between the characters that change (a regex finds them), not a
    character at a time: this runs once per article and the per-character loop was the largest
    cost of grounding."""

    def __init__(self, text: str) -> None:
        pieces: list[str] = []
        origin = array("I")
        size = 0
        position = 0
        trailing_space = False
        for found in _SPECIAL.finditer(text):
            start, end = found.span()
            if start > position:
                pieces.append(text[position:start])
                origin.extend(range(position, start))
                size += start - position
                trailing_space = False
            token = found.group()
            if token in _CHAR_MAP:
                out = _CHAR_MAP[token]
                pieces.append(out)
                origin.extend([start] * len(out))
                size += len(out)
                trailing_space = False
            elif size:  # white space: one space, never at the start
                pieces.append(" ")
                origin.append(start)
                size += 1
                trailing_space = True
            position = end
        if position < len(text):
            pieces.append(text[position:])
            origin.extend(range(position, len(text)))
            trailing_space = False
        if trailing_space:
            pieces.pop()
            origin.pop()
        self.text = "".join(pieces)
        self.origin = origin
        self.folded = _fold(self.text)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the normalised range [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1


def _fold(text: str) -> str:
    """Lower case, one char for one char, so that offsets stay valid."""
    lowered = text.lower()
    if len(lowered) == len(text) and "Σ" not in text:  # Σ alone lowers by context in lower()
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _normalise(text: str) -> str:
    """`_Normalised(text).text` without the offsets (for quotes)."""
    return _SPACE_RUN.sub(" ", text.translate(_MAPPED)).strip(" ")


class _Locator:
    """Locates quotes in one text; normalises the text once for many quotes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm = _Normalised(text)
        self._cache: dict[str, Span | None] = {}

    def locate(self, quote: str) -> Span | None:
        if quote not in self._cache:
            self._cache[quote] = self._find(quote)
        return self._cache[quote]

    def _find(self, quote: str) -> Span | None:
        needle = _normalise(quote)
        if not needle or not self.norm.text:
            return None
        at = self._find_exact(needle)
        if at is not None:
            start, end = self.norm.span(at, at + len(needle))
            return Span(start, end, "exact")
        if len(needle) < FUZZY_MIN_CHARS or len(needle) > len(self.norm.text):
            return None
        folded = _fold(needle)
        found = fuzz.partial_ratio_alignment(folded, self.norm.folded, score_cutoff=FUZZY_THRESHOLD)
        if found is None or found.dest_end <= found.dest_start:
            return None
        start, end = self._whole_words(found.dest_start, found.dest_end)
        if _NUMBER.findall(needle) != _NUMBER.findall(self.norm.text[start:end]):
            return None
        start, end = self.norm.span(start, end)
        return Span(start, end, "fuzzy")

    def _find_exact(self, needle: str) -> int | None:
        """First occurrence that does not start or end inside one original character ("…"
        becomes "..."); failing that, the first occurrence."""
        text, origin = self.norm.text, self.norm.origin
        first = at = text.find(needle)
        while at >= 0:
            end = at + len(needle)
            starts_clean = at == 0 or origin[at - 1] != origin[at]
            ends_clean = end == len(text) or origin[end] != origin[end - 1]
            if starts_clean and ends_clean:
                return at
            at = text.find(needle, at + 1)
        return first if first >= 0 else None

    def _whole_words(self, start: int, end: int) -> tuple[int, int]:
        """Widen a fuzzy alignment that cuts a word in two to the whole word at each end."""
        text = self.norm.text
        floor, ceiling = max(0, start - 20), min(len(text), end + 20)
        while start > floor and text[start - 1].isalnum() and text[start].isalnum():
            start -= 1
        while end < ceiling and text[end - 1].isalnum() and text[end].isalnum():
            end += 1
        return start, end


@functools.lru_cache(maxsize=256)
def _locator_for(text: str) -> _Locator:
    """One locator per article text, shared by the quote checker and by grounding, so the
    article is normalised once per run instead of twice. An article's checker is made when its
    request starts and grounding runs after the answer: in between, every other article in
    flight adds its own locator, so the cache holds several times the usual concurrency
    (offsets are kept as 4-byte ints: about 20 KB per 3,000-character article)."""
    return _Locator(text)


def locate(quote: str, text: str) -> Span | None:
    """The span of `text` that `quote` was copied from, or None when it is not there."""
    return _Locator(text).locate(quote)


def finder(text: str) -> Callable[[str], Span | None]:
    """`locate` for many quotes of one text: the text is normalised once (and shared with the
    quote checker and with grounding), so a quote found here gets the same span there."""
    return _locator_for(text).locate


def quote_checker(text: str) -> Callable[[str], None]:
    """A check for the validation context ("quote_checker"): raises ValueError naming a quote
    that is not in `text`, which instructor sends back to the model as a re-ask."""
    locator = _locator_for(text)

    def check(quote: str) -> None:
        if locator.locate(quote) is None:
            shown = quote if len(quote) <= 120 else quote[:117] + "..."
            raise ValueError(
                f"quote not found in the article: {shown!r}; copy a span of the article "
                "text character for character, or drop this quote"
            )

    return check


def _evidence(quotes: Sequence[Quote], locator: _Locator) -> list[Evidence]:
    out = []
    for quote in quotes:
        span = locator.locate(quote.quote)
        if span is None:
            out.append(Evidence(quote=quote.quote))
        else:
            out.append(
                Evidence(quote=quote.quote, start=span.start, end=span.end, match=span.match)
            )
    return out


def ground(extraction: ArticleExtraction, text: str) -> Grounded:
    """Offsets for every quote of `extraction` in `text`; unfound quotes keep null offsets.

    `grounding_rate` is found quotes / all quotes (1.0 when there are no quotes at all: nothing
    is ungrounded).
    """
    locator = _locator_for(text)
    takeaways = [
        GroundedTakeaway(
            **takeaway.model_dump(exclude={"evidence"}),
            evidence=_evidence(takeaway.evidence, locator),
        )
        for takeaway in extraction.key_takeaways
    ]
    events = [
        GroundedEvent(
            **event.model_dump(exclude={"evidence"}),
            evidence=_evidence(event.evidence, locator),
        )
        for event in extraction.events
    ]
    items: list[GroundedTakeaway | GroundedEvent] = [*takeaways, *events]
    all_evidence = [e for item in items for e in item.evidence]
    found = sum(1 for e in all_evidence if e.start is not None)
    rate = found / len(all_evidence) if all_evidence else 1.0
    return Grounded(takeaways=takeaways, events=events, grounding_rate=rate)
