"""Every trigger rule's matches in an article, from one pass over its word boundaries.

Running each of the ~120 rule patterns over the whole text cost about 7 ms per seed article.
Each rule is indexed instead by the literal letters its matches must start with
(`TriggerRule.starts`), and at each word boundary only the rules whose letters are there are
tried. The result is exactly that of `finditer` per rule: the same matches (a rule's next match
starts at or after its previous one's end), in the same order, ties broken by rule order.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from eventbrief.backends.offline.rules import START_LETTERS, TriggerRule, trigger_rules

_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
"""With `str.lower`, maps each character a case-insensitive pattern takes for an ASCII one to
that ASCII character, one for one (U+0130 would lower to two characters);
tests/test_offline_trigger_scan.py checks that no such character is missing."""


class _Index(NamedTuple):
    rules: tuple[TriggerRule, ...]
    """The rules indexed (`trigger_rules()` as it was when the index was built)."""
    by_length: tuple[dict[str, tuple[int, ...]], ...]
    """For each prefix length 1..START_LETTERS: the rules indexed under each lowercase prefix."""
    unindexed: tuple[int, ...]
    """Rules whose matches can start with anything (or a non-ASCII character): full scans."""
    places: re.Pattern[str]
    """The word boundaries where an indexed prefix can begin: one of their first letters."""
    windows: dict[str, tuple[int, ...]]
    """The rules of each three-letter window met so far (a text's words mostly begin alike)."""


_WINDOWS = 8192
"""At most this many windows are remembered; past it the memo starts again."""
_built: list[_Index] = []


def _index() -> _Index:
    """The index of the current trigger rules, built once for them."""
    rules = trigger_rules()
    if not _built or _built[0].rules is not rules:
        _built[:] = [_build(rules)]
    return _built[0]


def _build(rules: tuple[TriggerRule, ...]) -> _Index:
    by_length: list[dict[str, list[int]]] = [{} for _ in range(START_LETTERS)]
    unindexed: list[int] = []
    for number, rule in enumerate(rules):
        ascii_prefixes = {_ascii_head(p).lower() for p in rule.starts or ()}
        if not rule.starts or "" in ascii_prefixes:
            unindexed.append(number)
            continue
        for prefix in ascii_prefixes:
            by_length[len(prefix) - 1].setdefault(prefix, []).append(number)
    firsts = "".join(sorted({key[0] for table in by_length for key in table}))
    places = rf"\b(?=[{re.escape(firsts)}])" if firsts else r"(?!)"
    return _Index(
        rules,
        tuple({k: tuple(v) for k, v in table.items()} for table in by_length),
        tuple(unindexed),
        re.compile(places, re.IGNORECASE),
        {},
    )


def _candidates(index: _Index, window: str) -> tuple[int, ...]:
    """The rules indexed under a prefix of `window` (the folded text's next letters), in rule
    order."""
    found = index.windows.get(window)
    if found is None:
        numbers: set[int] = set()
        for n, table in enumerate(index.by_length, start=1):
            numbers.update(table.get(window[:n], ()))
        found = tuple(sorted(numbers))
        if len(index.windows) >= _WINDOWS:
            index.windows.clear()
        index.windows[window] = found
    return found


def _ascii_head(prefix: str) -> str:
    for i, char in enumerate(prefix):
        if not char.isascii():
            return prefix[:i]
    return prefix


def fold(text: str) -> str:
    """`text` lowercased so that a case-insensitive ASCII literal matches where it is equal."""
    return text.translate(_FOLD).lower()


def scan_triggers(text: str) -> list[tuple[int, int, int]]:
    """(start, end, rule number) of every rule match, by start, longest first, then rule order:
    numbers into `trigger_rules()`."""
    index = _index()
    rules = index.rules
    folded = fold(text)
    found: list[tuple[int, int, int]] = []
    unindexed = index.unindexed if len(folded) == len(text) else range(len(rules))
    for number in unindexed:
        found.extend((m.start(), m.end(), number) for m in rules[number].pattern.finditer(text))
    if unindexed is index.unindexed:
        found.extend(_indexed_matches(text, folded, index))
    found.sort(key=lambda f: (f[0], f[0] - f[1], f[2]))
    return found


def _indexed_matches(text: str, folded: str, index: _Index) -> list[tuple[int, int, int]]:
    rules = index.rules
    free = [0] * len(rules)  # where each rule's next match may start, as finditer goes on
    found: list[tuple[int, int, int]] = []
    for place in index.places.finditer(text):
        start = place.start()
        for number in _candidates(index, folded[start : start + START_LETTERS]):
            if start < free[number]:
                continue
            m = rules[number].pattern.match(text, start)
            if m:
                found.append((start, m.end(), number))
                free[number] = m.end()
    return found
