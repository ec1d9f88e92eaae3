"""The veto rules of `vetoes.toml`: when a trigger word states no happening of its own.

A trigger rule finds a word that can name an event ("deployment", "visits", "attack"); a veto
says where that word does not ("any deployment", "his visits", "a verbal attack"): background,
a reference to an event told elsewhere, another sense, an intention or a negation (GUIDELINES
§1). Each veto is data: an id, the triggers it looks at (event types, kinds, words, trigger
rule ids), a pattern that must match in a word window around the trigger (`when`) and one
that must not (`unless`), a short `why`, and example sentences it must and must not veto. A
veto that needs to see the sentence's other triggers names a predicate that `mentions` keeps
in code. Loaded, checked and compiled once, here; applied by `mentions`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal, NamedTuple, cast

from eventbrief.backends.offline.document import Document
from eventbrief.backends.offline.rules import (
    check_unique,
    examples,
    expand_macros,
    macros_of,
    read_data,
)
from eventbrief.models import EVENT_TYPES

Look = Literal["before", "after", "whole"]
Within = Literal["clause", "sentence"]
_LOOKS = ("before", "after", "whole")
_WITHINS = ("clause", "sentence")
_KINDS = ("verb", "noun")
_KEYS = {
    "id",
    "why",
    "types",
    "except_types",
    "kinds",
    "words",
    "except_words",
    "rules",
    "when",
    "unless",
    "predicate",
    "fires",
    "not_fires",
}
_WINDOW_KEYS = {"look", "within", "words", "pattern"}


class Window(NamedTuple):
    """A pattern searched in a window around the trigger: the words `before` it, `after` it or
    the `whole` clause or sentence, bounded by `within` and, when given, by `words` words."""

    look: Look
    within: Within
    words: int | None
    pattern: re.Pattern[str]

    def search(self, doc: Document, bounds: tuple[int, int], start: int, end: int) -> bool:
        """Whether the pattern matches in this window of the trigger `text[start:end]`, whose
        clause or sentence (as `within` says) is `text[bounds[0]:bounds[1]]`."""
        lo, hi = bounds
        text, n = doc.text, self.words
        if self.look == "before":
            if n is not None:
                lo = doc.before(start, n, lo) if self.within == "clause" else doc.before(start, n)
            return self.pattern.search(text[lo:start]) is not None
        if self.look == "after":
            if n is not None:
                hi = doc.after(end, n, hi) if self.within == "clause" else doc.after(end, n)
            return self.pattern.search(text[end:hi]) is not None
        return self.pattern.search(text[lo:hi]) is not None


class Veto(NamedTuple):
    """One veto rule of `vetoes.toml`, compiled. Every condition it has must hold for it to
    fire; examples mark the trigger they are about in [brackets]."""

    id: str
    why: str
    types: frozenset[str] | None
    except_types: frozenset[str]
    kinds: frozenset[str] | None
    words: re.Pattern[str] | None
    except_words: re.Pattern[str] | None
    rules: re.Pattern[str] | None
    when: Window | None
    unless: Window | None
    predicate: str | None
    fires: tuple[str, ...]
    not_fires: tuple[str, ...]

    def selects(self, word: str, etype: str, kind: str, rule: str) -> bool:
        """Whether the veto looks at a trigger: its lower-case words, type, kind and rule id."""
        return (
            (self.types is None or etype in self.types)
            and etype not in self.except_types
            and (self.kinds is None or kind in self.kinds)
            and (self.rules is None or self.rules.fullmatch(rule) is not None)
            and (self.words is None or self.words.fullmatch(word) is not None)
            and (self.except_words is None or self.except_words.fullmatch(word) is None)
        )

    def windows_fire(
        self, doc: Document, clause: tuple[int, int], sentence: tuple[int, int], s: int, e: int
    ) -> bool:
        """Whether `when` matches and `unless` does not around the trigger `text[s:e]`."""
        for window, wanted in ((self.when, True), (self.unless, False)):
            if window is None:
                continue
            bounds = clause if window.within == "clause" else sentence
            if window.search(doc, bounds, s, e) is not wanted:
                return False
        return True


def _names(raw: Mapping[str, Any], key: str, known: tuple[str, ...], rid: str) -> frozenset[str]:
    values = frozenset(str(v) for v in raw.get(key, []))
    unknown = sorted(values - set(known))
    if unknown:
        raise ValueError(f"veto {rid}: unknown {key} {', '.join(unknown)}")
    return values


def _regex(
    raw: Mapping[str, Any], key: str, macros: dict[str, str], rid: str, flags: int = 0
) -> re.Pattern[str]:
    body = expand_macros(str(raw[key]), macros)
    if re.search(r"\{[A-Z_]+\}", body):
        raise ValueError(f"veto {rid}: unknown macro in {key} {body!r}")
    try:
        return re.compile(body, flags)
    except re.error as exc:
        raise ValueError(f"veto {rid}: bad {key} pattern: {exc}") from exc


def _window(raw: Mapping[str, Any], macros: dict[str, str], rid: str) -> Window:
    extra = sorted(set(raw) - _WINDOW_KEYS)
    look, within = raw.get("look"), raw.get("within", "clause")
    if extra or look not in _LOOKS or within not in _WITHINS:
        raise ValueError(f"veto {rid}: a window needs look {_LOOKS}, within {_WITHINS}: {raw}")
    words = raw.get("words")
    if words is not None and (look == "whole" or not isinstance(words, int) or words < 1):
        raise ValueError(f"veto {rid}: words counts words before or after the trigger: {raw}")
    return Window(
        cast(Look, look), cast(Within, within), words, _regex(raw, "pattern", macros, rid)
    )


def _veto(raw: Mapping[str, Any], macros: dict[str, str]) -> Veto:
    rid = str(raw.get("id", ""))
    if not rid.startswith("veto."):
        raise ValueError(f"veto {rid!r}: an id starts with 'veto.'")
    extra = sorted(set(raw) - _KEYS)
    if extra:
        raise ValueError(f"veto {rid}: unknown keys {', '.join(extra)}")
    if not str(raw.get("why", "")).strip():
        raise ValueError(f"veto {rid}: needs a why")
    if not ({"when", "unless", "predicate"} & set(raw)):
        raise ValueError(f"veto {rid}: needs a when, an unless or a predicate")
    fires, not_fires = examples(raw, "veto")
    marked = [s for s in (*fires, *not_fires) if not re.search(r"\[[^\[\]]+\]", str(s))]
    if marked:
        raise ValueError(f"veto {rid}: an example marks its trigger in [brackets]: {marked[0]!r}")
    types = _names(raw, "types", EVENT_TYPES, rid) if "types" in raw else None
    return Veto(
        rid,
        str(raw["why"]),
        types,
        _names(raw, "except_types", EVENT_TYPES, rid),
        _names(raw, "kinds", _KINDS, rid) if "kinds" in raw else None,
        _regex(raw, "words", macros, rid, re.DOTALL) if "words" in raw else None,
        _regex(raw, "except_words", macros, rid, re.DOTALL) if "except_words" in raw else None,
        _regex(raw, "rules", macros, rid) if "rules" in raw else None,
        _window(raw["when"], macros, rid) if "when" in raw else None,
        _window(raw["unless"], macros, rid) if "unless" in raw else None,
        str(raw["predicate"]) if "predicate" in raw else None,
        tuple(str(s) for s in fires),
        tuple(str(s) for s in not_fires),
    )


@cache
def veto_rules() -> tuple[Veto, ...]:
    """Every veto of `vetoes.toml`, in file order (the order they apply in)."""
    data = tomllib.loads(read_data("vetoes.toml"))
    macros = macros_of(data)
    vetoes = tuple(_veto(raw, macros) for raw in data["veto"])
    check_unique([v.id for v in vetoes], "veto")
    return vetoes


def unmark(example: str) -> tuple[str, int, int]:
    """An example sentence without its [brackets], and where the bracketed trigger is."""
    start = example.index("[")
    end = example.index("]", start) - 1
    return example.replace("[", "", 1).replace("]", "", 1), start, end
