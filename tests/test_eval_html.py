"""The HTML eval report: baseline status, brief scores, bars scaled near 1.0, intervals drawn."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventbrief.cli import app
from eventbrief.scoring.html_report import axis_start
from scoring_records import as_prediction, gold_a, gold_b, write_dataset, write_predictions

EVALS = Path(__file__).resolve().parent.parent / "evals"
runner = CliRunner()


@pytest.mark.parametrize(
    ("values", "start"),
    [
        ([0.93, 1.0], 0.9),
        ([0.9, 1.0], 0.8),  # the shortest bar is never empty
        ([0.88, None, 1.0], 0.8),
        ([1.0], 0.9),
        ([0.05], 0.0),
        ([0.0, 1.0], 0.0),
        ([None], 0.0),
    ],
)
def test_the_axis_starts_a_tenth_below_the_lowest_value(
    values: list[float | None], start: float
) -> None:
    assert axis_start(values) == pytest.approx(start)


def _bars(html: str, title: str) -> str:
    """The SVG of one chart."""
    match = re.search(rf"<h3>{re.escape(title)}</h3>(<svg.*?</svg>)", html)
    assert match is not None, title
    return match.group(1)


def test_the_page_shows_the_baseline_status_and_draws_each_overall_interval(
    tmp_path: Path,
) -> None:
    data = write_dataset(tmp_path / "d")
    a, b = gold_a(), gold_b()
    good = write_predictions(tmp_path / "good", {"a": as_prediction(a), "b": as_prediction(b)})
    base = tmp_path / "baseline.json"
    made = runner.invoke(
        app, ["eval", "--dataset", str(data), "--predictions", str(good), "--baseline", str(base),
              "--update-baseline"],
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    worse = write_predictions(
        tmp_path / "worse",
        {
            "a": as_prediction(a, events=[e.model_dump() for e in a.events[:4]]),
            "b": as_prediction(b),
        },
    )
    page = tmp_path / "r.html"
    result = runner.invoke(
        app, ["eval", "--dataset", str(data), "--predictions", str(worse), "--baseline", str(base),
              "--html", str(page), "--report", "-"],
    )  # fmt: skip
    assert result.exit_code == 1  # events.recall and events.f1 fell
    html = page.read_text(encoding="utf-8")
    report = json.loads(result.stdout)
    assert "<h2>Baseline offline</h2>" in html
    assert "2 of 21 metrics fell" in html
    fell = re.findall(r"<tr class='fell'><td>([^<]+)</td><td>([^<]+)</td>", html)
    assert fell == [("events.recall", "0.8750"), ("events.f1", "0.9333")]
    assert html.count("<tr class='ok'>") == 19
    # 16 charts, each with one interval (the overall bar's), drawn as a whisker
    assert html.count("<svg") == 16
    assert html.count("<title>interval ") == 16
    recall = report["overall"]["events"]["recall_ci"]
    assert f"<title>interval {recall[0]:.2f}–{recall[1]:.2f}</title>" in _bars(
        html, "events recall"
    )
    # events recall: a 4/5, b 1, overall 7/8 → the axis starts at 0.7, not 0
    assert ">0.7</text>" in _bars(html, "events recall")


def test_without_baseline_there_is_no_status_section(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "d")
    preds = write_predictions(
        tmp_path / "p", {"a": as_prediction(gold_a()), "b": as_prediction(gold_b())}
    )
    page = tmp_path / "r.html"
    args = ["eval", "--dataset", str(data), "--predictions", str(preds), "--html", str(page)]
    assert runner.invoke(app, args).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "<h2>Baseline" not in html and "<h2>Brief</h2>" not in html


def test_with_brief_gold_the_page_shows_the_brief_scores(tmp_path: Path) -> None:
    preds = tmp_path / "p"
    preds.mkdir()
    for path in (EVALS / "gold").glob("0*.json"):
        (preds / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    page = tmp_path / "r.html"
    result = runner.invoke(
        app,
        ["eval", "--dataset", str(EVALS), "--predictions", str(preds), "--html", str(page),
         "--report", "-"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    brief = json.loads(result.stdout)["overall"]["brief"]
    html = page.read_text(encoding="utf-8")
    assert "<h2>Brief</h2>" in html
    chart = _bars(html, "brief")
    for label in ("cluster B³ F1", "pairwise F1", "conflict recall"):
        assert f">{label}</text>" in chart
    assert f">{brief['cluster_b3_f1']:.2f}</text>" in chart
    assert f"gold mentions {brief['gold_mentions']}" in html
    assert html.count("<svg") == 17  # the 16 metric charts and the brief's
