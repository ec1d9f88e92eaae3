"""What `eventbrief endpoint check` found about an endpoint, as stored and shown: light enough
for the pipeline to read a stored report without loading the openai client."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FORMAT = "1"
"""Version of the probes: a stored report of another version is checked again."""

Verdict = Literal["enforced", "accepted", "rejected", "failed", "yes", "no"]
CHECKED_EVIDENCE: Literal["quotes", "sentences"] = "sentences"
"""The evidence style `--mode auto` uses on a checked endpoint (and the one a report stored
before this field existed recommends): sentence numbers. Measured on SmolLM2-135M under
llama-cpp-python (README, Local models): its copied quotes were never found in the article and
its answers ran to the token cap, while its citations always grounded in a tenth of the
completion tokens. OpenAI's own API (`--mode auto` picks tools there, unchecked) keeps quotes:
nothing was measured there, and a large model's quotes are finer than whole sentences."""


class Probe(BaseModel):
    """One capability: what was asked, what the endpoint did."""

    name: str
    verdict: Verdict
    detail: str = ""


class EndpointReport(BaseModel):
    """Everything the check found, with what eventbrief should use there."""

    format: str = FORMAT
    endpoint: str
    model: str
    checked_at: str
    probes: list[Probe]
    recommended_mode: str
    recommended_concurrency: int = Field(ge=1)
    grammar_keywords: bool = Field(
        description="The recommended mode enforces minItems/maxItems, so they are sent."
    )
    recommended_evidence: Literal["quotes", "sentences"] = Field(
        default=CHECKED_EVIDENCE,
        description="How the model gives evidence there, unless --evidence says otherwise.",
    )
    context_tokens: int | None = Field(
        default=None, description="Prompt tokens the server kept of the long probe."
    )
    truncates_at: int | None = Field(
        default=None, description="Set when the server silently cut the long probe's prompt."
    )
    chars_per_token: float | None = None
    tokens_per_second: float | None = None
    parallel_slots: int | None = None

    def probe(self, name: str) -> Probe | None:
        return next((p for p in self.probes if p.name == name), None)

    def warnings_for(self, prompt_chars: int) -> list[str]:
        """What a prompt of `prompt_chars` characters will meet at this endpoint."""
        if self.truncates_at is None:
            return []
        need = int(prompt_chars / (self.chars_per_token or 4.0))
        return [
            f"{self.endpoint} silently truncates prompts at about {self.truncates_at} tokens "
            f"(eventbrief's prompt needs about {need}); raise the server's context "
            "(Ollama: num_ctx; llama.cpp: --ctx-size / --n_ctx)"
        ]
