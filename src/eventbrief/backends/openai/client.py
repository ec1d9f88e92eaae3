"""The `openai` backend: instructor over any OpenAI-compatible chat-completions endpoint.

Two retry loops with different jobs:
- instructor's own loop re-asks the model when its answer is not valid (bad JSON, a schema
  error, a quote that is not in the article), sending the error back; `reasks` bounds it. An
  answer still invalid after the last re-ask keeps its valid, grounded part (see salvage.py),
  with warnings saying what it lost; it fails the article when nothing is usable or `strict`;
- a tenacity loop around the whole call retries network faults (429 honouring Retry-After,
  5xx, timeouts, connection errors) with exponential backoff and jitter, bounded by
  `max_attempts` and `max_retry_seconds`. The openai client's own retries are off.
Usage is counted with instructor's hooks on every request, failed or not (meter.py). The schema
(schema.py), the retry policy (retry.py) and the failure lines (errors.py) live beside it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx2
import instructor
import openai
from instructor.core import (
    IncompleteOutputException,
    InstructorRetryException,
    ResponseParsingError,
)
from pydantic import SecretStr, ValidationError
from tenacity import AsyncRetrying

from eventbrief.backends.base import DEFAULT_CHUNK_CHARS, Capabilities, ExtractionResult
from eventbrief.backends.openai import retry
from eventbrief.backends.openai.endpoint_check import check_endpoint
from eventbrief.backends.openai.endpoint_report import EndpointReport
from eventbrief.backends.openai.errors import api_error, extraction_failure, narration_failure
from eventbrief.backends.openai.http_deadline import DeadlineTransport
from eventbrief.backends.openai.meter import UsageMeter
from eventbrief.backends.openai.rate_gate import RateGate
from eventbrief.backends.openai.schema import (
    ASKED,
    instructor_messages,
    json_object_response_format,
    schema_hash,
    sent_schema,
    strict_response_format,
)
from eventbrief.backends.openai.urls import is_official, safe_url
from eventbrief.citations import CONTEXT_KEY, Citations
from eventbrief.config import env_value
from eventbrief.errors import ConfigError, ExtractionError, NarrationError
from eventbrief.grounding import quote_checker
from eventbrief.models import TAKEAWAYS_NEEDED, Article, ArticleExtraction, Brief
from eventbrief.prompt_templates import (
    EVIDENCE_STYLES,
    EvidenceStyle,
    load_prompts,
)
from eventbrief.redaction import redact
from eventbrief.salvage import (
    Salvaged,
    SalvageError,
    cut_off_json,
    lenient_json,
    salvage,
    takeaways_needed,
)
from eventbrief.urls import display_url

if TYPE_CHECKING:
    from eventbrief.config import Settings

MODES: dict[str, instructor.Mode] = {
    "tools": instructor.Mode.TOOLS,
    "json": instructor.Mode.JSON,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json_object": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}
"""instructor's mode for each of ours. `json_object` is llama-cpp-python's form of enforced JSON:
instructor's JSON mode (the schema in the system message) with `response_format
{"type": "json_object", "schema": …}`, which that server compiles into a grammar."""
AUTO = "auto"
DEFAULT_MAX_TOKENS = 4096
"""The completion cap: the contract's largest answer (80 words of summary, 7 takeaways with
quotes, a few dozen events with participants, dates and quotes, their entities) is about 3,500
tokens; without a cap a small model can generate until the server's context is full."""


def identity(
    model: str, mode: str, limits: bool = False, evidence: EvidenceStyle = "quotes"
) -> dict[str, str]:
    """What an answer of this backend depends on besides the article (the cache key's part).
    The Batch API path keys its json_schema answers with it too: they are the same request."""
    return {
        "backend": OpenAIBackend.name,
        "model": model,
        "mode": mode,
        "evidence": evidence,
        "prompt_version": load_prompts().version,
        "schema": schema_hash(mode, limits, evidence),
    }


class OpenAIBackend:
    """Extraction by an LLM behind an OpenAI-compatible endpoint, through instructor."""

    name = "openai"
    capabilities = Capabilities(
        chunk_chars=DEFAULT_CHUNK_CHARS, cacheable=True, priced=True, narrates=True
    )

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | SecretStr | None = None,
        mode: str = "tools",
        timeout: float = 600.0,
        max_attempts: int = 4,
        max_retry_seconds: float = 120.0,
        reasks: int = 2,
        rate_gate: RateGate | None = None,
        max_tokens: int | None = DEFAULT_MAX_TOKENS,
        temperature: float | None = 0.0,
        strict: bool = False,
        stall_timeout: float = 60.0,
        stream: bool = True,
        evidence: str = AUTO,
    ) -> None:
        if not model:
            raise ConfigError("the openai backend needs a model name (--model)")
        if mode not in MODES and mode != AUTO:
            raise ConfigError(f"unknown mode {mode!r}; choose one of auto, {', '.join(MODES)}")
        if evidence not in EVIDENCE_STYLES and evidence != AUTO:
            raise ConfigError(
                f"unknown evidence style {evidence!r}; choose one of auto, "
                f"{', '.join(EVIDENCE_STYLES)}"
            )
        if (
            max_attempts < 1
            or reasks < 0
            or timeout <= 0
            or stall_timeout <= 0
            or max_retry_seconds < 0
        ):
            raise ConfigError(
                "max_attempts must be at least 1, reasks at least 0, timeout, stall_timeout "
                "and max_retry_seconds positive"
            )
        self.model = model
        self.base_url = base_url
        # auto: the official endpoint's tools mode, else what the endpoint check recommends
        # (`configure`), which the pipeline runs before the first request
        self.mode = "tools" if mode == AUTO and is_official(base_url) else mode
        self.limits = False
        # evidence auto: quotes, unless the endpoint check settles the mode and recommends
        # sentences (`configure`)
        self.evidence_setting = evidence
        self.evidence: EvidenceStyle = "quotes" if evidence == AUTO else evidence  # type: ignore[assignment]
        self.report: EndpointReport | None = None
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.timeout = timeout
        self.stall_timeout = stall_timeout
        self.stream = stream
        self.max_attempts = max_attempts
        self.max_retry_seconds = max_retry_seconds
        self.reasks = reasks
        self.strict = strict
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        # A local server may need no key, but the openai client insists on one.
        self._api_key = SecretStr(key or env_value("api_key") or "no-key")
        self._prompts = load_prompts()
        self._identity = identity(model, self.mode, self.limits, self.evidence)
        self._bound: tuple[asyncio.AbstractEventLoop, openai.AsyncOpenAI, Any] | None = None
        # One gate for every request of this backend: a 429 pauses them all, not just its own.
        self.rate_gate = (
            rate_gate if rate_gate is not None else RateGate(max_pause=retry.RETRY_AFTER_CAP)
        )

    @classmethod
    def make(cls, settings: Settings) -> OpenAIBackend:
        """The backend the settings describe (the registry's entry point for `openai`)."""
        from eventbrief.config import NO_ENDPOINT_HELP

        if not settings.endpoint_configured:
            raise ConfigError(f"backend openai has no endpoint; {NO_ENDPOINT_HELP}")
        return cls(
            model=settings.model,
            base_url=settings.base_url,
            api_key=settings.api_key,
            mode=settings.mode,
            evidence=settings.evidence,
            timeout=settings.timeout,
            stall_timeout=settings.stall_timeout,
            stream=settings.stream,
            max_attempts=settings.max_attempts,
            max_retry_seconds=settings.max_retry_seconds,
            reasks=settings.reasks,
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            strict=settings.strict,
        )

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={self.model!r}, base_url={safe_url(self.base_url)!r})"

    @property
    def prompt_version(self) -> str:
        return self._prompts.version

    def identity(self) -> dict[str, str]:
        if self.mode == AUTO:
            raise RuntimeError("mode auto is resolved by configure() before the first request")
        return dict(self._identity)

    @property
    def needs_check(self) -> bool:
        """Whether the mode waits for the endpoint check (`--mode auto` on a non-OpenAI
        endpoint)."""
        return self.mode == AUTO

    @property
    def endpoint(self) -> str:
        """The endpoint as it may be shown and stored: no credentials, no query."""
        return safe_url(self.base_url)

    def configure(self, report: EndpointReport) -> list[str]:
        """Take the mode, whether to send grammar keywords and (unless set) the evidence style
        from the endpoint check; returns what the user should hear about the endpoint (a
        context too small)."""
        self.report = report
        self.mode = report.recommended_mode
        self.limits = report.grammar_keywords
        if self.evidence_setting == AUTO:
            self.evidence = report.recommended_evidence
        self._identity = identity(self.model, self.mode, self.limits, self.evidence)
        self._bound = None
        return report.warnings_for(self.typical_prompt_chars())

    def typical_prompt_chars(self, article_chars: int = 3000) -> int:
        """Characters of a request for an article of `article_chars`: the prompts and the
        schema (a tool's schema is prompt text too)."""
        prompts = len(self._prompts.system) + len(self._prompts.user)
        return prompts + len(json.dumps(sent_schema(self.limits, self.evidence))) + article_chars

    async def check(self, progress: Callable[[str], None] | None = None) -> EndpointReport:
        """Probe the endpoint (see endpoint_check); the pipeline keeps the report."""
        client = openai.AsyncOpenAI(
            base_url=self.base_url,
            api_key=self._api_key.get_secret_value(),
            timeout=max(self.timeout, 120.0),
            max_retries=0,
        )
        async with client:
            return await check_endpoint(
                client,
                model=self.model,
                endpoint=self.endpoint,
                redact=lambda text: redact(text, self._api_key.get_secret_value()),
                progress=progress,
            )

    def _client(self) -> Any:
        """The instructor client for the running event loop (an httpx pool cannot outlive its
        loop, and callers may run several loops one after another)."""
        loop = asyncio.get_running_loop()
        if self._bound is None or self._bound[0] is not loop:
            # The transport bounds the whole answer (`timeout`) and, streamed, each wait for a
            # byte (`stall_timeout`); the client's own limits are the outer bounds, so each read
            # may wait the longer of the two, and connecting counts as a wait for a byte.
            limits = httpx2.Timeout(
                max(self.timeout, self.stall_timeout),
                connect=min(self.timeout, self.stall_timeout),
            )
            transport = DeadlineTransport(
                httpx2.AsyncHTTPTransport(),
                self.timeout,
                stall_seconds=self.stall_timeout if self.stream else None,
                stream=self.stream,
            )
            raw = openai.AsyncOpenAI(
                base_url=self.base_url,
                api_key=self._api_key.get_secret_value(),
                timeout=limits,
                max_retries=0,
                http_client=openai.DefaultAsyncHttpxClient(
                    timeout=limits,
                    event_hooks=self.rate_gate.event_hooks(),
                    transport=transport,
                ),
            )
            if self.mode == AUTO:
                raise RuntimeError("mode auto is resolved by configure() before the first request")
            self._bound = (loop, raw, instructor.from_openai(raw, mode=MODES[self.mode]))
        return self._bound[2]

    async def aclose(self) -> None:
        """Close the HTTP connections of the client bound to the running loop."""
        bound, self._bound = self._bound, None
        if bound is not None and bound[0] is asyncio.get_running_loop():
            await bound[1].close()

    def narrate(self, brief: Brief) -> str:
        """The brief's narrative paragraph (see narrate.py), or NarrationError with one line
        naming the endpoint. Not streamed, so a silence is only ended by the time limit: the
        paragraph is short, and waiting past the stall limit would wait out the answer cap."""
        from eventbrief.backends.openai.narrate import narrate

        timeout = min(self.timeout, self.stall_timeout)
        secret = self._api_key.get_secret_value()
        try:
            return narrate(
                brief,
                model=self.model,
                base_url=self.base_url,
                api_key=secret,
                timeout=timeout,
                max_retry_seconds=self.max_retry_seconds,
            )
        except Exception as exc:  # every failure becomes one line naming the endpoint
            failure = narration_failure(exc, display_url(self.base_url), timeout)
        raise NarrationError(redact(failure, secret))

    async def extract(self, article: Article) -> ExtractionResult:
        meter = UsageMeter()
        # the messages are rendered once here (article as a Jinja variable) and reach instructor
        # as values of one-placeholder messages, so it compiles two tiny templates per call
        context: dict[str, Any] = {
            **self._prompts.rendered(article, self.evidence),
            "quote_checker": quote_checker(article.text),
            TAKEAWAYS_NEEDED: takeaways_needed(article.text, article.meta.title),
        }
        citations = Citations(article.text) if self.evidence == "sentences" else None
        if citations is not None:
            context[CONTEXT_KEY] = citations
        hooks = meter.hooks()
        retrying = AsyncRetrying(**retry.policy(self.max_attempts, self.max_retry_seconds))
        extra = self._request_extras()
        attempts = 0
        failure: str | None = None
        salvaged: Salvaged | None = None
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    extraction = await self._client().chat.completions.create(
                        model=self.model,
                        response_model=ASKED[(self.limits, self.evidence)],
                        messages=instructor_messages(),
                        context=context,
                        max_retries=self.reasks,
                        strict=False,
                        hooks=hooks,
                        **extra,
                    )
        except Exception as exc:  # every failure becomes one line naming the article
            salvaged = self._salvage(exc, article, meter.last_response)
            if salvaged is None:
                failure = extraction_failure(
                    exc,
                    attempts,
                    meter.last_response,
                    mode=self.mode,
                    base_url=self.base_url,
                    timeout=self.timeout,
                    stall_timeout=self.stall_timeout,
                    reasks=self.reasks,
                    secret=self._api_key.get_secret_value(),
                )
        if failure is not None:
            # raised outside the handler so that no chained exception (whose request holds
            # the Authorization header) travels with the error
            raise ExtractionError(article.meta.id, failure, usage=meter.usage)
        if salvaged is not None:
            return ExtractionResult(
                extraction=salvaged.extraction,
                model=self.model,
                prompt_version=self._prompts.version,
                usage=meter.usage,
                warnings=tuple(salvaged.warnings),
            )
        return ExtractionResult(
            # instructor answers with its own subclass; hand on the plain contract model, its
            # citations made quotes in the sentences style
            extraction=(
                citations.to_quotes(extraction)
                if citations is not None
                else ArticleExtraction.model_validate(extraction.model_dump())
            ),
            model=self.model,
            prompt_version=self._prompts.version,
            usage=meter.usage,
        )

    def _request_extras(self) -> dict[str, Any]:
        """What each request carries besides messages and schema: the completion cap and the
        temperature (a server's default sampling is not deterministic), and our own
        `response_format` where instructor's is not the one the endpoint needs. json_schema
        mode sends the strict format (the openai client merges `extra_body` over the request
        body), so a live request is a batch line's twin; json_object mode sends the schema in
        llama-cpp-python's form."""
        extra: dict[str, Any] = {}
        if self.max_tokens is not None:
            extra["max_tokens"] = self.max_tokens
        if self.temperature is not None:
            extra["temperature"] = self.temperature
        if self.mode == "json_schema":
            response_format = strict_response_format(self.limits, self.evidence)
            extra["extra_body"] = {"response_format": response_format}
        elif self.mode == "json_object":
            response_format = json_object_response_format(self.limits, self.evidence)
            extra["extra_body"] = {"response_format": response_format}
        return extra

    def _salvage(self, exc: BaseException, article: Article, last_response: Any) -> Salvaged | None:
        """The valid, grounded part of the model's last answer when the re-asks were spent on
        answers that stayed invalid, or the complete part of an answer cut off at the token
        limit (never after a network or HTTP fault or a refusal), unless the backend is strict;
        None when nothing in it is usable."""
        if self.strict or api_error(exc) is not None:
            return None
        completion = getattr(exc, "last_completion", None) or last_response
        text = _answer_text(completion, self.mode)
        if isinstance(exc, IncompleteOutputException):
            answer = cut_off_json(text) if text else None
            cut = [f"the answer was cut off at the token limit ({self.max_tokens}); kept its "
                   "complete part"]  # fmt: skip
        elif isinstance(exc, InstructorRetryException) and isinstance(
            exc.__cause__, ValidationError | json.JSONDecodeError | ResponseParsingError
        ):
            answer, cut = (lenient_json(text) if text else None), []
        else:
            return None
        if answer is None:
            return None
        if self.evidence == "sentences":
            answer, dropped = Citations(article.text).quoted_answer(answer)
            if dropped:
                what = "citation that names" if dropped == 1 else "citations that name"
                cut.append(f"dropped {dropped} {what} no sentence of the article")
        try:
            salvaged = salvage(article, answer)
        except SalvageError:
            return None
        return Salvaged(salvaged.extraction, [*cut, *salvaged.warnings])


def _answer_text(completion: Any, mode: str) -> str | None:
    """The answer as instructor reads it in `mode`: the first tool call's arguments in tools
    mode, else the message content (md_json's fence included: `lenient_json` finds the JSON)."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    if mode != "tools":
        content = getattr(message, "content", None)
        return content if isinstance(content, str) else None
    calls = getattr(message, "tool_calls", None) or []
    call = calls[0].function if calls else getattr(message, "function_call", None)
    arguments = getattr(call, "arguments", None)
    if isinstance(arguments, dict):
        return json.dumps(arguments)
    return arguments if isinstance(arguments, str) else None
