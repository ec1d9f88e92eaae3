"""Brief scores: how well merged events match the gold clusters, and which gold conflicts are found.

Predicted article events are first mapped to gold events (the per-article event matching of the
eval, or an evidence-overlap matcher); then, over the gold mentions that got a predicted event,
B³ and pairwise precision/recall/F1 of the clustering. A gold conflict is recalled when the brief
has a conflict of the same field whose values split the gold conflict's articles the same way.
A rate with nothing to score (0/0: no matched mention, no conflict) is None, null in the JSON
report: counting it as 1.0 would print a perfect score for a run that matched nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from eventbrief.brief import build_brief
from eventbrief.models import ArticleSummary, Brief, Conflict, GroundedEvent
from eventbrief.scoring.matching import max_weight_pairs

EventKey = tuple[str, str]
"""(article id, event id)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldMention(_Strict):
    article_id: str
    event_id: str


class GoldCluster(_Strict):
    id: str
    label: str = ""
    mentions: list[GoldMention] = Field(min_length=1)


class GoldValue(_Strict):
    value: Any = None
    text: str | None = None
    articles: list[str] = Field(min_length=1)


class GoldConflict(_Strict):
    cluster: str | None = None
    field: str
    description: str = ""
    values: list[GoldValue] = Field(min_length=2)


class BriefGold(_Strict):
    """evals/gold/brief.json: which gold events are one happening, and the conflicts."""

    clusters: list[GoldCluster]
    conflicts: list[GoldConflict] = Field(default_factory=list)

    @model_validator(mode="after")
    def _each_mention_once(self) -> BriefGold:
        seen: set[EventKey] = set()
        for cluster in self.clusters:
            for m in cluster.mentions:
                key = (m.article_id, m.event_id)
                if key in seen:
                    raise ValueError(f"gold mention {key} is in more than one cluster")
                seen.add(key)
        return self


class BriefGoldError(ValueError):
    pass


def load_brief_gold(path: str | Path) -> BriefGold:
    try:
        return BriefGold.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        reason = " ".join(str(exc).split())[:300]
        raise BriefGoldError(f"{path}: not a brief gold file: {reason}") from None


def _span_iou(a: GroundedEvent, b: GroundedEvent) -> float:
    best = 0.0
    for x in a.evidence:
        for y in b.evidence:
            if x.start is None or x.end is None or y.start is None or y.end is None:
                continue
            inter = min(x.end, y.end) - max(x.start, y.start)
            if inter > 0:
                union = max(x.end, y.end) - min(x.start, y.start)
                best = max(best, inter / union)
    return best


def event_map_by_evidence(
    predicted: Sequence[ArticleSummary], gold: Sequence[ArticleSummary], threshold: float = 0.1
) -> dict[EventKey, str]:
    """Per article, one-to-one by evidence span overlap (plus a little for the same type)."""
    gold_by_id = {g.article.id: g for g in gold}
    mapping: dict[EventKey, str] = {}
    for pred in predicted:
        g = gold_by_id.get(pred.article.id)
        if g is None or not pred.events or not g.events:
            continue
        matrix = [[0.0] * len(g.events) for _ in pred.events]
        for i, p_event in enumerate(pred.events):
            for j, g_event in enumerate(g.events):
                iou = _span_iou(p_event, g_event)
                if iou > 0:
                    matrix[i][j] = iou + (0.2 if p_event.type == g_event.type else 0.0)
        for i, j in max_weight_pairs(matrix):
            if matrix[i][j] >= threshold:
                mapping[(pred.article.id, pred.events[i].id)] = g.events[j].id
    return mapping


def event_map_from_scores(scores: Iterable[Any]) -> dict[EventKey, str]:
    """From the eval's per-article scores (each with `article_id` and `matches` holding
    `gold_id` and `pred_id`), so the brief is judged on the same matching as the events."""
    return {(s.article_id, m.pred_id): m.gold_id for s in scores for m in s.matches}


def _ratio(hits: float, total: float) -> float | None:
    """hits / total, or None when there was nothing to score (a 0/0 is not a perfect score)."""
    return hits / total if total else None


def _prf(
    hits_p: float, total_p: float, hits_r: float, total_r: float
) -> tuple[float | None, float | None, float | None]:
    """Precision, recall and F1; each None when it has nothing to score. With one side empty
    and the other not, nothing on the other side can be matched, so F1 is 0 (as
    2·tp / (predicted + gold) would give), not None."""
    precision, recall = _ratio(hits_p, total_p), _ratio(hits_r, total_r)
    if precision is None and recall is None:
        return None, None, None
    if precision is None or recall is None:
        return precision, recall, 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def cluster_scores(
    predicted: Mapping[EventKey, int], gold: Mapping[EventKey, str]
) -> dict[str, float | None]:
    """B³ and pairwise P/R/F1 over the items both clusterings hold; None where there is
    nothing to score (no item in both for B³, no pair on either side for pairwise)."""
    items = sorted(set(predicted) & set(gold))
    b3_p = b3_r = 0.0
    for item in items:
        same_pred = {o for o in items if predicted[o] == predicted[item]}
        same_gold = {o for o in items if gold[o] == gold[item]}
        both = len(same_pred & same_gold)
        b3_p += both / len(same_pred)
        b3_r += both / len(same_gold)
    n = len(items)
    bp, br, bf = _prf(b3_p, n, b3_r, n)
    pred_pairs = {(a, b) for a, b in combinations(items, 2) if predicted[a] == predicted[b]}
    gold_pairs = {(a, b) for a, b in combinations(items, 2) if gold[a] == gold[b]}
    shared = len(pred_pairs & gold_pairs)
    pp, pr, pf = _prf(shared, len(pred_pairs), shared, len(gold_pairs))
    return {
        "cluster_b3_precision": bp,
        "cluster_b3_recall": br,
        "cluster_b3_f1": bf,
        "cluster_pairwise_precision": pp,
        "cluster_pairwise_recall": pr,
        "cluster_pairwise_f1": pf,
    }


def _field(name: str) -> str:
    """Count fields ("visit_count", "count of visits") compare as one."""
    return "count" if "count" in name.casefold() else name.casefold()


def _split(values: Iterable[Any], within: set[str] | None = None) -> frozenset[frozenset[str]]:
    parts = (frozenset(v.articles) & within if within else frozenset(v.articles) for v in values)
    return frozenset(p for p in parts if p)


def conflict_matches(predicted: Conflict, gold: GoldConflict) -> bool:
    """Same field; the brief's values, cut to the gold conflict's articles, split them alike."""
    if _field(predicted.field) != _field(gold.field):
        return False
    gold_split = _split(gold.values)
    covered = set().union(*gold_split)
    return _split(predicted.values, covered) == gold_split


def score_brief(brief: Brief, gold: BriefGold, event_map: Mapping[EventKey, str]) -> dict[str, Any]:
    """Flat scores for the eval report's `overall.brief`: counts, and rates that are None
    when they have nothing to score (no matched mention, no conflict on that side)."""
    gold_cluster = {(m.article_id, m.event_id): c.id for c in gold.clusters for m in c.mentions}
    predicted: dict[EventKey, int] = {}
    for n, event in enumerate(brief.events):
        for m in event.mentions:
            target = event_map.get((m.article_id, m.event_id))
            if target is not None:
                predicted[(m.article_id, target)] = n
    scores: dict[str, Any] = cluster_scores(predicted, gold_cluster)
    recalled = [g for g in gold.conflicts if any(conflict_matches(p, g) for p in brief.conflicts)]
    right = [p for p in brief.conflicts if any(conflict_matches(p, g) for g in gold.conflicts)]
    scores.update(
        {
            "conflict_recall": _ratio(len(recalled), len(gold.conflicts)),
            "conflict_precision": _ratio(len(right), len(brief.conflicts)),
            "gold_conflicts": len(gold.conflicts),
            "predicted_conflicts": len(brief.conflicts),
            "gold_mentions": len(gold_cluster),
            "matched_mentions": len(set(predicted) & set(gold_cluster)),
            "gold_clusters": len(gold.clusters),
            "brief_events": len(brief.events),
        }
    )
    return scores


def score_summaries(
    predicted: Sequence[ArticleSummary],
    gold_brief: BriefGold,
    event_map: Mapping[EventKey, str],
    texts: Mapping[str, str] | None = None,
) -> tuple[Brief, dict[str, Any]]:
    """Build the brief from predicted summaries and score it."""
    brief = build_brief(list(predicted), texts=texts)
    return brief, score_brief(brief, gold_brief, event_map)


def brief_report(
    gold_path: str | Path,
    predicted: Sequence[ArticleSummary],
    gold: Sequence[ArticleSummary],
    texts: Mapping[str, str] | None = None,
    scores: Iterable[Any] | None = None,
) -> dict[str, Any]:
    """What `eventbrief eval` puts under `overall.brief`: pass the eval's ArticleScore list as
    `scores` to reuse its event matching; without it, events are matched by evidence overlap."""
    gold_brief = load_brief_gold(gold_path)
    event_map = (
        event_map_from_scores(scores)
        if scores is not None
        else event_map_by_evidence(predicted, gold)
    )
    _, result = score_summaries(predicted, gold_brief, event_map, texts)
    return result


def dataset_brief_scores(
    dataset: Any, predictions: Mapping[str, Any], scores: Iterable[Any] | None = None
) -> dict[str, Any] | None:
    """The eval's hook for `overall.brief`: None when the dataset has no gold/brief.json.

    `dataset` has `brief_gold` (a path or None) and `items` (each with `id`, `gold` and
    `article.text`); `predictions` maps article id to an object with `summary`; `scores` are the
    eval's per-article scores, whose event matching is reused.
    """
    if getattr(dataset, "brief_gold", None) is None:
        return None
    predicted = [p.summary for p in predictions.values() if p.summary is not None]
    gold = [item.gold for item in dataset.items]
    texts = {item.id: item.article.text for item in dataset.items}
    return brief_report(dataset.brief_gold, predicted, gold, texts, scores)
