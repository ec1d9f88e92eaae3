"""The openai backend's failures as one line each: what went wrong, what to check, never the
API key (an endpoint may echo it)."""

from __future__ import annotations

import json
import re
from typing import Any

import openai
from instructor.core import (
    IncompleteOutputException,
    InstructorRetryException,
    ResponseParsingError,
)
from pydantic import ValidationError

from eventbrief.backends.openai.http_errors import (
    is_request_shape_rejection,
    is_transient_status,
    server_message,
)
from eventbrief.backends.openai.retry_after import retry_after_seconds
from eventbrief.backends.openai.urls import is_official, safe_url
from eventbrief.redaction import redact

_REASON_MAX_CHARS = 300


def api_error(exc: BaseException | None) -> openai.APIError | None:
    """The openai error behind `exc` (instructor wraps it in InstructorRetryException)."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, openai.APIError):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def extraction_failure(
    exc: BaseException,
    attempts: int,
    last_response: Any,
    *,
    mode: str,
    base_url: str | None,
    timeout: float,
    stall_timeout: float,
    reasks: int,
    secret: str,
) -> str:
    """One line saying why the extraction failed, without the API key."""
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    error = api_error(exc)
    if isinstance(exc, IncompleteOutputException):
        reason = (
            "the model's answer was cut off at its token limit; use a model with a larger "
            "output limit or split the article"
        )
    elif isinstance(error, openai.APITimeoutError) and "stalled" in str(error.__cause__):
        reason = (
            f"the endpoint stalled: no byte for {stall_timeout:g} s ({tries}); "
            "a slow server may need a larger --stall-timeout"
        )
    elif isinstance(error, openai.APITimeoutError):
        reason = f"the endpoint did not answer within {timeout:g} s ({tries})"
    elif isinstance(error, openai.APIConnectionError):
        reason = f"could not connect to {safe_url(base_url)} ({tries})"
        if is_official(base_url):
            reason += "; without a network, --backend offline summarizes locally"
    elif isinstance(error, openai.APIStatusError):
        status, message = error.status_code, server_message(error)
        if is_request_shape_rejection(error):
            reason = (
                f"the endpoint rejected the request of mode {mode} (HTTP {status}): "
                f"{message}; run 'eventbrief endpoint check' to find a mode it supports"
            )
        elif status in (401, 403):
            reason = f"the endpoint refused the API key (HTTP {status}): {message}"
        elif status == 404:
            reason = f"HTTP 404: {message}; check --model and --base-url"
        elif status == 429:
            wanted = retry_after_seconds(error.response.headers)
            wait = f", asked to wait {wanted:g} s" if wanted else ""
            reason = f"rate limited (HTTP 429{wait}) after {tries}: {message}"
        elif is_transient_status(error):
            reason = f"the endpoint kept failing (HTTP {status}) after {tries}: {message}"
        else:
            reason = f"the endpoint rejected the request (HTTP {status}): {message}"
    elif isinstance(exc, InstructorRetryException) and isinstance(
        exc.__cause__, ValidationError | json.JSONDecodeError | ResponseParsingError
    ):
        asked = exc.n_attempts or reasks + 1
        reason = (
            f"the model's answer was not valid after {asked} "
            f"{'try' if asked == 1 else 'tries'}: {validation_summary(exc)}"
        )
    elif isinstance(exc, InstructorRetryException) and unanswered(last_response):
        reason = str(unanswered(last_response))
    elif isinstance(exc, InstructorRetryException):
        cause = exc.__cause__ or exc
        reason = (
            "the endpoint's answer is not a usable chat completion "
            f"({type(cause).__name__}: {cause})"
        )
    else:
        reason = f"{type(exc).__name__}: {exc}"
    return one_line(reason, secret)


def one_line(text: str, secret: str | None) -> str:
    """The reason as one bounded line, with the key masked as everywhere else."""
    text = redact(text, secret)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > _REASON_MAX_CHARS:
        text = text[: _REASON_MAX_CHARS - 1] + "…"
    return text


def validation_summary(exc: BaseException) -> str:
    """The first problems of a failed parse, as "field: message"."""
    cause = exc.__cause__ if isinstance(exc, InstructorRetryException) else exc
    if isinstance(cause, ValidationError):
        parts = []
        for problem in cause.errors()[:2]:
            where = ".".join(str(p) for p in problem["loc"]) or "answer"
            parts.append(f"{where}: {problem['msg']}")
        more = len(cause.errors()) - len(parts)
        return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
    if isinstance(cause, json.JSONDecodeError):
        return f"the answer is not valid JSON ({cause.msg})"
    return str(cause or exc)


def unanswered(completion: Any) -> str | None:
    """Why a chat completion holds no answer at all: a refusal, or no choices."""
    if completion is None or not hasattr(completion, "choices"):
        return None
    if not completion.choices:
        return "the endpoint answered with no choices (an empty completion)"
    refusal = getattr(completion.choices[0].message, "refusal", None)
    if refusal:
        return f"the model refused: {refusal}"
    return None


def narration_failure(exc: BaseException, endpoint: str, timeout: float) -> str:
    """Why the paragraph could not be had, on one line that names the endpoint and what to
    check (never an exception's class name, which tells a user nothing)."""
    error = api_error(exc)
    if isinstance(error, openai.APITimeoutError):
        return f"no answer from {endpoint} within {timeout:g} s"
    if isinstance(error, openai.APIConnectionError):
        return f"cannot connect to {endpoint}; check the network and --base-url"
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return (
            f"{endpoint} refused the API key (HTTP {error.status_code}: "
            f"{server_message(error)}); check EVENTBRIEF_API_KEY or OPENAI_API_KEY"
        )
    if isinstance(error, openai.NotFoundError):
        return (
            f"{endpoint} answered HTTP 404: {server_message(error)}; check --model and --base-url"
        )
    if isinstance(error, openai.APIStatusError):
        return f"{endpoint} answered HTTP {error.status_code}: {server_message(error)}"
    if isinstance(exc, InstructorRetryException):
        tries = exc.n_attempts or 1
        counted = f"{tries} {'try' if tries == 1 else 'tries'}"
        return f"the model's answer was not a valid paragraph after {counted}"
    said = " ".join(str(exc).split())
    return said or "the endpoint's answer could not be used"
