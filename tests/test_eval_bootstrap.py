"""Bootstrap intervals over articles: known answers, reproducibility, the report's `_ci` keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventbrief.cli import app
from eventbrief.models import ArticleSummary
from eventbrief.scoring import Prediction, RunInfo, score_article
from eventbrief.scoring.bootstrap import ArticleStats, intervals, metrics_of, paired
from eventbrief.scoring.report import EvalReport, build_report, interval_name
from eventbrief.scoring.similarity import FIELDS
from scoring_records import TEXTS, as_prediction, gold_a, gold_b

RUN = RunInfo(dataset="synthetic", backend="test")
EVALS = Path(__file__).resolve().parent.parent / "evals"

PARTS = ("events", "entities", "takeaways")
HEADLINE = [
    *(f"{part}.{k}" for part in PARTS for k in ("precision", "recall", "f1")),
    *(f"fields.{name}" for name in FIELDS),
    "takeaways.mean_similarity",
    "summary_rouge_l",
    "grounding_rate",
    "schema_validity",
]


def report_of(preds: dict[str, ArticleSummary], **kwargs: Any) -> EvalReport:
    golds = {"a": gold_a(), "b": gold_b()}
    scores = [score_article(golds[k], Prediction(p), TEXTS[k]) for k, p in preds.items()]
    return build_report(scores, RUN, **kwargs)


def perfect() -> dict[str, ArticleSummary]:
    return {"a": as_prediction(gold_a()), "b": as_prediction(gold_b())}


def minus_last_event(gold: ArticleSummary) -> ArticleSummary:
    return as_prediction(gold, events=[e.model_dump() for e in gold.events[:-1]])


def stats(report: EvalReport) -> list[ArticleStats]:
    return list(report.article_stats().values())


def test_resummed_article_stats_give_the_reports_own_scores() -> None:
    """The sums a resample adds up reproduce the report's overall scores exactly."""
    report = report_of({"a": minus_last_event(gold_a()), "b": as_prediction(gold_b())})
    rows = stats(report)
    resummed = metrics_of([sum(col) for col in zip(*(r.values for r in rows), strict=True)])
    expected = {k: v for k, v in report.metrics().items() if not k.startswith("brief.")}
    assert resummed.keys() == expected.keys() == set(HEADLINE)
    for name, value in expected.items():
        assert resummed[name] == pytest.approx(value), name


def test_a_constant_metric_has_a_zero_width_interval() -> None:
    """Gold against itself: every article scores 1 on everything, so every draw does too."""
    report = report_of(perfect())
    found = report.intervals()
    assert {name: found[name] for name in HEADLINE} == dict.fromkeys(HEADLINE, (1.0, 1.0))


def test_two_articles_give_the_three_possible_draws_as_the_interval() -> None:
    """a: 5 of 5 events found; b: 2 of 3. A draw of two articles is {a,a} (recall 1), {a,b}
    (7/8) or {b,b} (2/3) with chances 1/4, 1/2, 1/4, so the 95% interval is [2/3, 1]."""
    report = report_of({"a": as_prediction(gold_a()), "b": minus_last_event(gold_b())})
    assert report.overall.events.recall == 7 / 8
    assert report.overall.events.recall_ci == (2 / 3, 1.0)
    assert report.overall.events.precision_ci == (1.0, 1.0)
    # F1 of each draw: {b,b} 2·1·(2/3)/(5/3) = 0.8, {a,a} 1
    assert report.overall.events.f1_ci == (pytest.approx(0.8), 1.0)


def test_one_article_has_nothing_to_resample() -> None:
    report = report_of({"b": minus_last_event(gold_b())})
    assert report.overall.events.recall_ci == (2 / 3, 2 / 3)


def test_a_seeded_bootstrap_is_reproducible_and_the_seed_matters() -> None:
    preds = {"a": minus_last_event(gold_a()), "b": as_prediction(gold_b())}
    rows = stats(report_of(preds))
    assert intervals(rows, seed=7) == intervals(rows, seed=7)
    assert report_of(preds, seed=3).intervals() == report_of(preds, seed=3).intervals()
    ten = intervals(rows, resamples=10, seed=1)
    assert any(ten[k] != intervals(rows, resamples=10, seed=2)[k] for k in ten)


def test_no_resamples_no_intervals() -> None:
    report = report_of(perfect(), resamples=0)
    assert report.settings.bootstrap is None
    assert set(report.intervals().values()) == {None}


def test_paired_deltas_known_answer() -> None:
    """Each article loses its last event: recall falls by 1/5 on a and 1/3 on b. A paired draw
    takes the same articles from both runs, so the delta of a draw is -0.2 ({a,a}), -0.25
    ({a,b}) or -1/3 ({b,b}): the interval is exactly [-1/3, -0.2], though each run's own
    interval is wide."""
    old = report_of(perfect())
    new = report_of({"a": minus_last_event(gold_a()), "b": minus_last_event(gold_b())})
    deltas = paired(stats(old), stats(new))
    recall = deltas["events.recall"]
    assert (recall.old, recall.new, recall.delta) == (1.0, 0.75, -0.25)
    assert recall.interval == (pytest.approx(-1 / 3), pytest.approx(-0.2))
    assert deltas["events.precision"].interval == (0.0, 0.0)
    assert deltas["fields.type"].interval == (0.0, 0.0)
    assert deltas["summary_rouge_l"].delta == 0.0


def test_paired_with_itself_is_zero_everywhere() -> None:
    rows = stats(report_of({"a": minus_last_event(gold_a()), "b": as_prediction(gold_b())}))
    for name, delta in paired(rows, rows).items():
        assert delta.delta == 0.0 and delta.interval == (0.0, 0.0), name


def test_the_report_holds_an_interval_beside_each_headline_metric() -> None:
    """The offline backend on the seeds, through the CLI: `overall.events.f1_ci` holds F1, and
    so does every headline metric's interval; the terminal table shows them."""
    result = CliRunner().invoke(
        app, ["eval", "--dataset", str(EVALS), "--backend", "offline", "--report", "-"]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    overall = report["overall"]
    low, high = overall["events"]["f1_ci"]
    assert low <= overall["events"]["f1"] <= high
    assert low < high  # the offline backend is not perfect on every article
    for name in HEADLINE:
        value, interval = overall, overall
        for part in name.split("."):
            value = value[part]
        for part in interval_name(name).split("."):
            interval = interval[part]
        assert isinstance(interval, list) and len(interval) == 2, name
        assert interval[0] <= value <= interval[1], name
    assert report["settings"]["bootstrap"]["resamples"] == 1000
    assert report["settings"]["bootstrap"]["seed"] == 0
    assert "95% interval" in result.stderr
    again = CliRunner().invoke(
        app, ["eval", "--dataset", str(EVALS), "--backend", "offline", "--report", "-"]
    )
    first, second = EvalReport.model_validate(report), EvalReport.model_validate_json(again.stdout)
    assert second.intervals() == first.intervals()
