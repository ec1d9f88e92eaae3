"""`batch collect`: turn a batch's output lines into ArticleSummary records or per-article errors.

Every answer goes through the same validation as a live run (the schema, the cross-field rules
and the quote checker with the article in the validation context, which instructor's
BatchProcessor skips) and is then grounded. Nothing is re-asked: an answer that fails is reported
with its article's id and the reason, so those articles can be re-run with `summarize`.

Every valid answer also goes into the extraction cache, under the key a live `summarize --mode
json_schema --model M` of the same article and publication date looks up: the batch line is
byte for byte the request that run would send (same messages, prompt version and strict
response format; the custom_id proves it), so what was paid for once is not paid for again.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from eventbrief.backends.base import ExtractionResult
from eventbrief.backends.openai.batch.requests import (
    changed_inputs,
    expected_custom_id,
    split_custom_id,
)
from eventbrief.backends.openai.client import identity
from eventbrief.grounding import quote_checker
from eventbrief.models import (
    TAKEAWAYS_NEEDED,
    Article,
    ArticleExtraction,
    ArticleMeta,
    ArticleSummary,
    Usage,
)
from eventbrief.salvage import takeaways_needed

BuildSummary = Callable[[Article, ExtractionResult], ArticleSummary]
CHANGED = "the request batch prepare wrote differs from this one"


@dataclass(frozen=True)
class BatchSource:
    """Stands for the backend in provenance and the cache key: the openai backend in
    json_schema mode, whose live request a batch line is."""

    model: str
    name: str = "openai"

    def identity(self) -> dict[str, str]:
        return identity(self.model, "json_schema")

    @property
    def prompt_version(self) -> str:
        return self.identity()["prompt_version"]


@dataclass(frozen=True)
class Collected:
    """One article's fate: a summary, or an error line that starts with its id."""

    article_id: str
    summary: ArticleSummary | None = None
    error: str | None = None
    article: Article | None = None
    result: ExtractionResult | None = None


@dataclass(frozen=True)
class CollectReport:
    outcomes: list[Collected]
    unmatched: list[str]
    usage: Usage

    @property
    def failed(self) -> list[Collected]:
        return [o for o in self.outcomes if o.error is not None]


def parse_lines(lines: Iterable[str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Output (or error) file lines by custom_id; lines that are not JSON are reported."""
    by_id: dict[str, dict[str, Any]] = {}
    bad: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            by_id[str(record["custom_id"])] = record
        except (ValueError, KeyError, TypeError):
            bad.append(f"line {number} of the batch output is not a result record")
    return by_id, bad


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "answer"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def _answer(record: dict[str, Any]) -> tuple[str | None, str | None, Usage, str | None]:
    """(content, model, usage, error) of one output record."""
    error = record.get("error")
    response = record.get("response") or {}
    status = response.get("status_code")
    body = response.get("body") or {}
    if error or (status is not None and status != 200):
        detail = error or body.get("error") or {}
        message = detail.get("message") if isinstance(detail, dict) else str(detail)
        return None, None, Usage(), f"the batch request failed ({status}): {message}"
    counts = body.get("usage") or {}
    usage = Usage(
        prompt_tokens=int(counts.get("prompt_tokens") or 0),
        completion_tokens=int(counts.get("completion_tokens") or 0),
        requests=1,
    )
    try:
        choice = body["choices"][0]
        message = choice["message"]
    except (KeyError, IndexError, TypeError):
        return None, None, usage, "the answer has no message"
    if message.get("refusal"):
        return None, None, usage, f"the model refused: {message['refusal']}"
    if choice.get("finish_reason") == "length":
        return None, None, usage, "the answer was cut off at the token limit"
    content = message.get("content")
    if not content:
        return None, None, usage, "the answer is empty"
    return content, body.get("model"), usage, None


def collect(
    articles: Sequence[Article],
    lines: Iterable[str],
    build: BuildSummary,
    *,
    model: str,
    prompt_version: str | None = None,
) -> CollectReport:
    """Match output records to articles by custom_id; validate, ground and build each one.
    A record whose custom_id is not the one `prepare` would write now for the article and
    `model` answers another request, and is refused."""
    records, bad = parse_lines(lines)
    by_article = {split_custom_id(cid)[0]: cid for cid in records}
    outcomes: list[Collected] = []
    usage = Usage()
    for article in articles:
        aid = article.meta.id
        wanted = expected_custom_id(article, model)
        found = by_article.get(aid)
        if found is None:
            outcomes.append(Collected(aid, error=f"{aid}: no result in the batch output"))
            continue
        if found != wanted:
            answered = _answered_model(records.pop(found))
            why = _what_changed(changed_inputs(found, wanted), model, answered)
            outcomes.append(Collected(aid, error=f"{aid}: {CHANGED}: {why}"))
            continue
        content, answered, cost, problem = _answer(records.pop(found))
        usage = usage + cost
        if problem is not None or content is None:
            outcomes.append(Collected(aid, error=f"{aid}: {problem}"))
            continue
        try:
            extraction = ArticleExtraction.model_validate_json(
                content,
                context={
                    "quote_checker": quote_checker(article.text),
                    TAKEAWAYS_NEEDED: takeaways_needed(article.text, article.meta.title),
                },
            )
        except ValidationError as exc:
            message = " ".join(_first_error(exc).split())
            outcomes.append(Collected(aid, error=f"{aid}: invalid answer: {message}"))
            continue
        result = ExtractionResult(extraction, answered, prompt_version, cost)
        outcomes.append(Collected(aid, build(article, result), None, article, result))
    unmatched = bad + [f"{cid}: matches no given article" for cid in records]
    return CollectReport(outcomes, unmatched, usage)


def _answered_model(record: dict[str, Any]) -> str | None:
    """The model an output record says answered (OpenAI names its dated snapshot)."""
    body = (record.get("response") or {}).get("body") or {}
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None


def _what_changed(changed: list[str] | None, model: str, answered: str | None) -> str:
    """Which input changed since `prepare`, and what to do about it, on one line."""
    if changed is None:
        return (
            "its article text, publication date, model or eventbrief's prompt changed since "
            "(this batch was prepared by an older eventbrief, which cannot tell which)"
        )
    if not changed:
        return "eventbrief's prompt or request format changed since; prepare and submit again"
    said = {
        "text": "the article text changed",
        "date": "the publication date differs (give collect the --published of prepare)",
        "model": f"the model differs from --model {model}"
        + (f" (the batch answered as {answered})" if answered else "")
        + "; give collect the --model of prepare",
    }
    return "; ".join(said[name] for name in changed)


class ResultStore(Protocol):
    """Where collected answers are kept (the extraction cache, which sits above this layer)."""

    def put(
        self, identity: dict[str, str], meta: ArticleMeta, result: ExtractionResult
    ) -> None: ...


@dataclass(frozen=True)
class Stored:
    stored: int = 0
    failed: int = 0


def store(report: CollectReport, source: BatchSource, cache: ResultStore) -> Stored:
    """Put every collected answer into the cache as a live run would have: under the source's
    identity, with the requested model and the usage the batch reported (what was paid). A cache
    that fails is counted, never raised: the collected summaries are already safe."""
    key = source.identity()
    stored = failed = 0
    for outcome in report.outcomes:
        if outcome.result is None or outcome.article is None:
            continue
        result = dataclasses.replace(outcome.result, model=source.model)
        try:
            cache.put(key, outcome.article.meta, result)
            stored += 1
        except (sqlite3.Error, OSError):
            failed += 1
    return Stored(stored, failed)
