"""The eval report as one self-contained HTML page (no external assets, no scripts).

A bar chart per metric (one bar per article and one for overall, inline SVG) and, per article,
gold and predicted events side by side: matched pairs on one row with their field scores,
missed gold events and spurious predictions marked. All article-derived text is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from eventbrief.models import GroundedEvent
from eventbrief.scoring.report import NO_SCORE, EvalReport, Scores, brief_line, paid_note
from eventbrief.scoring.scorer import ArticleScore

_CHARTS: tuple[tuple[str, Callable[[Scores], float | None]], ...] = (
    ("events precision", lambda s: s.events.precision),
    ("events recall", lambda s: s.events.recall),
    ("events F1", lambda s: s.events.f1),
    ("type", lambda s: s.fields.type),
    ("participants", lambda s: s.fields.participants),
    ("location", lambda s: s.fields.location),
    ("date (exact)", lambda s: s.fields.date),
    ("date (month)", lambda s: s.fields.date_month),
    ("status", lambda s: s.fields.status),
    ("quantities", lambda s: s.fields.quantities),
    ("attributed_to", lambda s: s.fields.attributed_to),
    ("entities F1", lambda s: s.entities.f1),
    ("takeaways F1", lambda s: s.takeaways.f1),
    ("takeaways similarity", lambda s: s.takeaways.mean_similarity),
    ("summary ROUGE-L", lambda s: s.summary_rouge_l),
    ("grounding rate", lambda s: s.grounding_rate),
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
"""


def _num(value: float | None) -> str:
    return NO_SCORE if value is None else f"{value:.2f}"


def _chart(title: str, rows: Sequence[tuple[str, float | None]]) -> str:
    bar_w, label_w, row_h = 160, 150, 18
    height = row_h * len(rows) + 4
    parts = [
        f'<div class="chart"><h3>{escape(title)}</h3>'
        f'<svg width="{label_w + bar_w + 40}" height="{height}" role="img" '
        f'aria-label="{escape(title)}">'
    ]
    for i, (label, value) in enumerate(rows):
        y = i * row_h + 2
        width = 0 if value is None else round(bar_w * max(0.0, min(1.0, value)))
        color = "#37474f" if label == "overall" else "#1e88e5"
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="11">{escape(label[:24])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{row_h - 4}" fill="#eee"/>'
            f'<rect x="{label_w}" y="{y}" width="{width}" height="{row_h - 4}" fill="{color}"/>'
            f'<text x="{label_w + bar_w + 4}" y="{y + 13}" font-size="11">{_num(value)}</text>'
        )
    parts.append("</svg></div>")
    return "".join(parts)


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


def render_html(report: EvalReport, scores: Sequence[ArticleScore]) -> str:
    run = report.run
    name = run.backend + (f":{run.model}" if run.model else "")
    charts = "".join(
        _chart(
            title,
            [(aid, get(art)) for aid, art in report.per_article.items()]
            + [("overall", get(report.overall))],
        )
        for title, get in _CHARTS
    )
    o = report.overall
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
        f"<div class='charts'>{charts}</div>"
        + "".join(_article(s, report) for s in scores)
        + "</body></html>\n"
    )
