"""`eventbrief brief PATH…`: articles (or earlier summaries) in, one merged Brief out."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from eventbrief.articles import PublicationDates, Source, article_ids, expand_sources
from eventbrief.backends import capabilities, make_backend
from eventbrief.backends.base import Narrator
from eventbrief.brief import build_brief
from eventbrief.brief.html import render_html
from eventbrief.brief.markdown import render_markdown
from eventbrief.brief.sources import SummaryFileError, find_text, read_summaries, split_inputs
from eventbrief.cli.app import EXIT_OK, EXIT_SOME_FAILED, Command, app
from eventbrief.cli.extraction_step import report_run, run_step, say_notices, say_partial
from eventbrief.cli.options import (
    NO_BACKEND_FLAGS,
    BackendFlags,
    OutputOption,
    PublishedOption,
    backend_options,
    paths_or_stdin,
    publication_dates,
    say,
)
from eventbrief.config import Settings
from eventbrief.errors import ConfigError, EventbriefError
from eventbrief.models import ArticleSummary, Brief
from eventbrief.output import format_from_suffix, write_to

FormatChoice = Enum(
    "FormatChoice", {"json": "json", "markdown": "markdown", "html": "html"}, type=str
)

EPILOG = """\
\b
Examples:
  eventbrief brief evals/articles/ --backend offline --format html -o brief.html \\
      --published 000_a91afaca033a80ab=2025-06-17 --published 003_1b294a7ceb27666f=2025-03-21
  eventbrief brief story1.txt story2.html --format markdown
  eventbrief brief news/*.txt -q -o brief.json     # no progress bar, no run summary
  eventbrief summarize news/*.txt -o out/ && eventbrief brief out/*.json --texts news/
  eventbrief brief --from-summaries evals/gold/ --format html -o gold-brief.html

Inputs ending in .json or .jsonl are read as ArticleSummary records (one object, a list, or
one per line); everything else is summarized first. With summaries, an article's text is used
when it is found (--texts DIR, beside the summary file, a dataset's articles/ folder beside
gold/, or the recorded source path, also relative to the summary file) and matches the recorded
sha256; one warning names the summaries whose text was not found.

Exit codes: 0 brief written from every input, 1 some inputs failed (the brief holds the others),
2 usage or configuration error.
"""


class _Failures:
    def __init__(self) -> None:
        self.count = 0

    def say(self, message: str) -> None:
        self.count += 1
        say(message)


def _summarize_articles(
    sources: list[Source],
    settings: Settings,
    published: PublicationDates,
    failures: _Failures,
    *,
    quiet: bool = False,
) -> tuple[list[ArticleSummary], dict[str, str]]:
    """Run the pipeline over (expanded) article sources, with progress, warnings and the run
    summary line as summarize shows them; the texts of the articles it loaded come back for the
    brief and its HTML page (never loaded again)."""
    if not quiet or settings.paid_by_surprise:
        say(settings.describe())
    run = run_step(sources, settings, published, quiet=quiet)
    outcomes = run.outcomes
    summaries: list[ArticleSummary] = []
    texts: dict[str, str] = {}
    for outcome in outcomes:
        if outcome.summary is None:
            failures.say(settings.redact(outcome.error or f"{outcome.source}: failed"))
            continue
        say_notices(outcome)
        if outcome.summary.partial:
            say_partial(outcome.summary)
        summaries.append(outcome.summary)
        if outcome.text is not None:
            texts[outcome.summary.article.id] = outcome.text
    failed = sum(1 for o in outcomes if o.summary is None)
    report_run(
        settings,
        run.counts,
        articles=len(outcomes),
        failed=failed,
        started=run.started,
        quiet=quiet,
        partial=sum(1 for s in summaries if s.partial),
    )
    return summaries, texts


def _narrate(result: Brief, flags: BackendFlags) -> Brief:
    """Add the LLM paragraph when a backend that narrates is configured; never fail."""
    try:
        settings = Settings.resolve(**flags.values)
        narrates = capabilities(settings.resolved_backend()).narrates
        narrator = make_backend(settings) if narrates else None
    except ConfigError as exc:
        say(f"narrative skipped: {exc}")
        return result
    if not isinstance(narrator, Narrator):
        say(
            "narrative skipped: it needs the openai backend: set OPENAI_API_KEY (or "
            "EVENTBRIEF_API_KEY) for OpenAI's API, or give --base-url for another server"
        )
        return result
    try:
        paragraph = narrator.narrate(result)
    except EventbriefError as exc:  # the brief is complete without a narrative
        say(settings.redact(f"narrative skipped: {exc}"))
        return result
    return result.model_copy(update={"narrative": paragraph})


def _say_missing_texts(missing: list[str], total: int) -> None:
    """One line for all summaries whose article text was not found: without it the page lists
    quotes instead of the text, and copies and visit counts are read from the quotes only."""
    if not missing:
        return
    named = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
    say(
        f"warning: article text not found for {len(missing)} of {total} summaries ({named}): "
        "looked beside them, at their recorded source (also relative to the summary file) and "
        "in --texts DIR; the brief uses their quotes only"
    )


def _say_other_stories(result: Brief) -> None:
    """One line when some articles share no event or entity with the rest."""
    if len(result.stories) < 2:
        return
    others = [a for story in result.stories[1:] for a in story.articles]
    say(
        f"warning: {len(others)} of {len(result.articles)} articles share no event or entity "
        f"with the rest and are kept apart as another story: {', '.join(others)}"
    )


def _format_for(fmt: FormatChoice | None, output: str | None) -> str:
    if fmt is not None:
        return fmt.value
    return format_from_suffix(output, ("json", "markdown", "html")) or "json"


@app.command(cls=Command, epilog=EPILOG)
@backend_options(exclude=("mode",))
def brief(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATH", help="Article files, folders or globs; or summaries."),
    ] = None,
    output: OutputOption = None,
    fmt: Annotated[
        FormatChoice | None,
        typer.Option(
            "--format",
            metavar="json|markdown|html",
            help="json (default), markdown or html (one self-contained page).",
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Title (default: from the events).")
    ] = None,
    from_summaries: Annotated[
        bool, typer.Option("--from-summaries", help="Read every PATH as ArticleSummary JSON.")
    ] = False,
    texts: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Folder with the article files (<id>.*) of summaries."),
    ] = None,
    published: PublishedOption = None,
    backend_flags: BackendFlags = NO_BACKEND_FLAGS,
    narrate: Annotated[
        bool,
        typer.Option("--narrate", help="Add one LLM-written paragraph (openai backend only)."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress and no run summary; only warnings and errors."
        ),
    ] = False,
) -> None:
    """Merge many articles into one timeline that marks disagreements."""
    paths = paths_or_stdin(paths, "brief")
    failures = _Failures()
    summary_files, article_sources = split_inputs(paths, from_summaries)
    sources = expand_sources(article_sources)
    dates = publication_dates(published, article_ids(sources))
    summaries: list[ArticleSummary] = []
    found_texts: dict[str, str] = {}
    origins: dict[str, Path] = {}
    for path in summary_files:
        try:
            found = read_summaries(path)
        except SummaryFileError as exc:
            failures.say(str(exc))
            continue
        for s in found:
            summaries.append(s)
            origins.setdefault(s.article.id, path)
    if sources:
        settings = backend_flags.settings()
        more, more_texts = _summarize_articles(sources, settings, dates, failures, quiet=quiet)
        summaries.extend(more)
        found_texts.update(more_texts)

    unique: dict[str, ArticleSummary] = {}
    for s in summaries:
        if s.article.id in unique:
            failures.say(f"{s.article.id}: given more than once; the first is used")
            continue
        unique[s.article.id] = s
    if not unique:
        say("no article to brief")
        raise typer.Exit(EXIT_SOME_FAILED)
    for aid, s in unique.items():
        if aid not in found_texts:
            origin = origins.get(aid)
            beside = [origin.parent, origin.parent.parent / "articles"] if origin else []
            text = find_text(s, [texts, *beside], origin)
            if text is not None:
                found_texts[aid] = text
    _say_missing_texts([aid for aid in unique if aid not in found_texts], len(unique))

    result = build_brief(list(unique.values()), title=title, texts=found_texts)
    _say_other_stories(result)
    if narrate:
        result = _narrate(result, backend_flags)
    chosen = _format_for(fmt, output)
    if chosen == "html":
        rendered = render_html(result, found_texts)
    elif chosen == "markdown":
        rendered = render_markdown(result)
    else:
        rendered = result.model_dump_json(indent=2) + "\n"
    try:
        write_to(output, rendered)
    except OSError as exc:
        say(f"cannot write {output}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_SOME_FAILED) from None
    if not quiet:
        say(
            f"brief: {len(unique)} articles, {len(result.events)} events, "
            f"{len(result.conflicts)} disagreements"
        )
    raise typer.Exit(EXIT_SOME_FAILED if failures.count else EXIT_OK)
