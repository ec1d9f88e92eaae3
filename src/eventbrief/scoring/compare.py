"""Two eval reports compared metric by metric, with a paired bootstrap over their shared articles.

Whether a change is real depends on the articles: a drop of 0.03 on six articles is noise, on
six hundred it is not. Both runs are scored on the same articles, so each resample draws the
same articles from both (see bootstrap.paired) and the interval of the difference is much
narrower than the two runs' own intervals would suggest. A gated metric is *worse* when its
whole interval lies below minus its tolerance: the same metrics and tolerances as the baseline
gate, so "compare" and the gate agree on what a regression is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eventbrief.scoring.bootstrap import LEVEL, RESAMPLES, SEED, Interval, paired
from eventbrief.scoring.report import EvalReport, RunInfo

_EPSILON = 1e-9

WORSE, BETTER, UNCLEAR = "worse", "better", "no clear change"


@dataclass(frozen=True)
class MetricDelta:
    """One metric in both runs: scores over the shared articles, new − old, its interval."""

    metric: str
    old: float | None
    new: float | None
    delta: float | None
    interval: Interval | None
    tolerance: float
    gated: bool

    @property
    def worse(self) -> bool:
        """Gated, and significantly below the old run by more than its tolerance."""
        return self.gated and self.verdict == WORSE

    @property
    def verdict(self) -> str:
        if self.interval is None:
            return "not resampled" if self.delta is not None else "n/a"
        low, high = self.interval
        if high < -self.tolerance - _EPSILON:
            return WORSE
        if low > self.tolerance + _EPSILON:
            return BETTER
        return UNCLEAR


@dataclass(frozen=True)
class Comparison:
    old: RunInfo
    new: RunInfo
    shared: list[str]
    only_old: list[str]
    only_new: list[str]
    metrics: list[MetricDelta]
    resamples: int
    seed: int
    level: float
    tolerances_from: str | None
    """The baseline entry whose metrics and tolerances are gated; None: every metric is."""
    baseline_file: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def worse(self) -> list[MetricDelta]:
        return [m for m in self.metrics if m.worse]


def _shared_brief(
    old: EvalReport, new: EvalReport, shared: list[str]
) -> dict[str, tuple[float | None, float | None]]:
    """Brief scores are over a whole set of articles and cannot be resampled; they are shown
    (not gated) when both runs scored exactly the same articles."""
    if len(shared) != len(old.per_article) or len(shared) != len(new.per_article):
        return {}
    a, b = old.metrics(), new.metrics()
    return {k: (a[k], b[k]) for k in a if k.startswith("brief.") and k in b}


def compare(
    old: EvalReport,
    new: EvalReport,
    *,
    tolerances: Mapping[str, float] | None = None,
    default_tolerance: float = 0.02,
    tolerances_from: str | None = None,
    baseline_file: str | None = None,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> Comparison:
    """Per metric, new − old over the articles both reports scored, with a paired bootstrap
    interval. `tolerances` (metric → tolerance, a baseline entry's) name the gated metrics;
    without them every resampled metric is gated at `default_tolerance`."""
    shared = [aid for aid in old.per_article if aid in new.per_article]
    old_stats, new_stats = old.article_stats(), new.article_stats()
    deltas = paired(
        [old_stats[a] for a in shared],
        [new_stats[a] for a in shared],
        resamples=resamples,
        seed=seed,
    )
    metrics = [
        MetricDelta(
            metric=name,
            old=d.old,
            new=d.new,
            delta=d.delta,
            interval=d.interval,
            tolerance=default_tolerance if tolerances is None else tolerances.get(name, 0.0),
            gated=tolerances is None or name in tolerances,
        )
        for name, d in deltas.items()
    ]
    for name, (a, b) in _shared_brief(old, new, shared).items():
        delta = None if a is None or b is None else b - a
        tolerance = default_tolerance if tolerances is None else tolerances.get(name, 0.0)
        metrics.append(MetricDelta(name, a, b, delta, None, tolerance, gated=False))
    notes = []
    if old.run.gold_sha256 and new.run.gold_sha256 and old.run.gold_sha256 != new.run.gold_sha256:
        notes.append(
            "the runs were scored against different texts or gold (gold_sha256 differs): a "
            "delta mixes the change of the gold with the change of the system"
        )
    return Comparison(
        old=old.run,
        new=new.run,
        shared=shared,
        only_old=[a for a in old.per_article if a not in new.per_article],
        only_new=[a for a in new.per_article if a not in old.per_article],
        metrics=metrics,
        resamples=resamples,
        seed=seed,
        level=LEVEL,
        tolerances_from=tolerances_from,
        baseline_file=baseline_file,
        notes=notes,
    )


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f}"


def fmt_delta_interval(interval: Interval | None) -> str:
    return "–" if interval is None else f"[{interval[0]:+.2f}, {interval[1]:+.2f}]"


def run_label(run: RunInfo) -> str:
    name = run.backend + (f":{run.model}" if run.model else "")
    return f"{name} on {run.dataset} ({run.created_at:%Y-%m-%d %H:%M} UTC)"


def method_line(comparison: Comparison) -> str:
    """What was compared and how, in one sentence."""
    c = comparison
    gate = (
        f"gated metrics and tolerances from baseline entry {c.tolerances_from!r} in "
        f"{c.baseline_file}"
        if c.tolerances_from
        else "no baseline entry: every resampled metric gated at the default tolerance"
    )
    return (
        f"{len(c.shared)} shared articles; paired bootstrap, {c.resamples} resamples, seed "
        f"{c.seed}, {round(c.level * 100)}% intervals of new − old; {gate}."
    )


def rows(comparison: Comparison) -> list[list[str]]:
    """One row of cells per metric: metric, old, new, Δ, interval, tolerance, verdict."""
    out = []
    for m in comparison.metrics:
        tolerance = f"{m.tolerance:.2f}" if m.gated else "not gated"
        verdict = m.verdict.upper() if m.worse else m.verdict
        out.append(
            [
                m.metric,
                _num(m.old),
                _num(m.new),
                _signed(m.delta),
                fmt_delta_interval(m.interval),
                tolerance,
                verdict,
            ]
        )
    return out


HEADERS = ["metric", "old", "new", "Δ", "95% interval of Δ", "tolerance", "verdict"]


def summary_line(comparison: Comparison) -> str:
    worse = comparison.worse
    if not worse:
        return "no gated metric is significantly worse"
    return f"{len(worse)} gated metric(s) significantly worse: " + ", ".join(
        m.metric for m in worse
    )


def markdown(comparison: Comparison) -> str:
    """The comparison as a Markdown comment for a pull request."""
    c = comparison
    lines = [
        "### eventbrief eval compare",
        "",
        f"old: {run_label(c.old)}  ",
        f"new: {run_label(c.new)}",
        "",
        method_line(c),
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|---|" + "---:|" * 5 + "---|",
    ]
    for cells in rows(c):
        if cells[-1] == WORSE.upper():
            cells = [f"**{cells[0]}**", *cells[1:-1], f"**{cells[-1].lower()}**"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"**{summary_line(c)}**" if c.worse else summary_line(c)]
    lines += [f"- {note}" for note in notes_of(c)]
    return "\n".join(lines) + "\n"


def notes_of(comparison: Comparison) -> list[str]:
    c = comparison
    notes = list(c.notes)
    if c.only_old or c.only_new:
        notes.append(
            f"only the shared articles are compared ({len(c.only_old)} only in old, "
            f"{len(c.only_new)} only in new)"
        )
    return notes


def worse_line(metric: MetricDelta) -> str:
    """Why a metric fails the comparison, for stderr."""
    low, high = metric.interval or (float("nan"), float("nan"))
    delta = float("nan") if metric.delta is None else metric.delta
    return (
        f"{metric.metric} is significantly worse: Δ {delta:+.4f}, interval "
        f"[{low:+.4f}, {high:+.4f}] lies below -{metric.tolerance:.4f} (its tolerance)"
    )


def to_json(comparison: Comparison) -> dict[str, Any]:
    """The comparison as JSON data (`--format json`)."""
    c = comparison
    return {
        "old": c.old.model_dump(mode="json"),
        "new": c.new.model_dump(mode="json"),
        "shared": c.shared,
        "only_old": c.only_old,
        "only_new": c.only_new,
        "bootstrap": {"resamples": c.resamples, "seed": c.seed, "level": c.level},
        "tolerances_from": c.tolerances_from,
        "baseline_file": c.baseline_file,
        "metrics": [
            {
                "metric": m.metric,
                "old": m.old,
                "new": m.new,
                "delta": m.delta,
                "delta_ci": m.interval,
                "tolerance": m.tolerance,
                "gated": m.gated,
                "verdict": m.verdict,
            }
            for m in c.metrics
        ],
        "worse": [m.metric for m in c.worse],
        "notes": notes_of(c),
    }
