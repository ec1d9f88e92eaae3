"""Evidence by sentence number: what the model is asked for in the `sentences` style, and how
its citations become the contract's quotes.

The model is shown the article as numbered sentences (eventbrief.sentences) and cites
`{"sentence": 4}`, or `{"sentence": 4, "clause": "…"}` for part of one. `CitedExtraction` is
ArticleExtraction with that evidence item: generated from the contract's models, so every other
field, description and validator stays theirs. A citation is turned into a quote (the sentence's
text, or the clause's span of it) before grounding, so everything downstream (offsets, the cache,
salvage, briefs, eval) sees ordinary quotes, each found in the article by construction.

A sentence number the article does not have is an error the model is asked again about (what it
meant cannot be guessed). A clause that is not part of its sentence is dropped and the whole
sentence kept, without a re-ask: the number already grounds the evidence, the clause only
narrows it, and a re-ask costs a whole answer (minutes on a small local model).
"""

from __future__ import annotations

import copy
from types import GenericAlias
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    model_validator,
)

from eventbrief.grounding import locate
from eventbrief.models import ArticleExtraction, Event, Takeaway
from eventbrief.sentences import Sentence, split_sentences

CONTEXT_KEY = "citations"
"""Key of the `Citations` of the article in the validation context."""


class Cited(BaseModel):
    """Evidence as the model gives it in the `sentences` style."""

    model_config = ConfigDict(extra="forbid")

    sentence: int = Field(ge=1, description="The number in brackets of the sentence.")
    clause: str | None = Field(
        default=None,
        description="Only to cite part of the sentence: that part, copied character for "
        "character; null for the whole sentence.",
    )

    @model_validator(mode="after")
    def _in_the_article(self, info: ValidationInfo) -> Cited:
        """With the article's `Citations` in the validation context: a sentence it does not
        have is an error (re-asked); a clause not in its sentence is dropped."""
        context = info.context if isinstance(info.context, dict) else None
        citations = context.get(CONTEXT_KEY) if context else None
        if isinstance(citations, Citations):
            citations.check(self)
        return self


def _retyped(
    base: type[BaseModel], evidence: dict[str, tuple[Any, str]], **lists: type[BaseModel]
) -> type[BaseModel]:
    """`base` with the fields named in `evidence` retyped ((type, description)) and the list
    fields named in `lists` holding the given model, each keeping its constraints, default and
    description; validators are inherited."""
    definitions: dict[str, Any] = {}
    for name, (annotation, description) in evidence.items():
        info = copy.copy(base.model_fields[name])
        info.description = description
        definitions[name] = (annotation, info)
    for name, item in lists.items():
        # list[item] at run time; a type checker reads `list[item]` as a type and rejects it
        definitions[name] = (GenericAlias(list, item), copy.copy(base.model_fields[name]))
    model = create_model(  # type: ignore[call-overload]
        base.__name__, __base__=base, __module__=__name__, **definitions
    )
    model.__doc__ = base.__doc__
    return model  # type: ignore[no-any-return]


CitedEvent = _retyped(
    Event, {"evidence": (list[Cited], "Sentences that state the event; at least one.")}
)
CitedTakeaway = _retyped(Takeaway, {"evidence": (list[Cited], "Sentences that support it.")})
CitedExtraction = _retyped(ArticleExtraction, {}, key_takeaways=CitedTakeaway, events=CitedEvent)
"""ArticleExtraction as the model is asked for it in the `sentences` style (a subclass: the
same summary and consistency checks). Its models keep the contract's names, so the schema the
model sees differs from the quotes style's only in the evidence items."""


class Citations:
    """The numbered sentences of one article text: checks citations and makes them quotes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sentences: tuple[Sentence, ...] = split_sentences(text)

    def check(self, cited: Cited) -> None:
        """ValueError for a sentence number the article does not have; a clause that is not
        part of its sentence is set to None (the whole sentence is cited)."""
        count = len(self.sentences)
        if not 1 <= cited.sentence <= count:
            raise ValueError(
                f"sentence {cited.sentence} is not in the article, whose sentences are "
                f"numbered 1 to {count}; cite the number shown in brackets before the sentence"
            )
        if cited.clause is not None and self._clause(cited) is None:
            cited.clause = None

    def _clause(self, cited: Cited) -> str | None:
        """The clause's span of its sentence, as the article writes it (white space, quote
        marks and dashes may differ in the copy); None when it is not there or empty."""
        sentence = self.sentences[cited.sentence - 1].text
        span = locate(cited.clause, sentence) if cited.clause and cited.clause.strip() else None
        if span is None or span.match != "exact":
            return None
        return sentence[span.start : span.end]

    def quote(self, cited: Cited) -> str:
        """The quote a checked citation stands for: the clause's span, else the sentence."""
        return self._clause(cited) or self.sentences[cited.sentence - 1].text

    def to_quotes(self, extraction: BaseModel) -> ArticleExtraction:
        """The contract's extraction for a validated CitedExtraction: every citation made the
        quote it stands for."""
        answer = extraction.model_dump()
        for item in (*answer["key_takeaways"], *answer["events"]):
            item["evidence"] = [
                {"quote": self.quote(Cited.model_validate(e))} for e in item["evidence"]
            ]
        return ArticleExtraction.model_validate(answer)

    def quoted_answer(self, answer: Any) -> tuple[Any, int]:
        """A raw answer (parsed JSON that failed validation, for salvage) with every usable
        citation made its quote; citations that cannot be used (not an object, no such
        sentence) are left out. Returns the answer and how many were left out."""
        if not isinstance(answer, dict):
            return answer, 0
        out = dict(answer)
        dropped = 0
        for key in ("key_takeaways", "events"):
            items = out.get(key)
            if not isinstance(items, list):
                continue
            converted = []
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("evidence"), list):
                    quotes, lost = self._quotes(item["evidence"])
                    dropped += lost
                    item = {**item, "evidence": quotes}
                converted.append(item)
            out[key] = converted
        return out, dropped

    def _quotes(self, evidence: list[Any]) -> tuple[list[dict[str, str]], int]:
        quotes, dropped = [], 0
        for raw in evidence:
            try:
                cited = Cited.model_validate(raw, context={CONTEXT_KEY: self})
            except ValueError:
                dropped += 1
                continue
            quotes.append({"quote": self.quote(cited)})
        return quotes, dropped
