"""The `openai` backend: instructor over any OpenAI-compatible chat-completions endpoint.

Two retry loops with different jobs:
- instructor's own loop re-asks the model when its answer is not valid (bad JSON, a schema
  error, a quote that is not in the article), sending the error back; `reasks` bounds it. An
  answer still invalid after the last re-ask keeps its valid, grounded part (see salvage.py),
  with warnings saying what it lost; it fails the article when nothing is usable or `strict`;
- a tenacity loop around the whole call retries network faults (429 honouring Retry-After,
  5xx, timeouts, connection errors) with exponential backoff and jitter, bounded by
  `max_attempts` and `max_retry_seconds`. The openai client's own retries are off.
Usage is counted with instructor's hooks on every request, failed or not.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import functools
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx2
import instructor
import openai
from instructor.core import (
    IncompleteOutputException,
    InstructorRetryException,
    ResponseParsingError,
)
from instructor.core.hooks import Hooks
from openai.lib._pydantic import to_strict_json_schema
from pydantic import SecretStr, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from eventbrief.backends.base import ExtractionResult
from eventbrief.backends.endpoint_check import check_endpoint
from eventbrief.backends.endpoint_report import EndpointReport
from eventbrief.backends.http_deadline import DeadlineTransport
from eventbrief.backends.http_errors import (
    is_request_shape_rejection,
    is_transient_status,
    server_message,
)
from eventbrief.citations import CONTEXT_KEY, Citations, CitedExtraction
from eventbrief.config import env_value
from eventbrief.errors import ConfigError, ExtractionError
from eventbrief.grounding import quote_checker
from eventbrief.models import Article, ArticleExtraction, Usage
from eventbrief.prompt_templates import (
    EVIDENCE_STYLES,
    INSTRUCTOR_MESSAGES,
    EvidenceStyle,
    load_prompts,
)
from eventbrief.rate_gate import RateGate
from eventbrief.redaction import redact
from eventbrief.salvage import Salvaged, SalvageError, cut_off_json, lenient_json, salvage
from eventbrief.urls import display_url

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
RETRY_AFTER_CAP = 30.0
"""Longest wait a Retry-After header can impose; the retry budget still bounds the total."""
_REASON_MAX_CHARS = 300

# instructor logs every failed attempt at ERROR; without a handler Python prints those to
# stderr, which must carry only our one-line messages. Those records also quote the endpoint's
# error body verbatim (a proxy may echo the API key there), so they never propagate to handlers
# configured elsewhere (OPENAI_LOG=debug installs one on the root logger).
_instructor_log = logging.getLogger("instructor")
_instructor_log.addHandler(logging.NullHandler())
_instructor_log.propagate = False


def schema_hash(
    mode: str = "tools", limits: bool = False, evidence: EvidenceStyle = "quotes"
) -> str:
    """A short digest of the schema the model is sent in `mode`: the ArticleExtraction JSON
    Schema (CitedExtraction's in the `sentences` evidence style), or in json_schema mode the
    whole strict response format; `limits` when the grammar keywords are sent too."""
    if mode == "json_schema":
        sent = strict_response_format(limits, evidence)
    else:
        sent = _schema(limits, evidence)
    schema = json.dumps(sent, sort_keys=True)
    return hashlib.sha256(schema.encode("utf-8")).hexdigest()[:16]


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


class _Asked(ArticleExtraction, instructor.OpenAISchema):
    """ArticleExtraction as it is asked for, built once instead of on every request: the
    instructor schema class it would otherwise derive per call (~1.5 ms), and a JSON Schema
    generated once (~2 ms) and trimmed for the model (see `for_the_model`)."""

    limits: ClassVar[bool] = False
    evidence: ClassVar[EvidenceStyle] = "quotes"

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:
            return super().model_json_schema(*args, **kwargs)
        return asked_schema(cls.limits, cls.evidence)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Any:
        """Every mode's answer is validated here. Text that is not JSON as pydantic reads it
        (a raw newline typed into a quote, a fence md_json's extraction could not open) is read
        again as `lenient_json` reads it before it counts as invalid and is re-asked."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            if not any(problem["type"] == "json_invalid" for problem in exc.errors()):
                raise
            found = lenient_json(json_data)
            if found is None:
                raise
        return super().model_validate_json(json.dumps(found), **kwargs)


class _AskedWithLimits(_Asked):
    """The same, sent with minItems/maxItems/minLength/pattern to a server whose grammar
    enforces them (the endpoint check found out)."""

    limits: ClassVar[bool] = True


class _AskedCited(CitedExtraction, _Asked):  # type: ignore[misc,valid-type]
    """The `sentences` evidence style: CitedExtraction's fields, _Asked's schema and parsing."""

    evidence: ClassVar[EvidenceStyle] = "sentences"


class _AskedCitedWithLimits(CitedExtraction, _AskedWithLimits):  # type: ignore[misc,valid-type]
    evidence: ClassVar[EvidenceStyle] = "sentences"


_ASKED: dict[tuple[bool, str], type[_Asked]] = {
    (False, "quotes"): _Asked,
    (True, "quotes"): _AskedWithLimits,
    (False, "sentences"): _AskedCited,
    (True, "sentences"): _AskedCitedWithLimits,
}
"""The response model for (grammar limits sent, evidence style)."""

for _cls in _ASKED.values():
    _cls.__name__ = _cls.__qualname__ = ArticleExtraction.__name__  # the name the model sees

_TRIMMED = frozenset({"title", "default"})
_LIMITS = frozenset({"minLength", "minItems", "maxItems", "pattern"})
"""Keywords the model is not sent; every request pays for them. Generated titles repeat each
field's name; defaults are filled in by our own validation. The limits are checked by our
validation too (a breach is re-asked with the reason) and stated in the prompt, so they are sent
only where a server turns them into a grammar that enforces them."""
GRAMMAR_BOUNDS: dict[str, dict[str, int]] = {
    "events": {"maxItems": 30},
    "entities": {"maxItems": 40},
    "evidence": {"maxItems": 3},
    "participants": {"maxItems": 12},
    "quantities": {"maxItems": 8},
    "attributed_to": {"maxItems": 6},
    "aliases": {"maxItems": 6},
    "summary": {"maxLength": 700},
    "quote": {"maxLength": 400},
    "clause": {"maxLength": 400},
}
"""Bounds sent only to a server that compiles the schema into a grammar, beside the contract's
own limits: a small model under a grammar can otherwise fill its whole token budget with one
endless string or list (seen: 4,096 tokens of one answer). They are far above what an article
needs (the seed gold has at most 12 events and 3 quotes an event) and are not part of the
contract."""
STRING_BOUND = 300
"""maxLength of every other plain string sent with grammar bounds (a name, a description)."""
_SCHEMA_MAPS = frozenset({"properties", "$defs"})
_SCHEMA_LISTS = frozenset({"anyOf", "oneOf", "allOf"})


def for_the_model(schema: dict[str, Any], limits: bool = False) -> dict[str, Any]:
    """`schema` as the model is sent it: without titles and defaults (and without the limit
    keywords unless `limits`), without the docstrings of nested models (written for
    developers, not the model), and with a nullable plain type written `"type": ["string",
    "null"]` instead of an `anyOf`. Field names are never touched (a field called "title"
    stays). Strict structured outputs accept the result."""
    dropped = _TRIMMED if limits else _TRIMMED | _LIMITS
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in dropped:
            continue
        if key in _SCHEMA_MAPS:
            out[key] = {name: for_the_model(sub, limits) for name, sub in value.items()}
            if key == "$defs":
                for sub in out[key].values():
                    sub.pop("description", None)
        elif key in _SCHEMA_LISTS:
            out[key] = [for_the_model(sub, limits) for sub in value]
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = for_the_model(value, limits)
        else:
            out[key] = value
    options = out.get("anyOf")
    if options and all(set(option) == {"type"} for option in options):
        del out["anyOf"]
        out = {"type": [option["type"] for option in options], **out}
    return out


def asked_schema(limits: bool = False, evidence: EvidenceStyle = "quotes") -> dict[str, Any]:
    """The JSON Schema the model is sent (a copy: instructor may add to it)."""
    return copy.deepcopy(_schema(limits, evidence))


def _contract(evidence: str) -> type[ArticleExtraction]:
    """The model the answer is asked for in an evidence style."""
    if evidence not in EVIDENCE_STYLES:
        raise ValueError(f"unknown evidence style {evidence!r}")
    return CitedExtraction if evidence == "sentences" else ArticleExtraction  # type: ignore[return-value]


@functools.cache
def _schema(limits: bool = False, evidence: str = "quotes") -> dict[str, Any]:
    full = _contract(evidence).model_json_schema()
    sent = for_the_model(full, limits)
    if limits:
        sent = bounded(sent)
    return {**sent, "title": full["title"]}  # the top title names the tool


def bounded(schema: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    """`schema` with GRAMMAR_BOUNDS (by property name) and STRING_BOUND added where it sets no
    bound of its own. A nullable string is bounded too, written `anyOf` (a bounded string, or
    null): llama-cpp-python turns `"type": ["string", "null"]` into bare alternatives and drops
    the bound, and a small model could then fill its token budget with one optional field."""
    out = dict(schema)
    extra = GRAMMAR_BOUNDS.get(name or "", {})
    kind = out.get("type")
    limit = extra.get("maxLength", STRING_BOUND)
    if kind == "array":
        out.setdefault("maxItems", extra.get("maxItems", 50))
    elif kind == "string" and "enum" not in out:
        out.setdefault("maxLength", limit)
    elif isinstance(kind, list) and "string" in kind and "enum" not in out:
        del out["type"]
        out["anyOf"] = [
            {"type": t, "maxLength": limit} if t == "string" else {"type": t} for t in kind
        ]
    for key in _SCHEMA_MAPS:
        if key in out:
            out[key] = {
                child: bounded(sub, child if key == "properties" else None)
                for child, sub in out[key].items()
            }
    if isinstance(out.get("items"), dict):
        out["items"] = bounded(out["items"])
    return out


@functools.cache
def _strict_schema(limits: bool = False, evidence: str = "quotes") -> dict[str, Any]:
    strict = to_strict_json_schema(_contract(evidence))
    sent = for_the_model(strict, limits)
    if limits:
        sent = bounded(sent)
    return {**sent, "title": strict["title"]}


def strict_response_format(
    limits: bool = False, evidence: EvidenceStyle = "quotes"
) -> dict[str, Any]:
    """The `response_format` of json_schema mode, live and in a Batch API line alike:
    ArticleExtraction under OpenAI's strict structured outputs (every property required,
    `additionalProperties: false`), made by the openai SDK's own transform of a Pydantic model
    and trimmed as every schema we send is (`for_the_model`). instructor's JSON_SCHEMA mode
    would send the plain schema without `strict`; strict decoding is what makes a batch answer,
    which is never re-asked, parse."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": ArticleExtraction.__name__,
            "strict": True,
            "schema": copy.deepcopy(_strict_schema(limits, evidence)),
        },
    }


def json_object_response_format(
    limits: bool = False, evidence: EvidenceStyle = "quotes"
) -> dict[str, Any]:
    """llama-cpp-python's enforced JSON: `json_object` carrying the schema it compiles."""
    return {"type": "json_object", "schema": asked_schema(limits, evidence)}


class _Meter:
    """Counts requests and tokens over every attempt of one extraction via instructor hooks."""

    def __init__(self) -> None:
        self.usage = Usage()
        self.last_response: Any = None

    def hooks(self) -> Hooks:
        hooks = Hooks()
        hooks.on("completion:kwargs", self._on_request)
        hooks.on("completion:response", self._on_response)
        return hooks

    def _on_request(self, *args: Any, **kwargs: Any) -> None:
        self.usage = self.usage + Usage(requests=1)

    def _on_response(self, response: Any) -> None:
        self.last_response = response
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.usage = self.usage + Usage(
                prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            )


class _RetryBudget(stop_base):
    """Stop when the next wait would take the retries past `seconds` since the first call."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self, retry_state: RetryCallState) -> bool:
        upcoming = retry_state.upcoming_sleep or 0.0
        elapsed = retry_state.seconds_since_start or 0.0
        return elapsed + upcoming > self.seconds


def _api_error(exc: BaseException | None) -> openai.APIError | None:
    """The openai error behind `exc` (instructor wraps it in InstructorRetryException)."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, openai.APIError):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, IncompleteOutputException):
        return False
    error = _api_error(exc)
    if isinstance(error, openai.APIConnectionError):
        return True
    if isinstance(error, openai.APIStatusError):
        return is_transient_status(error)
    return False


def _retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (Retry-After or retry-after-ms), if it said."""
    error = _api_error(exc)
    if not isinstance(error, openai.APIStatusError):
        return None
    headers = error.response.headers
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _Wait:
    """Retry-After when the server gives one (capped), else exponential backoff with full
    jitter: a random wait up to 0.5 s, 1 s, 2 s, … (at most 8 s)."""

    def __init__(self) -> None:
        self.backoff = wait_random_exponential(multiplier=0.5, max=8.0)

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        asked = _retry_after(outcome.exception() if outcome else None)
        if asked is not None:
            return min(asked, RETRY_AFTER_CAP)
        return float(self.backoff(retry_state))


def _one_line(text: str, secret: str | None) -> str:
    """The reason as one bounded line, with the key masked as everywhere else."""
    text = redact(text, secret)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > _REASON_MAX_CHARS:
        text = text[: _REASON_MAX_CHARS - 1] + "…"
    return text


def _validation_summary(exc: BaseException) -> str:
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


def _unanswered(completion: Any) -> str | None:
    """Why a chat completion holds no answer at all: a refusal, or no choices."""
    if completion is None or not hasattr(completion, "choices"):
        return None
    if not completion.choices:
        return "the endpoint answered with no choices (an empty completion)"
    refusal = getattr(completion.choices[0].message, "refusal", None)
    if refusal:
        return f"the model refused: {refusal}"
    return None


OFFICIAL_ENDPOINT = "the default OpenAI endpoint"
"""How a backend with no base URL names its endpoint."""


def is_official(base_url: str | None) -> bool:
    """Whether requests go to OpenAI's own API (no base URL, or its host)."""
    return not base_url or urlsplit(base_url).hostname == "api.openai.com"


class OpenAIBackend:
    """Extraction by an LLM behind an OpenAI-compatible endpoint, through instructor."""

    name = "openai"

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
        self.rate_gate = rate_gate if rate_gate is not None else RateGate(max_pause=RETRY_AFTER_CAP)

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={self.model!r}, base_url={self.endpoint!r})"

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
        return display_url(self.base_url, OFFICIAL_ENDPOINT)

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
        return prompts + len(json.dumps(_schema(self.limits, self.evidence))) + article_chars

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

    async def extract(self, article: Article) -> ExtractionResult:
        meter = _Meter()
        # the messages are rendered once here (article as a Jinja variable) and reach instructor
        # as values of one-placeholder messages, so it compiles two tiny templates per call
        context: dict[str, Any] = {
            **self._prompts.rendered(article, self.evidence),
            "quote_checker": quote_checker(article.text),
        }
        citations = Citations(article.text) if self.evidence == "sentences" else None
        if citations is not None:
            context[CONTEXT_KEY] = citations
        hooks = meter.hooks()
        retrying = AsyncRetrying(
            retry=retry_if_exception(_is_transient),
            wait=_Wait(),
            stop=stop_after_attempt(self.max_attempts) | _RetryBudget(self.max_retry_seconds),
            reraise=True,
        )
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
                        response_model=_ASKED[(self.limits, self.evidence)],
                        messages=[dict(m) for m in INSTRUCTOR_MESSAGES],
                        context=context,
                        max_retries=self.reasks,
                        strict=False,
                        hooks=hooks,
                        **extra,
                    )
        except Exception as exc:  # every failure becomes one line naming the article
            salvaged = self._salvage(exc, article, meter.last_response)
            if salvaged is None:
                failure = self._reason(exc, attempts, meter.last_response)
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

    def _reason(self, exc: BaseException, attempts: int, last_response: Any = None) -> str:
        """One line saying why the extraction failed, without the API key."""
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        error = _api_error(exc)
        if isinstance(exc, IncompleteOutputException):
            reason = (
                "the model's answer was cut off at its token limit; use a model with a larger "
                "output limit or split the article"
            )
        elif isinstance(error, openai.APITimeoutError) and "stalled" in str(error.__cause__):
            reason = (
                f"the endpoint stalled: no byte for {self.stall_timeout:g} s ({tries}); "
                "a slow server may need a larger --stall-timeout"
            )
        elif isinstance(error, openai.APITimeoutError):
            reason = f"the endpoint did not answer within {self.timeout:g} s ({tries})"
        elif isinstance(error, openai.APIConnectionError):
            reason = f"could not connect to {self.endpoint} ({tries})"
            if is_official(self.base_url):
                reason += "; without a network, --backend offline summarizes locally"
        elif isinstance(error, openai.APIStatusError):
            status, message = error.status_code, server_message(error)
            if is_request_shape_rejection(error):
                reason = (
                    f"the endpoint rejected the request of mode {self.mode} (HTTP {status}): "
                    f"{message}; run 'eventbrief endpoint check' to find a mode it supports"
                )
            elif status in (401, 403):
                reason = f"the endpoint refused the API key (HTTP {status}): {message}"
            elif status == 404:
                reason = f"HTTP 404: {message}; check --model and --base-url"
            elif status == 429:
                wanted = _retry_after(error)
                wait = f", asked to wait {wanted:g} s" if wanted else ""
                reason = f"rate limited (HTTP 429{wait}) after {tries}: {message}"
            elif is_transient_status(error):
                reason = f"the endpoint kept failing (HTTP {status}) after {tries}: {message}"
            else:
                reason = f"the endpoint rejected the request (HTTP {status}): {message}"
        elif isinstance(exc, InstructorRetryException) and isinstance(
            exc.__cause__, ValidationError | json.JSONDecodeError | ResponseParsingError
        ):
            asked = exc.n_attempts or self.reasks + 1
            reason = (
                f"the model's answer was not valid after {asked} "
                f"{'try' if asked == 1 else 'tries'}: {_validation_summary(exc)}"
            )
        elif isinstance(exc, InstructorRetryException) and _unanswered(last_response):
            reason = str(_unanswered(last_response))
        elif isinstance(exc, InstructorRetryException):
            cause = exc.__cause__ or exc
            reason = (
                "the endpoint's answer is not a usable chat completion "
                f"({type(cause).__name__}: {cause})"
            )
        else:
            reason = f"{type(exc).__name__}: {exc}"
        return _one_line(reason, self._api_key.get_secret_value())

    def _salvage(self, exc: BaseException, article: Article, last_response: Any) -> Salvaged | None:
        """The valid, grounded part of the model's last answer when the re-asks were spent on
        answers that stayed invalid, or the complete part of an answer cut off at the token
        limit (never after a network or HTTP fault or a refusal), unless the backend is strict;
        None when nothing in it is usable."""
        if self.strict or _api_error(exc) is not None:
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
