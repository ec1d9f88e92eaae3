"""The one retry policy of the openai backend (live extraction and narration alike):
network faults, 429 and 5xx are retried with exponential backoff and full jitter, or after
the server's Retry-After (capped), bounded by attempts and by a time budget."""

from __future__ import annotations

from typing import Any

import openai
from instructor.core import IncompleteOutputException
from tenacity import (
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from eventbrief.backends.openai.errors import api_error
from eventbrief.backends.openai.http_errors import is_transient_status
from eventbrief.backends.openai.retry_after import retry_after_seconds

RETRY_AFTER_CAP = 30.0
"""Longest wait a Retry-After header can impose; the retry budget still bounds the total."""


def policy(max_attempts: int, max_retry_seconds: float) -> dict[str, Any]:
    """Keyword arguments for tenacity's `AsyncRetrying` or `Retrying`: what is retried, how
    long to wait, when to stop; the last error is raised as it is."""
    return {
        "retry": retry_if_exception(is_transient),
        "wait": Wait(),
        "stop": stop_after_attempt(max_attempts) | RetryBudget(max_retry_seconds),
        "reraise": True,
    }


class RetryBudget(stop_base):
    """Stop when the next wait would take the retries past `seconds` since the first call."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self, retry_state: RetryCallState) -> bool:
        upcoming = retry_state.upcoming_sleep or 0.0
        elapsed = retry_state.seconds_since_start or 0.0
        return elapsed + upcoming > self.seconds


def is_transient(exc: BaseException) -> bool:
    """A fault that may pass (a connection, a timeout, 408/409/429, 5xx); a cut-off answer or a
    refused request shape only repeats."""
    if isinstance(exc, IncompleteOutputException):
        return False
    error = api_error(exc)
    if isinstance(error, openai.APIConnectionError):
        return True
    if isinstance(error, openai.APIStatusError):
        return is_transient_status(error)
    return False


def asked_wait(exc: BaseException | None) -> float | None:
    """Seconds the server behind `exc` asked us to wait (Retry-After), if it said."""
    error = api_error(exc)
    if not isinstance(error, openai.APIStatusError):
        return None
    return retry_after_seconds(error.response.headers)


class Wait:
    """Retry-After when the server gives one (capped), else exponential backoff with full
    jitter: a random wait up to 0.5 s, 1 s, 2 s, … (at most 8 s)."""

    def __init__(self) -> None:
        self.backoff = wait_random_exponential(multiplier=0.5, max=8.0)

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        asked = asked_wait(outcome.exception() if outcome else None)
        if asked is not None:
            return min(asked, RETRY_AFTER_CAP)
        return float(self.backoff(retry_state))
