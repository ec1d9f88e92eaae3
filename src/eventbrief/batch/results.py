"""`batch collect`: turn a batch's output lines into ArticleSummary records or per-article errors.

Every answer goes through the same validation as a live run (the schema, the cross-field rules
and the quote checker with the article in the validation context, which instructor's
BatchProcessor skips) and is then grounded. Nothing is re-asked: an answer that fails is reported
with its article's id and the reason, so those articles can be re-run with `summarize`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from eventbrief.backends.base import ExtractionResult
from eventbrief.batch.requests import custom_id, split_custom_id
from eventbrief.grounding import quote_checker
from eventbrief.models import Article, ArticleExtraction, ArticleSummary, Usage

BuildSummary = Callable[[Article, ExtractionResult], ArticleSummary]


@dataclass(frozen=True)
class BatchSource:
    """Stands for the backend in provenance and the cache key: the model answered through the
    Batch API in strict json_schema mode, with this prompt and schema version."""

    model: str
    prompt_version: str
    schema: str
    name: str = "openai"

    def identity(self) -> dict[str, str]:
        return {
            "backend": self.name,
            "model": self.model,
            "mode": "batch_json_schema",
            "prompt_version": self.prompt_version,
            "schema": self.schema,
        }


@dataclass(frozen=True)
class Collected:
    """One article's fate: a summary, or an error line that starts with its id."""

    article_id: str
    summary: ArticleSummary | None = None
    error: str | None = None


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
    prompt_version: str | None = None,
) -> CollectReport:
    """Match output records to articles by custom_id; validate, ground and build each one."""
    records, bad = parse_lines(lines)
    by_article = {split_custom_id(cid)[0]: cid for cid in records}
    outcomes: list[Collected] = []
    usage = Usage()
    for article in articles:
        aid = article.meta.id
        wanted = custom_id(article.meta)
        found = by_article.get(aid)
        if found is None:
            outcomes.append(Collected(aid, error=f"{aid}: no result in the batch output"))
            continue
        if found != wanted:
            outcomes.append(
                Collected(aid, error=f"{aid}: the article text changed since batch prepare")
            )
            continue
        content, model, cost, problem = _answer(records.pop(found))
        usage = usage + cost
        if problem is not None or content is None:
            outcomes.append(Collected(aid, error=f"{aid}: {problem}"))
            continue
        try:
            extraction = ArticleExtraction.model_validate_json(
                content, context={"quote_checker": quote_checker(article.text)}
            )
        except ValidationError as exc:
            message = " ".join(_first_error(exc).split())
            outcomes.append(Collected(aid, error=f"{aid}: invalid answer: {message}"))
            continue
        result = ExtractionResult(extraction, model, prompt_version, cost)
        outcomes.append(Collected(aid, summary=build(article, result)))
    unmatched = bad + [f"{cid}: matches no given article" for cid in records]
    return CollectReport(outcomes, unmatched, usage)
