"""What a quantity counts, folded so that "troops" and "soldiers" compare as one unit."""

from __future__ import annotations

import re

_SYNONYMS: dict[str, str] = {
    "soldier": "troop",
    "serviceman": "troop",
    "servicemen": "troop",
    "personnel": "troop",
    "fighter": "troop",
    "force": "troop",
    "men": "troop",
    "dollar": "usd",
    "us dollar": "usd",
    "$": "usd",
}


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def unit_key(unit: str) -> str:
    """Fold case, plural and a few synonyms; adjectives before the noun are dropped."""
    words = re.findall(r"[\w$]+", unit.casefold())
    if not words:
        return ""
    phrase = " ".join(words)
    if phrase in _SYNONYMS:
        return _SYNONYMS[phrase]
    head = _singular(words[-1])
    return _SYNONYMS.get(head, head)
