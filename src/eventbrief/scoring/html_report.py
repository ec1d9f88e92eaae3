"""The eval report as one self-contained HTML page (no external assets, no scripts).

The baseline status (each gated metric against its baseline and tolerance) when the run was
gated, a bar chart per metric (one bar per article and one for overall with its bootstrap
interval, inline SVG), the brief scores when the dataset has brief gold, and, per article, gold
and predicted events side by side: matched pairs on one row with their field scores, missed gold
events and spurious predictions marked. All article-derived text is escaped.

Bars start from the lowest value shown rounded down to a tenth, not from 0: scores near 1.0 are
the usual case, and on a 0–1 axis 0.93 and 0.98 look the same. `eval compare --html` renders a
comparison of two reports with `render_comparison`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from eventbrief.models import GroundedEvent
from eventbrief.scoring.baseline import MetricStatus
from eventbrief.scoring.bootstrap import Interval
from eventbrief.scoring.compare import (
    HEADERS,
    Comparison,
    method_line,
    notes_of,
    rows,
    run_label,
    summary_line,
)
from eventbrief.scoring.report import (
    NO_SCORE,
    EvalReport,
    brief_line,
    fmt_interval,
    interval_name,
    metric_value,
    paid_note,
)
from eventbrief.scoring.scorer import ArticleScore

_CHARTS: tuple[tuple[str, str], ...] = (
    ("events precision", "events.precision"),
    ("events recall", "events.recall"),
    ("events F1", "events.f1"),
    ("type", "fields.type"),
    ("participants", "fields.participants"),
    ("location", "fields.location"),
    ("date (exact)", "fields.date"),
    ("date (month)", "fields.date_month"),
    ("status", "fields.status"),
    ("quantities", "fields.quantities"),
    ("attributed_to", "fields.attributed_to"),
    ("entities F1", "entities.f1"),
    ("takeaways F1", "takeaways.f1"),
    ("takeaways similarity", "takeaways.mean_similarity"),
    ("summary ROUGE-L", "summary_rouge_l"),
    ("grounding rate", "grounding_rate"),
)
"""(chart title, dotted metric name)."""

_BRIEF_RATES: tuple[tuple[str, str], ...] = (
    ("cluster B³ precision", "cluster_b3_precision"),
    ("cluster B³ recall", "cluster_b3_recall"),
    ("cluster B³ F1", "cluster_b3_f1"),
    ("pairwise precision", "cluster_pairwise_precision"),
    ("pairwise recall", "cluster_pairwise_recall"),
    ("pairwise F1", "cluster_pairwise_f1"),
    ("conflict recall", "conflict_recall"),
    ("conflict precision", "conflict_precision"),
)

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1400px}
h1{font-size:1.4em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
.charts{display:flex;flex-wrap:wrap;gap:1em}
.chart{border:1px solid #ddd;padding:.5em;border-radius:4px}
.chart h3{font-size:.95em;margin:0 0 .3em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.35em;
vertical-align:top;text-align:left}
td.ev,.takeaways td{width:38%}.takeaways{margin-top:.8em}
.missed{background:#fde2e2}.spurious{background:#fff1d6}
.tag{font-size:.8em;font-weight:bold;padding:0 .3em;border-radius:3px}
.missed .tag{background:#c62828;color:#fff}.spurious .tag{background:#ef6c00;color:#fff}
.ok{color:#2e7d32}.bad{color:#c62828}.meta{color:#666;font-size:.9em}
.invalid{background:#fde2e2;padding:.5em}
.partial{background:#fdf3d8;padding:.5em}
table.status{width:auto}.status td,.status th{text-align:right}
.status td:first-child,.status th:first-child{text-align:left}
tr.fell{background:#fde2e2}tr.fell td:last-child{color:#c62828;font-weight:bold}
"""


def _num(value: float | None, digits: int = 2) -> str:
    return NO_SCORE if value is None else f"{value:.{digits}f}"


def axis_start(values: Sequence[float | None]) -> float:
    """Where the bars start: the tenth below the lowest value shown (0.93 → 0.9, 0.9 → 0.8, so
    the shortest bar is never empty; 0 when nothing is shown), so differences near 1.0 show."""
    shown = [v for v in values if v is not None]
    if not shown:
        return 0.0
    return max(0.0, (math.ceil(min(shown) * 10 - 1e-9) - 1) / 10)


def _chart(title: str, bars: Sequence[tuple[str, float | None, Interval | None]]) -> str:
    """A horizontal bar per (label, value, interval); the interval drawn as a whisker."""
    bar_w, label_w, row_h = 160, 150, 18
    low = axis_start([v for _, v, _ in bars] + [i[0] for _, _, i in bars if i is not None])

    def x(value: float) -> float:
        return label_w + bar_w * (max(low, min(1.0, value)) - low) / (1.0 - low)

    height = row_h * len(bars) + 16
    parts = [
        f'<div class="chart"><h3>{escape(title)}</h3>'
        f'<svg width="{label_w + bar_w + 40}" height="{height}" role="img" '
        f'aria-label="{escape(title)}">'
    ]
    for i, (label, value, interval) in enumerate(bars):
        y = i * row_h + 2
        width = 0.0 if value is None else x(value) - label_w
        color = "#37474f" if label == "overall" else "#1e88e5"
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="11">{escape(label[:24])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{row_h - 4}" fill="#eee"/>'
            f'<rect x="{label_w}" y="{y}" width="{width:.1f}" height="{row_h - 4}" '
            f'fill="{color}"/>'
            f'<text x="{label_w + bar_w + 4}" y="{y + 13}" font-size="11">{_num(value)}</text>'
        )
        if interval is not None:
            x0, x1, mid = x(interval[0]), x(interval[1]), y + (row_h - 4) / 2
            parts.append(
                f'<g stroke="#d81b60" stroke-width="1.5"><title>interval '
                f"{fmt_interval(interval)}</title>"
                f'<line x1="{x0:.1f}" y1="{mid}" x2="{x1:.1f}" y2="{mid}"/>'
                f'<line x1="{x0:.1f}" y1="{y + 2}" x2="{x0:.1f}" y2="{y + row_h - 6}"/>'
                f'<line x1="{x1:.1f}" y1="{y + 2}" x2="{x1:.1f}" y2="{y + row_h - 6}"/></g>'
            )
    axis_y = row_h * len(bars) + 12
    parts.append(
        f'<text x="{label_w}" y="{axis_y}" font-size="9" fill="#666">{low:.1f}</text>'
        f'<text x="{label_w + bar_w}" y="{axis_y}" font-size="9" fill="#666" '
        f'text-anchor="end">1.0</text></svg></div>'
    )
    return "".join(parts)


def _baseline_section(
    status: tuple[str, Sequence[MetricStatus]] | None, intervals: dict[str, Interval | None]
) -> str:
    """Each metric of the baseline entry: this run's score (and its interval) against
    baseline − tolerance."""
    if status is None:
        return ""
    name, metrics = status
    fell = sum(1 for m in metrics if not m.ok)
    verdict = (
        f"<span class='bad'>{fell} of {len(metrics)} metrics fell</span>"
        if fell
        else f"<span class='ok'>all {len(metrics)} metrics at or above baseline</span>"
    )
    rows_html = "".join(
        f"<tr class='{'ok' if m.ok else 'fell'}'><td>{escape(m.metric)}</td>"
        f"<td>{_num(m.score, 4)}</td><td>{fmt_interval(intervals.get(m.metric))}</td>"
        f"<td>{m.baseline:.4f}</td><td>{m.tolerance:.4f}</td>"
        f"<td>{m.floor:.4f}</td><td>{'ok' if m.ok else 'FELL'}</td></tr>"
        for m in metrics
    )
    return (
        f"<h2>Baseline {escape(name)}</h2><p>{verdict} (a metric falls when it scores below "
        "baseline − tolerance)</p><table class='status'><tr><th>metric</th><th>this run</th>"
        "<th>interval</th><th>baseline</th><th>tolerance</th><th>floor</th><th>status</th></tr>"
        f"{rows_html}</table>"
    )


def _brief_section(brief: dict[str, Any] | None) -> str:
    """The brief scores (cluster B³, pairwise, conflicts) as a chart and their counts."""
    if not brief:
        return ""
    bars = [(label, brief.get(key), None) for label, key in _BRIEF_RATES if key in brief]
    counts = " · ".join(
        f"{escape(k.replace('_', ' '))} {v}"
        for k, v in brief.items()
        if not k.endswith(("_precision", "_recall", "_f1"))
    )
    return (
        "<h2>Brief</h2><p>The brief built from the valid predictions against "
        "<code>gold/brief.json</code> (over the whole set of articles, so without intervals): "
        f"{escape(brief_line(brief))}</p><p class='meta'>{counts}</p>"
        f"<div class='charts'>{_chart('brief', bars)}</div>"
    )


def _event(event: GroundedEvent | None) -> str:
    if event is None:
        return "<td class='ev'></td>"
    date = event.date.value if event.date and event.date.value else "–"
    people = ", ".join(event.participants) or "–"
    quotes = "".join(f"<li>“{escape(e.quote)}”</li>" for e in event.evidence)
    return (
        f"<td class='ev'><b>{escape(event.id)}</b> <code>{escape(event.type)}</code> "
        f"{escape(event.description)}<div class='meta'>participants: {escape(people)} · "
        f"location: {escape(event.location or '–')} · date: {escape(date)} · "
        f"status: {escape(event.status)}</div><ul class='meta'>{quotes}</ul></td>"
    )


def _fields(fields: dict[str, float]) -> str:
    """Fields that disagree, in red; the rest summed up in one green line."""
    wrong = [
        f"<span class='bad'>{escape(k)} {v:.2f}</span><br>" for k, v in fields.items() if v < 1
    ]
    if len(wrong) < len(fields):
        label = "all fields agree" if not wrong else "other fields agree"
        wrong.append(f"<span class='ok'>{label}</span>")
    return "".join(wrong)


def _article(score: ArticleScore, report: EvalReport) -> str:
    art = report.per_article[score.article_id]
    title = score.gold.article.title or score.article_id
    head = (
        f"<h2 id='a-{escape(score.article_id)}'>{escape(score.article_id)}: {escape(title)}</h2>"
        f"<p class='meta'>events P/R/F1 {_num(art.events.precision)} / {_num(art.events.recall)}"
        f" / {_num(art.events.f1)} · entities F1 {_num(art.entities.f1)} · takeaways F1 "
        f"{_num(art.takeaways.f1)} · grounding {_num(art.grounding_rate)}</p>"
    )
    if score.prediction.summary is None:
        reason = escape(score.prediction.error or "no prediction")
        head += f"<p class='invalid'>Invalid prediction (scores 0): {reason}</p>"
    elif art.partial:
        lost = "; ".join(escape(w) for w in art.partial_warnings)
        head += f"<p class='partial'>Partial prediction (scored as it is): {lost}</p>"
    gold = {e.id: e for e in score.gold.events}
    pred_events = score.prediction.summary.events if score.prediction.summary else []
    pred = {e.id: e for e in pred_events}
    rows = [
        f"<tr>{_event(gold[m.gold_id])}<td>similarity {m.similarity:.2f}<br>{_fields(m.fields)}"
        f"</td>{_event(pred[m.pred_id])}</tr>"
        for m in score.matches
    ]
    rows += [
        f"<tr class='missed'>{_event(gold[g])}<td><span class='tag'>missed</span></td>"
        f"{_event(None)}</tr>"
        for g in score.unmatched_gold
    ]
    rows += [
        f"<tr class='spurious'>{_event(None)}<td><span class='tag'>spurious</span></td>"
        f"{_event(pred[p])}</tr>"
        for p in score.unmatched_pred
    ]
    return (
        head
        + "<table><tr><th>gold event</th><th>match</th><th>predicted event</th></tr>"
        + "".join(rows)
        + "</table>"
        + _takeaways(score, report.settings.takeaway_threshold)
    )


def _takeaways(score: ArticleScore, threshold: float) -> str:
    """Gold and predicted takeaways side by side with their ROUGE-L F."""
    gold = [t.text for t in score.gold.key_takeaways]
    summary = score.prediction.summary
    pred = [t.text for t in summary.key_takeaways] if summary is not None else []
    rows: list[str] = []
    seen_gold: set[int] = set()
    seen_pred: set[int] = set()
    for p, g, sim in sorted(score.takeaway_pairs, key=lambda x: x[1]):
        if sim < threshold:
            continue
        seen_gold.add(g)
        seen_pred.add(p)
        rows.append(
            f"<tr><td>{escape(gold[g])}</td><td>ROUGE-L {sim:.2f}</td>"
            f"<td>{escape(pred[p])}</td></tr>"
        )
    rows += [
        f"<tr class='missed'><td>{escape(text)}</td><td><span class='tag'>missed</span></td>"
        "<td></td></tr>"
        for i, text in enumerate(gold)
        if i not in seen_gold
    ]
    rows += [
        "<tr class='spurious'><td></td><td><span class='tag'>unmatched</span></td>"
        f"<td>{escape(text)}</td></tr>"
        for i, text in enumerate(pred)
        if i not in seen_pred
    ]
    return (
        "<table class='takeaways'><tr><th>gold takeaway</th><th>match</th>"
        "<th>predicted takeaway</th></tr>" + "".join(rows) + "</table>"
    )


def render_html(
    report: EvalReport,
    scores: Sequence[ArticleScore],
    baseline: tuple[str, Sequence[MetricStatus]] | None = None,
) -> str:
    """The page; `baseline` is (entry name, its metrics against this run) when gated."""
    run = report.run
    name = run.backend + (f":{run.model}" if run.model else "")
    charts = "".join(
        _chart(
            title,
            [(aid, metric_value(art, metric), None) for aid, art in report.per_article.items()]
            + [
                (
                    "overall",
                    metric_value(report.overall, metric),
                    metric_value(report.overall, interval_name(metric)),
                )
            ],
        )
        for title, metric in _CHARTS
    )
    o = report.overall
    boot = report.settings.bootstrap
    intervals = (
        f" The whisker on each overall bar is its {round(boot.level * 100)}% bootstrap interval "
        f"({boot.resamples} resamples of the articles, seed {boot.seed})."
        if boot is not None
        else ""
    )
    summary = (
        f"<p>{o.articles} articles, {o.valid_articles} valid"
        f"{f', {o.partial_articles} partial' if o.partial_articles else ''} (schema validity "
        f"{_num(o.schema_validity)}); requests {o.usage.requests if o.usage else 0}"
        f"{paid_note(run)}; "
        f"aggregation: {escape(report.settings.aggregation)}</p>"
    )
    if o.brief:
        summary += f"<p>brief (full scores in the JSON report): {escape(brief_line(o.brief))}</p>"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>eventbrief eval · {escape(name)}</title><style>{_CSS}</style></head><body>"
        f"<h1>eventbrief eval · {escape(name)} · {escape(run.dataset)}</h1>"
        f"<p class='meta'>{escape(run.created_at.isoformat())}</p>{summary}"
        f"{_baseline_section(baseline, report.intervals())}"
        f"<h2>Scores</h2><p class='meta'>Each axis starts at the lowest value shown, rounded "
        f"down to a tenth.{intervals}</p>"
        f"<div class='charts'>{charts}</div>"
        f"{_brief_section(o.brief)}"
        + "".join(_article(s, report) for s in scores)
        + "</body></html>\n"
    )


def _delta_plot(
    interval: Interval | None, delta: float | None, tolerance: float, span: float
) -> str:
    """The interval of new − old on an axis from −span to +span: zero marked, the region
    below −tolerance (where a gated metric is worse) shaded."""
    w, h = 220, 16

    def x(value: float) -> float:
        return w * (max(-span, min(span, value)) + span) / (2 * span)

    parts = [
        f'<svg width="{w}" height="{h}" role="img" aria-label="interval">'
        f'<rect x="0" y="0" width="{x(-tolerance):.1f}" height="{h}" fill="#fde2e2"/>'
        f'<line x1="{x(0):.1f}" y1="0" x2="{x(0):.1f}" y2="{h}" stroke="#999"/>'
    ]
    if interval is not None:
        x0, x1 = x(interval[0]), x(interval[1])
        parts.append(
            f'<rect x="{x0:.1f}" y="4" width="{max(x1 - x0, 1.0):.1f}" height="{h - 8}" '
            'fill="#1e88e5" opacity="0.6"/>'
        )
    if delta is not None:
        parts.append(f'<circle cx="{x(delta):.1f}" cy="{h / 2}" r="3" fill="#222"/>')
    parts.append("</svg>")
    return "".join(parts)


def render_comparison(comparison: Comparison) -> str:
    """Two reports compared: per metric old, new, Δ and its paired interval drawn."""
    c = comparison
    bounds = [abs(b) for m in c.metrics if m.interval for b in m.interval]
    bounds += [abs(m.delta) for m in c.metrics if m.delta is not None]
    span = max(0.05, math.ceil(max(bounds, default=0.0) * 20) / 20)
    body = []
    for metric, cells in zip(c.metrics, rows(c), strict=True):
        plot = _delta_plot(metric.interval, metric.delta, metric.tolerance, span)
        cls = "fell" if metric.worse else "ok"
        body.append(
            f"<tr class='{cls}'>"
            + "".join(f"<td>{escape(cell)}</td>" for cell in cells[:5])
            + f"<td>{plot}</td>"
            + "".join(f"<td>{escape(cell)}</td>" for cell in cells[5:])
            + "</tr>"
        )
    heads = [*HEADERS[:5], f"−{span:.2f} … 0 … +{span:.2f}", *HEADERS[5:]]
    notes = "".join(f"<li>{escape(n)}</li>" for n in notes_of(c))
    verdict_class = "bad" if c.worse else "ok"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>eventbrief eval compare</title><style>{_CSS}</style></head><body>"
        "<h1>eventbrief eval compare</h1>"
        f"<p>old: {escape(run_label(c.old))}<br>new: {escape(run_label(c.new))}</p>"
        f"<p class='meta'>{escape(method_line(c))} The shaded region lies below minus the "
        "tolerance: a gated metric whose whole interval is there is significantly worse.</p>"
        f"<p class='{verdict_class}'>{escape(summary_line(c))}</p>"
        f"{f'<ul class=meta>{notes}</ul>' if notes else ''}"
        "<table class='status'><tr>"
        + "".join(f"<th>{escape(h)}</th>" for h in heads)
        + "</tr>"
        + "".join(body)
        + "</table></body></html>\n"
    )
