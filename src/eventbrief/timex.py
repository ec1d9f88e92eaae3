"""Find date expressions in news text and resolve them against the publication date.

Shared by the offline backend (to date events) and the LLM path (to check or fill date values).
Values are ISO partial dates ("YYYY", "YYYY-MM", "YYYY-MM-DD"), as in TempEval's document
creation time convention: relative expressions are anchored to the publication date.

Resolution rules (documented because news rarely states them):
- Weekdays ("on Tuesday"): news reports mostly past events, so a bare weekday is the most recent
  such day on or before publication. When the sentence speaks of the future before it ("will",
  "expected to", "next Tuesday", "scheduled") it is the next such day on or after publication.
- A month and day without a year ("June 4") takes the publication year unless the tense says
  otherwise: stated as past but after publication → the previous year; stated as future (a cue
  before it, or "will"/"is expected" just after it) but before publication → the next year.
- A month without a year ("in March") follows the same rule at month granularity.
- "last year", "the previous year" → publication year - 1; "this year" → publication year;
  "earlier this month" → publication month (approximate); "last month" → the month before.
- "early/mid/late X", "the end of X", "around", "about" and seasons are approximate; the value is
  X itself ("late 2022" → "2022", approximate).
- Without a publication date, only absolute expressions get a value; relative ones get None.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from eventbrief.calendar_names import WEEKDAYS, month_number
from eventbrief.models import TimeValue

NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "a hundred": 100,
    "a thousand": 1000,
    "dozen": 12,
    "a dozen": 12,
}
"""Numbers news writing spells out (the offline backend's quantities read them too)."""

_NUMBER_WORDS = {**NUMBER_WORDS, "a": 1, "an": 1, "several": 3, "a few": 3, "few": 3}

_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_MOD = (
    r"(?:(?P<mod>early|earlier|late|later|mid|the middle of|the end of|the start of|"
    r"the beginning of|the first half of|the second half of|the spring of|the summer of|around|"
    r"about|approximately|circa|as early as)[\s-]+)"
)
_REL_YEAR = (
    r"(?P<relyear>last year|the previous year|the past year|the prior year|this year|"
    r"next year|the following year|the year before|a year earlier|"
    r"(?:by\s+|before\s+|until\s+)?the\s+(?:end|start|beginning|middle)\s+of\s+the\s+year)"
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)(?:-(?P<d>[0-3]\d))?\b")),
    (
        "mdy",
        re.compile(
            rf"(?:(?:on|by|since|until|from)\s+)?(?:{_WEEKDAY},?\s+)?{_MOD}?{_MONTH}\s+{_DAY}\b"
            rf"(?:,?\s+{_YEAR}\b)?(?!\s*(?:,\d|\d|%|percent|per cent))",
            re.IGNORECASE,
        ),
    ),
    (
        "dmy",
        re.compile(
            rf"(?:(?:on|by|since|until|from)\s+)?(?:{_WEEKDAY},?\s+)?{_DAY}\s+{_MONTH}\b"
            rf"(?:,?\s+{_YEAR}\b)?",
            re.IGNORECASE,
        ),
    ),
    (
        "month_rel",
        re.compile(
            rf"(?:(?:in|during|since|by|until|from)\s+)?{_MOD}?{_MONTH}\s+(?:of\s+)?{_REL_YEAR}",
            re.IGNORECASE,
        ),
    ),
    (
        "month_year",
        re.compile(
            rf"(?:(?:in|during|since|by|until|from)\s+)?{_MOD}?{_MONTH},?\s+(?:of\s+)?{_YEAR}\b",
            re.IGNORECASE,
        ),
    ),
    (
        "season",
        re.compile(
            rf"(?:(?:in|during|since|by)\s+)?(?:(?P<smod>early|late|mid)[\s-]+)?"
            rf"(?:the\s+)?(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?"
            rf"(?:{_YEAR}\b|{_REL_YEAR})",
            re.IGNORECASE,
        ),
    ),
    (
        "rel_season",
        re.compile(
            r"(?P<when>last|this|next)\s+(?P<season>spring|summer|autumn|fall|winter)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "month",
        re.compile(
            rf"(?:(?P<prep>in|during|since|by|until|from|of|last|this|next)\s+)?{_MOD}?"
            r"(?P<month>January|February|March|April|June|July|August|September|October|"
            r"November|December|May)\b(?![\s-]+\d)",
            re.IGNORECASE,
        ),
    ),
    (
        "year",
        re.compile(
            rf"(?:(?P<prep>in|during|since|by|until|from|of|before|after)\s+)?{_MOD}?{_YEAR}\b"
            r"(?![,.]?\d|\s*(?:%|percent|per cent))",
            re.IGNORECASE,
        ),
    ),
    (
        "relyear",
        re.compile(rf"(?:(?:since|during|in|by)\s+)?{_MOD}?{_REL_YEAR}", re.IGNORECASE),
    ),
    (
        "relmonth",
        re.compile(
            r"(?P<relmonth>earlier this month|later this month|earlier in the month|"
            r"this month|last month|the previous month|the past month|next month|"
            r"the following month|earlier this year|later this year|"
            r"earlier this week|later this week|this week|last week|next week|"
            r"the previous week|the past week)",
            re.IGNORECASE,
        ),
    ),
    (
        "ago",
        re.compile(
            r"(?P<mod2>about|around|nearly|almost|some|roughly|more than|over|less than)?\s*"
            r"\b(?P<num>\d+|a few|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
            r"twelve|several)\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b",
            re.IGNORECASE,
        ),
    ),
    (
        "deixis",
        re.compile(r"\b(?P<deixis>today|yesterday|tomorrow|tonight)\b", re.IGNORECASE),
    ),
    (
        "weekday",
        re.compile(
            rf"(?:(?P<wprep>on|last|this|next|since|by|until|from)\s+)?{_WEEKDAY}"
            r"(?:\s+(?P<part>morning|afternoon|evening|night))?\b",
            re.IGNORECASE,
        ),
    ),
]

IRREGULAR_PAST = (
    r"lost|won|fell|rose|struck|fled|froze|quit|paid|sold|bought|built|brought|caught|chose|"
    r"drew|drove|found|gave|grew|heard|kept|knew|led|lent|ran|sank|spent|stood|stole|swept|"
    r"taught|threw|tore|wore|withdrew|overran|broke|spoke|wrote|became|forgot|slid|sought|stuck"
)
"""Irregular simple-past verbs: a past event's bare month or weekday is the previous one."""
_COUNT_AFTER = re.compile(r"\s+[a-z]+s\b(?<!\bas)(?<!\bwas)(?<!\bhas)(?<!\bis)")
_PAST_MARKER = re.compile(
    r"(?:^[^,;]{0,30}?)?\b(?:was|were|had|has|have|did|[a-z]{3,}ed|met|sent|went|came|"
    r"made|held|signed|began|took|told|said|fought|flew|left|saw|" + IRREGULAR_PAST + r")\b"
)
_FUTURE_AFTER = re.compile(
    r"^[^,;]{0,30}?\b(?:will|would|is expected|are expected|is scheduled|are scheduled|"
    r"is set to|are set to|is due|are due)\b",
    re.IGNORECASE,
)
_FUTURE_CUES = re.compile(
    r"\b(will|would|shall|could(?!\s+(?:not|n't|have)\b)|might(?!\s+have\b)|"
    r"(?-i:may)(?!\s+have\b)|is expected|are expected|expected to|"
    r"is scheduled|are scheduled|(?:is|are)\s+(?:planned|slated|set)\s+for|"
    r"scheduled|is set to|are set to|plans? to|planning to|is due|are due|upcoming|to be held|"
    r"is to|are to|going to|next|ahead of|approaching|upcoming|coming|due to|"
    r"expected\s+(?:in|on|by|before|within|later)|scheduled\s+(?:for|in|on))\b",
    re.IGNORECASE,
)
_APPROX_MODS = {
    "early",
    "earlier",
    "late",
    "later",
    "mid",
    "the middle of",
    "the end of",
    "the start of",
    "the beginning of",
    "the first half of",
    "the second half of",
    "the spring of",
    "the summer of",
    "around",
    "about",
    "approximately",
    "circa",
    "as early as",
}


@dataclass(frozen=True)
class TimexMatch:
    """One date expression found in a text: its span, resolved value and vagueness."""

    start: int
    end: int
    text: str
    value: str | None
    approximate: bool

    def to_time_value(self) -> TimeValue:
        return TimeValue(text=self.text, value=self.value, approximate=self.approximate)


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _ymd(day: dt.date) -> str:
    return day.isoformat()


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year_for_month_day(month: int, day: int, published: dt.date, tense: str | None) -> int | None:
    """The publication year, unless the tense points the other way: a past event on a day
    after publication happened the year before; a future one on a day before publication
    happens the year after (GUIDELINES §5). Without a tense marker, a day more than half a year
    ahead is last year's."""
    candidate = _safe_date(published.year, month, day)
    if candidate is None:
        return None
    delta = (candidate - published).days
    if tense == "future":
        return published.year + 1 if delta < -1 else published.year
    if tense == "past":
        return published.year - 1 if delta > 1 else published.year
    if delta > 183:
        return published.year - 1
    if delta < -300:
        return published.year + 1
    return published.year


def _year_for_month(month: int, published: dt.date, tense: str | None) -> int:
    """The same rule at month granularity ("in March")."""
    delta = month - published.month
    if tense == "future":
        return published.year + 1 if delta < 0 else published.year
    if tense == "past" or delta > 6:
        return published.year - 1 if delta > 0 else published.year
    return published.year


def _rel_year(phrase: str, published: dt.date | None) -> int | None:
    if published is None:
        return None
    p = phrase.lower()
    if p in ("this year",) or p.endswith("of the year"):
        return published.year
    if p in ("next year", "the following year"):
        return published.year + 1
    return published.year - 1


def _shift_months(published: dt.date, months: int) -> tuple[int, int]:
    total = published.year * 12 + (published.month - 1) + months
    return total // 12, total % 12 + 1


def _tense(text: str, m: re.Match[str]) -> str | None:
    """ "future", "past" or None (no marker) for the clause around a date expression."""
    if _is_future_context(text, m):
        return "future"
    left = text[max(0, m.start() - 120) : m.start()]
    cut = max(left.rfind(". "), left.rfind("\n"), left.rfind("? "), left.rfind("! "))
    if cut >= 0:
        left = left[cut + 1 :]
    right = re.split(r"[.!?]\s|\n", text[m.end() : m.end() + 60])[0]
    if _PAST_MARKER.search(left) or _PAST_MARKER.match(right):
        return "past"
    return None


_PAST_VERB_BEFORE = re.compile(
    r"(?:\b(?P<aux>\w+)\s+)?\b(?:[a-z]{3,}ed|said|told|met|held|made|took|sent|began|saw|came|"
    r"went|flew|fought|signed|left|shot|hit|" + IRREGULAR_PAST + r")\s+"
    r"(?:(?:late|early)\s+)?$"
)
_NOT_PAST_AUX = frozenset({"be", "been", "being", "will", "to", "would", "shall", "is", "are"})


def _past_verb_before(text: str, start: int) -> bool:
    """A past-tense verb right before the expression dates that verb's act ("vowed on Thursday
    that … would", "warned on Tuesday that … will"): the tense after it is the content's."""
    m = _PAST_VERB_BEFORE.search(text[max(0, start - 40) : start])
    return m is not None and (m.group("aux") or "").lower() not in _NOT_PAST_AUX


def _is_future_context(text: str, m: re.Match[str]) -> bool:
    """Future tense in the same sentence: a cue before the expression, or a future verb just
    after it ("… on June 20 will open"); not when a past verb right before it owns the date."""
    if _past_verb_before(text, m.start()):
        return False
    left = text[max(0, m.start() - 120) : m.start()]
    cut = max(left.rfind(". "), left.rfind("\n"), left.rfind("? "), left.rfind("! "))
    if cut >= 0:
        left = left[cut + 1 :]
    right = text[m.end() : m.end() + 60]
    right = re.split(r"[.!?]\s|\n", right)[0]
    return bool(_FUTURE_CUES.search(left) or _FUTURE_AFTER.match(right))


def _weekday_date(weekday: int, published: dt.date, when: str | None, future: bool) -> dt.date:
    """The weekday nearest publication in the direction the sentence points to."""
    if when == "next" or (future and when != "last"):
        ahead = (weekday - published.weekday()) % 7
        if when == "next" and ahead == 0:
            ahead = 7
        return published + dt.timedelta(days=ahead)
    back = (published.weekday() - weekday) % 7
    if when == "last" and back == 0:
        back = 7
    return published - dt.timedelta(days=back)


def _resolve_match(
    kind: str, m: re.Match[str], text: str, published: dt.date | None
) -> tuple[str | None, bool] | None:
    """(value, approximate) for one regex match, or None when the match is not a date."""
    g = m.groupdict()
    mod = (g.get("mod") or "").lower().strip()
    approx = mod in _APPROX_MODS
    if kind == "iso":
        y, mo, d = int(g["y"]), int(g["m"]), g["d"]
        if d is not None:
            day = _safe_date(y, mo, int(d))
            return (_ymd(day), False) if day else None
        return (_ym(y, mo), False) if 1 <= mo <= 12 else None
    if kind in ("mdy", "dmy"):
        month = month_number(g["month"])
        day_n = int(g["day"])
        if month is None or not 1 <= day_n <= 31:
            return None
        if g.get("year"):
            day = _safe_date(int(g["year"]), month, day_n)
            return (_ymd(day), approx) if day else None
        if published is None:
            return (None, approx)
        year = _year_for_month_day(month, day_n, published, _tense(text, m))
        if year is None:
            return None
        day = _safe_date(year, month, day_n)
        return (_ymd(day), approx) if day else None
    if kind == "month_rel":
        month = month_number(g["month"])
        year = _rel_year(g["relyear"], published)
        if month is None:
            return None
        return (_ym(year, month) if year else None, approx)
    if kind == "month_year":
        month = month_number(g["month"])
        return (_ym(int(g["year"]), month), approx) if month else None
    if kind == "season":
        year_s = g.get("year")
        year = int(year_s) if year_s else _rel_year(g.get("relyear") or "", published)
        return (str(year) if year else None, True)
    if kind == "rel_season":
        if published is None:
            return (None, True)
        when = g["when"].lower()
        year = published.year + {"last": -1, "this": 0, "next": 1}[when]
        season = g["season"].lower()
        if when == "last" and season == "winter" and published.month <= 3:
            year = published.year
        return (str(year), True)
    if kind == "month":
        prep = (g.get("prep") or "").lower()
        month = month_number(g["month"])
        if month is None:
            return None
        if g["month"].lower() == "may" and not prep and not mod:
            return None  # "may" is far more often the verb
        if g["month"][0].islower():
            return None
        if published is None:
            return (None, approx)
        if prep == "last":
            year = published.year if month < published.month else published.year - 1
        elif prep == "next":
            year = published.year if month > published.month else published.year + 1
        elif prep == "this":
            year = published.year
        else:
            year = _year_for_month(month, published, _tense(text, m))
        return (_ym(year, month), approx)
    if kind == "year":
        prep = (g.get("prep") or "").lower()
        if not prep and not mod:
            before = text[max(0, m.start() - 2) : m.start()]
            if before.endswith(("$", "#")) or _COUNT_AFTER.match(text, m.end()):
                return None
        return (g["year"], approx)
    if kind == "relyear":
        year = _rel_year(g["relyear"], published)
        return (str(year) if year else None, approx or "of the year" in g["relyear"].lower())
    if kind == "relmonth":
        phrase = g["relmonth"].lower()
        if published is None:
            return (None, True)
        if "week" in phrase:
            offset = 0
            if phrase in ("last week", "the previous week", "the past week"):
                offset = -7
            elif phrase == "next week":
                offset = 7
            day = published + dt.timedelta(days=offset)
            return (_ym(day.year, day.month), True)
        if phrase.endswith("this year"):
            return (str(published.year), True)
        if phrase in ("last month", "the previous month", "the past month"):
            return (_ym(*_shift_months(published, -1)), False)
        if phrase in ("next month", "the following month"):
            return (_ym(*_shift_months(published, 1)), False)
        exact = phrase == "this month"
        return (_ym(published.year, published.month), not exact)
    if kind == "ago":
        num_s = g["num"].lower()
        n = int(num_s) if num_s.isdigit() else _NUMBER_WORDS.get(num_s, 1)
        unit = g["unit"].lower().rstrip("s")
        if published is None:
            return (None, True)
        if unit == "day":
            day = published - dt.timedelta(days=n)
            return (_ymd(day), bool(g.get("mod2")))
        if unit == "week":
            day = published - dt.timedelta(days=7 * n)
            return (_ymd(day), True)
        if unit == "month":
            return (_ym(*_shift_months(published, -n)), True)
        return (str(published.year - n), True)
    if kind == "deixis":
        if published is None:
            return (None, False)
        offset = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[g["deixis"].lower()]
        return (_ymd(published + dt.timedelta(days=offset)), False)
    if kind == "weekday":
        if g["weekday"][0].islower():
            return None
        if published is None:
            return (None, False)
        when = (g.get("wprep") or "").lower() or None
        future = _is_future_context(text, m)
        day = _weekday_date(WEEKDAYS[g["weekday"].lower()], published, when, future)
        return (_ymd(day), False)
    return None


def _strip_preposition(text: str, start: int, end: int) -> tuple[int, int]:
    """Keep leading prepositions out of the span ("on Tuesday" keeps "on": it is how it is
    written); trim only trailing spaces and punctuation."""
    while end > start and text[end - 1] in " ,.;:":
        if text[end - 1] == "." and re.search(r"\b[A-Z][a-z]{2,3}\.$", text[start:end]):
            break
        end -= 1
    while start < end and text[start] in " \t\n":
        start += 1
    return start, end


_MONTH_WORD = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)
_WEEKDAY_WORD = re.compile(r"(?:mon|tues|wednes|thurs|fri|satur|sun)day", re.IGNORECASE)
_RELATIVE_WORD = re.compile(
    r"\b(?:year|month|week|ago|today|yesterday|tomorrow|tonight|spring|summer|autumn|fall|"
    r"winter)",
    re.IGNORECASE,
)
_YEAR_WORD = re.compile(r"\b(?:19|20)\d\d\b")
# Which cheap test must pass before a pattern is worth running (speed: most sentences hold
# no date at all).
_ANCHORS = {
    "iso": _YEAR_WORD,
    "mdy": _MONTH_WORD,
    "dmy": _MONTH_WORD,
    "month_rel": _MONTH_WORD,
    "month_year": _MONTH_WORD,
    "season": _RELATIVE_WORD,
    "rel_season": _RELATIVE_WORD,
    "month": _MONTH_WORD,
    "year": _YEAR_WORD,
    "relyear": _RELATIVE_WORD,
    "relmonth": _RELATIVE_WORD,
    "ago": _RELATIVE_WORD,
    "deixis": _RELATIVE_WORD,
    "weekday": _WEEKDAY_WORD,
}
_NEEDS: dict[str, tuple[str, ...]] = {
    "month_rel": ("year",),
    "month_year": ("19", "20"),
    "season": ("year", "19", "20"),
    "relyear": ("year",),
    "relmonth": ("month", "wee", "year"),
    "ago": ("ago",),
}
"""What every match of a pattern holds, in the lowercased text (one of them): a second cheap
test, so a sentence with a month word but no year skips the patterns that need one. "wee" for
"week": a case-insensitive pattern reads a k in the Kelvin sign too, `str.lower` does not."""
_NEEDS_DIGIT = frozenset({"mdy", "dmy"})
_DIGIT = re.compile(r"\d")


def find_dates(text: str, published: dt.date | None) -> list[TimexMatch]:
    """All date expressions in `text`, left to right, without overlaps (the longest wins)."""
    found: list[TimexMatch] = []
    taken: list[tuple[int, int]] = []
    candidates: list[tuple[int, int, str, re.Match[str]]] = []
    present = {anchor: bool(anchor.search(text)) for anchor in set(_ANCHORS.values())}
    lowered = text.lower()
    digits = _DIGIT.search(text) is not None
    for kind, pattern in _PATTERNS:
        if not present[_ANCHORS[kind]] or (kind in _NEEDS_DIGIT and not digits):
            continue
        if kind in _NEEDS and not any(word in lowered for word in _NEEDS[kind]):
            continue
        for m in pattern.finditer(text):
            if m.end() > m.start():
                candidates.append((m.start(), m.end(), kind, m))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    for start, end, kind, m in candidates:
        if any(start < e and s < end for s, e in taken):
            continue
        resolved = _resolve_match(kind, m, text, published)
        if resolved is None:
            continue
        s, e = _strip_preposition(text, start, end)
        if e <= s:
            continue
        taken.append((start, end))
        value, approx = resolved
        found.append(TimexMatch(s, e, text[s:e], value, approx))
    found.sort(key=lambda t: t.start)
    return _anchored_years(found)


_YEAR_AFTER = re.compile(r"the\s+following\s+year|the\s+year\s+after|a\s+year\s+later", re.I)


def _anchored_years(found: list[TimexMatch]) -> list[TimexMatch]:
    """ "bought it in March 2023 and cut 600 jobs the following year": a year counted from a
    date told before it in the same text is that date's year plus one (GUIDELINES §5: a
    duration after a known point), not the year after publication."""
    out: list[TimexMatch] = []
    year: int | None = None  # the year of the last dated expression so far
    for match in found:
        if year is not None and _YEAR_AFTER.fullmatch(match.text.strip()):
            match = dataclasses.replace(match, value=str(year + 1), approximate=False)
        if match.value and match.value[:4].isdigit():
            year = int(match.value[:4])
        out.append(match)
    return out


def resolve(expression: str, published: dt.date | None) -> TimeValue | None:
    """Resolve one date expression ("on Tuesday", "late 2022") to a TimeValue, or None when it
    holds no date expression this module knows."""
    text = expression.strip()
    if not text:
        return None
    matches = find_dates(text, published)
    if not matches:
        return None
    best = max(matches, key=lambda t: t.end - t.start)
    return TimeValue(text=text, value=best.value, approximate=best.approximate)


def complete(value: TimeValue, published: dt.date | None) -> TimeValue:
    """A TimeValue whose missing `value` is filled from its own `text` (for the LLM path: a
    model that copied "on Tuesday" but left the value null). A value already given is kept."""
    if value.value is not None:
        return value
    resolved = resolve(value.text, published)
    if resolved is None or resolved.value is None:
        return value
    return TimeValue(text=value.text, value=resolved.value, approximate=resolved.approximate)


def shift(value: str, amount: int, unit: str) -> str | None:
    """`value` moved by `amount` units (negative: earlier), at the unit's granularity: days and
    weeks give a day, months a month, years a year (GUIDELINES §5 durations). None when `value`
    is too coarse for the unit ("2025-06" cannot move by days)."""
    unit = unit.lower().rstrip("s")
    parts = [int(p) for p in value.split("-")]
    if unit in ("day", "week"):
        if len(parts) < 3:
            return None
        days = amount * (7 if unit == "week" else 1)
        return (dt.date(*parts) + dt.timedelta(days=days)).isoformat()
    if unit == "month":
        if len(parts) < 2:
            return None
        total = parts[0] * 12 + parts[1] - 1 + amount
        return _ym(total // 12, total % 12 + 1)
    if unit == "year":
        return f"{parts[0] + amount:04d}"
    return None


def number_value(word: str) -> int | None:
    """1 for "a"/"one", 3 for "three", int for digits; None otherwise."""
    key = word.lower()
    if key.isdigit():
        return int(key)
    return _NUMBER_WORDS.get(key)
