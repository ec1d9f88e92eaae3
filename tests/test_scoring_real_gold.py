"""Known answers on the project's own dataset (evals/): its gold scored against itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventbrief.models import ArticleSummary
from eventbrief.scoring import Prediction, RunInfo, evaluate, load_dataset
from eventbrief.scoring.similarity import FIELDS

EVALS = Path(__file__).resolve().parent.parent / "evals"
HAS_GOLD = any(p.name != "brief.json" for p in (EVALS / "gold").glob("*.json"))
pytestmark = pytest.mark.skipif(not HAS_GOLD, reason="evals/gold has no gold records yet")
RUN = RunInfo(dataset=str(EVALS), backend="test")


def test_real_gold_against_itself_scores_one_everywhere() -> None:
    dataset = load_dataset(EVALS)
    assert dataset.warnings == []
    report, _ = evaluate(dataset, {i.id: Prediction(i.gold) for i in dataset.items}, RUN)
    # brief.* scores the brief builder's merging, which gold records do not make perfect
    article_metrics = {k: v for k, v in report.metrics().items() if not k.startswith("brief.")}
    assert set(article_metrics.values()) == {1.0}
    assert len(article_metrics) == 21
    for art in report.per_article.values():
        assert art.fields.model_dump() == dict.fromkeys(FIELDS, 1.0)


def test_real_gold_minus_one_event_per_article() -> None:
    dataset = load_dataset(EVALS)
    preds = {}
    for item in dataset.items:
        data = item.gold.model_dump()
        data["events"] = data["events"][:-1]
        preds[item.id] = Prediction(ArticleSummary.model_validate(data))
    report, _ = evaluate(dataset, preds, RUN)
    for item in dataset.items:
        n = len(item.gold.events)
        events = report.per_article[item.id].events
        assert (events.recall, events.precision) == ((n - 1) / n, 1.0)
        assert report.per_article[item.id].unmatched_gold == [item.gold.events[-1].id]
    total = sum(len(i.gold.events) for i in dataset.items)
    assert report.overall.events.recall == (total - len(dataset.items)) / total
