"""Key takeaways merged across articles: near-identical points become one, backed by each article.

Similarity is rapidfuzz token-sort ratio or content-word overlap; a point never absorbs two
takeaways of the same article (those were meant as different points).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from eventbrief.models import ArticleSummary, BriefTakeaway

SIMILAR_RATIO = 72.0
SIMILAR_OVERLAP = 0.6

_STOP = frozenset({
    "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "with", "by", "at", "from",
    "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "its", "his", "her",
    "their", "this", "that", "these", "those", "it", "he", "she", "they", "amid", "into",
    "about", "over", "after",
})  # fmt: skip


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


def merge_takeaways(summaries: list[ArticleSummary]) -> list[BriefTakeaway]:
    """Most-supported points first; ties in the order the articles are given."""
    groups: list[tuple[list[str], list[str]]] = []
    for summary in summaries:
        aid = summary.article.id
        for takeaway in summary.key_takeaways:
            home = next(
                (
                    g
                    for g in groups
                    if aid not in g[1] and any(similar(takeaway.text, t) for t in g[0])
                ),
                None,
            )
            if home is None:
                groups.append(([takeaway.text], [aid]))
            else:
                home[0].append(takeaway.text)
                home[1].append(aid)
    ranked = sorted(enumerate(groups), key=lambda p: (-len(p[1][1]), p[0]))
    return [BriefTakeaway(text=g[0][0], support=g[1]) for _, g in ranked]
