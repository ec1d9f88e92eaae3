"""Counts of a series of events that cannot all be true ("second visit this year" against
"third trip in three months").

A claim is an ordinal, a visit-like or meeting-like noun and, when stated, a window ending at the
claim's anchor (the date of the event whose evidence holds the sentence, else the publication
date). Two claims about overlapping actors contradict when one window lies inside the other and
the inner window counts more occurrences than the outer one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import combinations

from eventbrief.brief.entities import EntityIndex
from eventbrief.models import ArticleSummary, Conflict, ConflictValue

_ORDINALS = {
    w: i + 1
    for i, w in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
        ]
    )
}
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}
_FAMILY = {
    "visit": "visit", "trip": "visit", "journey": "visit", "tour": "visit", "time": "visit",
    "meeting": "meeting", "talk": "meeting", "summit": "meeting",
}  # fmt: skip

_CLAIM = re.compile(
    r"\b(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th))"
    r"\s+(?:[\w’'-]+\s+){0,2}?(?P<noun>visit|trip|journey|tour|meeting|talk|summit|time)s?\b",
    re.IGNORECASE,
)
_WINDOW = re.compile(
    r"\b(?:in|within|over|during)\s+"
    r"(?:(?:less than|under|nearly|almost|about|around|just|only|more than|a span of|the past|"
    r"the last|a)\s+)*"
    r"(?P<num>an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,3})"
    r"[\s-]+(?P<unit>day|week|fortnight|month|year)s?\b"
    r"|\bthis\s+(?P<this>year|month|week)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_SLACK_DAYS = 5
_WINDOW_REACH = 90
"""How far after the noun a window phrase may start to belong to the claim."""


@dataclass(frozen=True)
class CountClaim:
    article_id: str
    count: int
    family: str
    start: dt.date
    end: dt.date
    text: str
    subjects: frozenset[int]
    events: frozenset[tuple[str, str]]


def _ordinal(word: str) -> int:
    word = word.casefold()
    return _ORDINALS.get(word) or int(re.sub(r"\D", "", word))


def _window(rest: str, anchor: dt.date) -> tuple[dt.date, int] | None:
    """Window start and how far into `rest` its phrase ends; None when no window is stated."""
    m = _WINDOW.search(rest[:_WINDOW_REACH])
    if not m:
        return None
    if m.group("this"):
        unit = m.group("this").casefold()
        if unit == "year":
            return anchor.replace(month=1, day=1), m.end()
        if unit == "month":
            return anchor.replace(day=1), m.end()
        return anchor - dt.timedelta(days=6), m.end()
    num = m.group("num").casefold()
    count = _NUMBERS.get(num) or int(num)
    days = count * _UNIT_DAYS[m.group("unit").casefold()]
    return anchor - dt.timedelta(days=days), m.end()


def _passages(
    summary: ArticleSummary, text: str | None
) -> list[tuple[str, int | None, int | None]]:
    """Sentences of the text with offsets, or, without text, the quotes and takeaways."""
    if text is not None:
        return [(m.group(), m.start(), m.end()) for m in _SENTENCE.finditer(text)]
    found: list[tuple[str, int | None, int | None]] = []
    for event in summary.events:
        found.extend((ev.quote, ev.start, ev.end) for ev in event.evidence)
    found.extend((t.text, None, None) for t in summary.key_takeaways)
    found.append((summary.summary, None, None))
    return found


def _linked_events(
    summary: ArticleSummary, passage: str, start: int | None, end: int | None
) -> list[str]:
    linked = []
    for event in summary.events:
        for ev in event.evidence:
            overlaps = (
                start is not None
                and end is not None
                and ev.start is not None
                and ev.end is not None
                and ev.start < end
                and start < ev.end
            )
            if overlaps or ev.quote == passage:
                linked.append(event.id)
                break
    return linked


def count_claims(summary: ArticleSummary, text: str | None, index: EntityIndex) -> list[CountClaim]:
    aid = summary.article.id
    by_id = {e.id: e for e in summary.events}
    series_events = [e for e in summary.events if e.type in ("visit", "meeting")]
    fallback = {index.resolve(aid, p) for e in series_events for p in e.participants}
    claims: list[CountClaim] = []
    seen: set[tuple[int, str, dt.date, dt.date]] = set()
    for passage, start, end in _passages(summary, text):
        near = _linked_events(summary, passage, start, end)
        for m in _CLAIM.finditer(passage):
            family = _FAMILY[m.group("noun").casefold()]
            linked = [i for i in near if by_id[i].type == family] or near
            dates = (by_id[i].date for i in linked)
            days = {d.value for d in dates if d and d.value and len(d.value) == 10}
            if len(days) == 1:
                anchor = dt.date.fromisoformat(days.pop())
            elif summary.article.published:
                anchor = summary.article.published
            else:
                continue
            window = _window(passage[m.end() :], anchor)
            begin, reach = window if window else (dt.date.min, 0)
            subjects = {index.resolve(aid, p) for i in linked for p in by_id[i].participants}
            subjects = subjects or fallback
            count = _ordinal(m.group("ord"))
            key = (count, family, begin, anchor)
            if count < 1 or key in seen:
                continue
            seen.add(key)
            claims.append(
                CountClaim(
                    article_id=aid,
                    count=count,
                    family=family,
                    start=begin,
                    end=anchor,
                    text=passage[m.start() : m.end() + reach].strip(),
                    subjects=frozenset(s for s in subjects if s is not None),
                    events=frozenset((aid, i) for i in linked),
                )
            )
    return claims


def _inside(inner: CountClaim, outer: CountClaim) -> bool:
    slack = dt.timedelta(days=_SLACK_DAYS)
    return outer.start - slack <= inner.start and inner.end <= outer.end + slack


def contradict(a: CountClaim, b: CountClaim) -> bool:
    """One window inside the other, the inner one counting more."""
    if a.article_id == b.article_id or a.family != b.family:
        return False
    if a.subjects and b.subjects and not a.subjects & b.subjects:
        return False
    return (_inside(a, b) and a.count > b.count) or (_inside(b, a) and b.count > a.count)


def series_conflicts(
    claims: list[CountClaim], brief_event_of: dict[tuple[str, str], str]
) -> list[Conflict]:
    """One conflict per group of mutually linked contradicting claims."""
    parent = list(range(len(claims)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    involved: set[int] = set()
    for i, j in combinations(range(len(claims)), 2):
        if contradict(claims[i], claims[j]):
            involved |= {i, j}
            parent[max(find(i), find(j))] = min(find(i), find(j))
    groups: dict[int, list[CountClaim]] = {}
    for i in sorted(involved):
        groups.setdefault(find(i), []).append(claims[i])
    conflicts = []
    for group in groups.values():
        texts: dict[tuple[int, dt.date, dt.date], str] = {}
        articles: dict[tuple[int, dt.date, dt.date], list[str]] = {}
        for c in group:
            key = (c.count, c.start, c.end)
            texts.setdefault(key, c.text)
            if c.article_id not in articles.setdefault(key, []):
                articles[key].append(c.article_id)
        values = {
            k: ConflictValue(value=k[0], text=texts[k], articles=a) for k, a in articles.items()
        }
        targets = {brief_event_of[e] for c in group for e in c.events if e in brief_event_of}
        family = group[0].family
        conflicts.append(
            Conflict(
                event_id=targets.pop() if len(targets) == 1 else None,
                field=f"{family}_count",
                description=f"The articles count the {family}s differently: "
                + "; ".join(f"“{v.text}” ({', '.join(v.articles)})" for v in values.values()),
                values=list(values.values()),
            )
        )
    return conflicts
