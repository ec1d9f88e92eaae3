"""Bootstrap intervals over articles, for one run and for the difference between two runs.

An eval scores a few articles, so a score moves when other articles of the same kind are drawn.
Resampling *articles* (not events) with replacement keeps what an article's events share (one
text, one labeller's calls) together. Every overall metric is a ratio of sums over articles
(see report.py), so each article is reduced once to the sums it adds (`ArticleStats`) and a
resample only adds vectors up. Pure Python with `random.Random(seed)`: a report is reproducible
from its seed, and no numeric library is needed.

The interval is the percentile interval of the resampled scores, widened where needed to hold
the observed score (with a handful of articles a skewed ratio can put the observed value a hair
outside; an interval that excludes what was measured would only confuse).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventbrief.scoring.metrics import Counts, Tally
from eventbrief.scoring.similarity import FIELDS

if TYPE_CHECKING:  # report.py builds on this module
    from eventbrief.scoring.report import ArticleReport

RESAMPLES = 1000
SEED = 0
LEVEL = 0.95

Interval = tuple[float, float]

_PRF_PARTS = ("events", "entities", "takeaways")
_SLOTS: tuple[str, ...] = (
    *(f"{part}.{n}" for part in _PRF_PARTS for n in ("tp", "pred", "gold")),
    *(f"fields.{name}" for name in FIELDS),
    "fields.pairs",
    "takeaways.similarity",
    "takeaways.similarity_n",
    "summary_rouge_l",
    "articles",
    "valid",
    "quotes_found",
    "quotes_total",
    "quotes_known",
)
_AT = {name: i for i, name in enumerate(_SLOTS)}


@dataclass(frozen=True)
class ArticleStats:
    """What one article adds to the sums that every overall metric divides."""

    values: tuple[float, ...]

    @classmethod
    def of(cls, article: ArticleReport) -> ArticleStats:
        """From a report's per-article entry (`ArticleReport`, or one read back from JSON).

        Field sums come from the matched pairs' field scores and the takeaway similarity sum
        from its mean times the gold takeaways, so a saved report is enough to resample.
        """
        row = [0.0] * len(_SLOTS)
        for part in _PRF_PARTS:
            prf = getattr(article, part)
            row[_AT[f"{part}.tp"]] = prf.matched
            row[_AT[f"{part}.pred"]] = prf.predicted
            row[_AT[f"{part}.gold"]] = prf.gold
        for match in article.matches:
            for name in FIELDS:
                row[_AT[f"fields.{name}"]] += match.fields[name]
        row[_AT["fields.pairs"]] = len(article.matches)
        n_takeaways = article.takeaways.gold
        row[_AT["takeaways.similarity"]] = (article.takeaways.mean_similarity or 0.0) * n_takeaways
        row[_AT["takeaways.similarity_n"]] = n_takeaways
        row[_AT["summary_rouge_l"]] = article.summary_rouge_l
        row[_AT["articles"]] = 1
        if article.valid:
            row[_AT["valid"]] = 1
            known = article.quotes_total is not None and article.quotes_found is not None
            row[_AT["quotes_known"]] = 1 if known else 0
            row[_AT["quotes_found"]] = article.quotes_found or 0
            row[_AT["quotes_total"]] = article.quotes_total or 0
        return cls(tuple(row))


def _sum(rows: Sequence[ArticleStats], picks: Sequence[int]) -> list[float]:
    return [sum(column) for column in zip(*(rows[i].values for i in picks), strict=True)]


def metrics_of(sums: Sequence[float]) -> dict[str, float | None]:
    """The overall metrics (names as in `EvalReport.metrics`, brief aside) of summed stats,
    aggregated exactly as report.py aggregates the whole run."""
    at = _AT
    out: dict[str, float | None] = {}
    for part in _PRF_PARTS:
        counts = Counts(
            int(sums[at[f"{part}.tp"]]),
            int(sums[at[f"{part}.pred"]]),
            int(sums[at[f"{part}.gold"]]),
        )
        out[f"{part}.precision"] = counts.precision
        out[f"{part}.recall"] = counts.recall
        out[f"{part}.f1"] = counts.f1
    pairs = int(sums[at["fields.pairs"]])
    for name in FIELDS:
        out[f"fields.{name}"] = Tally(sums[at[f"fields.{name}"]], pairs).mean
    similarity = Tally(sums[at["takeaways.similarity"]], int(sums[at["takeaways.similarity_n"]]))
    out["takeaways.mean_similarity"] = similarity.mean
    articles = sums[at["articles"]]
    out["summary_rouge_l"] = sums[at["summary_rouge_l"]] / articles if articles else 0.0
    valid = sums[at["valid"]]
    if valid and sums[at["quotes_known"]] == valid:
        total = sums[at["quotes_total"]]
        out["grounding_rate"] = sums[at["quotes_found"]] / total if total else 1.0
    else:  # no valid prediction, or a report too old to hold its quote counts
        out["grounding_rate"] = None
    out["schema_validity"] = valid / articles if articles else 0.0
    return out


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default method)."""
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _interval(values: list[float], observed: float | None, level: float) -> Interval | None:
    if not values or observed is None:
        return None
    values.sort()
    tail = (1.0 - level) / 2
    low, high = _quantile(values, tail), _quantile(values, 1.0 - tail)
    return (min(low, observed), max(high, observed))


def _resamples(
    n: int, resamples: int, seed: int, each: Callable[[list[int]], Mapping[str, float | None]]
) -> dict[str, list[float]]:
    """`each` applied to `resamples` draws of n article indices with replacement; the values
    it returns collected per metric (a metric with nothing to score in a draw is left out)."""
    rng = random.Random(seed)
    population = range(n)
    collected: dict[str, list[float]] = {}
    for _ in range(resamples):
        picks = rng.choices(population, k=n)
        for name, value in each(picks).items():
            if value is not None:
                collected.setdefault(name, []).append(value)
    return collected


def intervals(
    rows: Sequence[ArticleStats],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> dict[str, Interval | None]:
    """A `level` bootstrap interval for every metric of `metrics_of`, from `resamples` draws
    of the articles; None for a metric with no observed score (or no articles)."""
    if not rows or resamples <= 0:
        return {}
    observed = metrics_of(_sum(rows, range(len(rows))))
    drawn = _resamples(len(rows), resamples, seed, lambda picks: metrics_of(_sum(rows, picks)))
    return {name: _interval(drawn.get(name, []), value, level) for name, value in observed.items()}


@dataclass(frozen=True)
class Delta:
    """One metric in two runs over the same articles: `new - old` and its paired interval."""

    old: float | None
    new: float | None
    delta: float | None
    interval: Interval | None


def paired(
    old: Sequence[ArticleStats],
    new: Sequence[ArticleStats],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> dict[str, Delta]:
    """Paired bootstrap of new − old: `old[i]` and `new[i]` are the same article, and each draw
    takes the same articles from both runs, so what the articles share (an easy article is
    easy for both) cancels and only the change between the runs is left to vary."""
    if len(old) != len(new):
        raise ValueError(f"paired stats differ in length: {len(old)} and {len(new)}")
    if not old:
        return {}
    everything = range(len(old))
    before, after = metrics_of(_sum(old, everything)), metrics_of(_sum(new, everything))

    def deltas(picks: list[int]) -> dict[str, float | None]:
        a, b = metrics_of(_sum(old, picks)), metrics_of(_sum(new, picks))
        return {k: _minus(b[k], a[k]) for k in a}

    drawn = _resamples(len(old), resamples, seed, deltas) if resamples > 0 else {}
    out = {}
    for name in before:
        delta = _minus(after[name], before[name])
        interval = _interval(drawn.get(name, []), delta, level) if drawn else None
        out[name] = Delta(before[name], after[name], delta, interval)
    return out


def _minus(new: float | None, old: float | None) -> float | None:
    return None if new is None or old is None else new - old
