"""Score one article's prediction against its gold record, and a whole run of them.

Reads ArticleSummary records only (gold and predicted) plus the article text; it never sees a
backend. Everything is kept as counts (see metrics.py) so "overall" is a micro aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eventbrief.models import ArticleSummary, GroundedEvent, GroundedTakeaway, Usage
from eventbrief.scoring.matching import assign
from eventbrief.scoring.metrics import Counts, Tally
from eventbrief.scoring.names import NameMatcher, entity_similarity
from eventbrief.scoring.rouge import rouge_l
from eventbrief.scoring.similarity import EVENT_MATCH_THRESHOLD, FIELDS, EventComparer

TAKEAWAY_MATCH_THRESHOLD = 0.4
"""Lowest ROUGE-L F at which a predicted takeaway counts as stating a gold takeaway."""


@dataclass(frozen=True)
class ScoringConfig:
    event_threshold: float = EVENT_MATCH_THRESHOLD
    takeaway_threshold: float = TAKEAWAY_MATCH_THRESHOLD


DEFAULT_CONFIG = ScoringConfig()


@dataclass
class Prediction:
    """What a run produced for one article: a valid summary, or the reason there is none.

    `latency_s` is the time the backend took for a fresh extraction; an answer served from the
    extraction cache is `cached` and has no latency (the cache's speed is not the model's);
    `cached` is None when unknown (saved predictions).
    """

    summary: ArticleSummary | None
    error: str | None = None
    latency_s: float | None = None
    cached: bool | None = None


@dataclass(frozen=True)
class EventMatch:
    gold_id: str
    pred_id: str
    similarity: float
    fields: dict[str, float]


@dataclass
class ArticleScore:
    article_id: str
    gold: ArticleSummary
    prediction: Prediction
    events: Counts
    fields: dict[str, Tally]
    matches: list[EventMatch]
    unmatched_gold: list[str]
    unmatched_pred: list[str]
    entities: Counts
    takeaways: Counts
    takeaway_similarity: Tally
    takeaway_pairs: list[tuple[int, int, float]]
    summary_rouge_l: float
    quotes_found: int = 0
    quotes_total: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.prediction.summary is not None

    @property
    def partial(self) -> bool:
        """Valid, but kept from an answer that never became valid (scored as it is)."""
        summary = self.prediction.summary
        return summary is not None and summary.partial

    @property
    def grounding_rate(self) -> float:
        """Share of predicted quotes with offsets into the text (1.0 when there are none)."""
        if not self.valid:
            return 0.0
        return self.quotes_found / self.quotes_total if self.quotes_total else 1.0

    @property
    def usage(self) -> Usage | None:
        summary = self.prediction.summary
        return summary.provenance.usage if summary is not None else None


def score_article(
    gold: ArticleSummary,
    prediction: Prediction,
    text: str,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> ArticleScore:
    """Match and score one article. An invalid or missing prediction matches nothing."""
    pred = prediction.summary
    names = NameMatcher(gold.entities)
    comparer = EventComparer(text, names)
    pred_events = pred.events if pred is not None else []
    pred_entities = pred.entities if pred is not None else []
    pred_takeaways = pred.key_takeaways if pred is not None else []

    pairs = assign(pred_events, gold.events, comparer.similarity, config.event_threshold)
    fields = {name: Tally() for name in FIELDS}
    matches: list[EventMatch] = []
    for pair in sorted(pairs, key=lambda p: p.gold):
        p_event, g_event = pred_events[pair.pred], gold.events[pair.gold]
        scores = comparer.fields(p_event, g_event)
        for name, value in scores.items():
            fields[name].add(value)
        matches.append(EventMatch(g_event.id, p_event.id, pair.score, scores))
    matched_gold = {p.gold for p in pairs}
    matched_pred = {p.pred for p in pairs}

    entity_pairs = assign(pred_entities, gold.entities, entity_similarity, threshold=0.9)

    tk_pairs = assign(
        [t.text for t in pred_takeaways],
        [t.text for t in gold.key_takeaways],
        rouge_l,
        threshold=0.0,
    )
    # Mean similarity is per gold takeaway: its partner's ROUGE-L F, 0 when it has none.
    tk_similarity = Tally(sum(p.score for p in tk_pairs), len(gold.key_takeaways))
    tk_matched = sum(1 for p in tk_pairs if p.score >= config.takeaway_threshold)

    items: list[GroundedEvent | GroundedTakeaway] = [*pred_events, *pred_takeaways]
    evidence = [e for item in items for e in item.evidence]
    found = sum(1 for e in evidence if _grounded(e.start, e.end, len(text)))
    warnings = []
    if pred is not None and pred.article.sha256 != gold.article.sha256:
        warnings.append(
            f"{gold.article.id}: the prediction was made from a different text "
            "(sha256 differs from the gold record); evidence offsets may not line up"
        )

    return ArticleScore(
        article_id=gold.article.id,
        gold=gold,
        prediction=prediction,
        events=Counts(len(pairs), len(pred_events), len(gold.events)),
        fields=fields,
        matches=matches,
        unmatched_gold=[e.id for i, e in enumerate(gold.events) if i not in matched_gold],
        unmatched_pred=[e.id for i, e in enumerate(pred_events) if i not in matched_pred],
        entities=Counts(len(entity_pairs), len(pred_entities), len(gold.entities)),
        takeaways=Counts(tk_matched, len(pred_takeaways), len(gold.key_takeaways)),
        takeaway_similarity=tk_similarity,
        takeaway_pairs=[(p.pred, p.gold, p.score) for p in tk_pairs],
        summary_rouge_l=rouge_l(pred.summary, gold.summary) if pred is not None else 0.0,
        quotes_found=found,
        quotes_total=len(evidence),
        warnings=warnings,
    )


def _grounded(start: int | None, end: int | None, length: int) -> bool:
    return start is not None and end is not None and 0 <= start < end <= length
