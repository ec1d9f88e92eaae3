"""`batch prepare`: one Batch API request line per article.

The custom_id is the article id and a prefix of its text's sha256, so a result finds its article
by name (not by position, as instructor's BatchProcessor does) and a text edited after `prepare`
is caught at `collect` instead of being grounded against the wrong words.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import instructor
from instructor.v2.core.templating import handle_templating

from eventbrief.batch.schema import response_format
from eventbrief.models import Article, ArticleMeta
from eventbrief.prompt_templates import load_prompts, prompt_context

ENDPOINT = "/v1/chat/completions"
SHA_PREFIX = 16
Messages = list[dict[str, Any]]


def custom_id(meta: ArticleMeta) -> str:
    """`<article id>:<first 16 hex digits of its sha256>`."""
    return f"{meta.id}:{meta.sha256[:SHA_PREFIX]}"


def split_custom_id(value: str) -> tuple[str, str]:
    """(article id, sha256 prefix); the id itself may contain ':'."""
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


def request_line(article: Article, model: str, messages: Messages) -> dict[str, Any]:
    """One JSONL request: POST /v1/chat/completions with the strict extraction schema."""
    return {
        "custom_id": custom_id(article.meta),
        "method": "POST",
        "url": ENDPOINT,
        "body": {"model": model, "messages": messages, "response_format": response_format()},
    }


def write_requests(
    articles: Iterable[Article],
    model: str,
    render: Callable[[Article], Messages] = render_messages,
) -> Iterable[str]:
    """The JSONL lines (each ending in a newline) for `articles`, in order."""
    for article in articles:
        line = request_line(article, model, render(article))
        yield json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
