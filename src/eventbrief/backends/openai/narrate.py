"""One paragraph written by an LLM from a merged brief (optional; the brief is complete without it).

The openai backend's narration capability (`OpenAIBackend.narrate`): brief/ stays deterministic
and never talks to a model. Failed requests are retried by the backend's one retry policy.
The brief reaches the model as a value rendered into the delimited user template (never as
template source) by the renderer extraction uses (`PromptTemplates.render`), fenced with a
digest of itself, like article text in extraction.
"""

from __future__ import annotations

import httpx2
import instructor
import openai
from pydantic import BaseModel, Field, field_validator
from tenacity import Retrying

from eventbrief.backends.openai import retry
from eventbrief.backends.openai.http_deadline import SyncDeadlineTransport
from eventbrief.backends.openai.schema import instructor_messages
from eventbrief.models import Brief
from eventbrief.prompt_templates import fence, load_prompt_pair

NARRATIVE_MAX_WORDS = 120


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
    max_attempts: int = 3,
    max_retry_seconds: float = 120.0,
) -> str:
    """The paragraph; raises on any failure (the caller keeps the brief without it)."""
    facts = brief_facts(brief)
    client = instructor.from_openai(
        openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "no-key",
            timeout=timeout,
            max_retries=0,
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
        for attempt in Retrying(**retry.policy(max_attempts, max_retry_seconds)):
            with attempt:
                result = client.chat.completions.create(
                    model=model,
                    response_model=Narrative,
                    messages=instructor_messages(),
                    context=rendered,
                    max_retries=reasks,
                )
    finally:
        client.client.close()  # type: ignore[union-attr]
    return Narrative.model_validate(result.model_dump()).paragraph
