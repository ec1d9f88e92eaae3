"""The regression gate: stored scores per backend and model, and the check a run must pass.

`evals/baseline.json`:

    {"default_tolerance": 0.02,
     "entries": {"offline": {"dataset": "evals", "updated": "…", "identity": {…},
                             "metrics": {"events.f1": {"score": 0.61, "tolerance": 0.02}, …}},
                 "openai:gpt-4o-mini": {…}}}

A run fails the gate when a metric of its entry scores below `score - tolerance` or has no
score at all (null: nothing to score, e.g. a field when no event matched, or a brief rate when
no mention matched); a metric that is null in a run is not written into an updated entry.
Metrics are the dotted names of `EvalReport.metrics()`; only metrics listed in the entry are
checked. An entry remembers the articles it was measured on: a run on other articles is not
compared with it (keep one baseline file per dataset), and a run whose gold records changed
since is compared with a warning.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from eventbrief.scoring.dataset import DatasetError, first_error
from eventbrief.scoring.report import EvalReport

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
    """ "offline" for the offline backend (its model is its rules), else "backend:model"."""
    if backend == "offline" or not model:
        return backend
    return f"{backend}:{model}"


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


def check(report: EvalReport, entry: Entry) -> list[Fall]:
    """Every metric of `entry` that the report scores below its baseline minus tolerance."""
    scores = report.metrics()
    falls = []
    for name, base in entry.metrics.items():
        score = scores.get(name)
        if score is None or score < base.score - base.tolerance - _EPSILON:
            falls.append(Fall(name, score, base.score, base.tolerance))
    return falls


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
