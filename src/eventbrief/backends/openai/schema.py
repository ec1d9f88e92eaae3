"""The extraction schema as the model is sent it: trimmed of what only developers read, with
grammar bounds for servers that enforce them, in each request shape (tool, strict
json_schema, llama-cpp-python's json_object) and each evidence style."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from typing import TYPE_CHECKING, Any, ClassVar

import instructor
from openai.lib._pydantic import to_strict_json_schema
from pydantic import ValidationError

from eventbrief.citations import CitedExtraction
from eventbrief.models import MIN_TAKEAWAYS, ArticleExtraction
from eventbrief.prompt_templates import EVIDENCE_STYLES, INSTRUCTOR_MESSAGES, EvidenceStyle
from eventbrief.salvage import lenient_json

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam


def schema_hash(
    mode: str = "tools", limits: bool = False, evidence: EvidenceStyle = "quotes"
) -> str:
    """A short digest of the schema the model is sent in `mode`: the ArticleExtraction JSON
    Schema (CitedExtraction's in the `sentences` evidence style), or in json_schema mode the
    whole strict response format; `limits` when the grammar keywords are sent too."""
    if mode == "json_schema":
        sent = strict_response_format(limits, evidence)
    else:
        sent = sent_schema(limits, evidence)
    schema = json.dumps(sent, sort_keys=True)
    return hashlib.sha256(schema.encode("utf-8")).hexdigest()[:16]


def instructor_messages() -> list[ChatCompletionMessageParam]:
    """`INSTRUCTOR_MESSAGES` typed as the chat API's messages, in a fresh list per request:
    the system placeholder, then the user placeholder."""
    system, user = INSTRUCTOR_MESSAGES
    return [
        {"role": "system", "content": system["content"]},
        {"role": "user", "content": user["content"]},
    ]


class Asked(ArticleExtraction, instructor.OpenAISchema):
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


class AskedWithLimits(Asked):
    """The same, sent with minItems/maxItems/minLength/pattern to a server whose grammar
    enforces them (the endpoint check found out)."""

    limits: ClassVar[bool] = True


class AskedCited(CitedExtraction, Asked):  # type: ignore[misc,valid-type]
    """The `sentences` evidence style: CitedExtraction's fields, Asked's schema and parsing."""

    evidence: ClassVar[EvidenceStyle] = "sentences"


class AskedCitedWithLimits(CitedExtraction, AskedWithLimits):  # type: ignore[misc,valid-type]
    evidence: ClassVar[EvidenceStyle] = "sentences"


ASKED: dict[tuple[bool, str], type[Asked]] = {
    (False, "quotes"): Asked,
    (True, "quotes"): AskedWithLimits,
    (False, "sentences"): AskedCited,
    (True, "sentences"): AskedCitedWithLimits,
}
"""The response model for (grammar limits sent, evidence style)."""

for _cls in ASKED.values():
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
    return copy.deepcopy(sent_schema(limits, evidence))


def _contract(evidence: str) -> type[ArticleExtraction]:
    """The model the answer is asked for in an evidence style."""
    if evidence not in EVIDENCE_STYLES:
        raise ValueError(f"unknown evidence style {evidence!r}")
    return CitedExtraction if evidence == "sentences" else ArticleExtraction  # type: ignore[return-value]


@functools.cache
def sent_schema(limits: bool = False, evidence: str = "quotes") -> dict[str, Any]:
    """The schema the model is sent, made once (shared: copy it before changing it)."""
    full = _contract(evidence).model_json_schema()
    sent = for_the_model(full, limits)
    if limits:
        sent = bounded(sent)
        # a record may hold one takeaway (a one-line text); a model is asked for three, and
        # its answer is checked against what its article can give (models.TAKEAWAYS_NEEDED)
        sent["properties"]["key_takeaways"]["minItems"] = MIN_TAKEAWAYS
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
