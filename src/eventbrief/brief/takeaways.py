"""Key takeaways merged across articles: at most 7 points for the whole brief, each with the
articles that back it.

Every article brings 3–7 takeaways of its own; listed side by side they repeat each other and
bury the point. Two takeaways of different articles are one point when their words nearly match
(token-sort ratio or content-word overlap) or when their evidence quotes state the same merged
events. Points grow best pair first (average link) and never hold two takeaways of one article,
which were meant as different points. They are ranked by independent support (a copy counts as
its original), then salience (how early the articles list them), and the first 7 are kept;
points of another story that came along with the main one rank last.
Captions and boilerplate are never a point.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from rapidfuzz import fuzz

from eventbrief.brief.boilerplate import classify, not_news
from eventbrief.brief.coreference import average_link
from eventbrief.models import ArticleSummary, BriefTakeaway, GroundedTakeaway

MAX_TAKEAWAYS = 7
SIMILAR_RATIO = 72.0
SIMILAR_OVERLAP = 0.6
LINK = 0.5
"""Pair score to join two takeaways: similar words score 1, shared events their Jaccard."""
AVERAGE_LINK = 0.4
"""Two points join when their takeaways' pair scores average at least this."""

_STOP = frozenset({
    "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "with", "by", "at", "from",
    "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "its", "his", "her",
    "their", "this", "that", "these", "those", "it", "he", "she", "they", "amid", "into",
    "about", "over", "after",
})  # fmt: skip


@lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    words = re.findall(r"\w+", text.casefold())
    return frozenset(w[:6] for w in words if w not in _STOP and len(w) > 2)


def similar(a: str, b: str) -> bool:
    if fuzz.token_sort_ratio(a.casefold(), b.casefold()) >= SIMILAR_RATIO:
        return True
    sa, sb = _stems(a), _stems(b)
    if not sa or not sb:
        return False
    return len(sa & sb) / min(len(sa), len(sb)) >= SIMILAR_OVERLAP and len(sa & sb) >= 3


@dataclass(frozen=True)
class _Item:
    order: int
    article_id: str
    text: str
    events: frozenset[str]
    salience: float


def _linked_events(
    summary: ArticleSummary,
    takeaway: GroundedTakeaway,
    brief_event_of: Mapping[tuple[str, str], str],
) -> frozenset[str]:
    """Brief events whose article evidence overlaps (or equals) one of the takeaway's quotes."""
    aid = summary.article.id
    found: set[str] = set()
    for quote in takeaway.evidence:
        for event in summary.events:
            for ev in event.evidence:
                overlaps = (
                    quote.start is not None
                    and quote.end is not None
                    and ev.start is not None
                    and ev.end is not None
                    and ev.start < quote.end
                    and quote.start < ev.end
                )
                if overlaps or ev.quote == quote.quote:
                    brief_id = brief_event_of.get((aid, event.id))
                    if brief_id is not None:
                        found.add(brief_id)
    return frozenset(found)


def _items(
    summaries: list[ArticleSummary],
    texts: Mapping[str, str],
    brief_event_of: Mapping[tuple[str, str], str],
) -> list[_Item]:
    items: list[_Item] = []
    for summary in summaries:
        aid = summary.article.id
        count = len(summary.key_takeaways)
        for rank, takeaway in enumerate(summary.key_takeaways):
            if classify(takeaway.text) is not None:
                continue
            if takeaway.evidence and not_news(takeaway.evidence, texts.get(aid)) is not None:
                continue
            items.append(
                _Item(
                    order=len(items),
                    article_id=aid,
                    text=takeaway.text,
                    events=_linked_events(summary, takeaway, brief_event_of),
                    salience=1.0 - rank / count,
                )
            )
    return items


def _pair(a: _Item, b: _Item) -> float:
    """1 for similar words, else the Jaccard of their events; 0 when both state events and
    none is shared (alike words about two visits are two points)."""
    if a.article_id == b.article_id:
        return 0.0
    alike = similar(a.text, b.text)
    if a.events and b.events:
        shared = len(a.events & b.events)
        if not shared:
            return 0.0
        return 1.0 if alike else shared / len(a.events | b.events)
    return 1.0 if alike else 0.0


def _groups(items: list[_Item]) -> list[list[_Item]]:
    """Average-link clusters, best pair first; never two items of one article in a group."""
    scores = {(a.order, b.order): _pair(a, b) for a, b in combinations(items, 2)}
    return average_link(items, scores, LINK, AVERAGE_LINK)


def _text(group: list[_Item]) -> str:
    """The takeaway closest to all the others in words; ties: the more salient, then first."""
    if len(group) <= 2:
        return max(group, key=lambda it: (it.salience, -it.order)).text
    totals = [sum(fuzz.token_set_ratio(a.text, b.text) for b in group) for a in group]
    best = max(range(len(group)), key=lambda i: (totals[i], group[i].salience, -i))
    return group[best].text


def merge_takeaways(
    summaries: list[ArticleSummary],
    texts: Mapping[str, str] | None = None,
    brief_event_of: Mapping[tuple[str, str], str] | None = None,
    original_of: Mapping[str, str] | None = None,
    event_order: Mapping[str, int] | None = None,
    main_story: set[str] | None = None,
) -> list[BriefTakeaway]:
    """The at most 7 best-supported points; `original_of` maps a copy to the article it copies,
    `event_order` brief event ids to their timeline position. Points made only by articles
    outside `main_story` (another story that came along) rank after the main story's."""
    items = _items(summaries, texts or {}, brief_event_of or {})
    copies = original_of or {}
    position = event_order or {}
    ranked = []
    for group in _groups(items):
        articles = [it.article_id for it in group]
        elsewhere = main_story is not None and not set(articles) & main_story
        independent = len({copies.get(a, a) for a in articles})
        salience = sum(it.salience for it in group) / len(group)
        events = sorted({e for it in group for e in it.events}, key=lambda e: position.get(e, 0))
        key = (elsewhere, -independent, -salience, group[0].order)
        ranked.append((key, _text(group), articles, events))
    ranked.sort(key=lambda r: r[0])
    return [
        BriefTakeaway(text=text, support=articles, events=events)
        for _, text, articles, events in ranked[:MAX_TAKEAWAYS]
    ]
