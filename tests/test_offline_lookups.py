"""The offline backend's fast lookups give what the plain ways they replace give: the last
names before a position, and the country alternation grouped by first letter."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from eventbrief.backends.offline.names import (
    EntityTable,
    NameMention,
    _by_first_letter,
    _country_regex,
    _literal,
)

ROOT = Path(__file__).resolve().parents[1]
KEYS = ["a", "b", "c", "d"]


def walked_back(table: EntityTable, pos: int, keys: list[str]) -> list[str]:
    """Each of `keys` in the order a walk back through `in_span(0, pos)` first meets it."""
    seen: list[str] = []
    for m in reversed(table.in_span(0, pos)):
        if m.key in keys and m.key not in seen:
            seen.append(m.key)
    return seen


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12), st.sampled_from(KEYS)), max_size=25),
    st.integers(0, 80),
    st.lists(st.sampled_from(KEYS), unique=True),
)
def test_recent_first_meets_the_keys_as_the_walk_back_does(
    spans: list[tuple[int, int, str]], pos: int, keys: list[str]
) -> None:
    table = EntityTable()
    table.mentions.extend(NameMention(s, s + n, key, "actor") for s, n, key in spans)
    assert table.recent_first(pos, keys) == walked_back(table, pos, keys)


def test_recent_first_follows_a_fold_and_new_mentions() -> None:
    from eventbrief.backends.offline.names import EntityRecord

    table = EntityTable()
    for key in KEYS:
        table.records[key] = EntityRecord(key=key, name=key.upper(), type="organization")
    table.mentions.extend([NameMention(0, 2, "a", "actor"), NameMention(5, 7, "b", "actor")])
    assert table.recent_first(10, KEYS) == ["b", "a"]
    table.fold(table.records["b"], into=table.records["a"])
    assert table.recent_first(10, KEYS) == ["a"]
    table.mentions.append(NameMention(8, 9, "c", "actor"))
    assert table.recent_first(10, KEYS) == ["c", "a"]
    assert table.recent_first(8, KEYS) == ["a"]  # "c" ends after 8


def test_the_grouped_country_alternation_matches_as_the_flat_one() -> None:
    pattern, forms = _country_regex()
    alternatives = sorted(forms, key=len, reverse=True)
    flat = re.compile(
        rf"(?<![\w’'])(?:the\s+)?(?:{'|'.join(_literal(f) for f in alternatives)})(?![\w])"
    )
    folders = [ROOT / "evals", ROOT / "evals" / "dev", ROOT / "evals" / "dev2"]  # never held-out
    texts = [p.read_text(encoding="utf-8") for f in folders for p in sorted(f.glob("articles/*"))]
    texts.append(" ".join(alternatives) + " " + " the ".join(reversed(alternatives)))
    for text in texts:
        grouped = [(m.span(), m.group()) for m in pattern.finditer(text)]
        assert grouped == [(m.span(), m.group()) for m in flat.finditer(text)]
    assert len(pattern.findall(texts[-1])) >= len(alternatives)
    assert _by_first_letter(["ab", "ac", "b"]) == "a(?:b|c)|b(?:)"
