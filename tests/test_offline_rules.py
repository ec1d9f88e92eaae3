"""Every offline trigger rule fires on its own `fires` examples and on none of its `not_fires`."""

from __future__ import annotations

import pytest

from eventbrief.backends.offline.rules import TriggerRule, trigger_rules

RULES = trigger_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_fires_on_its_examples(rule: TriggerRule) -> None:
    missed = [s for s in rule.fires if not rule.pattern.search(s)]
    assert missed == []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_stays_quiet_on_its_counter_examples(rule: TriggerRule) -> None:
    wrong = [s for s in rule.not_fires if rule.pattern.search(s)]
    assert wrong == []


def test_rule_ids_are_unique_and_name_their_type() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(r.id.split(".", 1)[0] == r.type for r in RULES)


def test_rules_version_changes_with_the_data_files(monkeypatch: pytest.MonkeyPatch) -> None:
    from eventbrief.backends.offline import rules

    before = rules.data_digest()
    monkeypatch.setattr(rules, "_read", lambda name: "changed " + name)
    assert rules.data_digest() != before


def test_explain_names_the_rule_behind_each_event() -> None:
    import datetime as dt

    from eventbrief.backends.offline.explain import explain

    text = (
        "The foreign minister of Norway visited Hanoi on Monday. "
        "Rebels captured the town of Tarn on Tuesday, the army said."
    )
    found = explain(text, dt.date(2025, 3, 5))
    assert [(e.type, e.rules) for e in found] == [
        ("visit", ["visit.visit-verb"]),
        ("armed_conflict", ["armed_conflict.captured-town"]),
    ]
