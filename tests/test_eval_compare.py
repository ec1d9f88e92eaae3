"""`eventbrief eval compare OLD.json NEW.json`: per-metric deltas with paired bootstrap intervals,
exit 1 when a gated metric is significantly worse; and `eval` keeps working as a command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventbrief.cli import app

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "evals" / "heldout"
BASELINE = ROOT / "evals" / "baseline.json"
runner = CliRunner()


def invoke(*args: str | Path) -> Any:
    return runner.invoke(app, [*map(str, args)])


def predictions(folder: Path, drop: int = 0) -> Path:
    """The held-out gold as an offline run's saved predictions, `drop` events fewer each."""
    folder.mkdir()
    for path in sorted((HELDOUT / "gold").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        record["events"] = record["events"][: len(record["events"]) - drop]
        record["provenance"]["backend"] = "offline"
        (folder / path.name).write_text(json.dumps(record), encoding="utf-8")
    return folder


def report(tmp_path: Path, name: str, drop: int = 0) -> Path:
    out = tmp_path / f"{name}.json"
    preds = predictions(tmp_path / name, drop)
    result = invoke("eval", "--dataset", HELDOUT, "--predictions", preds, "--report", out)
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("compare")
    return report(tmp, "whole"), report(tmp, "two-fewer", drop=2)


def test_a_run_compared_with_itself_exits_0_with_zero_deltas(reports: tuple[Path, Path]) -> None:
    whole, _ = reports
    result = invoke("eval", "compare", whole, whole, "--baseline", BASELINE, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["shared"]) == 6 and data["worse"] == []
    for metric in data["metrics"]:
        assert metric["delta"] == 0.0 and metric["delta_ci"] == [0.0, 0.0], metric["metric"]
    assert data["tolerances_from"] == "offline@heldout"
    assert data["baseline_file"] == str(BASELINE)
    assert "no gated metric is significantly worse" in result.stderr


def test_two_events_fewer_per_article_is_significantly_worse_on_events_recall_and_f1(
    reports: tuple[Path, Path], tmp_path: Path
) -> None:
    """Six articles, each missing two of its gold events: recall and F1 drop on every article,
    so every paired draw drops; precision and every field stay at 1. Exactly those two fail,
    against the tolerances of the held-out baseline entry."""
    whole, fewer = reports
    page = tmp_path / "compare.html"
    result = invoke(
        "eval", "compare", whole, fewer, "--baseline", BASELINE, "--format", "markdown",
        "--html", page,
    )  # fmt: skip
    assert result.exit_code == 1
    named = {
        line.split()[1]
        for line in result.stderr.splitlines()
        if " is significantly worse: Δ" in line
    }
    assert named == {"events.recall", "events.f1"}
    gold = sum(len(json.loads(p.read_text())["events"]) for p in (HELDOUT / "gold").glob("*.json"))
    recall = f"events.recall is significantly worse: Δ {-12 / gold:+.4f}, interval ["
    assert recall in result.stderr
    assert "2 gated metric(s) significantly worse: events.recall, events.f1" in result.stderr
    md = result.stdout
    assert md.startswith("### eventbrief eval compare")
    assert "| **events.recall** | 1.00 |" in md and "| **worse** |" in md
    assert "| events.precision | 1.00 | 1.00 | +0.00 | [+0.00, +0.00] | 0.02 |" in md
    assert f"tolerances from baseline entry 'offline@heldout' in {BASELINE}." in md
    html = page.read_text(encoding="utf-8")
    assert html.count("<tr class='fell'>") == 2
    assert html.count("<svg") == 21  # one interval drawn per resampled metric
    assert "significantly worse: events.recall, events.f1" in html


def test_text_format_prints_a_table_on_stdout(reports: tuple[Path, Path]) -> None:
    whole, fewer = reports
    result = invoke("eval", "compare", whole, fewer, "--baseline", BASELINE)
    assert result.exit_code == 1
    assert "95% interval of Δ" in result.stdout and "WORSE" in result.stdout
    assert "6 shared articles; paired bootstrap, 1000 resamples, seed 0" in result.stdout


def test_without_a_baseline_entry_every_metric_is_gated_at_the_default_tolerance(
    reports: tuple[Path, Path], tmp_path: Path
) -> None:
    whole, fewer = reports
    empty = tmp_path / "baseline.json"
    empty.write_text('{"entries": {}}', encoding="utf-8")
    result = invoke("eval", "compare", whole, fewer, "--baseline", empty, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["tolerances_from"] is None and data["worse"] == ["events.recall", "events.f1"]
    assert {m["tolerance"] for m in data["metrics"]} == {0.02}


def test_only_the_shared_articles_are_compared(reports: tuple[Path, Path], tmp_path: Path) -> None:
    whole, _ = reports
    data = json.loads(whole.read_text(encoding="utf-8"))
    dropped = sorted(data["per_article"])[0]
    del data["per_article"][dropped]
    fewer_articles = tmp_path / "five.json"
    fewer_articles.write_text(json.dumps(data), encoding="utf-8")
    result = invoke("eval", "compare", whole, fewer_articles, "--format", "json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert len(out["shared"]) == 5 and out["only_old"] == [dropped]
    assert "only the shared articles are compared (1 only in old, 0 only in new)" in result.stderr


def test_a_file_that_is_not_a_report_is_a_usage_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": 1}', encoding="utf-8")
    result = invoke("eval", "compare", bogus, bogus)
    assert result.exit_code == 2
    assert "bogus.json: not an eval report (eval --report): run: Field required" in result.stderr


def test_eval_is_still_one_command_with_compare_beside_it() -> None:
    """`eval` became a group so `compare` can live under it; its own options still come first,
    and an eval option given before `compare` is refused rather than dropped."""
    shown = invoke("eval", "--help")
    assert shown.exit_code == 0
    assert "Usage: eventbrief eval [OPTIONS] [COMMAND]" in shown.stdout
    assert "--backend" in shown.stdout and "compare" in shown.stdout
    refused = invoke("eval", "--backend", "offline", "compare", "a.json", "b.json")
    assert refused.exit_code == 2
    assert "--backend: options of eval itself" in refused.stderr
    unknown = invoke("eval", "frobnicate")
    assert unknown.exit_code == 2
