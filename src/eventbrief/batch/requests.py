"""`batch prepare`: one Batch API request line per article.

The custom_id is the article id and a digest of the request body (model, messages with the
article text and publication date, response format), so a result finds its article by name (not
by position, as instructor's BatchProcessor does), and `collect` can check that the answer is to
exactly the request it would send now: a text edited, a date or model given differently, or a
prompt changed after `prepare` is caught instead of being grounded against the wrong words or
cached under the wrong key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

import instructor
from instructor.v2.core.templating import handle_templating

from eventbrief.backends.openai_compatible import DEFAULT_MAX_TOKENS
from eventbrief.batch.schema import response_format
from eventbrief.models import Article, ArticleMeta
from eventbrief.prompt_templates import load_prompts, prompt_context

ENDPOINT = "/v1/chat/completions"
SHA_PREFIX = 16
Messages = list[dict[str, Any]]


def custom_id(meta: ArticleMeta, body: dict[str, Any]) -> str:
    """`<article id>:<first 16 hex digits of the sha256 of the request body>`."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{meta.id}:{hashlib.sha256(canonical.encode('utf-8')).hexdigest()[:SHA_PREFIX]}"


def split_custom_id(value: str) -> tuple[str, str]:
    """(article id, request digest); the id itself may contain ':'."""
    article_id, _, prefix = value.rpartition(":")
    return (article_id, prefix) if article_id else (value, "")


def render_messages(article: Article) -> Messages:
    """The chat messages a live run sends for `article`, rendered by instructor's own templating
    (the article is a value inserted into the message, never template source)."""
    messages = load_prompts().messages()
    rendered = handle_templating(
        {"messages": messages}, instructor.Mode.JSON_SCHEMA, context=prompt_context(article)
    )
    return list(rendered["messages"])


def prompt_version() -> str:
    return load_prompts().version


def request_body(model: str, messages: Messages) -> dict[str, Any]:
    """The chat-completions body: what a live `--mode json_schema` request sends, with the
    live run's default completion cap and temperature."""
    return {
        "model": model,
        "messages": messages,
        "response_format": response_format(),
        "max_tokens": DEFAULT_MAX_TOKENS,
        "temperature": 0.0,
    }


def request_line(article: Article, model: str, messages: Messages) -> dict[str, Any]:
    """One JSONL request: POST /v1/chat/completions with the strict extraction schema."""
    body = request_body(model, messages)
    return {
        "custom_id": custom_id(article.meta, body),
        "method": "POST",
        "url": ENDPOINT,
        "body": body,
    }


def expected_custom_id(article: Article, model: str) -> str:
    """The custom_id `prepare` writes for `article` and `model` with this eventbrief."""
    return custom_id(article.meta, request_body(model, render_messages(article)))


def write_requests(
    articles: Iterable[Article],
    model: str,
    render: Callable[[Article], Messages] = render_messages,
) -> Iterable[str]:
    """The JSONL lines (each ending in a newline) for `articles`, in order."""
    for article in articles:
        line = request_line(article, model, render(article))
        yield json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
