"""One paragraph written by an LLM from a merged brief (optional; the brief is complete without it).

The brief reaches the model as a value rendered into the delimited user template (never as
template source) by the renderer extraction uses (`PromptTemplates.render`), fenced with a
digest of itself, like article text in extraction.
"""

from __future__ import annotations

import logging

import httpx2
import instructor
import openai
from instructor.core import InstructorRetryException
from pydantic import BaseModel, Field, field_validator

from eventbrief.backends.http_deadline import SyncDeadlineTransport
from eventbrief.backends.http_errors import server_message
from eventbrief.models import Brief
from eventbrief.prompt_templates import INSTRUCTOR_MESSAGES, fence, load_prompt_pair

NARRATIVE_MAX_WORDS = 120

# instructor logs failed calls, server messages included; without a handler of its own Python
# would print them on stderr, and a server may echo the API key back. Nor may they propagate to
# a handler configured elsewhere (OPENAI_LOG=debug installs one on the root logger).
logging.getLogger("instructor").addHandler(logging.NullHandler())
logging.getLogger("instructor").propagate = False


class Narrative(BaseModel):
    paragraph: str = Field(
        min_length=1,
        description=f"One neutral paragraph of at most {NARRATIVE_MAX_WORDS} words.",
    )

    @field_validator("paragraph")
    @classmethod
    def _one_short_paragraph(cls, value: str) -> str:
        words = len(value.split())
        if words > NARRATIVE_MAX_WORDS:
            raise ValueError(f"paragraph has {words} words; at most {NARRATIVE_MAX_WORDS}")
        return " ".join(value.split())


def brief_facts(brief: Brief) -> str:
    """The brief as compact lines: timeline, then disagreements."""
    lines = [f"Title: {brief.title}", "Timeline:"]
    for e in brief.events:
        when = e.date.value if e.date and e.date.value else "undated"
        sources = ", ".join(m.article_id for m in e.mentions)
        lines.append(f"- {e.id} {when} [{e.type}, {e.status}] {e.description} (sources: {sources})")
    if brief.conflicts:
        lines.append("Disagreements:")
    for c in brief.conflicts:
        values = "; ".join(f"{v.text or v.value} ({', '.join(v.articles)})" for v in c.values)
        lines.append(f"- {c.event_id or 'series'} {c.field}: {values}")
    return "\n".join(lines)


def narrate(
    brief: Brief,
    *,
    model: str,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: float = 60.0,
    reasks: int = 1,
) -> str:
    """The paragraph; raises on any failure (the caller keeps the brief without it)."""
    facts = brief_facts(brief)
    client = instructor.from_openai(
        openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "no-key",
            timeout=timeout,
            max_retries=2,
            # `timeout` bounds each read; the transport bounds the whole answer
            http_client=openai.DefaultHttpxClient(
                timeout=timeout,
                transport=SyncDeadlineTransport(httpx2.HTTPTransport(), timeout),
            ),
        ),
        mode=instructor.Mode.TOOLS,
    )
    prompts = load_prompt_pair("narrate_system.txt", "narrate_user.txt")
    rendered = prompts.render({"brief": facts, "fence": fence(facts)})
    try:
        result = client.chat.completions.create(
            model=model,
            response_model=Narrative,
            messages=[dict(m) for m in INSTRUCTOR_MESSAGES],
            context=rendered,
            max_retries=reasks,
        )
    finally:
        client.client.close()  # type: ignore[union-attr]
    return Narrative.model_validate(result.model_dump()).paragraph


def failure_reason(exc: BaseException, endpoint: str, timeout: float) -> str:
    """Why the paragraph could not be had, on one line that names the endpoint and what to
    check (never an exception's class name, which tells a user nothing)."""
    error = _api_error(exc)
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


def _api_error(exc: BaseException | None) -> openai.APIError | None:
    """The openai error behind `exc`, which instructor may wrap in its own."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, openai.APIError):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None
