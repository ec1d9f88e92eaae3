"""How to read an endpoint's HTTP errors: what it said, and whether it refused the request's
shape (deterministic: retrying it only repeats the refusal) or failed for a while."""

from __future__ import annotations

import re

import openai

_TRANSIENT_STATUS = frozenset({408, 409, 429})
_VALIDATION_BODY = re.compile(
    r"Input should be|validation error|literal_error|Field required|Extra inputs are not "
    r"permitted|'loc': \('body'|\"loc\": \[\"body\"|unrecognized|not supported|unsupported|"
    r"Unknown parameter|Invalid value|is not valid under",
    re.IGNORECASE,
)
"""Words of a request validator (pydantic, FastAPI, OpenAI's own 400s). llama-cpp-python answers
its own request-validation failures with HTTP 500 and such a body."""


def server_message(error: openai.APIStatusError) -> str:
    """The message an endpoint gave with an error status."""
    body = error.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    if isinstance(body, str) and body.strip():
        return body
    return error.message


def is_request_shape_rejection(error: openai.APIStatusError) -> bool:
    """The endpoint refused the request as malformed for it (400/422, or a 500 whose body is
    a validation error), as opposed to a fault worth retrying."""
    status = error.status_code
    if status in (400, 422):
        return True
    return status == 500 and bool(_VALIDATION_BODY.search(server_message(error)))


def is_transient_status(error: openai.APIStatusError) -> bool:
    """Worth another try: rate limits, conflicts, timeouts and server faults that are not a
    refusal of the request's shape."""
    if is_request_shape_rejection(error):
        return False
    return error.status_code in _TRANSIENT_STATUS or error.status_code >= 500
