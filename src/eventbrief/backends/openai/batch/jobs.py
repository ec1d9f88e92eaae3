"""`batch submit|status` and the download half of `collect`: /v1/files and /v1/batches.

Uses the openai client with the run's endpoint and key (never a bare `OpenAI()` that reads only
the environment), and never sleeps or polls: `status` says where a batch is, and `collect`
refuses politely until it is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from openai import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    OpenAI,
    OpenAIError,
    PermissionDeniedError,
)

from eventbrief.backends.openai.batch.requests import ENDPOINT
from eventbrief.errors import EventbriefError

COMPLETION_WINDOW: Final = "24h"


class BatchError(EventbriefError):
    """A batch could not be submitted, found or downloaded (one line, no secrets)."""


@dataclass(frozen=True)
class BatchState:
    id: str
    status: str
    total: int
    completed: int
    failed: int
    output_file_id: str | None
    error_file_id: str | None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "request_counts": {
                "total": self.total,
                "completed": self.completed,
                "failed": self.failed,
            },
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "problem": self.problem,
        }


def _problem(batch: Any) -> str | None:
    """The first error the provider reports for a whole batch (e.g. a rejected input file)."""
    errors = getattr(getattr(batch, "errors", None), "data", None) or []
    if not errors:
        return None
    first = errors[0]
    where = f" (line {first.line})" if getattr(first, "line", None) else ""
    return f"{first.message or first.code}{where}"


def _state(batch: Any) -> BatchState:
    counts = batch.request_counts
    return BatchState(
        id=batch.id,
        status=batch.status,
        total=getattr(counts, "total", 0) if counts else 0,
        completed=getattr(counts, "completed", 0) if counts else 0,
        failed=getattr(counts, "failed", 0) if counts else 0,
        output_file_id=batch.output_file_id,
        error_file_id=batch.error_file_id,
        problem=_problem(batch),
    )


class BatchJobs:
    """The Batch API calls, on one client."""

    def __init__(
        self,
        *,
        base_url: str | None,
        api_key: str | None,
        timeout: float = 120.0,
        endpoint: str = "the OpenAI API",
    ) -> None:
        self.endpoint = endpoint  # as messages name it: no credentials, no query
        try:
            self._client = OpenAI(
                base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=3
            )
        except OpenAIError as exc:  # pragma: no cover - the client only checks the key
            raise BatchError(f"cannot create the API client: {exc}") from None

    def close(self) -> None:
        self._client.close()

    def submit(self, requests: Path, *, description: str | None = None) -> BatchState:
        """Upload the request file (purpose "batch") and create the batch."""
        try:
            with requests.open("rb") as handle:
                uploaded = self._client.files.create(file=handle, purpose="batch")
            batch = self._client.batches.create(
                input_file_id=uploaded.id,
                endpoint=ENDPOINT,
                completion_window=COMPLETION_WINDOW,
                metadata={"description": description or f"eventbrief {requests.name}"},
            )
        except OpenAIError as exc:
            raise BatchError(
                f"{requests}: submitting the batch failed: {_brief(exc, self.endpoint)}"
            ) from None
        return _state(batch)

    def status(self, batch_id: str) -> BatchState:
        try:
            return _state(self._client.batches.retrieve(batch_id))
        except OpenAIError as exc:
            raise BatchError(f"{batch_id}: {_brief(exc, self.endpoint)}") from None

    def download(self, batch_id: str) -> tuple[BatchState, list[str]]:
        """The output and error lines of a finished batch; BatchError while it still runs."""
        state = self.status(batch_id)
        if state.status == "failed":
            raise BatchError(f"{batch_id}: the batch failed: {state.problem or 'no reason given'}")
        if state.status not in {"completed", "expired", "cancelled"}:
            raise BatchError(
                f"{batch_id}: the batch is {state.status} "
                f"({state.completed + state.failed} of {state.total} done); collect it later"
            )
        lines: list[str] = []
        for file_id in (state.output_file_id, state.error_file_id):
            if file_id:
                try:
                    lines += self._client.files.content(file_id).text.splitlines()
                except OpenAIError as exc:
                    raise BatchError(
                        f"{batch_id}: downloading {file_id}: {_brief(exc, self.endpoint)}"
                    ) from None
        return state, lines


def _brief(exc: OpenAIError, endpoint: str) -> str:
    """What went wrong, naming the endpoint: the client's own words ("Connection error.") say
    neither where it tried nor what to check."""
    said = " ".join(str(exc).split())[:300]
    if isinstance(exc, APITimeoutError):
        return f"no answer from {endpoint} in time ({said})"
    if isinstance(exc, APIConnectionError):
        return f"cannot connect to {endpoint} ({said}); check the network and --base-url"
    if isinstance(exc, AuthenticationError | PermissionDeniedError):
        return f"{endpoint} refused the API key (HTTP {exc.status_code}): {said}"
    if isinstance(exc, APIStatusError):
        return f"{endpoint} answered HTTP {exc.status_code}: {said}"
    return said
