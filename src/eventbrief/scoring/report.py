"""The eval report: a JSON-serialisable model built from article scores, and its terminal tables.

Aggregation ("overall"):
- events, entities, takeaways: micro. Matched, predicted and gold counts of every article are
  summed, then precision = matched / predicted, recall = matched / gold.
- fields: micro over all matched event pairs of all articles (each pair weighs the same).
- takeaways.mean_similarity: micro over all gold takeaways.
- grounding_rate: micro over all evidence quotes of the valid predictions.
- summary_rouge_l: mean over articles; latency_s: mean over freshly extracted articles (an
  answer from the extraction cache has none).
- schema_validity: valid predictions ÷ articles. A partial prediction (kept from an answer
  still invalid after the re-asks) is valid and scored as it is; it is marked `partial`.
An article whose prediction is missing or invalid scores 0 on everything in `per_article`, adds
its gold items to the recall denominators of `overall`, and lowers `schema_validity`.

Each overall score has a bootstrap interval over the articles (bootstrap.py) beside it:
`overall.events.f1_ci`, `overall.summary_rouge_l_ci`, …, and `overall.fields_ci.<field>`.
The per-article entries hold what resampling needs (counts, matched pairs' field scores, quote
counts), so a saved report can be resampled again, alone or paired with another (compare.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Self

from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

from eventbrief.progress import counted
from eventbrief.scoring.bootstrap import LEVEL, RESAMPLES, SEED, ArticleStats, Interval, intervals
from eventbrief.scoring.metrics import Counts, Tally
from eventbrief.scoring.scorer import DEFAULT_CONFIG, ArticleScore, ScoringConfig
from eventbrief.scoring.similarity import FIELDS, WEIGHTS

AGGREGATION = (
    "events, entities, takeaways: micro (counts summed over articles, then divided); "
    "fields: micro over all matched event pairs; takeaways.mean_similarity: micro over gold "
    "takeaways; grounding_rate: micro over evidence quotes of valid predictions; "
    "summary_rouge_l: mean over articles; latency_s: mean over freshly extracted articles "
    "(cached answers have none); an invalid prediction scores 0."
)


_RATE_SUFFIXES = ("_precision", "_recall", "_f1")


class PRF(BaseModel):
    precision: float
    recall: float
    f1: float
    matched: int
    predicted: int
    gold: int

    @classmethod
    def of(cls, counts: Counts) -> Self:
        return cls(
            precision=counts.precision,
            recall=counts.recall,
            f1=counts.f1,
            matched=counts.tp,
            predicted=counts.n_pred,
            gold=counts.n_gold,
        )


class Fields(BaseModel):
    """Mean score of each field over matched event pairs (null when no pair matched)."""

    type: float | None = None
    participants: float | None = None
    location: float | None = None
    date: float | None = Field(default=None, description="Exact ISO value.")
    date_month: float | None = Field(default=None, description="Agreement to the month.")
    status: float | None = None
    quantities: float | None = None
    attributed_to: float | None = None

    @classmethod
    def of(cls, tallies: dict[str, Tally]) -> Self:
        return cls(**{name: tallies[name].mean for name in FIELDS})


class Takeaways(PRF):
    mean_similarity: float | None = Field(
        description="Mean ROUGE-L F per gold takeaway under the one-to-one assignment."
    )


_CI = "Bootstrap interval [low, high] over articles (settings.bootstrap); null when not scored."


class PRFWithCI(PRF):
    """Overall precision/recall/F1, each with its bootstrap interval beside it."""

    precision_ci: Interval | None = Field(default=None, description=_CI)
    recall_ci: Interval | None = Field(default=None, description=_CI)
    f1_ci: Interval | None = Field(default=None, description=_CI)


class FieldIntervals(BaseModel):
    """The bootstrap interval of each field score; a sibling of `fields` (not inside it), so
    `fields` stays a plain map from field to score."""

    type: Interval | None = None
    participants: Interval | None = None
    location: Interval | None = None
    date: Interval | None = None
    date_month: Interval | None = None
    status: Interval | None = None
    quantities: Interval | None = None
    attributed_to: Interval | None = None


class TakeawaysWithCI(Takeaways, PRFWithCI):
    mean_similarity_ci: Interval | None = Field(default=None, description=_CI)


class UsageTotals(BaseModel):
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None


class EventPair(BaseModel):
    gold: str
    pred: str
    similarity: float
    fields: dict[str, float]


class Scores(BaseModel):
    """What is reported both per article and overall."""

    events: PRF
    fields: Fields
    entities: PRF
    takeaways: Takeaways
    summary_rouge_l: float
    grounding_rate: float | None
    usage: UsageTotals | None = None
    latency_s: float | None = Field(
        default=None,
        description="Seconds of fresh extraction; null with --predictions or when every answer "
        "came from the extraction cache.",
    )


class ArticleReport(Scores):
    valid: bool
    partial: bool = Field(
        default=False,
        description="Valid but partial: kept from an answer still invalid after the re-asks, "
        "scored as it is; partial_warnings say what it lost.",
    )
    partial_warnings: list[str] = Field(
        default_factory=list, description="The prediction's provenance.warnings."
    )
    cached: bool | None = Field(
        default=None,
        description="True when the answer came from the extraction cache (then latency_s is "
        "null and usage is what the extraction cost when it was made); null with --predictions.",
    )
    error: str | None = None
    quotes_found: int | None = Field(
        default=None,
        description="Predicted evidence quotes with offsets into the text (grounding_rate's "
        "numerator; null in reports made before it was recorded).",
    )
    quotes_total: int | None = Field(default=None, description="All predicted evidence quotes.")
    matches: list[EventPair] = Field(default_factory=list)
    unmatched_gold: list[str] = Field(default_factory=list)
    unmatched_pred: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class Overall(Scores):
    events: PRFWithCI
    fields_ci: FieldIntervals = Field(default_factory=FieldIntervals, description=_CI)
    entities: PRFWithCI
    takeaways: TakeawaysWithCI
    summary_rouge_l_ci: Interval | None = Field(default=None, description=_CI)
    grounding_rate_ci: Interval | None = Field(default=None, description=_CI)
    articles: int
    valid_articles: int
    partial_articles: int = Field(
        default=0, description="Valid articles kept partial (counted in valid_articles too)."
    )
    schema_validity: float
    schema_validity_ci: Interval | None = Field(default=None, description=_CI)
    brief: dict[str, Any] | None = Field(
        default=None,
        description="Brief scores (cluster F1, conflict recall) when gold has them; a rate is "
        "null when it had nothing to score (no matched mention, no conflict).",
    )


class RunInfo(BaseModel):
    dataset: str
    backend: str
    model: str | None = None
    identity: dict[str, str] = Field(default_factory=dict)
    articles: list[str] = Field(default_factory=list, description="Ids of the scored articles.")
    gold_sha256: str | None = Field(
        default=None, description="Fingerprint of the dataset's texts and gold records."
    )
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    cache_hits: int | None = Field(
        default=None, description="Articles answered from the extraction cache in this run."
    )
    usage: UsageTotals | None = Field(
        default=None,
        description="What this run paid: requests and tokens of its fresh extractions only "
        "(overall.usage is what the scored extractions cost, cached ones included).",
    )


class Bootstrap(BaseModel):
    """How the `*_ci` intervals were drawn: the same seed gives the same intervals."""

    resamples: int
    seed: int
    level: float
    unit: str = "article"
    method: str = (
        "percentile interval of the overall score over resamples of the articles with "
        "replacement, widened where needed to hold the observed score"
    )


class Settings(BaseModel):
    event_threshold: float
    takeaway_threshold: float
    event_similarity_weights: dict[str, float]
    aggregation: str = AGGREGATION
    bootstrap: Bootstrap | None = Field(
        default=None, description="null when no intervals were drawn."
    )


class EvalReport(BaseModel):
    run: RunInfo
    settings: Settings
    overall: Overall
    per_article: dict[str, ArticleReport]

    def metrics(self) -> dict[str, float | None]:
        """The overall scores the regression gate compares, as dotted names."""
        o = self.overall
        flat: dict[str, float | None] = {
            f"events.{k}": getattr(o.events, k) for k in ("precision", "recall", "f1")
        }
        flat.update({f"fields.{k}": getattr(o.fields, k) for k in FIELDS})
        flat.update(
            {f"entities.{k}": getattr(o.entities, k) for k in ("precision", "recall", "f1")}
        )
        flat.update(
            {f"takeaways.{k}": getattr(o.takeaways, k) for k in ("precision", "recall", "f1")}
        )
        flat["takeaways.mean_similarity"] = o.takeaways.mean_similarity
        flat["summary_rouge_l"] = o.summary_rouge_l
        flat["grounding_rate"] = o.grounding_rate
        flat["schema_validity"] = o.schema_validity
        for key, value in (o.brief or {}).items():  # rates only; counts are not gated
            if key.endswith(_RATE_SUFFIXES):
                flat[f"brief.{key}"] = None if value is None else float(value)
        return flat

    def intervals(self) -> dict[str, Interval | None]:
        """The bootstrap interval of each metric of `metrics()` (None where there is none:
        brief scores are over the whole set of articles and are not resampled)."""
        return {name: metric_value(self.overall, interval_name(name)) for name in self.metrics()}

    def article_stats(self) -> dict[str, ArticleStats]:
        """Each article's sums, for resampling this report (alone or paired with another)."""
        return {aid: ArticleStats.of(art) for aid, art in self.per_article.items()}


def metric_value(scores: BaseModel, name: str) -> Any:
    """The attribute a dotted metric name ("events.f1", "fields.type_ci") points at, or None."""
    target: Any = scores
    for part in name.split("."):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target


def interval_name(metric: str) -> str:
    """Where a metric's interval is in `overall`: "events.f1" → "events.f1_ci", but
    "fields.type" → "fields_ci.type"."""
    group, _, rest = metric.partition(".")
    if group == "fields":
        return f"fields_ci.{rest}"
    return f"{metric}_ci"


def _set_intervals(overall: Overall, found: dict[str, Interval | None]) -> None:
    for name, interval in found.items():
        *path, last = interval_name(name).split(".")
        target: Any = overall
        for part in path:
            target = getattr(target, part)
        setattr(target, last, interval)


def _usage(score: ArticleScore) -> UsageTotals | None:
    usage = score.usage
    if usage is None:
        return None
    return UsageTotals(
        requests=usage.requests,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=usage.cost_usd,
    )


def _zero(n_gold: int) -> PRF:
    """An invalid prediction scores 0, even where gold is empty (where Counts would give 1)."""
    return PRF(precision=0.0, recall=0.0, f1=0.0, matched=0, predicted=0, gold=n_gold)


def _article_report(score: ArticleScore) -> ArticleReport:
    usage, latency = _usage(score), score.prediction.latency_s
    cached = score.prediction.cached
    if not score.valid:
        return ArticleReport(
            valid=False,
            error=score.prediction.error,
            events=_zero(score.events.n_gold),
            fields=Fields(**dict.fromkeys(FIELDS, 0.0)),
            entities=_zero(score.entities.n_gold),
            takeaways=Takeaways(**_zero(score.takeaways.n_gold).model_dump(), mean_similarity=0.0),
            summary_rouge_l=0.0,
            grounding_rate=0.0,
            usage=usage,
            latency_s=latency,
            cached=cached,
            quotes_found=0,
            quotes_total=0,
            unmatched_gold=score.unmatched_gold,
            warnings=score.warnings,
        )
    summary = score.prediction.summary
    return ArticleReport(
        valid=True,
        partial=score.partial,
        partial_warnings=list(summary.provenance.warnings) if summary is not None else [],
        events=PRF.of(score.events),
        fields=Fields.of(score.fields),
        entities=PRF.of(score.entities),
        takeaways=Takeaways(
            **PRF.of(score.takeaways).model_dump(),
            mean_similarity=score.takeaway_similarity.mean,
        ),
        summary_rouge_l=score.summary_rouge_l,
        grounding_rate=score.grounding_rate,
        usage=usage,
        latency_s=latency,
        cached=cached,
        quotes_found=score.quotes_found,
        quotes_total=score.quotes_total,
        matches=[
            EventPair(gold=m.gold_id, pred=m.pred_id, similarity=m.similarity, fields=m.fields)
            for m in score.matches
        ],
        unmatched_gold=score.unmatched_gold,
        unmatched_pred=score.unmatched_pred,
        warnings=score.warnings,
    )


def _sum(items: Sequence[Any], start: Any) -> Any:
    total = start
    for item in items:
        total = total + item
    return total


def _overall(scores: Sequence[ArticleScore]) -> Overall:
    valid = [s for s in scores if s.valid]
    fields = {name: _sum([s.fields[name] for s in scores], Tally()) for name in FIELDS}
    quotes_total = sum(s.quotes_total for s in valid)
    quotes_found = sum(s.quotes_found for s in valid)
    usages = [u for u in (_usage(s) for s in scores) if u is not None]
    costs = [u.cost_usd for u in usages if u.cost_usd is not None]
    latencies = [s.prediction.latency_s for s in scores if s.prediction.latency_s is not None]
    n = len(scores)
    return Overall(
        articles=n,
        valid_articles=len(valid),
        partial_articles=sum(1 for s in valid if s.partial),
        schema_validity=len(valid) / n if n else 0.0,
        events=PRFWithCI.of(_sum([s.events for s in scores], Counts())),
        fields=Fields.of(fields),
        entities=PRFWithCI.of(_sum([s.entities for s in scores], Counts())),
        takeaways=TakeawaysWithCI(
            **PRF.of(_sum([s.takeaways for s in scores], Counts())).model_dump(),
            mean_similarity=_sum([s.takeaway_similarity for s in scores], Tally()).mean,
        ),
        summary_rouge_l=sum(s.summary_rouge_l for s in scores) / n if n else 0.0,
        grounding_rate=(quotes_found / quotes_total if quotes_total else 1.0) if valid else None,
        usage=UsageTotals(
            requests=sum(u.requests for u in usages),
            prompt_tokens=sum(u.prompt_tokens for u in usages),
            completion_tokens=sum(u.completion_tokens for u in usages),
            cost_usd=sum(costs) if costs else None,
        ),
        latency_s=sum(latencies) / len(latencies) if latencies else None,
    )


def build_report(
    scores: Sequence[ArticleScore],
    run: RunInfo,
    config: ScoringConfig = DEFAULT_CONFIG,
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> EvalReport:
    """The report of a run, with a bootstrap interval beside each overall score (none when
    `resamples` is 0)."""
    report = EvalReport(
        run=run,
        settings=Settings(
            event_threshold=config.event_threshold,
            takeaway_threshold=config.takeaway_threshold,
            event_similarity_weights=dict(WEIGHTS),
        ),
        overall=_overall(scores),
        per_article={s.article_id: _article_report(s) for s in scores},
    )
    if resamples > 0 and scores:
        stats = list(report.article_stats().values())
        _set_intervals(report.overall, intervals(stats, resamples=resamples, seed=seed))
        report.settings.bootstrap = Bootstrap(resamples=resamples, seed=seed, level=LEVEL)
    return report


_PARTS: tuple[tuple[str, str], ...] = (
    ("events P", "events.precision"),
    ("events R", "events.recall"),
    ("events F1", "events.f1"),
    ("entities F1", "entities.f1"),
    ("takeaways F1", "takeaways.f1"),
    ("tk sim", "takeaways.mean_similarity"),
    ("summary R-L", "summary_rouge_l"),
    ("grounded", "grounding_rate"),
)
"""Columns of the first table: (header, dotted metric name as in `EvalReport.metrics`)."""
_FIELDS: tuple[tuple[str, str], ...] = (
    ("type", "fields.type"),
    ("participants", "fields.participants"),
    ("location", "fields.location"),
    ("date", "fields.date"),
    ("date (month)", "fields.date_month"),
    ("status", "fields.status"),
    ("quantities", "fields.quantities"),
    ("attributed_to", "fields.attributed_to"),
)


NO_SCORE = "n/a"
"""How a score with nothing to score (null in the JSON report) is shown to people."""


def _fmt(value: float | None) -> str:
    return NO_SCORE if value is None else f"{value:.2f}"


def fmt_interval(interval: Interval | None) -> str:
    """An interval as "0.91–0.99" ("–" when there is none)."""
    return "–" if interval is None else f"{interval[0]:.2f}–{interval[1]:.2f}"


def _latency(scores: Scores) -> str:
    if isinstance(scores, ArticleReport) and scores.cached:
        return "cached"
    return "–" if scores.latency_s is None else f"{scores.latency_s:.2f}s"


def _label(article_id: str, article: ArticleReport) -> str:
    if not article.valid:
        return f"{article_id} (invalid)"
    return f"{article_id} (partial)" if article.partial else article_id


def _rows(report: EvalReport) -> list[tuple[str, Scores]]:
    rows: list[tuple[str, Scores]] = [
        (_label(aid, art), art) for aid, art in report.per_article.items()
    ]
    return [*rows, ("overall", report.overall)]


def interval_label(boot: Bootstrap) -> str:
    """The label of the row under "overall" holding the intervals ("95% interval")."""
    return f"{round(boot.level * 100)}% interval"


def _cells(scores: Scores, columns: tuple[tuple[str, str], ...]) -> list[str]:
    return [_fmt(metric_value(scores, name)) for _, name in columns]


def _interval_cells(report: EvalReport, columns: tuple[tuple[str, str], ...]) -> list[str]:
    return [fmt_interval(metric_value(report.overall, interval_name(n))) for _, n in columns]


def tables(report: EvalReport) -> list[Table]:
    """Two tables for the terminal (parts, then fields), each with a row per article, an
    overall row and, when the report has them, a row of the overall scores' intervals."""
    run = report.run
    name = run.backend + (f":{run.model}" if run.model else "")
    parts = Table(title=f"eventbrief eval · {name} · {run.dataset}")
    fields = Table(title="fields, over matched event pairs")
    for t, columns in ((parts, _PARTS), (fields, _FIELDS)):
        t.add_column("article", no_wrap=True)
        for column, _ in columns:
            t.add_column(column, justify="right")
    parts.add_column("latency", justify="right")
    fields.add_column("pairs", justify="right")
    for label, scores in _rows(report):
        style = "bold" if label == "overall" else None
        if label == "overall":
            parts.add_section()
            fields.add_section()
        parts.add_row(label, *_cells(scores, _PARTS), _latency(scores), style=style)
        fields.add_row(label, *_cells(scores, _FIELDS), str(scores.events.matched), style=style)
    if report.settings.bootstrap is not None:
        label = interval_label(report.settings.bootstrap)
        parts.add_row(label, *_interval_cells(report, _PARTS), "", style="dim")
        fields.add_row(label, *_interval_cells(report, _FIELDS), "", style="dim")
    return [parts, fields]


def markdown_table(report: EvalReport) -> str:
    """The two terminal tables (parts, then fields) in Markdown, for the README."""
    out = []
    for columns in (_PARTS, _FIELDS):
        names = ["article", *(name for name, _ in columns)]
        lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
        for label, scores in _rows(report):
            shown = f"**{label}**" if label == "overall" else label
            lines.append("| " + " | ".join([shown, *_cells(scores, columns)]) + " |")
        if report.settings.bootstrap is not None:
            cells = [interval_label(report.settings.bootstrap), *_interval_cells(report, columns)]
            lines.append("| " + " | ".join(cells) + " |")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def paid_note(run: RunInfo) -> str:
    """The note "(this run: N requests, M cache hits)" (a count of 1 in the singular) for a
    run that went through the extraction cache, else "": overall usage is what the scored
    extractions cost, cached ones included."""
    if run.cache_hits is None:
        return ""
    requests = run.usage.requests if run.usage else 0
    return f" (this run: {counted(requests, 'request')}, {counted(run.cache_hits, 'cache hit')})"


def print_report(report: EvalReport, console: Console) -> None:
    for t in tables(report):
        console.print(t)
    o = report.overall
    u = o.usage or UsageTotals()
    cost = "–" if u.cost_usd is None else f"${u.cost_usd:.4f}"
    partial = f", {o.partial_articles} partial" if o.partial_articles else ""
    console.print(
        f"schema validity {o.schema_validity:.2f} ({o.valid_articles}/{o.articles}{partial}) · "
        f"requests {u.requests} · tokens {u.prompt_tokens}+{u.completion_tokens} · cost {cost}"
        + paid_note(report.run)
    )
    if o.brief:
        console.print(f"brief (full scores in the JSON report): {brief_line(o.brief)}")


def brief_line(brief: dict[str, Any]) -> str:
    """The headline brief scores (the F1s and conflict recall), "n/a" where nothing was scored."""
    return " · ".join(
        f"{k.replace('_', ' ')} {_fmt(v)}"
        for k, v in brief.items()
        if k.endswith("_f1") or k == "conflict_recall"
    )
