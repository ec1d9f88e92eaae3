"""`eventbrief batch prepare|submit|status|collect`: extraction through the OpenAI Batch API."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from eventbrief.articles import (
    PublicationDates,
    Source,
    article_ids,
    expand_sources,
    load_article,
)
from eventbrief.backends.base import ExtractionResult
from eventbrief.backends.openai.batch.jobs import BatchError, BatchJobs
from eventbrief.backends.openai.batch.requests import write_requests
from eventbrief.backends.openai.batch.results import (
    BatchSource,
    CollectReport,
    Stored,
    collect,
    store,
)
from eventbrief.cache import ExtractionCache
from eventbrief.cli.app import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, Command, app, sub_app
from eventbrief.cli.options import (
    BaseUrlOption,
    ModelOption,
    NoCacheOption,
    OutputOption,
    PublishedOption,
    config_errors_exit,
    paths_or_stdin,
    publication_dates,
    say,
)
from eventbrief.config import Settings, display_url
from eventbrief.errors import ConfigError, EventbriefError
from eventbrief.models import Article, ArticleSummary
from eventbrief.output import FORMATS, format_from_suffix, render, write_to
from eventbrief.pipeline import build_summary
from eventbrief.pricing import load_prices
from eventbrief.progress import counted

batch_app = sub_app(
    help=(
        "Extract through the OpenAI Batch API (half price, within 24 h).\n\n"
        "The request file is also what vLLM's run-batch reads."
    ),
    epilog=(
        "\b\nExample:\n"
        "  eventbrief batch prepare news/ -o requests.jsonl --model gpt-4o-mini\n"
        "  eventbrief batch submit requests.jsonl            # prints the batch id\n"
        "  eventbrief batch status batch_abc123\n"
        "  eventbrief batch collect news/ --batch-id batch_abc123 -o summaries.jsonl\n"
        "  eventbrief batch collect news/ --results vllm_out.jsonl -o summaries.jsonl"
    ),
)
app.add_typer(batch_app, name="batch")

Paths = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="PATH", help='Files, folders, globs, or "-" for stdin (the default when piped).'
    ),
]
# Built from FORMATS, as the choices in cli/options.py are from their Literals.
SummaryFormat = Enum("SummaryFormat", {n: n for n in FORMATS}, type=str)  # type: ignore[misc]
IDS_SHOWN = 5
T = TypeVar("T")


def _settings(**flags: Any) -> Settings:
    with config_errors_exit():
        return Settings.resolve(backend="openai", **flags)


def _sources(
    paths: list[str] | None, command: str, published: list[str] | None
) -> tuple[list[Source], PublicationDates]:
    """The sources (stdin when none is given and something is piped) and their dates, an
    ID=DATE naming no article being a usage error."""
    sources = expand_sources(paths_or_stdin(paths, command))
    return sources, publication_dates(published, article_ids(sources))


def _load(
    sources: list[Source], published: PublicationDates, max_chars: int
) -> tuple[list[Article], int]:
    """The articles that load; each one that does not is reported on its own line."""
    articles, failed = [], 0
    for source, article_id in zip(sources, article_ids(sources), strict=True):
        try:
            articles.append(
                load_article(
                    source,
                    published.for_article(article_id),
                    article_id=article_id,
                    max_chars=max_chars,
                )
            )
        except EventbriefError as exc:
            say(str(exc))
            failed += 1
    return articles, failed


def _jobs(settings: Settings) -> BatchJobs:
    key = settings.api_key.get_secret_value() if settings.api_key else None
    return BatchJobs(
        base_url=settings.base_url,
        api_key=key,
        timeout=settings.timeout,
        endpoint=display_url(settings.base_url),
    )


def _ask(settings: Settings, call: Callable[[BatchJobs], T], exit_code: int) -> T:
    """One Batch API call; its failure is one line (secrets redacted) and exit `exit_code`.
    OpenAI's own API without a key is a usage error said before any request: the client would
    only say "Connection error." or 401, naming neither the endpoint nor the key."""
    if settings.api_key is None and not settings.base_url:
        say(
            "the Batch API at api.openai.com needs a key: set OPENAI_API_KEY (or "
            "EVENTBRIEF_API_KEY), or give --base-url for another server"
        )
        raise typer.Exit(EXIT_USAGE)
    jobs = _jobs(settings)
    try:
        return call(jobs)
    except BatchError as exc:
        say(settings.redact(str(exc)))
        raise typer.Exit(exit_code) from None
    finally:
        jobs.close()


@batch_app.command(
    cls=Command,
    epilog="\b\nExample:\n  eventbrief batch prepare news/ -o requests.jsonl --model gpt-4o-mini",
)
def prepare(
    paths: Paths = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", metavar="FILE", help='Request file ("-" or none for stdout).'
        ),
    ] = None,
    model: ModelOption = None,
    published: PublishedOption = None,
) -> None:
    """Write one Batch API request per article (JSON Lines)."""
    sources, dates = _sources(paths, "batch prepare", published)
    settings = _settings(model=model)
    articles, failed = _load(sources, dates, settings.max_chars)
    try:
        written = write_to(output, "".join(write_requests(articles, settings.model)))
    except OSError as exc:
        say(f"cannot write {output}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_SOME_FAILED) from None
    if written is not None:
        say(f"wrote {counted(len(articles), 'request')} for {settings.model} to {written}")
    raise typer.Exit(EXIT_SOME_FAILED if failed else EXIT_OK)


@batch_app.command(cls=Command, epilog="\b\nExample:\n  eventbrief batch submit requests.jsonl")
def submit(
    requests: Annotated[
        Path, typer.Argument(metavar="FILE", help="A file written by `batch prepare`.")
    ],
    base_url: BaseUrlOption = None,
) -> None:
    """Upload a request file and start a batch; print its id as JSON."""
    if not requests.is_file():
        say(f"{requests}: no such file")
        raise typer.Exit(EXIT_USAGE)
    settings = _settings(base_url=base_url)
    state = _ask(settings, lambda jobs: jobs.submit(requests), EXIT_SOME_FAILED)
    sys.stdout.write(json.dumps(state.as_dict(), indent=2) + "\n")
    say(f"submitted {state.id}; follow it with: eventbrief batch status {state.id}")


@batch_app.command(cls=Command, epilog="\b\nExample:\n  eventbrief batch status batch_abc123")
def status(
    batch_id: Annotated[
        str, typer.Argument(metavar="BATCH_ID", help="The id `batch submit` printed.")
    ],
    base_url: BaseUrlOption = None,
) -> None:
    """Print a batch's state and request counts as JSON."""
    settings = _settings(base_url=base_url)
    state = _ask(settings, lambda jobs: jobs.status(batch_id), EXIT_SOME_FAILED)
    sys.stdout.write(json.dumps(state.as_dict(), indent=2) + "\n")


@batch_app.command(
    "collect",
    cls=Command,
    epilog=(
        "\b\nExamples:\n"
        "  eventbrief batch collect news/ --batch-id batch_abc123 -o summaries.jsonl\n"
        "  eventbrief batch collect news/ --results vllm_out.jsonl > summaries.jsonl\n"
        "\b\nExit codes: 0 every article collected, 1 some failed (the others are written),\n"
        "2 usage error or the batch is not finished.\n"
        "\b\nThe format is --format's, else -o's extension (.jsonl, .json, .md, .html), else\n"
        "JSON Lines.\n"
        "\b\nEvery valid answer goes into the extraction cache (unless --no-cache): a later\n"
        "`eventbrief summarize --mode json_schema --model M` of the same articles and dates\n"
        "makes no request for them. Give collect the --model and --published of prepare."
    ),
)
def collect_cmd(
    paths: Paths = None,
    batch_id: Annotated[
        str | None,
        typer.Option("--batch-id", metavar="BATCH_ID", help="Download this batch's output."),
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results", metavar="FILE", help="Read an output file already on disk (e.g. vLLM's)."
        ),
    ] = None,
    output: OutputOption = None,
    fmt: Annotated[
        SummaryFormat | None,
        typer.Option(
            "--format",
            metavar="|".join(FORMATS),
            help="Default: from -o's extension, else jsonl.",
        ),
    ] = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    published: PublishedOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Validate and ground a batch's answers into ArticleSummary records."""
    if (batch_id is None) == (results is None):
        say("give exactly one of --batch-id or --results")
        raise typer.Exit(EXIT_USAGE)
    sources, dates = _sources(paths, "batch collect", published)
    settings = _settings(model=model, base_url=base_url, no_cache=no_cache or None)
    articles, load_failed = _load(sources, dates, settings.max_chars)
    if results is not None:
        try:
            lines = results.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            say(f"{results}: {exc.strerror or exc}")
            raise typer.Exit(EXIT_USAGE) from None
    else:
        _, lines = _ask(settings, lambda jobs: jobs.download(str(batch_id)), EXIT_USAGE)

    prices = load_prices()
    source = BatchSource(model=settings.model)

    def build(article: Article, result: ExtractionResult) -> ArticleSummary:
        usage = prices.priced(result.model or settings.model, result.usage, batch=True)
        return build_summary(article, dataclasses.replace(result, usage=usage), source)

    report = collect(
        articles, lines, build, model=settings.model, prompt_version=source.prompt_version
    )
    for problem in report.unmatched:
        say(problem)
    for line in _grouped([(f.article_id, str(f.error)) for f in report.failed]):
        say(line)
    chosen = (fmt.value if fmt else None) or format_from_suffix(output) or "jsonl"
    summaries = [o.summary for o in report.outcomes if o.summary is not None]
    texts = {o.article_id: o.article.text for o in report.outcomes if o.article is not None}
    try:
        if summaries:
            write_to(output, render(summaries, chosen, texts=texts))  # type: ignore[arg-type]
    except OSError as exc:
        say(f"cannot write {output}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_SOME_FAILED) from None
    if not settings.no_cache:
        _store(report, source)
    done = len(report.outcomes) - len(report.failed)
    cost = prices.cost(settings.model, report.usage, batch=True)
    spent = f", ${cost:.4f} at batch prices" if cost is not None else ""
    say(
        f"collected {done} of {counted(len(report.outcomes) + load_failed, 'article')}, "
        f"{len(report.failed) + load_failed} failed; {report.usage.prompt_tokens:,} prompt + "
        f"{report.usage.completion_tokens:,} completion tokens{spent}"
    )
    raise typer.Exit(EXIT_SOME_FAILED if report.failed or load_failed else EXIT_OK)


def _grouped(errors: list[tuple[str, str]]) -> list[str]:
    """One line per reason: articles failing for the same reason (another --model for all of
    them, say) are named together on one line instead of repeating it for each."""
    by_reason: dict[str, list[str]] = {}
    for article_id, error in errors:
        reason = error.removeprefix(f"{article_id}: ")
        by_reason.setdefault(reason, []).append(article_id)
    lines = []
    for reason, ids in by_reason.items():
        if len(ids) == 1:
            lines.append(f"{ids[0]}: {reason}")
            continue
        more = f" and {len(ids) - IDS_SHOWN} more" if len(ids) > IDS_SHOWN else ""
        lines.append(f"{len(ids)} articles ({', '.join(ids[:IDS_SHOWN])}{more}): {reason}")
    return lines


def _store(report: CollectReport, source: BatchSource) -> None:
    """The answers into the extraction cache, after the output is written: a cache that cannot
    be used costs a later re-run, never this one's summaries."""
    cache = ExtractionCache()
    try:
        cache.open()
        stored = store(report, source, cache)
    except ConfigError as exc:
        wanted = sum(1 for o in report.outcomes if o.result is not None)
        stored = Stored(0, wanted)
        say(str(exc))
    finally:
        cache.close()
    failed = f"; the cache failed for {stored.failed}" if stored.failed else ""
    say(
        f"stored {stored.stored} results in the extraction cache as openai/{source.model} "
        f"json_schema{failed}"
    )
