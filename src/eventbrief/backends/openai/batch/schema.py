"""The strict JSON-schema response format a batch request asks for.

It is the backend's `strict_response_format()`, the very format a live `--mode json_schema`
request sends: a batch line and a live request for the same article and model are the same
request, so their answers share one cache key (see `batch.results`).
"""

from __future__ import annotations

from typing import Any

from eventbrief.backends.openai.schema import strict_response_format


def response_format() -> dict[str, Any]:
    """`response_format` for a chat-completions body: ArticleExtraction, strict."""
    return strict_response_format()
