"""Text on a news page that is not news: photo captions, credits and agency blurbs.

A backend reads every sentence of the page, so a caption ("X attends a meeting … Wednesday,
Dec. 21, 2022. (AP)") becomes an event and a "Reporting by …" line a takeaway. The merge sets
them aside, whichever backend made them. A quote is judged with the whole line of the article it
stands on when the text is known (a caption's credit often falls outside the quote), else alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

from eventbrief.models import Evidence

Reason = Literal["caption", "boilerplate"]

_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_AGENCY = r"(?:AP|AFP|Reuters|REUTERS|EPA|EPA-EFE|Getty Images|Xinhua|Yonhap|Kyodo|ANI|PTI|TASS)"

_CAPTION = (
    # AP-style: "…in Moscow, Russia, Wednesday, Dec. 21, 2022." and perhaps a credit after it
    re.compile(
        rf",\s*{_WEEKDAY},\s*{_MONTH}\.?\s+\d{{1,2}},\s*\d{{4}}\.?\s*(?:\([^)]{{1,60}}\))?\s*$"
    ),
    # a credit closing the line: "(AP)", "(AP Photo/Name)", "(Reuters)", "(Photo: …)", "(File)"
    re.compile(
        rf"\(\s*(?:{_AGENCY}(?:\s+Photo)?(?:\s*/[^)]*)?|[^)]{{0,50}}\b(?:Photo|Photograph|"
        rf"Image|Picture|File)\b[^)]{{0,50}})\s*\)\s*\.?\s*$"
    ),
    # "REUTERS/Kim Hong-Ji" or "Photo: Name/Agency" ending a line
    re.compile(rf"\b{_AGENCY}/[A-Z][\w.' -]{{1,40}}\s*$"),
    re.compile(r"^\s*(?:photo|image|picture|file photo|photograph|caption|credit)s?\s*[:|]", re.I),
)

_BOILERPLATE = (
    re.compile(
        r"^\s*\(?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled|produced|research|"
        r"contributed|translated)\s+by\b",
        re.I,
    ),
    re.compile(r"^\s*(?:copyright\b|©|\(c\)\s)|\ball rights reserved\b", re.I),
    re.compile(
        r"^\s*(?:subscribe\b|sign up\b|click here\b|follow us\b|read more\b|also read\b|"
        r"related\s*:|advertisement\s*$|share this\b)",
        re.I,
    ),
    # "Yonhap is South Korea's largest news agency." — who the outlet is, not what happened
    re.compile(
        r"^\s*(?:the\s+)?[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,5}\s+(?:is|was)\s+"
        r"(?:[\w'’-]+\s+){0,6}(?:news agency|wire service|news service|newspaper|broadcaster|"
        r"news outlet|media outlet|media group|news organi[sz]ation)"
        r"(?:\s+(?:in|of|based|headquartered|founded|owned|run)\b[^.]{0,60})?\.?\s*$"
    ),
)


@lru_cache(maxsize=4096)
def classify(passage: str) -> Reason | None:
    """Whether a passage (a line or a quote) is a "caption" or "boilerplate"; None if neither."""
    text = " ".join(passage.split())
    if not text:
        return None
    if any(p.search(text) for p in _CAPTION):
        return "caption"
    if any(p.search(text) for p in _BOILERPLATE):
        return "boilerplate"
    return None


def _line_at(text: str, start: int, end: int) -> str:
    """The line(s) of the text the span stands on."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return text[left : len(text) if right < 0 else right]


def quote_reason(quote: Evidence, text: str | None) -> Reason | None:
    """Why a quote is not news text, from its line when the text and offsets are known."""
    if (
        text is not None
        and quote.start is not None
        and quote.end is not None
        and 0 <= quote.start < quote.end <= len(text)
    ):
        found = classify(_line_at(text, quote.start, quote.end))
        if found is not None:
            return found
    return classify(quote.quote)


def not_news(quotes: Iterable[Evidence], text: str | None) -> Reason | None:
    """A reason when every quote is a caption or boilerplate (the first quote's reason), else
    None: one quote from the article body keeps an event or takeaway."""
    reasons = [quote_reason(q, text) for q in quotes]
    if not reasons or any(r is None for r in reasons):
        return None
    return reasons[0]
