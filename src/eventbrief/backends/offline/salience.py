"""Key takeaways and the summary: the most central sentences, and a compressed lead.

Centrality is TextRank (PageRank over sentence similarity) with TF-IDF cosine similarity, a
standard extractive method that needs no model. The summary is the lead of the story (news puts
the main happening first) with datelines and page furniture removed, cut to the word limit.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from eventbrief.backends.offline.sentences import DATELINE, Sentence
from eventbrief.models import SUMMARY_MAX_WORDS

_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]+")
FUNCTION_WORDS = frozenset(
    re.findall(
        r"\w+",
        """a an the and or but of to in on at for from by with as is are was were be been being
        has have had it its this that these those he she his her they their them which who whom
        what will would can could may might also not no than then there here into over after
        before about such other more most some any all both each said says""",
    )
)
_TRAILING_CREDIT = re.compile(
    r",?\s+(?:as\s+)?(?:reported|noted|stated)\s+by\s+[^,.;]+(?=[.!?]$)|"
    r",?\s+according\s+to\s+[^,.;]+(?=[.!?]$)"
)


def _terms(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if w.lower() not in FUNCTION_WORDS]


RANK_LIMIT = 150
"""TextRank is quadratic; in very long texts only the first sentences compete (news puts what
matters first), the rest score zero."""


def textrank(sentences: list[str], damping: float = 0.85, iterations: int = 40) -> list[float]:
    """TextRank scores of sentences over TF-IDF cosine similarity (deterministic)."""
    if len(sentences) > RANK_LIMIT:
        head = textrank(sentences[:RANK_LIMIT], damping, iterations)
        return head + [0.0] * (len(sentences) - RANK_LIMIT)
    n = len(sentences)
    if n == 0:
        return []
    docs = [Counter(_terms(s)) for s in sentences]
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    vectors = []
    for d in docs:
        vec = {t: c * math.log(1 + n / df[t]) for t, c in d.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    sim = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            a, b = vectors[i], vectors[j]
            if len(a) > len(b):
                a, b = b, a
            s = sum(v * b.get(t, 0.0) for t, v in a.items())
            sim[i][j] = sim[j][i] = s
    out_weight = [sum(row) or 1.0 for row in sim]
    links = [[(j, sim[j][i] / out_weight[j]) for j in range(n) if sim[j][i]] for i in range(n)]
    scores = [1.0 / n] * n
    for _ in range(iterations):
        scores = [
            (1 - damping) / n + damping * sum(w * scores[j] for j, w in links[i]) for i in range(n)
        ]
    return scores


def pick_takeaways(
    sentences: list[Sentence],
    preferred: list[Sentence] | None = None,
    low: int = 3,
    high: int = 6,
) -> list[Sentence]:
    """Key sentences in article order: first the sentences that state the article's most
    important events (`preferred`, best first), then the most central body sentences; falls
    back to other lines when the article is short (never a repeat: a short article may give
    fewer than `low`)."""
    body = [s for s in sentences if s.kind == "body" and len(s.text.split()) >= 5]
    pool = body or [s for s in sentences if s.kind != "meta"] or sentences
    want = max(low, min(high - 1, round(len(pool) / 2)))
    picked: list[Sentence] = []
    for s in preferred or []:
        if s not in picked and len(picked) < want:
            picked.append(s)
    if len(picked) < want:
        scores = textrank([s.text for s in pool])
        lead_bonus = [1.0 + (0.5 if i == 0 else 0.2 if i == 1 else 0.0) for i in range(len(pool))]
        ranked = sorted(range(len(pool)), key=lambda i: (-scores[i] * lead_bonus[i], i))
        for i in ranked:
            if len(picked) >= want:
                break
            if (
                pool[i] not in picked
                and not _ANALYSIS.match(pool[i].text)
                and not QUOTATION_OPENS.match(pool[i].text)
            ):
                picked.append(pool[i])
    picked.sort(key=lambda s: s.start)
    others = [s for s in sentences if s not in picked and s.kind != "meta"]
    while len(picked) < low and others:
        picked.append(others.pop(0))
    return picked[:high]


QUOTATION_OPENS = re.compile(r"\s*[\"“‘']")
"""A sentence opening with a quotation: someone's words, not the article's own statement."""

_ANALYSIS = re.compile(
    r"^(?:This|These|That|Those|Such|The)\s+(?:\w+\s+){0,2}?(?:is|are|was|were|underscores?|"
    r"highlights?|signif(?:y|ies)|reflects?|emphasi[sz]es?|indicates?|shows?|suggests?|marks?)\b"
)


_LEADING_CREDIT = re.compile(r"^(?:According to [^,]{1,60}|As reported by [^,]{1,60}),\s+")
_CONNECTIVE = re.compile(
    r"^(?:However|Moreover|Additionally|Meanwhile|Furthermore|In addition|Also|Still|Yet|"
    r"Indeed|Notably|Previously|Separately),\s+"
)
_APPOSITIVE = re.compile(
    r",\s+(?:the|a|an)\s+[^,;()]{3,80}?,(?=\s+(?:has|have|had|is|was|will|[a-z]+ed)\b)"
)
_PARENTHETICAL = re.compile(r"\s*\([^)]{1,60}\)")
_TRAILING_PARTICIPLE = re.compile(
    r",\s+(?:highlighting|reflecting|underscoring|signalling|signaling|indicating|marking|"
    r"particularly|especially|reinforcing|emphasizing|emphasising|striving|leading)\b[^.;]*(?=[.!?]$)"
)


def clean_sentence(text: str) -> str:
    """A sentence without its dateline or a trailing credit, for reuse as summary text."""
    text = DATELINE.sub("", text.strip())
    text = _TRAILING_CREDIT.sub("", text)
    return text[:1].upper() + text[1:] if text else text


def compress(text: str) -> str:
    """A shorter sentence that says the same thing: no dateline, credits, parentheticals,
    appositions, leading connectives or trailing participle clauses (standard sentence
    compression moves for news)."""
    out = clean_sentence(text)
    out = _LEADING_CREDIT.sub("", out)
    out = _CONNECTIVE.sub("", out)
    out = _PARENTHETICAL.sub("", out)
    out = _APPOSITIVE.sub("", out)
    out = _TRAILING_PARTICIPLE.sub("", out)
    out = out.strip()
    if not out:
        return text.strip()
    return out[:1].upper() + out[1:]


def lead_summary(
    sentences: list[Sentence],
    preferred: list[Sentence] | None = None,
    limit: int = SUMMARY_MAX_WORDS,
) -> str:
    """The lead sentence, then the sentences of the most important events (or the most
    central ones), in article order, compressed, up to `limit` words (a sentence that does not
    fit is cut with "…" only when little is written)."""
    body = (
        [s for s in sentences if s.kind == "body"]
        or [s for s in sentences if s.kind != "meta"]
        or sentences
    )
    if len(body) > 2:
        keep = [body[0], *[s for s in preferred or [] if s is not body[0]]]
        if len(keep) < 4:
            scores = textrank([s.text for s in body])
            ranked = sorted(range(1, len(body)), key=lambda i: (-scores[i], i))
            keep += [body[i] for i in ranked if body[i] not in keep][: 4 - len(keep)]
        body = sorted(keep, key=lambda s: s.start)
    words: list[str] = []
    for s in body:
        cleaned = compress(s.text).split()
        if not cleaned:
            continue
        if len(words) + len(cleaned) <= limit:
            words.extend(cleaned)
            continue
        if len(words) >= limit // 2:
            continue
        room = limit - len(words)
        words.extend(cleaned[: room - 1])
        words[-1] = words[-1].rstrip(",;:") + "…"
        break
    if not words:
        return "(empty article)"
    return " ".join(words)
