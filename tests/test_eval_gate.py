"""The eval gate scores the seeds, the development sets and the held-out sets separately, each
against its own entry of evals/baseline.json, and no set can drop out of it unnoticed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventbrief.cli import app
from eventbrief.scoring import RunInfo, load_dataset
from eventbrief.scoring.baseline import find_entry, load_baseline
from scoring_records import as_prediction, gold_a, gold_b, write_dataset, write_predictions

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "evals" / "baseline.json"
GATED = {
    "seeds": ROOT / "evals",
    **{gold.parent.name: gold.parent for gold in sorted((ROOT / "evals").glob("*/gold"))},
}
"""The seeds and every folder of evals/ with gold: a new set is gated, with its own entry, or
these tests fail."""
ENTRIES = {name: "offline" if name == "seeds" else f"offline@{name}" for name in GATED}
HEADLINE = ("events.precision", "events.recall", "events.f1", "fields.type", "entities.f1")


def run_of(dataset: Path) -> RunInfo:
    return RunInfo(dataset=str(dataset), backend="offline", articles=load_dataset(dataset).ids)


@pytest.mark.parametrize("name", sorted(GATED))
def test_each_gated_set_has_its_own_offline_baseline_entry(name: str) -> None:
    baseline = load_baseline(BASELINE)
    entry_key, entry = find_entry(baseline, "offline", run_of(GATED[name]))
    assert entry is not None, f"evals/baseline.json has no offline entry for {name}"
    assert sorted(entry.articles) == sorted(load_dataset(GATED[name]).ids)
    assert set(HEADLINE) <= set(entry.metrics)
    assert entry_key == ENTRIES[name]


@pytest.mark.parametrize("name", sorted(set(GATED) - {"seeds"}))
def test_the_dev_and_heldout_entries_were_measured_on_the_gold_as_it_is(name: str) -> None:
    entry = find_entry(load_baseline(BASELINE), "offline", run_of(GATED[name]))[1]
    assert entry is not None
    assert entry.gold_sha256 == load_dataset(GATED[name]).fingerprint()


def test_entries_are_found_by_their_articles_and_new_ones_never_overwrite_another_set(
    tmp_path: Path,
) -> None:
    """A second dataset of the same backend gets `offline@<folder>`, the first keeps `offline`,
    and each run is gated against the entry measured on its own articles."""
    a, b = gold_a(), gold_b()
    both = write_dataset(tmp_path / "both")
    only_a = write_dataset(tmp_path / "only-a", {"a": a})
    preds = write_predictions(tmp_path / "p", {"a": as_prediction(a), "b": as_prediction(b)})
    base = tmp_path / "baseline.json"
    runner = CliRunner()

    def run(*args: str | Path) -> str:
        result = runner.invoke(app, ["eval", "--predictions", str(preds), *map(str, args)])
        assert result.exit_code == 0, result.stderr
        return result.stderr

    run("--dataset", both, "--baseline", base, "--update-baseline")
    assert "baseline entry 'offline@only-a' written" in run(
        "--dataset", only_a, "--baseline", base, "--update-baseline"
    )
    entries = json.loads(base.read_text())["entries"]
    assert {k: v["articles"] for k, v in entries.items()} == {
        "offline": ["a", "b"],
        "offline@only-a": ["a"],
    }
    assert "at or above baseline 'offline@only-a'" in run(
        "--dataset", only_a, "--baseline", base, "--require-baseline"
    )
    assert "at or above baseline 'offline'" in run("--dataset", both, "--baseline", base)
    # the same articles under another folder name still find their entry
    moved = tmp_path / "renamed"
    (tmp_path / "only-a").rename(moved)
    assert "at or above baseline 'offline@only-a'" in run("--dataset", moved, "--baseline", base)
    baseline = load_baseline(base)
    report_run = RunInfo(dataset=str(moved), backend="offline", articles=["a"])
    assert find_entry(baseline, "offline", report_run)[0] == "offline@only-a"


def _gate(tmp_path: Path, baseline: Path) -> subprocess.CompletedProcess[str]:
    """.ci/eval-gate as CI runs it, with this interpreter's `eventbrief` first on PATH."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "EVAL_REPORTS": str(tmp_path / "reports"),
        "EVAL_BASELINE": str(baseline),
    }
    return subprocess.run(
        ["bash", str(ROOT / ".ci" / "eval-gate")],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )


def test_ci_runs_the_eval_gate() -> None:
    assert "bash .ci/eval-gate" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_ci_eval_gate_scores_each_set_against_its_entry_and_passes(tmp_path: Path) -> None:
    done = _gate(tmp_path, BASELINE)
    assert done.returncode == 0, done.stderr
    for name, entry in ENTRIES.items():
        assert f"metrics at or above baseline {entry!r} (within tolerance)" in done.stderr
        report = json.loads((tmp_path / "reports" / f"eval-offline-{name}.json").read_text())
        assert report["per_article"].keys() == set(load_dataset(GATED[name]).ids)
        assert report["run"]["backend"] == "offline"
        assert (tmp_path / "reports" / f"eval-offline-{name}.html").stat().st_size > 0


def test_the_ci_eval_gate_fails_when_a_set_has_no_entry(tmp_path: Path) -> None:
    stored = json.loads(BASELINE.read_text(encoding="utf-8"))
    del stored["entries"]["offline@heldout"]
    partial = tmp_path / "baseline.json"
    partial.write_text(json.dumps(stored), encoding="utf-8")
    done = _gate(tmp_path, partial)
    assert done.returncode == 2  # no entry on these articles; the seeds' entry is refused
    assert "cannot be compared: it was measured on other articles" in done.stderr
    assert "record an entry for these articles with --update-baseline: 'offline@heldout'" in (
        done.stderr
    )
    assert "at or above baseline 'offline@dev'" in done.stderr  # the other sets still ran
