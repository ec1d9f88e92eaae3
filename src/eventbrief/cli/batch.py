"""`eventbrief batch prepare|submit|status|collect`: extraction through the OpenAI Batch API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from eventbrief.articles import article_ids, expand_sources, load_article
from eventbrief.backends.base import ExtractionResult
from eventbrief.backends.openai_compatible import schema_hash
from eventbrief.batch.jobs import BatchError, BatchJobs
from eventbrief.batch.requests import prompt_version, write_requests
from eventbrief.batch.results import BatchSource, collect
from eventbrief.cli.app import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, app
from eventbrief.config import Settings
from eventbrief.errors import ConfigError, EventbriefError
from eventbrief.models import Article, ArticleSummary
from eventbrief.pipeline import build_summary
from eventbrief.pricing import load_prices

batch_app = typer.Typer(
    help=(
        "Extract many articles through the OpenAI Batch API (half price, results within 24 h). "
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
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(batch_app, name="batch")

Paths = Annotated[
    list[str], typer.Argument(metavar="PATH...", help='Files, folders, globs, or "-" for stdin.')
]
Published = Annotated[
    str | None,
    typer.Option(metavar="YYYY-MM-DD", help="Publication date (else from the article)."),
]
BaseUrl = Annotated[
    str | None,
    typer.Option(metavar="URL", help="Endpoint. [env EVENTBRIEF_BASE_URL, OPENAI_BASE_URL]"),
]
Model = Annotated[str | None, typer.Option(help="Model name. [env EVENTBRIEF_MODEL]")]


def _say(message: str) -> None:
    typer.echo(f"eventbrief: {message}", err=True)


def _settings(**flags: object) -> Settings:
    try:
        return Settings.resolve(backend="openai", **flags)
    except ConfigError as exc:
        _say(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def _load(paths: list[str], published: dt.date | None, max_chars: int) -> tuple[list[Article], int]:
    """The articles that load; each one that does not is reported on its own line."""
    sources = expand_sources(paths)
    articles, failed = [], 0
    for source, article_id in zip(sources, article_ids(sources), strict=True):
        try:
            articles.append(
                load_article(source, published, article_id=article_id, max_chars=max_chars)
            )
        except EventbriefError as exc:
            _say(str(exc))
            failed += 1
    return articles, failed


def _jobs(settings: Settings) -> BatchJobs:
    key = settings.api_key.get_secret_value() if settings.api_key else None
    return BatchJobs(base_url=settings.base_url, api_key=key, timeout=settings.timeout)


@batch_app.command(
    epilog="\b\nExample:\n  eventbrief batch prepare news/ -o requests.jsonl --model gpt-4o-mini"
)
def prepare(
    paths: Paths,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Request file (default stdout).")
    ] = None,
    model: Model = None,
    published: Published = None,
) -> None:
    """Write one Batch API request per article (custom_id = article id and text hash)."""
    settings = _settings(model=model)
    articles, failed = _load(paths, _date(published), settings.max_chars)
    lines = write_requests(articles, settings.model)
    if output is None:
        sys.stdout.writelines(lines)
    else:
        with output.open("w", encoding="utf-8") as handle:
            handle.writelines(lines)
        _say(f"wrote {len(articles)} requests for {settings.model} to {output}")
    raise typer.Exit(EXIT_SOME_FAILED if failed else EXIT_OK)


@batch_app.command(epilog="\b\nExample:\n  eventbrief batch submit requests.jsonl")
def submit(
    requests: Annotated[Path, typer.Argument(help="A file written by `batch prepare`.")],
    base_url: BaseUrl = None,
) -> None:
    """Upload the request file and start a batch; prints the batch (with its id) as JSON."""
    if not requests.is_file():
        _say(f"{requests}: no such file")
        raise typer.Exit(EXIT_USAGE)
    settings = _settings(base_url=base_url)
    jobs = _jobs(settings)
    try:
        state = jobs.submit(requests)
    except BatchError as exc:
        _say(settings.redact(str(exc)))
        raise typer.Exit(EXIT_SOME_FAILED) from None
    finally:
        jobs.close()
    sys.stdout.write(json.dumps(state.as_dict(), indent=2) + "\n")
    _say(f"submitted {state.id}; follow it with: eventbrief batch status {state.id}")


@batch_app.command(epilog="\b\nExample:\n  eventbrief batch status batch_abc123")
def status(
    batch_id: Annotated[str, typer.Argument(help="The id `batch submit` printed.")],
    base_url: BaseUrl = None,
) -> None:
    """Print a batch's state and request counts as JSON."""
    settings = _settings(base_url=base_url)
    jobs = _jobs(settings)
    try:
        state = jobs.status(batch_id)
    except BatchError as exc:
        _say(settings.redact(str(exc)))
        raise typer.Exit(EXIT_SOME_FAILED) from None
    finally:
        jobs.close()
    sys.stdout.write(json.dumps(state.as_dict(), indent=2) + "\n")


@batch_app.command(
    "collect",
    epilog=(
        "\b\nExamples:\n"
        "  eventbrief batch collect news/ --batch-id batch_abc123 -o summaries.jsonl\n"
        "  eventbrief batch collect news/ --results vllm_out.jsonl > summaries.jsonl\n"
        "\b\nExit codes: 0 every article collected, 1 some failed (the others are written),\n"
        "2 usage error or the batch is not finished."
    ),
)
def collect_cmd(
    paths: Paths,
    batch_id: Annotated[
        str | None, typer.Option("--batch-id", help="Download this batch's output.")
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option("--results", help="Read an output file already on disk (e.g. vLLM's)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="ArticleSummary JSONL (default stdout).")
    ] = None,
    model: Model = None,
    base_url: BaseUrl = None,
    published: Published = None,
) -> None:
    """Validate and ground every answer of a batch; write ArticleSummary JSONL, report failures."""
    if (batch_id is None) == (results is None):
        _say("give exactly one of --batch-id or --results")
        raise typer.Exit(EXIT_USAGE)
    settings = _settings(model=model, base_url=base_url)
    articles, load_failed = _load(paths, _date(published), settings.max_chars)
    if results is not None:
        try:
            lines = results.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            _say(f"{results}: {exc.strerror or exc}")
            raise typer.Exit(EXIT_USAGE) from None
    else:
        jobs = _jobs(settings)
        try:
            _, lines = jobs.download(str(batch_id))
        except BatchError as exc:
            _say(settings.redact(str(exc)))
            raise typer.Exit(EXIT_USAGE) from None
        finally:
            jobs.close()

    prices = load_prices()
    source = BatchSource(
        model=settings.model, prompt_version=prompt_version(), schema=schema_hash()
    )

    def build(article: Article, result: ExtractionResult) -> ArticleSummary:
        usage = prices.priced(result.model or settings.model, result.usage, batch=True)
        return build_summary(article, dataclasses.replace(result, usage=usage), source)

    report = collect(articles, lines, build, prompt_version=source.prompt_version)
    for problem in report.unmatched:
        _say(problem)
    for failure in report.failed:
        _say(str(failure.error))
    text = "".join(
        o.summary.model_dump_json() + "\n" for o in report.outcomes if o.summary is not None
    )
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
    done = len(report.outcomes) - len(report.failed)
    cost = prices.cost(settings.model, report.usage, batch=True)
    spent = f", ${cost:.4f} at batch prices" if cost is not None else ""
    _say(
        f"collected {done} of {len(report.outcomes) + load_failed} articles, "
        f"{len(report.failed) + load_failed} failed; {report.usage.prompt_tokens:,} prompt + "
        f"{report.usage.completion_tokens:,} completion tokens{spent}"
    )
    raise typer.Exit(EXIT_SOME_FAILED if report.failed or load_failed else EXIT_OK)
