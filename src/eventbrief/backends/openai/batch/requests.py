"""`batch prepare`: one Batch API request line per article.

The custom_id is the article id and a digest of the request body (model, messages with the
article text and publication date, response format), so a result finds its article by name (not
by position, as instructor's BatchProcessor does), and `collect` can check that the answer is to
exactly the request it would send now: a text edited, a date or model given differently, or a
prompt changed after `prepare` is caught instead of being grounded against the wrong words or
cached under the wrong key. Short digests of the text, the date and the model follow, so that
`collect` can also say which of them changed (when none did, the prompt or format did).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any, Final

from eventbrief.backends.openai.batch.schema import response_format
from eventbrief.backends.openai.client import DEFAULT_MAX_TOKENS
from eventbrief.models import Article, ArticleMeta
from eventbrief.prompt_templates import chat_messages, load_prompts

ENDPOINT: Final = "/v1/chat/completions"
SHA_PREFIX = 16
PART_PREFIX = 4
INPUTS = ("text", "date", "model")
"""The inputs of a request whose own short digests follow the body's in a custom_id."""
Messages = list[dict[str, Any]]


def _short(value: str) -> str:
    """A digest just long enough to tell which input changed (the whole body's proves it)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:PART_PREFIX]


def custom_id(meta: ArticleMeta, body: dict[str, Any]) -> str:
    """`<article id>:<16 hex of the sha256 of the request body>.<4 hex each of the article
    text, its publication date and the model>`."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    whole = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:SHA_PREFIX]
    date = meta.published.isoformat() if meta.published else ""
    parts = _short(meta.sha256) + _short(date) + _short(str(body.get("model", "")))
    return f"{meta.id}:{whole}.{parts}"


def split_custom_id(value: str) -> tuple[str, str]:
    """(article id, request digest); the id itself may contain ':'."""
    article_id, _, prefix = value.rpartition(":")
    return (article_id, prefix) if article_id else (value, "")


def changed_inputs(found: str, wanted: str) -> list[str] | None:
    """Which of INPUTS differ between two custom_ids of one article; [] when none does (so the
    prompt or the request format did); None when `found` carries no input digests (written by
    an older eventbrief)."""
    found_parts = split_custom_id(found)[1].partition(".")[2]
    wanted_parts = split_custom_id(wanted)[1].partition(".")[2]
    if len(found_parts) != len(wanted_parts) or not found_parts:
        return None
    return [
        name
        for n, name in enumerate(INPUTS)
        if found_parts[n * PART_PREFIX : (n + 1) * PART_PREFIX]
        != wanted_parts[n * PART_PREFIX : (n + 1) * PART_PREFIX]
    ]


def render_messages(article: Article) -> Messages:
    """The chat messages a live run sends for `article`, rendered as the live run renders them
    (the article is a value inserted into the message, never template source)."""
    return chat_messages(load_prompts().rendered(article))


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
