"""Whether a predicted name and a gold name denote the same thing.

Two names are the same when their folded forms (`models.name_key`: case, hyphens, dots and
spacing ignored, so `Kim Jong-un` = `Kim Jong Un`) are equal, when one is an alias of the other
in the *gold* record's entities, or when they are near spellings of each other (`Sergei Shoigu`
vs `Sergey Shoygu`). Only gold aliases widen a match: a prediction cannot make its names match
more gold names by listing extra aliases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

from eventbrief.models import Entity, name_key
from eventbrief.scoring.matching import assign

WHOLE_NAME_RATIO = 90.0
TOKEN_RATIO = 80.0
MIN_FUZZY_LENGTH = 5


def near_spelling(a: str, b: str) -> bool:
    """True for folded names that differ only by spelling, not by a different word.

    Either the whole strings are >= 90% alike (rapidfuzz ratio), or they have the same number of
    words and each word pair is >= 80% alike, with words of one or two letters equal. The word
    rule accepts transliterations (`sergei shoigu`/`sergey shoygu`) and rejects different people
    or places (`kim jong un`/`kim jong il`, `north korea`/`south korea`).
    """
    if a == b:
        return True
    if min(len(a), len(b)) < MIN_FUZZY_LENGTH:
        return False
    if fuzz.ratio(a, b) >= WHOLE_NAME_RATIO:
        return True
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or len(wa) < 2:
        return False
    for x, y in zip(wa, wb, strict=True):
        if min(len(x), len(y)) <= 2:
            if x != y:
                return False
        elif fuzz.ratio(x, y) < TOKEN_RATIO:
            return False
    return True


class NameMatcher:
    """Compares predicted names with gold names of one article, using the gold entities."""

    def __init__(self, gold_entities: Sequence[Entity]) -> None:
        self._groups: list[frozenset[str]] = [
            frozenset(name_key(n) for n in e.names()) for e in gold_entities
        ]

    def gold_forms(self, gold_name: str) -> frozenset[str]:
        """The folded name plus every name of each gold entity that carries it."""
        key = name_key(gold_name)
        forms = {key}
        for group in self._groups:
            if key in group:
                forms |= group
        return frozenset(forms)

    def same(self, pred_name: str, gold_name: str) -> bool:
        key = name_key(pred_name)
        forms = self.gold_forms(gold_name)
        return key in forms or any(near_spelling(key, form) for form in forms)

    def matched(self, preds: Sequence[str], golds: Sequence[str]) -> int:
        """How many names pair up one to one (duplicates on either side count once)."""
        p, g = _unique(preds), _unique(golds)
        pairs = assign(p, g, lambda a, b: 1.0 if self.same(a, b) else 0.0, threshold=1.0)
        return len(pairs)

    def set_counts(self, preds: Sequence[str], golds: Sequence[str]) -> tuple[int, int, int]:
        """(matched, predicted, gold) for two name lists, duplicates folded."""
        return self.matched(preds, golds), len(_unique(preds)), len(_unique(golds))


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name_key(name), name)
    return list(seen.values())


def entity_similarity(pred: Entity, gold: Entity) -> float:
    """1.0 same canonical name, 0.95 near spelling of it, 0.9 one's name is among the other's
    aliases, else 0. The grades make the assignment prefer canonical matches when an alias
    (`Pyongyang` for the state) also names another entity (the city)."""
    pk, gk = name_key(pred.name), name_key(gold.name)
    if pk == gk:
        return 1.0
    if near_spelling(pk, gk):
        return 0.95
    pred_forms = {name_key(n) for n in pred.names()}
    gold_forms = {name_key(n) for n in gold.names()}
    if pk in gold_forms or gk in pred_forms:
        return 0.9
    return 0.0
