"""The regression gate: stored scores per backend, model and dataset, and the check a run must pass.

`evals/baseline.json`:

    {"default_tolerance": 0.02,
     "entries": {"offline": {"dataset": "evals", "articles": […], "updated": "…", …,
                             "metrics": {"events.f1": {"score": 0.61, "tolerance": 0.02}, …}},
                 "offline@dev": {"dataset": "evals/dev", "articles": […], …},
                 "offline@heldout": {…},
                 "openai:gpt-4o-mini": {…}}}

An entry is named by backend and model (`baseline_key`); the first dataset measured for them
takes the bare name, and each other dataset `name@folder` (the dataset folder's name). A run is
compared with the entry of its backend and model measured on the same articles, whatever its
name, so a folder given by another path still finds its entry.

A run fails the gate when a metric of its entry scores below `score - tolerance` or has no
score at all (null: nothing to score, e.g. a field when no event matched, or a brief rate when
no mention matched); a metric that is null in a run is not written into an updated entry.
Metrics are the dotted names of `EvalReport.metrics()`; only metrics listed in the entry are
checked. An entry remembers the articles it was measured on: a run on articles no entry of
its backend was measured on is not compared with one measured on others (record its own entry
with --update-baseline), and a run whose gold records changed since is compared with a warning.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from eventbrief.scoring.dataset import DatasetError, first_error
from eventbrief.scoring.report import EvalReport, RunInfo

DEFAULT_TOLERANCE = 0.02
_EPSILON = 1e-6


class MetricBaseline(BaseModel):
    score: float
    tolerance: float = Field(default=DEFAULT_TOLERANCE, ge=0)


class Entry(BaseModel):
    dataset: str | None = None
    articles: list[str] = Field(default_factory=list)
    gold_sha256: str | None = None
    updated: dt.datetime | None = None
    identity: dict[str, str] = Field(default_factory=dict)
    metrics: dict[str, MetricBaseline] = Field(default_factory=dict)

    def mismatch(self, report: EvalReport) -> str | None:
        """Why this entry cannot be compared with `report` (other articles), or None."""
        if self.articles and sorted(self.articles) != sorted(report.run.articles):
            return (
                f"it was measured on other articles ({len(self.articles)} from "
                f"{self.dataset}); this run scored {len(report.run.articles)} from "
                f"{report.run.dataset}"
            )
        return None

    def stale(self, report: EvalReport) -> bool:
        """True when the texts or gold records changed since the entry was measured."""
        return self.gold_sha256 is not None and self.gold_sha256 != report.run.gold_sha256


class Baseline(BaseModel):
    default_tolerance: float = Field(default=DEFAULT_TOLERANCE, ge=0)
    entries: dict[str, Entry] = Field(default_factory=dict)


def baseline_key(backend: str, model: str | None) -> str:
    """The backend alone when the run names no model (the offline rules' run does not: their
    model is their rules), else "backend:model"."""
    if not model:
        return backend
    return f"{backend}:{model}"


def dataset_label(run: RunInfo) -> str:
    """The folder name that tells a backend's entries for different datasets apart."""
    return Path(run.dataset).resolve().name or "dataset"


def find_entry(baseline: Baseline, key: str, run: RunInfo) -> tuple[str, Entry | None]:
    """The name and entry to compare `run` with: the entry of backend `key` measured on the
    same articles; else the one named for this dataset folder, else the bare `key` (either is
    then refused by `Entry.mismatch` when measured on other articles); else the name a new
    entry would get, and None."""
    articles = sorted(run.articles)
    for name, entry in baseline.entries.items():
        if (name == key or name.startswith(f"{key}@")) and sorted(entry.articles) == articles:
            return name, entry
    for name in (f"{key}@{dataset_label(run)}", key):
        if name in baseline.entries:
            return name, baseline.entries[name]
    return key, None


def entry_name(baseline: Baseline, key: str, report: EvalReport) -> str:
    """Where --update-baseline writes `report`: its own entry, and never over the bare entry
    of another dataset."""
    name, entry = find_entry(baseline, key, report.run)
    if entry is not None and name == key and entry.mismatch(report) is not None:
        return f"{key}@{dataset_label(report.run)}"
    return name


def load_baseline(path: Path) -> Baseline:
    """The baseline file, or an empty one when the file does not exist yet."""
    if not path.exists():
        return Baseline()
    try:
        return Baseline.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValidationError as exc:
        raise DatasetError(f"{path}: not a valid baseline file: {first_error(exc)}") from None


@dataclass(frozen=True)
class Fall:
    metric: str
    score: float | None
    baseline: float
    tolerance: float

    def __str__(self) -> str:
        if self.score is None:
            return (
                f"{self.metric} has no score in this run (nothing to score, n/a); "
                f"baseline {self.baseline:.4f}"
            )
        return (
            f"{self.metric} fell: {self.score:.4f} < baseline {self.baseline:.4f} "
            f"- tolerance {self.tolerance:.4f}"
        )


@dataclass(frozen=True)
class MetricStatus:
    """One metric of an entry against a run: its score, the baseline and the tolerance."""

    metric: str
    score: float | None
    baseline: float
    tolerance: float

    @property
    def floor(self) -> float:
        return self.baseline - self.tolerance

    @property
    def ok(self) -> bool:
        return self.score is not None and self.score >= self.floor - _EPSILON


def statuses(report: EvalReport, entry: Entry) -> list[MetricStatus]:
    """Every metric of `entry` with this run's score beside it (for the HTML report)."""
    scores = report.metrics()
    return [
        MetricStatus(name, scores.get(name), base.score, base.tolerance)
        for name, base in entry.metrics.items()
    ]


def check(report: EvalReport, entry: Entry) -> list[Fall]:
    """Every metric of `entry` that the report scores below its baseline minus tolerance."""
    return [
        Fall(s.metric, s.score, s.baseline, s.tolerance)
        for s in statuses(report, entry)
        if not s.ok
    ]


def updated(baseline: Baseline, key: str, report: EvalReport) -> Baseline:
    """The baseline with `key`'s entry rewritten from `report` (tolerances already set are kept)."""
    old = baseline.entries.get(key, Entry())
    metrics = {
        name: MetricBaseline(
            score=round(score, 6),
            tolerance=old.metrics[name].tolerance
            if name in old.metrics
            else baseline.default_tolerance,
        )
        for name, score in report.metrics().items()
        if score is not None
    }
    entry = Entry(
        dataset=report.run.dataset,
        articles=report.run.articles,
        gold_sha256=report.run.gold_sha256,
        updated=report.run.created_at,
        identity=report.run.identity,
        metrics=metrics,
    )
    return baseline.model_copy(update={"entries": {**baseline.entries, key: entry}})


def save_baseline(baseline: Baseline, path: Path) -> None:
    data = baseline.model_dump(mode="json")
    data["entries"] = dict(sorted(data["entries"].items()))
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
