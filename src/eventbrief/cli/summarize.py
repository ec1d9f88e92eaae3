"""`eventbrief summarize PATH…`: articles in, grounded ArticleSummary records out."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from eventbrief.articles import expand_sources
from eventbrief.cli.app import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, app
from eventbrief.cli.extraction_step import report_run, say_partial, summarize_sources
from eventbrief.cli.options import (
    BackendOption,
    BaseUrlOption,
    ConcurrencyOption,
    EvidenceOption,
    MaxTokensOption,
    ModelOption,
    ModeOption,
    NoCacheOption,
    PublishedOption,
    StallTimeoutOption,
    StreamOption,
    StrictOption,
    TemperatureOption,
    TimeoutOption,
    publication_dates,
    say,
    value,
)
from eventbrief.config import Settings
from eventbrief.errors import ConfigError
from eventbrief.output import FORMATS, default_format, is_dir_target, write_all, write_one
from eventbrief.pipeline import ArticleOutcome

FormatChoice = Enum("FormatChoice", {n: n for n in FORMATS}, type=str)

EPILOG = """\
\b
Examples:
  eventbrief summarize evals/articles/004_2ad1f6fdf5f1c408.txt
  eventbrief summarize story.html --published 2025-06-04 --format markdown
  eventbrief summarize a.txt b.txt --published a=2025-06-17 --published b=2025-03-21
  eventbrief summarize articles/ -o out/        # one <id>.json per article
  cat story.txt | eventbrief summarize - --backend offline
  OPENAI_API_KEY=... eventbrief summarize news/*.txt -o all.jsonl
  eventbrief summarize a.txt --base-url http://127.0.0.1:8000/v1 --model m

An answer still invalid after the re-asks keeps its valid, grounded part: the article is
written as partial (provenance.warnings say what it lost, and stderr names it); --strict fails
it instead.

Exit codes: 0 all articles summarized (partial ones included), 1 some failed (the others are
still written), 2 usage or configuration error.
"""


@app.command(epilog=EPILOG)
def summarize(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATH...", help='Files, folders, globs, or "-" for stdin.'),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE|DIR/",
            help="Write to FILE, or to DIR/ (an existing folder or a trailing /) as one "
            "<id>.json per article.",
        ),
    ] = None,
    fmt: Annotated[
        FormatChoice | None,
        typer.Option(
            "--format", help="json (default for one article), jsonl (for several) or markdown."
        ),
    ] = None,
    published: PublishedOption = None,
    backend: BackendOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    mode: ModeOption = None,
    evidence: EvidenceOption = None,
    concurrency: ConcurrencyOption = None,
    max_tokens: MaxTokensOption = None,
    temperature: TemperatureOption = None,
    timeout: TimeoutOption = None,
    stall_timeout: StallTimeoutOption = None,
    stream: StreamOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="No progress bar and no run summary; errors only."),
    ] = False,
) -> None:
    """Summarize articles into grounded event records (JSON on stdout; messages on stderr)."""
    if not paths:
        say("no PATH given; try 'eventbrief summarize --help'")
        raise typer.Exit(EXIT_USAGE)
    dates = publication_dates(published)
    try:
        settings = Settings.resolve(
            backend=value(backend),
            model=model,
            base_url=base_url,
            mode=value(mode),
            evidence=value(evidence),
            concurrency=concurrency,
            max_tokens=max_tokens,
            temperature=temperature,
            timeout=timeout,
            stall_timeout=stall_timeout,
            stream=stream,
            no_cache=no_cache or None,
            strict=strict or None,
        )
    except ConfigError as exc:
        say(str(exc))
        raise typer.Exit(EXIT_USAGE) from None

    sources = expand_sources(paths)
    chosen_format = fmt.value if fmt else default_format(len(sources))
    to_dir = Path(output) if output and is_dir_target(output) else None
    to_file = Path(output) if output and to_dir is None else None
    failed: list[str] = []
    partial: list[str] = []

    def on_result(outcome: ArticleOutcome) -> None:
        if outcome.error is not None:
            failed.append(outcome.source)
            say(settings.redact(outcome.error))
            return
        if outcome.summary is not None and outcome.summary.partial:
            partial.append(outcome.source)
            say_partial(outcome.summary)
        if to_dir is not None and outcome.summary is not None:
            try:
                write_one(outcome.summary, to_dir, chosen_format)
            except OSError as exc:
                failed.append(outcome.source)
                say(f"{outcome.article_id}: cannot write to {to_dir}: {exc.strerror or exc}")

    if not quiet:
        say(settings.describe())
    run = summarize_sources(sources, settings, dates, quiet=quiet, on_result=on_result)
    outcomes = run.outcomes

    if to_dir is None:
        summaries = [o.summary for o in outcomes if o.summary is not None]
        try:
            write_all(summaries, chosen_format, to_file)
        except OSError as exc:
            say(f"cannot write {to_file}: {exc.strerror or exc}")
            raise typer.Exit(EXIT_SOME_FAILED) from None
    report_run(
        settings,
        run.counts,
        articles=len(outcomes),
        failed=len(failed),
        started=run.started,
        quiet=quiet,
        partial=len([p for p in partial if p not in failed]),
    )
    raise typer.Exit(EXIT_SOME_FAILED if failed else EXIT_OK)
