"""Split an article into lines and sentences with exact char offsets.

Every later stage quotes sentences verbatim, so spans always index into the original text.
Within a body line, sentences end where `eventbrief.sentences` says they do (the one boundary
rule, shared with the `sentences` evidence style).
Lines are classified because news pages carry furniture besides the story: a headline, section
headings ("Key Takeaways"), bullet lists, source lines ("Original Source: …") and photo captions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from eventbrief.sentences import sentence_spans

Kind = Literal["title", "heading", "bullet", "body", "caption", "meta"]

_BULLET = re.compile(r"^\s*(?:[-–—•*·]|\d+[.)])\s+")
_META = re.compile(
    r"^\s*(?:original source|source|sources|read more|related|photo|image|credit|"
    r"copyright|advertisement|follow us|share|tags?)\b\s*:?",
    re.IGNORECASE,
)
_CAPTION = re.compile(r"^\s*(?:photo|file\s+photo|pictured|caption|image)\s*:", re.IGNORECASE)
"""A photo caption: it tells what the picture shows ("Photo: Residents wade through …, May 3."),
a happening of its own or one the story tells (GUIDELINES §1)."""
_PHOTO_CREDIT = re.compile(r"\([^()]{1,60}\)\s*$")
"""The credit closing a caption, "(Steppe News Service)": metadata (GUIDELINES §1)."""


_DASH = r"(?:[—–]|--?)"
_DATELINE_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?"
DATELINE = re.compile(
    rf"^(?:[A-Z][\w .’'-]{{1,40}}(?:,\s+[A-Z][\w .’'-]{{1,40}}){{0,2}},\s+"
    rf"{_DATELINE_MONTH}\s+\d{{1,2}}"
    rf"(?:,\s+\d{{4}})?\s*(?:\([^)]{{1,40}}\)\s*(?:{_DASH}\s*)?|{_DASH}\s+)"
    rf"|[A-Z][A-Z .’'-]{{1,40}}(?:,\s+[A-Z][\w .’'-]{{1,40}}){{0,2}}\s*"
    rf"\([^)]{{1,30}}\)\s*{_DASH}\s*"
    rf"|[A-Z][A-Z .’'-]{{2,40}}(?:,\s+[A-Z][\w .’'-]{{1,30}}){{0,2}}\s+{_DASH}\s+)"
)
"""A dateline opening a story: "City, June 4 (Outlet)", "CITY, Country (Outlet) —", "CITY —"."""


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a line of page furniture) and where it sits in the article."""

    index: int
    start: int
    end: int
    text: str
    kind: Kind
    line: int


def _line_kind(line: str, is_first: bool) -> Kind:
    stripped = line.strip()
    if _BULLET.match(line):
        return "bullet"
    if _META.match(stripped) and len(stripped.split()) <= 8:
        return "meta"
    if _CAPTION.match(stripped):
        return "caption"
    ends_like_prose = stripped[-1:] in '.!?"”’'
    if is_first and len(stripped.split()) <= 25:
        return "title"
    if not ends_like_prose and len(stripped.split()) <= 14:
        return "heading"
    return "body"


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of the article in order; titles, headings, bullets and meta lines are kept as
    single units with their kind so callers can choose what to read."""
    out: list[Sentence] = []
    first = True
    for line_no, m in enumerate(re.finditer(r"[^\n]+", text)):
        line = m.group(0)
        if not line.strip() or not re.search(r"[A-Za-z0-9]", line):
            continue
        kind = _line_kind(line, first)
        first = False
        ls = m.start() + (len(line) - len(line.lstrip()))
        le = m.start() + len(line.rstrip())
        if kind == "bullet":
            bm = _BULLET.match(line)
            ls = m.start() + (bm.end() if bm else 0)
        spans = sentence_spans(text, ls, le) if kind in ("body", "caption") else [(ls, le)]
        for s, e in spans:
            if e > s and text[s:e].strip():
                credit = kind == "caption" and _PHOTO_CREDIT.match(text, s, e) is not None
                out.append(Sentence(len(out), s, e, text[s:e], "meta" if credit else kind, line_no))
    return out
