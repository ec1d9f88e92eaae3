"""The strict JSON-schema response format a batch request asks for.

OpenAI's structured outputs accept only a subset of JSON Schema (every property required,
`additionalProperties: false`, nullable instead of absent). The openai SDK already has the
transform it applies to `response_format=SomeModel`; using it keeps our requests identical to
what the SDK would send, rather than a hand-kept copy of OpenAI's rules. It is then trimmed as a
live request's schema is (`for_the_model`: no titles, defaults or length limits, which our
validation checks), since every request pays for it.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from openai.lib._pydantic import to_strict_json_schema

from eventbrief.backends.openai_compatible import for_the_model
from eventbrief.models import ArticleExtraction


@cache
def _strict_schema() -> dict[str, Any]:
    strict = to_strict_json_schema(ArticleExtraction)
    return {**for_the_model(strict), "title": strict["title"]}


def response_format() -> dict[str, Any]:
    """`response_format` for a chat-completions body: ArticleExtraction, strict."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": ArticleExtraction.__name__,
            "strict": True,
            "schema": copy.deepcopy(_strict_schema()),
        },
    }
