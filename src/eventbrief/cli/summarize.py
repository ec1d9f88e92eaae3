"""`eventbrief summarize PATH…`: articles in, grounded ArticleSummary records out."""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated

import typer

from eventbrief.articles import article_ids, expand_sources
from eventbrief.cli.app import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, Command, app
from eventbrief.cli.extraction_step import report_run, run_step, say_notices, say_partial
from eventbrief.cli.options import (
    NO_BACKEND_FLAGS,
    BackendFlags,
    PublishedOption,
    backend_options,
    paths_or_stdin,
    publication_dates,
    say,
)
from eventbrief.output import FORMATS, choose_format, is_dir_target, write_all, write_one
from eventbrief.pipeline import ArticleOutcome, RunResult

# typer offers an Enum's members as the choices; built from FORMATS so the list has one source,
# which mypy cannot read members from (as in cli/options.py).
FormatChoice = Enum("FormatChoice", {n: n for n in FORMATS}, type=str)  # type: ignore[misc]


class Engine(StrEnum):
    local = "local"
    ray = "ray"


EPILOG = """\
\b
Examples:
  eventbrief summarize evals/articles/004_2ad1f6fdf5f1c408.txt
  cat story.txt | eventbrief summarize --published 2025-06-04
  eventbrief summarize story.html -o story.md         # Markdown, from the extension
  eventbrief summarize news/*.txt --format jsonl | jq -c '.events[]'
  eventbrief summarize a.txt b.txt --published a=2025-06-17 --published b=2025-03-21
  eventbrief summarize articles/ -o out/              # one <id>.json per article
  eventbrief summarize articles/ -o page.html         # one page, quotes highlighted
  eventbrief summarize feed.jsonl -o out/             # one {"id", "text", ...} per line
  OPENAI_API_KEY=... eventbrief summarize news/*.txt --backend openai -o all.jsonl
  eventbrief summarize a.txt --base-url http://127.0.0.1:8000/v1 --model m
  eventbrief summarize archive/ -o out/ --engine ray  # all cores (pip install "eventbrief[ray]")

With no PATH, the article is read from stdin when something is piped in. The format is
--format's, else -o's extension (.json, .jsonl, .md, .html), else JSON: one pretty object for
one article, JSON Lines for several (--format jsonl gives one line per article always).

Warnings on stderr (also in the Markdown and HTML pages) say why a record may hold less than
expected: no publication date found (relative dates left unresolved), a text that is not
English (the offline backend reads English only), or no event found.

An answer still invalid after the re-asks keeps its valid, grounded part: the article is
written as partial (provenance.warnings say what it lost, and stderr names it); --strict fails
it instead.

Exit codes: 0 all articles summarized (partial ones included), 1 some failed (the others are
still written), 2 usage or configuration error.
"""


@app.command(cls=Command, epilog=EPILOG)
@backend_options()
def summarize(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help='Files, folders, globs, JSONL files of articles, or "-" for stdin (the '
            "default when piped).",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE|DIR/",
            help='Write to FILE ("-" for stdout), or to DIR/ (an existing folder or a '
            "trailing /) as one <id>.json per article.",
        ),
    ] = None,
    fmt: Annotated[
        FormatChoice | None,
        typer.Option(
            "--format",
            metavar="|".join(FORMATS),
            help="Default: from -o's extension, else json (one article) or jsonl (several). "
            "html is one self-contained page.",
        ),
    ] = None,
    published: PublishedOption = None,
    backend_flags: BackendFlags = NO_BACKEND_FLAGS,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress and no run summary; only warnings and errors."
        ),
    ] = False,
    engine: Annotated[
        Engine,
        typer.Option(
            metavar="local|ray",
            help="local: this process. ray: Ray Data workers, one per CPU of a local Ray "
            'instance or of --ray-address\'s cluster (pip install "eventbrief[ray]").',
        ),
    ] = Engine.local,
    ray_address: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help='The Ray cluster to run on with --engine ray ("auto", "ray://host:10001"); '
            "default: a local instance.",
        ),
    ] = None,
) -> None:
    """Articles in, grounded event records out (JSON on stdout)."""
    sources = expand_sources(paths_or_stdin(paths, "summarize"))
    dates = publication_dates(published, article_ids(sources))
    settings = backend_flags.settings()

    chosen_format = choose_format(fmt.value if fmt else None, output, len(sources))
    to_dir = Path(output) if output and is_dir_target(output) else None
    failed: list[str] = []
    partial: list[str] = []

    def on_result(outcome: ArticleOutcome) -> None:
        if outcome.error is not None:
            failed.append(outcome.source)
            say(settings.redact(outcome.error))
            return
        say_notices(outcome)
        if outcome.summary is not None and outcome.summary.partial:
            partial.append(outcome.source)
            say_partial(outcome.summary)
        if to_dir is not None and outcome.summary is not None:
            try:
                write_one(outcome.summary, to_dir, chosen_format, outcome.notices, outcome.text)
            except OSError as exc:
                failed.append(outcome.source)
                say(f"{outcome.article_id}: cannot write to {to_dir}: {exc.strerror or exc}")

    if not quiet or settings.paid_by_surprise:
        say(settings.describe())
    on_ray = _ray_engine(ray_address, chosen_format) if engine is Engine.ray else None
    run = run_step(sources, settings, dates, quiet=quiet, on_result=on_result, engine=on_ray)
    outcomes = run.outcomes

    if to_dir is None:
        done = [o for o in outcomes if o.summary is not None]
        try:
            write_all(
                [o.summary for o in done if o.summary is not None],
                chosen_format,
                output,
                notices={o.summary.article.id: o.notices for o in done if o.summary},
                texts={o.summary.article.id: o.text for o in done if o.summary and o.text},
            )
        except OSError as exc:
            say(f"cannot write {output}: {exc.strerror or exc}")
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


def _ray_engine(address: str | None, fmt: str) -> Callable[..., RunResult]:
    """Ray's run, imported only when asked for (Ray is an optional extra)."""
    try:
        from eventbrief import distributed
    except ImportError:
        say('--engine ray needs Ray: pip install "eventbrief[ray]"')
        raise typer.Exit(EXIT_USAGE) from None
    return functools.partial(
        distributed.run, address=address, keep_text=fmt in ("markdown", "html")
    )
