"""The indexed trigger scan finds exactly what running every rule over the whole text finds."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventbrief.backends.offline.rules import literal_prefixes, trigger_rules
from eventbrief.backends.offline.trigger_scan import fold, scan_triggers


def every_rule_over_the_whole_text(text: str) -> list[tuple[int, int, int]]:
    """The scan as it was: each rule's `finditer`, sorted by start, longest first, stably."""
    found = [
        (m.start(), m.end(), n)
        for n, rule in enumerate(trigger_rules())
        for m in rule.pattern.finditer(text)
    ]
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    return found


EXAMPLES = [s for rule in trigger_rules() for s in (*rule.fires, *rule.not_fires)]
WORDS = sorted({w for s in EXAMPLES for w in re.findall(r"\S+", s)})


def test_the_rules_own_examples_give_the_same_matches_alone_and_run_together() -> None:
    for sentence in EXAMPLES:
        assert scan_triggers(sentence) == every_rule_over_the_whole_text(sentence), sentence
    together = " ".join(EXAMPLES)
    assert len(scan_triggers(together)) > len(trigger_rules())
    assert scan_triggers(together) == every_rule_over_the_whole_text(together)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(WORDS),
            st.sampled_from(WORDS).map(str.upper),
            st.sampled_from(
                [
                    "\u0130",
                    "\u0131",
                    "\u017f",
                    "\u212a",
                    "€5",
                    "$",
                    "-",
                    "\n",
                    "’s",
                    "Visıt",
                    "ſigned",
                ]
            ),
        ),
        max_size=40,
    ),
    st.sampled_from([" ", "", "  ", ", "]),
)
def test_any_mix_of_rule_words_gives_the_same_matches(words: list[str], glue: str) -> None:
    text = glue.join(words)
    assert scan_triggers(text) == every_rule_over_the_whole_text(text)


def test_case_insensitive_twins_of_ascii_letters_fold_to_them_one_for_one() -> None:
    """Every non-ASCII character a case-insensitive pattern equates with an ASCII one (the
    Kelvin sign, the long s, the Turkish i's) folds to that character, and nothing changes the
    text's length, so the index's positions are the text's."""
    everything = "".join(
        chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF
    )
    assert len(fold(everything)) == len(everything)
    twins = re.findall(r"(?i)[\x00-\x7f]", everything)
    assert sorted(twins) == ["\u0130", "\u0131", "\u017f", "\u212a"]
    for char in twins:
        assert fold(char).isascii() and re.fullmatch(fold(char), char, re.IGNORECASE)


def test_literal_prefixes_stop_where_the_pattern_stops_being_literal() -> None:
    assert literal_prefixes(r"visit(?:ed|ing|s)?\b", 3) == {"vis"}
    assert literal_prefixes(r"(?:flew|fly)\s+to", 3) == {"fle", "fly"}
    assert literal_prefixes(r"to\s+x", 3) == {"to"}
    assert literal_prefixes(r"(?<!news\s)conference", 4) == {"conf"}
    assert literal_prefixes(r"[$€]\s?\d|donat", 3) == {"$", "€", "don"}
    assert literal_prefixes(r"a(?:bc)?d", 3) == {"a"}
    assert literal_prefixes(r"\w+ed", 3) is None
    assert literal_prefixes(r"(?:a|)b", 3) is None


def test_a_fold_that_changed_the_length_would_only_make_the_scan_slower(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should a future Unicode lower a character into two, positions in the folded text would
    no longer be the text's: every rule then runs over the whole text, as before the index."""
    from eventbrief.backends.offline import trigger_scan

    monkeypatch.setattr(trigger_scan, "fold", lambda text: "\u0307" + text.lower())
    together = " ".join(EXAMPLES)
    assert trigger_scan.scan_triggers(together) == every_rule_over_the_whole_text(together)


ONE_RULE = """
[[rule]]
id = "visit.only"
type = "visit"
kind = "verb"
pattern = '''zorbled'''
fires = ["She zorbled Oslo."]
not_fires = ["She stayed home."]
"""


def test_the_index_follows_the_rules_when_they_are_loaded_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from eventbrief.backends.offline import rules

    text = "They zorbled Oslo and visited Bergen."
    before = scan_triggers(text)
    assert before and all(start != 5 for start, _end, _n in before)
    monkeypatch.setattr(rules, "read_data", lambda name: ONE_RULE)
    rules.trigger_rules.cache_clear()
    try:
        assert scan_triggers(text) == [(5, 12, 0)]
    finally:
        monkeypatch.undo()
        rules.trigger_rules.cache_clear()
    assert scan_triggers(text) == every_rule_over_the_whole_text(text)


def test_only_the_rules_that_can_start_anywhere_are_tried_at_every_word() -> None:
    """A rule the scan cannot index by its first letters is tried at every word boundary of
    every article (a pattern opening with a lookaround did that and cost half the speed)."""
    from eventbrief.backends.offline.rules import trigger_rules

    unindexed = sorted(r.id for r in trigger_rules() if not r.starts or "" in r.starts)
    assert unindexed == [
        "military_deployment.troops-based-in",
        "other.disaster-toll",
        "report_release.named-report",
    ]
