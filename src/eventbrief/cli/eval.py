"""`eventbrief eval`: run a backend over a dataset (or read saved predictions) and score it;
`eventbrief eval compare OLD.json NEW.json`: whether a change between two reports is real.

`eval` is a group whose callback is the eval itself (invoke_without_command), so every
`eventbrief eval [options]` works as before and `compare` is a subcommand beside it.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from eventbrief.cli.app import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, Command, Group, app
from eventbrief.cli.extraction_step import partial_note, report_run
from eventbrief.cli.options import (
    NO_BACKEND_FLAGS,
    BackendFlags,
    backend_options,
    config_errors_exit,
)
from eventbrief.config import Settings
from eventbrief.pipeline import ArticleOutcome
from eventbrief.progress import counted
from eventbrief.scoring import (
    Dataset,
    DatasetError,
    EvalReport,
    Prediction,
    RunInfo,
    evaluate,
    load_dataset,
    load_predictions,
)
from eventbrief.scoring.baseline import (
    DEFAULT_TOLERANCE,
    MetricStatus,
    baseline_key,
    check,
    entry_name,
    find_entry,
    load_baseline,
    save_baseline,
    statuses,
    updated,
)
from eventbrief.scoring.bootstrap import RESAMPLES, SEED
from eventbrief.scoring.brief_score import dataset_brief_scores
from eventbrief.scoring.compare import HEADERS as COMPARE_HEADERS
from eventbrief.scoring.compare import (
    Comparison,
    compare,
    method_line,
    notes_of,
    run_label,
    summary_line,
    worse_line,
)
from eventbrief.scoring.compare import markdown as compare_markdown
from eventbrief.scoring.compare import rows as compare_rows
from eventbrief.scoring.compare import to_json as compare_json
from eventbrief.scoring.dataset import first_error
from eventbrief.scoring.extra import missing_eval_packages, missing_message
from eventbrief.scoring.html_report import render_comparison, render_html
from eventbrief.scoring.report import markdown_table, print_report
from eventbrief.scoring.runner import run_dataset, saved_run

EPILOG = """\
\b
Examples:
  eventbrief eval --backend offline --baseline evals/baseline.json
  eventbrief eval --dataset evals --report report.json --html report.html
  eventbrief eval --backend openai --model gpt-4o-mini --report - > report.json
  eventbrief eval --backend openai --model gpt-4o-mini --no-cache   # ask the model again
  eventbrief eval --predictions out/        # score saved ArticleSummary files <id>.json
  eventbrief eval --backend offline --baseline evals/baseline.json --update-baseline
  eventbrief eval --backend offline --markdown -    # the tables for a README
  eventbrief eval compare old.json new.json --format markdown   # a change, or noise?

Exit codes: 0 scored (and at or above the baseline), 1 no article had a valid extraction, or
a metric fell below baseline minus its tolerance (each is named on stderr), 2 usage,
configuration or dataset error.
"""

COMPARE_EPILOG = """\
\b
Examples:
  eventbrief eval --backend offline --report old.json
  eventbrief eval --backend offline --report new.json    # after a change
  eventbrief eval compare old.json new.json
  eventbrief eval compare old.json new.json --format markdown > comment.md
  eventbrief eval compare old.json new.json --html compare.html

Exit codes: 0 no gated metric is significantly worse, 1 one is (each is named on stderr),
2 usage error or a file that is not an eval report.
"""


WIDE = 160

ResamplesOption = Annotated[
    int,
    typer.Option(
        metavar="N",
        min=0,
        help="Bootstrap resamples of the articles for each score's 95% interval (0: none).",
    ),
]
SeedOption = Annotated[
    int, typer.Option(metavar="N", help="Seed of the bootstrap: the same seed, the same intervals.")
]


def _run_backend(
    dataset: Dataset, settings: Settings, say: Console
) -> tuple[dict[str, Prediction], RunInfo]:
    """The pipeline's run over the dataset (`eventbrief.scoring.runner`), a line per article as
    it finishes; ends with the run summary line on stderr."""
    done = 0

    def on_result(outcome: ArticleOutcome) -> None:
        nonlocal done
        done += 1
        if outcome.error is not None:  # it already names the article
            line = settings.redact(outcome.error)
        elif outcome.summary is not None and outcome.summary.partial:
            line = f"{outcome.article_id}: {partial_note(outcome.summary)}"
        else:
            line = f"{outcome.article_id}: ok{' (cached)' if outcome.cached else ''}"
        say.print(f"[{done}/{len(dataset.items)}] {line}", markup=False)

    predictions, info, result = run_dataset(
        dataset,
        settings,
        on_result=on_result,
        notify=lambda line: say.print(line, markup=False),
    )
    report_run(
        settings,
        result.counts,
        articles=len(result.outcomes),
        failed=result.failed,
        started=result.started,
        partial=result.partial,
    )
    return predictions, info


eval_app = typer.Typer(
    cls=Group,
    rich_markup_mode=None,
    subcommand_metavar="[COMMAND]",
)
app.add_typer(eval_app, name="eval")


class CompareFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


@eval_app.callback(invoke_without_command=True, epilog=EPILOG)
@backend_options()
def eval_command(
    ctx: typer.Context,
    dataset: Annotated[
        Path,
        typer.Option(
            metavar="DIR", help="Dataset folder with articles/ and gold/ (default ./evals)."
        ),
    ] = Path("evals"),
    backend_flags: BackendFlags = NO_BACKEND_FLAGS,
    predictions: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Score saved ArticleSummary files DIR/<id>.json instead of running a backend.",
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Baseline scores to gate on (e.g. evals/baseline.json)."),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option("--update-baseline", help="Rewrite this backend/model's entry in --baseline."),
    ] = False,
    require_baseline: Annotated[
        bool,
        typer.Option(
            "--require-baseline",
            help="Exit 1 when --baseline has no entry for this backend/model.",
        ),
    ] = False,
    report: Annotated[
        str | None,
        typer.Option(metavar="FILE.json", help='Write the JSON report to FILE ("-" for stdout).'),
    ] = None,
    html: Annotated[
        str | None,
        typer.Option(
            metavar="FILE.html", help='Write a self-contained HTML report ("-" for stdout).'
        ),
    ] = None,
    markdown: Annotated[
        str | None,
        typer.Option(metavar="FILE.md", help='Write the tables as Markdown ("-" for stdout).'),
    ] = None,
    resamples: ResamplesOption = RESAMPLES,
    seed: SeedOption = SEED,
) -> None:
    """Score a backend, or saved predictions, against gold records.

    Prints tables on stderr (a row per article and an overall row); the JSON report goes to
    --report, a self-contained HTML page to --html.

    The openai backend answers from the extraction cache, as summarize does, so an unchanged
    re-run pays no request (--no-cache asks again); a cached article shows no latency. The
    offline backend is never cached here: the gate always scores the rules as they are now.
    An article kept partial (its answer still invalid after the re-asks) is scored as it is and
    marked partial in the report; --strict fails it instead.
    """
    if ctx.invoked_subcommand is not None:
        _no_eval_options(ctx)
        return
    if missing := missing_eval_packages():
        _fail(missing_message(missing), EXIT_USAGE)
    say = Console(stderr=True, highlight=False)
    if not say.is_terminal:
        say.width = WIDE  # logs and CI: keep every column of the tables
    if update_baseline and baseline is None:
        _fail("--update-baseline needs --baseline FILE", EXIT_USAGE)
    try:
        data = load_dataset(dataset)
    except DatasetError as exc:
        _fail(str(exc), EXIT_USAGE)
    for warning in data.warnings:
        _say(warning)

    if predictions is not None:
        ignored = backend_flags.given()
        if ignored:
            _say(f"--predictions runs no backend; ignoring {', '.join(ignored)}")
        try:
            preds = load_predictions(predictions, data.ids)
        except DatasetError as exc:
            _fail(str(exc), EXIT_USAGE)
        run = saved_run(data, preds, predictions)
    else:
        settings = backend_flags.settings()
        _say(settings.describe())
        try:
            with config_errors_exit(settings):
                preds, run = _run_backend(data, settings, say)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
    for article_id, pred in preds.items():
        if pred.summary is None and predictions is not None:
            _say(pred.error or f"{article_id}: no prediction")

    try:
        result, scores = evaluate(data, preds, run, resamples=resamples, seed=seed)
    except DatasetError as exc:  # a broken gold/brief.json
        _fail(str(exc), EXIT_USAGE)
    result.overall.brief = dataset_brief_scores(data, preds, scores)
    for art in result.per_article.values():
        for warning in art.warnings:
            _say(warning)
    print_report(result, say)

    if report is not None:
        _emit(report, result.model_dump_json(indent=2) + "\n")
    if html is not None:
        _emit(html, render_html(result, scores, _baseline_status(result, baseline)))
    if markdown is not None:
        _emit(markdown, markdown_table(result))
    if result.overall.articles and not result.overall.valid_articles:
        nothing = _nothing_valid(result, saved=predictions is not None, update=update_baseline)
        _fail(nothing, EXIT_SOME_FAILED)
    raise typer.Exit(_gate(result, baseline, update_baseline, require_baseline))


def _baseline_status(
    result: EvalReport, baseline: Path | None
) -> tuple[str, list[MetricStatus]] | None:
    """For the HTML report: each metric of the entry the gate compares with (None when there
    is none, or it cannot be compared; the gate itself says why)."""
    if baseline is None:
        return None
    try:
        stored = load_baseline(baseline)
    except DatasetError:
        return None
    name, entry = find_entry(stored, baseline_key(result.run.backend, result.run.model), result.run)
    if entry is None or entry.mismatch(result) is not None:
        return None
    return name, statuses(result, entry)


def _no_eval_options(ctx: typer.Context) -> None:
    """`eventbrief eval --backend x compare …` would drop --backend silently: refuse it.
    (Compared by name: typer carries its own copy of click's ParameterSource.)"""
    given = [
        name
        for name in ctx.params
        if getattr(ctx.get_parameter_source(name), "name", None) == "COMMANDLINE"
    ]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        _fail(
            f"{flags}: options of eval itself; 'eval {ctx.invoked_subcommand}' takes its own "
            "options after its name",
            EXIT_USAGE,
        )


@eval_app.command("compare", cls=Command, epilog=COMPARE_EPILOG)
def compare_command(
    old: Annotated[
        Path, typer.Argument(metavar="OLD", help="The earlier eval report (eval --report).")
    ],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The later eval report.")],
    output_format: Annotated[
        CompareFormat,
        typer.Option(
            "--format",
            metavar="text|markdown|json",
            help="text (a table), markdown (a PR comment) or json.",
        ),
    ] = CompareFormat.text,
    baseline: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Baseline file whose entry for NEW's backend and articles names the gated "
            "metrics and their tolerances (default: evals/baseline.json when it exists).",
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(metavar="FILE.html", help="Also write the comparison as an HTML page."),
    ] = None,
    resamples: ResamplesOption = RESAMPLES,
    seed: SeedOption = SEED,
) -> None:
    """Compare two eval reports metric by metric over the articles both scored.

    Each metric's change (new − old) gets a paired bootstrap interval: every resample draws
    the same articles from both runs, so only the change varies. A gated metric (the metrics
    and tolerances of the baseline entry the gate uses, or every metric at the default
    tolerance when there is none) is significantly worse when its whole interval lies below
    minus its tolerance; then the exit is 1. The comparison goes to stdout.
    """
    reports = _read_report(old), _read_report(new)
    tolerances, name, path, default = _tolerances(reports[1], baseline)
    result = compare(
        *reports,
        tolerances=tolerances,
        default_tolerance=default,
        tolerances_from=name,
        baseline_file=path,
        resamples=resamples,
        seed=seed,
    )
    if not result.shared:
        _fail(f"{old} and {new} share no article; nothing to compare", EXIT_USAGE)
    if output_format is CompareFormat.markdown:
        sys.stdout.write(compare_markdown(result))
    elif output_format is CompareFormat.json:
        sys.stdout.write(json.dumps(compare_json(result), indent=2) + "\n")
    else:
        _print_comparison(result)
    if html is not None:
        _write(html, render_comparison(result))
    for note in notes_of(result):
        _say(note)
    for metric in result.worse:
        _say(worse_line(metric))
    _say(summary_line(result))
    raise typer.Exit(EXIT_SOME_FAILED if result.worse else EXIT_OK)


def _read_report(path: Path) -> EvalReport:
    try:
        return EvalReport.model_validate_json(path.read_bytes())
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}", EXIT_USAGE)
    except ValidationError as exc:
        _fail(f"{path}: not an eval report (eval --report): {first_error(exc)}", EXIT_USAGE)


def _tolerances(
    report: EvalReport, path: Path | None
) -> tuple[dict[str, float] | None, str | None, str | None, float]:
    """The gated metrics with their tolerances, the entry and file they come from, and the
    default tolerance: the baseline entry the gate would compare `report` with, if any."""
    if path is None:
        path = Path("evals/baseline.json")
        if not path.is_file():
            return None, None, None, DEFAULT_TOLERANCE
    elif not path.is_file():
        _fail(f"{path}: no such baseline file", EXIT_USAGE)
    try:
        stored = load_baseline(path)
    except DatasetError as exc:
        _fail(str(exc), EXIT_USAGE)
    key = baseline_key(report.run.backend, report.run.model)
    name, entry = find_entry(stored, key, report.run)
    if entry is None or entry.mismatch(report) is not None:
        return None, None, str(path), stored.default_tolerance
    tolerances = {metric: base.tolerance for metric, base in entry.metrics.items()}
    return tolerances, name, str(path), stored.default_tolerance


def _print_comparison(result: Comparison) -> None:
    out = Console(highlight=False)
    if not out.is_terminal:
        out.width = WIDE
    table = Table(title=f"{run_label(result.old)} → {run_label(result.new)}")
    for n, header in enumerate(COMPARE_HEADERS):
        table.add_column(header, justify="right" if 0 < n < 6 else "left", no_wrap=n == 0)
    for cells in compare_rows(result):
        table.add_row(*cells, style="bold red" if cells[-1] == "WORSE" else None)
    out.print(table)
    out.print(method_line(result))


def _nothing_valid(result: EvalReport, *, saved: bool, update: bool) -> str:
    """The one line for a run with no valid extraction: its scores are all zeros and say
    nothing about the backend, so the run fails (and never becomes a baseline)."""
    what = "prediction" if saved else "extraction"
    kept = "; the baseline was not updated" if update else ""
    articles = counted(result.overall.articles, "article")
    return f"no valid {what}: 0 of {articles} (the errors are above){kept}"


def _gate(result: EvalReport, baseline: Path | None, update: bool, require: bool) -> int:
    if baseline is None:
        return EXIT_OK
    key = baseline_key(result.run.backend, result.run.model)
    try:
        stored = load_baseline(baseline)
    except DatasetError as exc:
        _fail(str(exc), EXIT_USAGE)
    if update:
        name = entry_name(stored, key, result)
        save_baseline(updated(stored, name, result), baseline)
        _say(f"baseline entry {name!r} written to {baseline}")
        return EXIT_OK
    name, entry = find_entry(stored, key, result.run)
    if entry is None:
        _say(
            f"no baseline entry {name!r} in {baseline}; scores reported only "
            "(record one with --update-baseline)"
        )
        return EXIT_SOME_FAILED if require else EXIT_OK
    why = entry.mismatch(result)
    if why is not None:
        _fail(
            f"baseline entry {name!r} in {baseline} cannot be compared: {why} (record an entry "
            f"for these articles with --update-baseline: {entry_name(stored, key, result)!r})",
            EXIT_USAGE,
        )
    if entry.stale(result):
        _say(
            f"the dataset's texts or gold changed since baseline {name!r} was measured; "
            "comparing anyway (re-measure with --update-baseline)"
        )
    falls = check(result, entry)
    for fall in falls:
        _say(str(fall))
    if falls:
        _say(f"{len(falls)} metric(s) fell below baseline {name!r}")
        return EXIT_SOME_FAILED
    _say(f"all {len(entry.metrics)} metrics at or above baseline {name!r} (within tolerance)")
    return EXIT_OK


def _emit(target: str, text: str) -> None:
    """Write to a file, or to stdout for "-"."""
    if target == "-":
        sys.stdout.write(text)
    else:
        _write(Path(target), text)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}", EXIT_SOME_FAILED)


def _say(message: str) -> None:
    """Each line of `message` on stderr, prefixed (a dataset error lists one problem a line)."""
    for line in message.splitlines() or [""]:
        typer.echo(f"eventbrief: {line}", err=True)


def _fail(message: str, code: int) -> NoReturn:
    _say(message)
    raise typer.Exit(code)
