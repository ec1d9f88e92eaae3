"""An article cut into numbered sentences, each an exact slice of its text.

The `sentences` evidence style shows the model the article as `[1] …`, `[2] …` and lets it cite a
number instead of copying a quote: a cited sentence is a span of the article by construction.
Every character of the text belongs to some sentence (headlines, bylines and bullets included),
so nothing the model could have quoted is hidden from it.

A line break ends a sentence, except before a line that starts in lower case (a hard-wrapped
paragraph). Within a line a sentence ends at `.`, `!`, `?` or `…` (closing quote marks and
brackets kept with it) followed by white space, unless the next word starts in lower case, or
the period closes an abbreviation ("Mr.", "Dec."), an initial ("John F. Kennedy") or a dotted
acronym ("U.S."). A number such as 3.5 has no space after its point and is never cut. A sentence
cut or joined wrongly is still a span of the article: the price is a coarser citation, never an
ungrounded one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from eventbrief.calendar_names import MONTH_ABBREVIATIONS

ABBREVIATIONS = frozenset(
    {
        # titles
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "rev", "hon", "gen", "lt", "col",
        "maj", "capt", "cmdr", "adm", "sgt", "cpl", "pvt", "gov", "sen", "rep", "pres", "amb",
        "supt", "insp", "fr",
        # months and days
        *MONTH_ABBREVIATIONS,
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
        # companies and the rest
        "inc", "ltd", "corp", "co", "bros", "dept", "univ", "assn", "est", "approx", "ca",
        "vs", "etc", "cf", "al", "ft", "mt", "ave", "blvd", "rd",
    }
)  # fmt: skip
"""Words whose period does not end a sentence (compared case-folded, without the period)."""
BEFORE_NUMBERS = frozenset({"no", "nos", "art", "vol", "fig", "p", "pp", "para", "ch", "sec"})
"""Abbreviations only before a number ("No. 10", "Art. 5"): "said no. Then" still ends."""

OPENERS = frozenset(
    {
        "the", "a", "an", "it", "its", "he", "she", "they", "we", "his", "her", "their", "this",
        "that", "these", "those", "there", "but", "however",
    }
)  # fmt: skip
"""Words that open a sentence and never continue a name: after "U.S." or "a.m." they start a
new sentence ("… in the U.S. The talks …")."""

_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")
_WORD_AT = re.compile(r"[\"'“‘(]?([A-Za-z]+)\b(?!\.)")
_DOTTED_ACRONYM = re.compile(r"(?:\w\.)+\w")
_LINE = re.compile(r"[^\n]*\n?")


@dataclass(frozen=True)
class Sentence:
    """Sentence `number` (from 1) of a text: `text[start:end]`, outer white space left out."""

    number: int
    start: int
    end: int
    text: str


_MARK_REACH = 200
"""How far back from an end mark the word before it is looked for: a bounded look keeps a text
of one endless line linear."""


def _ends_here(block: str, end: int, after: int) -> bool:
    """Whether the end mark matched at `block[:end]` closes a sentence; `after` is where the
    next word starts (`len(block)` at the end of the block)."""
    if after >= len(block):
        return True
    following = block[after]
    if following.islower():
        return False
    mark = block[max(0, end - _MARK_REACH) : end].rstrip("\"'”’»)]")
    if not mark.endswith(".") or mark.endswith(".."):
        return True
    word = _WORD_BEFORE.search(mark)
    if word is None or _opener_at(block, after):
        return True
    token = word.group(1)
    if len(token) == 1 and token.isalpha() and token.isupper():
        return False  # an initial
    if _DOTTED_ACRONYM.fullmatch(token):
        return False
    folded = token.casefold()
    if folded in ABBREVIATIONS:
        return False
    return not (folded in BEFORE_NUMBERS and following.isdigit())


def _opener_at(block: str, at: int) -> bool:
    """Whether a word of OPENERS (and not an initial such as "A.") starts at `at`."""
    word = _WORD_AT.match(block, at)
    return word is not None and word.group(1).casefold() in OPENERS


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of lines that a line break does not divide: a line joins the
    one before when it starts with a lower-case letter."""
    blocks: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start, end = line.span()
        if start == end:
            continue
        stripped = line.group().lstrip()
        if blocks and stripped[:1].islower() and text[blocks[-1][0] : blocks[-1][1]].strip():
            blocks[-1] = (blocks[-1][0], end)
        else:
            blocks.append((start, end))
    return blocks


def sentence_spans(text: str, first: int, last: int) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text[first:last]`, a stretch no line break divides,
    outer white space left out. The one sentence-boundary rule of the package: the offline
    backend splits its body lines with it too."""
    block = text[first:last]
    raw: list[tuple[int, int]] = []
    cursor = 0
    for mark in _END.finditer(block):
        after = mark.end()
        while after < len(block) and block[after].isspace():
            after += 1
        if _ends_here(block, mark.end(), after):
            raw.append((cursor, mark.end()))
            cursor = mark.end()
    raw.append((cursor, len(block)))
    spans = []
    for start, end in raw:
        piece = block[start:end]
        stripped = piece.strip()
        if stripped:
            start += len(piece) - len(piece.lstrip())
            spans.append((first + start, first + start + len(stripped)))
    return spans


@functools.lru_cache(maxsize=256)
def split_sentences(text: str) -> tuple[Sentence, ...]:
    """The sentences of `text` in order, numbered from 1; white-space-only text has none.
    Cached per text: the prompt and the answer's validation both need them."""
    spans = [span for first, last in _blocks(text) for span in sentence_spans(text, first, last)]
    return tuple(
        Sentence(n, start, end, text[start:end]) for n, (start, end) in enumerate(spans, start=1)
    )


def numbered(text: str) -> str:
    """`text` as the model is shown it in the `sentences` style: one line per sentence, `[n] `
    before it, the sentence's own line breaks and runs of white space made single spaces (a
    clause copied from this line still matches the article: grounding folds white space)."""
    return "\n".join(f"[{s.number}] {' '.join(s.text.split())}" for s in split_sentences(text))
