"""`eventbrief brief PATH…`: articles (or earlier summaries) in, one merged Brief out."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from eventbrief.articles import PublicationDates, expand_sources, load_article
from eventbrief.brief import build_brief
from eventbrief.brief.html import render_html
from eventbrief.brief.markdown import render_markdown
from eventbrief.brief.narrate import narrate as write_narrative
from eventbrief.brief.sources import SummaryFileError, find_text, read_summaries, split_inputs
from eventbrief.cli.app import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, app
from eventbrief.cli.extraction_step import report_run, say_partial, summarize_sources
from eventbrief.cli.options import (
    BackendOption,
    BaseUrlOption,
    ConcurrencyOption,
    EvidenceOption,
    MaxTokensOption,
    ModelOption,
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
from eventbrief.errors import ConfigError, EventbriefError
from eventbrief.models import ArticleSummary, Brief

FormatChoice = Enum("FormatChoice", {n: n for n in ("json", "markdown", "html")}, type=str)

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
one per line); everything else is summarized first. With summaries, the HTML page shows an
article's text when it is found (--texts DIR, a dataset's articles/ folder beside gold/, or the
recorded source path) and matches the recorded sha256.

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
    sources: list[str],
    flags: dict[str, Any],
    published: PublicationDates,
    failures: _Failures,
    *,
    quiet: bool = False,
) -> tuple[list[ArticleSummary], dict[str, str]]:
    """Run the pipeline over article sources, with a progress bar and the run summary line as
    summarize shows them; texts come back for the HTML page."""
    try:
        settings = Settings.resolve(**flags)
    except ConfigError as exc:
        say(str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    if not quiet:
        say(settings.describe())
    run = summarize_sources(expand_sources(sources), settings, published, quiet=quiet)
    outcomes = run.outcomes
    summaries: list[ArticleSummary] = []
    texts: dict[str, str] = {}
    for outcome in outcomes:
        if outcome.summary is None:
            failures.say(settings.redact(outcome.error or f"{outcome.source}: failed"))
            continue
        if outcome.summary.partial:
            say_partial(outcome.summary)
        summaries.append(outcome.summary)
        try:
            article = load_article(
                outcome.source,
                published.for_article(outcome.summary.article.id),
                article_id=outcome.summary.article.id,
                max_chars=settings.max_chars,
            )
        except EventbriefError:
            continue
        texts[article.meta.id] = article.text
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


def _narrate(result: Brief, flags: dict[str, Any]) -> Brief:
    """Add the LLM paragraph when an OpenAI-compatible endpoint is configured; never fail."""
    try:
        settings = Settings.resolve(**flags)
    except ConfigError as exc:
        say(f"narrative skipped: {exc}")
        return result
    if settings.resolved_backend() != "openai":
        say("narrative skipped: it needs the openai backend (an endpoint or an API key)")
        return result
    key = settings.api_key.get_secret_value() if settings.api_key is not None else None
    try:
        paragraph = write_narrative(
            result,
            model=settings.model,
            base_url=settings.base_url,
            api_key=key,
            # not streamed, so a silence is only ended by this limit: the paragraph is short,
            # and waiting past the stall limit would wait out the long answer cap instead
            timeout=min(settings.timeout, settings.stall_timeout),
        )
    except Exception as exc:  # the brief is complete without a narrative
        say(
            settings.redact(
                f"narrative skipped: {type(exc).__name__}: {' '.join(str(exc).split())}"
            )
        )
        return result
    return result.model_copy(update={"narrative": paragraph})


def _format_for(fmt: FormatChoice | None, output: Path | None) -> str:
    if fmt is not None:
        return fmt.value
    suffix = output.suffix.lower() if output else ""
    return {".html": "html", ".htm": "html", ".md": "markdown"}.get(suffix, "json")


@app.command(epilog=EPILOG)
def brief(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATH...", help="Article files, folders or globs; or summaries."),
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE.")] = None,
    fmt: Annotated[
        FormatChoice | None,
        typer.Option(
            "--format", help="json (default), markdown or html (one self-contained page)."
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title (default: from the events).")] = None,
    from_summaries: Annotated[
        bool, typer.Option("--from-summaries", help="Read every PATH as ArticleSummary JSON.")
    ] = False,
    texts: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Folder with the article files (<id>.*) of summaries."),
    ] = None,
    published: PublishedOption = None,
    backend: BackendOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    evidence: EvidenceOption = None,
    concurrency: ConcurrencyOption = None,
    max_tokens: MaxTokensOption = None,
    temperature: TemperatureOption = None,
    timeout: TimeoutOption = None,
    stall_timeout: StallTimeoutOption = None,
    stream: StreamOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
    narrate: Annotated[
        bool,
        typer.Option("--narrate", help="Add one LLM-written paragraph (openai backend only)."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="No progress bar and no run summary; errors only."),
    ] = False,
) -> None:
    """Merge many articles into one brief: a timeline with sources, and where sources disagree."""
    if not paths:
        say("no PATH given; try 'eventbrief brief --help'")
        raise typer.Exit(EXIT_USAGE)
    dates = publication_dates(published)
    flags: dict[str, Any] = {
        "backend": value(backend),
        "model": model,
        "base_url": base_url,
        "evidence": value(evidence),
        "concurrency": concurrency,
        "max_tokens": max_tokens,
        "temperature": temperature,
        "timeout": timeout,
        "stall_timeout": stall_timeout,
        "stream": stream,
        "no_cache": no_cache or None,
        "strict": strict or None,
    }
    failures = _Failures()
    summary_files, article_sources = split_inputs(paths, from_summaries)
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
    if article_sources:
        more, more_texts = _summarize_articles(article_sources, flags, dates, failures, quiet=quiet)
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
            beside = origin.parent.parent / "articles" if origin else None
            text = find_text(s, [texts, beside])
            if text is not None:
                found_texts[aid] = text

    result = build_brief(list(unique.values()), title=title, texts=found_texts)
    if narrate:
        result = _narrate(result, flags)
    chosen = _format_for(fmt, output)
    if chosen == "html":
        rendered = render_html(result, found_texts)
    elif chosen == "markdown":
        rendered = render_markdown(result)
    else:
        rendered = result.model_dump_json(indent=2) + "\n"
    if output is None:
        typer.echo(rendered, nl=False)
    else:
        try:
            output.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            say(f"cannot write {output}: {exc.strerror or exc}")
            raise typer.Exit(EXIT_SOME_FAILED) from None
    if not quiet:
        say(
            f"brief: {len(unique)} articles, {len(result.events)} events, "
            f"{len(result.conflicts)} disagreements"
        )
    raise typer.Exit(EXIT_SOME_FAILED if failures.count else EXIT_OK)
