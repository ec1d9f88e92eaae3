"""What an OpenAI-compatible endpoint does, found out by small requests rather than believed.

Servers claim more than they do: llama.cpp ignores a named `tool_choice`, llama-cpp-python
rejects `json_schema` but takes `{"type": "json_object", "schema": …}`, Ollama cuts prompts at
its default context without a word, a grammar that fails to compile runs unconstrained with HTTP
200. Each probe here sends one tiny request whose answer tells the truth: a schema that a free
answer would break (a fixed code and exactly three integers), two tools with the unwanted one
named, prompts of known size against `usage.prompt_tokens`, streamed answers that overlap or not.
The report recommends the best *enforced* mode and a concurrency, and is kept per endpoint and
model so `--mode auto` pays for it once.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import openai

from eventbrief.backends.openai.endpoint_report import EndpointReport, Probe, Verdict
from eventbrief.backends.openai.http_errors import is_request_shape_rejection, server_message

PROBE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "enum": ["QX-41"]},
        "items": {
            "type": "array",
            "items": {"type": "integer"},
            "minItems": 3,
            "maxItems": 3,
        },
    },
    "required": ["code", "items"],
    "additionalProperties": False,
}
"""A schema the probe prompt contradicts: only a server that enforces it (enum, minItems,
maxItems, required, no extra keys) returns a valid answer."""

PROBE_PROMPT = 'Reply with this JSON object and nothing else: {"colour": "blue"}'
_TOOL_PROMPT = "Call the tool record_colour with colour blue."
_CONTEXT_SENTENCE = (
    "The committee met on a quiet morning to review the harbour budget, and the members "
    "agreed to publish their findings before the end of the month. "
)
"""Ordinary English for the context probe, so its tokens per character resemble an article's."""
_SHORT_REPEATS = (4, 12)
_LONG_REPEATS = 140
"""About 4,200 tokens with common tokenizers: more than eventbrief's prompt needs, so a server
that truncates at 2,048 or 4,096 tokens shows it."""
_SLOTS_PROMPT = "Write a long story about a cat called {name}."
_NAMES = ("Ada", "Bo", "Cy", "Dot", "Eve", "Fay", "Gus")
"""One name a request. The time from an answer's first chunk to its last is measured whether
or not it carries text (SmolLM2 answered some prompts with nothing at temperature 0)."""
_SLOTS_TOKENS = 48
_PROBE_TOKENS = 96

Redact = Callable[[str], str]
"""Masks the API key in text an endpoint sent back (a proxy may echo it)."""


@dataclass(frozen=True)
class Context:
    """What the context probe found."""

    probe: Probe
    kept: int | None = None
    truncates_at: int | None = None
    chars_per_token: float | None = None


def conforms(answer: Any) -> bool:
    """Whether `answer` (parsed JSON) satisfies PROBE_SCHEMA."""
    if not isinstance(answer, dict) or set(answer) != {"code", "items"}:
        return False
    items = answer["items"]
    return (
        answer["code"] == "QX-41"
        and isinstance(items, list)
        and len(items) == 3
        and all(isinstance(i, int) and not isinstance(i, bool) for i in items)
    )


def _parsed(text: str | None) -> Any:
    if not text:
        return None
    match = re.search(r"\{.*\}", text, re.DOTALL)
    try:
        return json.loads(match.group(0) if match else text, strict=False)
    except ValueError:
        return None


def _tool(name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "parameters": parameters}}


class _Prober:
    def __init__(self, client: openai.AsyncOpenAI, model: str, redact: Redact) -> None:
        self.client = client
        self.model = model
        self.redact = redact

    async def ask(self, max_tokens: int = _PROBE_TOKENS, **kwargs: Any) -> Any:
        return await self.client.chat.completions.create(
            model=self.model, max_tokens=max_tokens, temperature=0, **kwargs
        )

    def failure(self, name: str, exc: Exception) -> Probe:
        """A probe request that failed: a rejected request shape, or a fault."""
        if isinstance(exc, openai.APIStatusError):
            message = self.redact(" ".join(server_message(exc).split())[:160])
            verdict: Verdict = "rejected" if is_request_shape_rejection(exc) else "failed"
            return Probe(name=name, verdict=verdict, detail=f"HTTP {exc.status_code}: {message}")
        detail = self.redact(f"{type(exc).__name__}: {exc}"[:160])
        return Probe(name=name, verdict="failed", detail=detail)

    async def structured(self, name: str, response_format: dict[str, Any]) -> Probe:
        try:
            completion = await self.ask(
                messages=[{"role": "user", "content": PROBE_PROMPT}],
                response_format=response_format,
            )
        except openai.APIError as exc:
            return self.failure(name, exc)
        content = completion.choices[0].message.content if completion.choices else None
        if conforms(_parsed(content)):
            return Probe(name=name, verdict="enforced", detail="the answer follows the schema")
        shown = " ".join((content or "").split())[:60]
        return Probe(
            name=name, verdict="accepted", detail=f"not enforced: the model answered {shown!r}"
        )

    async def json_schema(self) -> Probe:
        return await self.structured(
            "json_schema",
            {
                "type": "json_schema",
                "json_schema": {"name": "probe", "strict": True, "schema": PROBE_SCHEMA},
            },
        )

    async def json_object_schema(self) -> Probe:
        return await self.structured(
            "json_object_schema", {"type": "json_object", "schema": PROBE_SCHEMA}
        )

    async def json_object(self) -> Probe:
        """Plain JSON mode: only whether the request is taken and the answer is JSON."""
        try:
            completion = await self.ask(
                messages=[{"role": "user", "content": PROBE_PROMPT}],
                response_format={"type": "json_object"},
            )
        except openai.APIError as exc:
            return self.failure("json_object", exc)
        choice = completion.choices[0] if completion.choices else None
        content = choice.message.content if choice is not None else None
        if isinstance(_parsed(content), dict):
            return Probe(name="json_object", verdict="accepted", detail="the answer is JSON")
        if choice is not None and choice.finish_reason == "length":
            detail = f"taken; the answer ran past the probe's {_PROBE_TOKENS} tokens"
            return Probe(name="json_object", verdict="accepted", detail=detail)
        return Probe(name="json_object", verdict="failed", detail="the answer is not JSON")

    async def tools(self) -> tuple[Probe, Probe]:
        """(tools: a call came back and follows its schema; named tool_choice honoured)."""
        colour = {"type": "object", "properties": {"colour": {"type": "string"}}}
        try:
            completion = await self.ask(
                messages=[{"role": "user", "content": _TOOL_PROMPT}],
                tools=[_tool("record_colour", colour), _tool("record_code", PROBE_SCHEMA)],
                tool_choice={"type": "function", "function": {"name": "record_code"}},
            )
        except openai.APIError as exc:
            failed = self.failure("tools", exc)
            return failed, Probe(name="tool_choice", verdict="no", detail="no tool call")
        message = completion.choices[0].message if completion.choices else None
        calls = (message.tool_calls or []) if message is not None else []
        if not calls:
            return (
                Probe(name="tools", verdict="failed", detail="HTTP 200 but no tool call"),
                Probe(name="tool_choice", verdict="no", detail="no tool call"),
            )
        call = calls[0].function
        if call.name != "record_code":
            choice = Probe(
                name="tool_choice", verdict="no", detail=f"asked for record_code, got {call.name}"
            )
        else:
            choice = Probe(name="tool_choice", verdict="yes", detail="the named tool was called")
        enforced = call.name == "record_code" and conforms(_parsed(call.arguments))
        tools = Probe(
            name="tools",
            verdict="enforced" if enforced else "accepted",
            detail=(
                "a call came back and follows its schema"
                if enforced
                else "a call came back; its arguments do not follow the schema"
            ),
        )
        return tools, choice

    async def prompt_tokens(self, repeats: int) -> int | Exception | None:
        """usage.prompt_tokens of a prompt of `repeats` sentences (the error if refused)."""
        try:
            completion = await self.ask(
                max_tokens=1,
                messages=[{"role": "user", "content": _CONTEXT_SENTENCE * repeats}],
            )
        except openai.APIError as exc:
            return exc
        usage = getattr(completion, "usage", None)
        return int(usage.prompt_tokens) if usage and usage.prompt_tokens else None

    async def context(self) -> Context:
        """Two short prompts give the tokens per sentence and the template's overhead; a long
        one then shows whether the server kept all of it."""
        short = [await self.prompt_tokens(n) for n in _SHORT_REPEATS]
        if not all(isinstance(n, int) for n in short):
            problem = next((n for n in short if isinstance(n, Exception)), None)
            detail = "the endpoint reports no usage.prompt_tokens"
            if problem is not None:
                detail = self.failure("context", problem).detail
            return Context(Probe(name="context", verdict="failed", detail=detail))
        small, large = (n for n in short if isinstance(n, int))
        per_repeat = (large - small) / (_SHORT_REPEATS[1] - _SHORT_REPEATS[0])
        expected = int(small + per_repeat * (_LONG_REPEATS - _SHORT_REPEATS[0]))
        rate = len(_CONTEXT_SENTENCE) / per_repeat if per_repeat > 0 else None
        kept = await self.prompt_tokens(_LONG_REPEATS)
        if isinstance(kept, Exception):
            refused = self.failure("context", kept).detail
            window = re.search(r"context (?:window|length)\D{0,20}(\d{3,7})", refused)
            detail = f"a prompt of about {expected} tokens was refused ({refused})"
            return Context(
                Probe(name="context", verdict="no", detail=detail),
                kept=int(window.group(1)) if window else None,
                chars_per_token=rate,
            )
        if kept is None:
            probe = Probe(name="context", verdict="failed", detail="no usage.prompt_tokens")
            return Context(probe, chars_per_token=rate)
        if kept < 0.9 * expected:
            detail = f"silently truncated: {kept} of about {expected} prompt tokens kept"
            probe = Probe(name="context", verdict="no", detail=detail)
            return Context(probe, kept=kept, truncates_at=kept, chars_per_token=rate)
        detail = f"a prompt of {kept} tokens was kept whole"
        probe = Probe(name="context", verdict="yes", detail=detail)
        return Context(probe, kept=kept, chars_per_token=rate)

    async def streamed(self, name: str) -> Span:
        """One streamed answer: when its first and last chunks came, and how many carried
        text. Each request asks about another name, so no two prompts are the same (a server
        may answer a prompt it has cached differently)."""
        stream = await self.client.chat.completions.create(
            model=self.model,
            max_tokens=_SLOTS_TOKENS,
            temperature=0,
            stream=True,
            messages=[{"role": "user", "content": _SLOTS_PROMPT.format(name=name)}],
        )
        first = last = 0.0
        pieces = 0
        async for chunk in stream:
            last = time.perf_counter()
            first = first or last
            if chunk.choices and chunk.choices[0].delta.content:
                pieces += 1
        return Span(first, last, pieces)

    async def slots(self) -> tuple[Probe, int | None, float | None]:
        """(probe, requests served in parallel: 1, 2 or 4, tokens per second of one). Timing
        alone is fooled by a busy machine; whether answers are streamed at the same moments is
        not: a one-slot server starts the second only after the first has ended."""
        names = iter(_NAMES)
        try:
            alone = await self.streamed(next(names))
            parallel = 1
            for width in (2, 4):
                batch = [next(names) for _ in range(width)]
                spans = await asyncio.gather(*(self.streamed(name) for name in batch))
                together = most_overlapping(spans)
                parallel = max(parallel, together)
                if together < width:
                    break
        except openai.APIError as exc:
            return self.failure("parallel", exc), None, None
        took = alone.last - alone.first
        speed = (alone.pieces - 1) / took if alone.pieces > 1 and took > 0 else None
        detail = f"{parallel} answers streamed at the same time"
        if parallel == 1:
            detail = "one answer at a time: the next starts when the last has ended"
        elif parallel == 4:
            detail = "4 or more answers streamed at the same time"
        return Probe(name="parallel", verdict="yes", detail=detail), parallel, speed


@dataclass(frozen=True)
class Span:
    """A streamed answer's first and last chunks (perf_counter) and how many carried text."""

    first: float
    last: float
    pieces: int


def most_overlapping(spans: list[Span]) -> int:
    """The most answers that were being generated at one moment."""
    edges = sorted(
        [(span.first, 1) for span in spans if span.first]
        + [(span.last, -1) for span in spans if span.first],
        key=lambda edge: (edge[0], -edge[1]),
    )
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return max(most, 1)


def recommend(probes: dict[str, Probe]) -> tuple[str, bool]:
    """(mode, send grammar keywords): the best mode whose structure the server enforces, else
    the best it accepts. Enforced JSON modes come first because instructor puts the schema in
    their prompt too; llama-cpp-python's tools mode only constrains decoding and never shows the
    model the schema."""
    verdict = {name: probe.verdict for name, probe in probes.items()}
    if verdict.get("json_schema") == "enforced":
        return "json_schema", True
    if verdict.get("json_object_schema") == "enforced":
        return "json_object", True
    tools_ok = verdict.get("tools") in ("enforced", "accepted")
    if tools_ok and verdict.get("tool_choice") == "yes":
        return "tools", verdict.get("tools") == "enforced"
    if verdict.get("json_object") == "accepted":
        return "json", False
    return "md_json", False


Progress = Callable[[str], None]


async def check_endpoint(
    client: openai.AsyncOpenAI,
    *,
    model: str,
    endpoint: str,
    redact: Redact = str,
    progress: Progress | None = None,
    now: Callable[[], str] | None = None,
) -> EndpointReport:
    """Run every probe one after another (a one-slot server would queue them anyway)."""
    prober = _Prober(client, model, redact)
    say = progress or (lambda _: None)
    found: dict[str, Probe] = {}

    async def step(label: str, run: Callable[[], Awaitable[Any]]) -> Any:
        say(label)
        return await run()

    tools, choice = await step("tools and a named tool_choice", prober.tools)
    found["tools"], found["tool_choice"] = tools, choice
    found["json_schema"] = await step("response_format json_schema", prober.json_schema)
    found["json_object_schema"] = await step(
        "response_format json_object with a schema", prober.json_object_schema
    )
    found["json_object"] = await step("response_format json_object", prober.json_object)
    context = await step("context size", prober.context)
    found["context"] = context.probe
    parallel_probe, parallel, speed = await step("parallel requests", prober.slots)
    found["parallel"] = parallel_probe
    mode, keywords = recommend(found)
    stamp = now() if now else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return EndpointReport(
        endpoint=endpoint,
        model=model,
        checked_at=stamp,
        probes=list(found.values()),
        recommended_mode=mode,
        recommended_concurrency=8 if (parallel or 1) >= 4 else (parallel or 1),
        grammar_keywords=keywords,
        context_tokens=context.kept,
        truncates_at=context.truncates_at,
        chars_per_token=round(context.chars_per_token, 2) if context.chars_per_token else None,
        tokens_per_second=round(speed, 1) if speed else None,
        parallel_slots=parallel,
    )


LABELS = {
    "tools": "tools (a call returned, schema followed)",
    "tool_choice": "named tool_choice honoured",
    "json_schema": "response_format json_schema",
    "json_object_schema": "response_format json_object + schema",
    "json_object": "response_format json_object",
    "context": "long prompt kept whole",
    "parallel": "parallel requests",
}


def table(report: EndpointReport) -> str:
    """The report as the terminal shows it."""
    width = max(len(label) for label in LABELS.values())
    lines = [f"endpoint {report.endpoint}, model {report.model} (checked {report.checked_at})"]
    for probe in report.probes:
        label = LABELS.get(probe.name, probe.name)
        lines.append(f"  {label:<{width}}  {probe.verdict:<8}  {probe.detail}")
    speed = f"{report.tokens_per_second:g} tokens/s" if report.tokens_per_second else "unknown"
    lines.append(f"  {'generation speed':<{width}}  {speed}")
    lines.append(
        f"recommended: --mode {report.recommended_mode} "
        f"--evidence {report.recommended_evidence} "
        f"--concurrency {report.recommended_concurrency}"
        + (" (minItems/maxItems sent: the server enforces them)" if report.grammar_keywords else "")
    )
    return "\n".join(lines)
