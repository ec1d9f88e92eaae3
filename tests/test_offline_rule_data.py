"""The offline rule data files: every trigger, quantity, status, attribution and veto rule on its
own examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventbrief.backends.offline.attribution import (
    AttributionRule,
    attribution_rules,
    find_credits,
    register_sources,
)
from eventbrief.backends.offline.document import Document
from eventbrief.backends.offline.mentions import sentence_vetoes
from eventbrief.backends.offline.names import find_entities
from eventbrief.backends.offline.quantities import UnitClass, find_quantities, quantity_rules
from eventbrief.backends.offline.rules import TriggerRule, trigger_rules
from eventbrief.backends.offline.sentences import split_sentences
from eventbrief.backends.offline.status import StatusCue, status_of, status_rules
from eventbrief.backends.offline.vetoes import Veto, unmark, veto_rules

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
    monkeypatch.setattr(rules, "read_data", lambda name: "changed " + name)
    assert rules.data_digest() != before


def test_the_identity_covers_the_data_files_and_what_the_rules_read_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pathlib import Path

    import eventbrief
    from eventbrief.backends.offline import backend

    package = Path(eventbrief.__file__).parent
    assert all((package / name).is_file() for name in backend._SHARED_RULE_INPUTS)
    assert backend.OfflineBackend().identity()["rules_version"] == backend.RULES_VERSION
    digest = backend._rules_digest()
    assert backend.RULES_VERSION.endswith(f"+{digest}")
    for name in ("calendar_names.py", "countries.py", "data/countries.json"):
        others = tuple(n for n in backend._SHARED_RULE_INPUTS if n != name)
        monkeypatch.setattr(backend, "_SHARED_RULE_INPUTS", others)
        assert backend._rules_digest() != digest, name
        monkeypatch.undo()
    monkeypatch.setattr(backend, "data_digest", lambda: "changed")
    assert backend._rules_digest() != digest


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


QUANTITY_RULES = quantity_rules()


@pytest.mark.parametrize("unit", QUANTITY_RULES.units, ids=[u.id for u in QUANTITY_RULES.units])
def test_quantity_class_counts_its_examples(unit: UnitClass) -> None:
    for sentence, value in unit.fires:
        assert value in [q.quantity.value for q in find_quantities(sentence)], sentence
    for sentence in unit.not_fires:
        assert find_quantities(sentence) == [], sentence


def test_approximation_cues_follow_their_examples() -> None:
    got = [
        (q.quantity.value, q.quantity.approximate)
        for sentence, _v, _a in QUANTITY_RULES.approx_examples
        for q in find_quantities(sentence)
    ]
    assert got == [(v, a) for _s, v, a in QUANTITY_RULES.approx_examples]


def test_unnamed_sources_are_not_counted() -> None:
    fires, not_fires = QUANTITY_RULES.source_examples
    assert [find_quantities(s) for s in fires] == [[] for _ in fires]
    assert all(find_quantities(s) for s in not_fires)


STATUS_RULES = status_rules()
STATUS_CUES = [*STATUS_RULES.cues, STATUS_RULES.postponed, STATUS_RULES.content_modal]


@pytest.mark.parametrize("cue", STATUS_CUES, ids=[c.id for c in STATUS_CUES])
def test_status_cue_fires_on_its_examples_only(cue: StatusCue) -> None:
    assert [s for s in cue.fires if not cue.pattern.search(s)] == []
    assert [s for s in cue.not_fires if cue.pattern.search(s)] == []


@pytest.mark.parametrize("cue", STATUS_RULES.cues, ids=[c.id for c in STATUS_RULES.cues])
def test_status_cue_sets_its_status(cue: StatusCue) -> None:
    assert [status_of(s) for s in cue.fires] == [cue.status] * len(cue.fires)


def test_status_cues_on_the_issue_story() -> None:
    assert status_of("a rumoured sale of six aircraft, two diplomats said") == "speculated"
    assert status_of("the ministry denied the report") == "alleged"
    assert status_of("the company plans to build a plant") == "planned"
    assert status_of("the summit could be postponed until May") == "planned"
    assert status_of("the two leaders signed four agreements") == "occurred"


ATTRIBUTION = attribution_rules()
ATTRIBUTION_RULES = [*ATTRIBUTION.credits, ATTRIBUTION.trailing_said, *ATTRIBUTION.outlets]


@pytest.mark.parametrize("rule", ATTRIBUTION_RULES, ids=[r.id for r in ATTRIBUTION_RULES])
def test_attribution_rule_captures_the_source_of_its_examples(rule: AttributionRule) -> None:
    got = [m.group(rule.group) if (m := rule.pattern.search(s)) else None for s, _ in rule.fires]
    assert got == [source for _s, source in rule.fires]


@pytest.mark.parametrize("rule", ATTRIBUTION_RULES, ids=[r.id for r in ATTRIBUTION_RULES])
def test_attribution_rule_stays_quiet_on_its_counter_examples(rule: AttributionRule) -> None:
    assert [s for s in rule.not_fires if rule.pattern.search(s)] == []


def test_attribution_rule_ids_are_unique_and_name_their_kind() -> None:
    ids = [r.id for r in ATTRIBUTION_RULES]
    assert len(ids) == len(set(ids))
    kinds = {r.id: r.id.split(".", 1)[0] for r in ATTRIBUTION_RULES}
    outlets = {r.id for r in ATTRIBUTION.outlets}
    assert kinds == {i: "outlet" if i in outlets else "credit" for i in ids}


def test_outlet_rules_find_their_examples_as_one_pattern() -> None:
    for rule in ATTRIBUTION.outlets:
        for sentence, name in rule.fires:
            m = ATTRIBUTION.named_source.search(sentence)
            assert m is not None and m.group(rule.group) == name, rule.id


def _credited(text: str) -> tuple[list[tuple[str, ...]], list[tuple[str, str, str | None]]]:
    table = find_entities(text, split_sentences(text))
    register_sources(text, table)
    credits = [c.names for c in find_credits(text, 0, len(text), table)]
    return credits, [(r.name, r.type, r.description) for r in table.records.values()]


def test_attribution_lexicons_shape_the_credits() -> None:
    assert _credited("The bridge was closed, the two officials said.")[0] == [("officials",)]
    assert _credited("The bridge was closed, he said.")[0] == []
    agency = "The Valdor Harbour Authority shut a bridge. It reopens in May, the agency said."
    assert _credited(agency)[0] == [("Valdor Harbour Authority",)]
    outlet = "The state news agency Norvia Press carried the statement."
    assert _credited(outlet) == ([], [("Norvia Press", "organization", "The state news agency")])


def test_attribution_data_is_checked_when_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    from eventbrief.backends.offline import attribution

    good = attribution.read_data("attribution.toml")
    broken = {
        "needs fires and not_fires": good.replace(
            'not_fires = ["The plan was backed by the unions."]', ""
        ),
        "unknown flag": good.replace('flags = ["MULTILINE"]', 'flags = ["VERBOSE"]'),
        "unknown macro": good.replace("{SOURCE}{END}", "{SOURCES}{END}", 1),
        "duplicate attribution rule ids": good.replace(
            '"credit.reported-by"', '"credit.according-to"'
        ),
    }
    for message, text in broken.items():
        assert text != good, message
        monkeypatch.setattr(attribution, "read_data", lambda _name, text=text: text)
        with pytest.raises(ValueError, match=message):
            attribution.attribution_rules.__wrapped__()


def _explain_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *flags: str
) -> list[list[str]]:
    """The tab-separated lines `explain` prints for `text` as an article of 2025-03-05."""
    from eventbrief.backends.offline.explain import main

    article = tmp_path / "a.txt"
    article.write_text(text, encoding="utf-8")
    assert main([str(article), "2025-03-05", *flags]) == 0
    return [line.split("\t") for line in capsys.readouterr().out.splitlines()]


def test_explain_prints_the_attribution_rules_behind_each_event(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "Rebels captured the town of Tarn on Tuesday, the army said. "
        "The minister of Norway visited Hanoi on Monday, according to the Valdor Herald. "
        "Mira Talvik said the talks would resume in May."
    )
    rows = _explain_rows(tmp_path, capsys, text)
    assert [(r[0], r[3], r[5]) for r in rows] == [
        ("e1", "armed_conflict.captured-town", "credit.trailing-said"),
        ("e2", "visit.visit-verb", "credit.according-to"),
        ("e3", "meeting.talks-noun", ""),  # credited to its speaker by a speech verb: no rule
    ]


VETOES = veto_rules()


def _veto_of(example: str) -> str:
    """The id of the veto that drops the [bracketed] trigger of an example, or "kept"."""
    text, start, end = unmark(example)
    doc = Document.build(text)
    sentence = next(s for s in doc.sentences if s.start <= start < s.end)
    kept, dropped = sentence_vetoes(doc, sentence)
    found = [t for t in [*kept, *dropped] if (t.start, t.end) == (start, end)]
    if not found:
        seen = [text[t.start : t.end] for t in [*kept, *dropped]]
        return f"no trigger is the bracketed words (triggers: {seen})"
    return dropped.get(found[0], "kept")


@pytest.mark.parametrize("veto", VETOES, ids=[v.id for v in VETOES])
def test_veto_drops_the_trigger_of_its_examples(veto: Veto) -> None:
    assert [_veto_of(s) for s in veto.fires] == [veto.id] * len(veto.fires)


@pytest.mark.parametrize("veto", VETOES, ids=[v.id for v in VETOES])
def test_every_veto_keeps_the_trigger_of_its_counter_examples(veto: Veto) -> None:
    assert [_veto_of(s) for s in veto.not_fires] == ["kept"] * len(veto.not_fires)


def test_a_wrongly_firing_veto_fails_its_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    from eventbrief.backends.offline import mentions, vetoes

    good = vetoes.read_data("vetoes.toml")
    loose = good.replace(r"\b(?:great|good|big)\s+$", r"\b(?:great|good|big|a)\s+$")
    assert loose != good
    monkeypatch.setattr(vetoes, "read_data", lambda _name: loose)
    rules = vetoes.veto_rules.__wrapped__()
    monkeypatch.setattr(mentions, "veto_rules", lambda: rules)
    monkeypatch.setattr(mentions, "_vetoes", mentions._vetoes.__wrapped__)
    great_deal = next(v for v in rules if v.id == "veto.great-deal")
    assert [_veto_of(s) for s in great_deal.not_fires] == ["veto.great-deal"]


def test_veto_data_is_checked_when_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    from eventbrief.backends.offline import vetoes

    good = vetoes.read_data("vetoes.toml")
    broken = {
        "needs fires and not_fires": good.replace(
            'not_fires = ["The two firms signed a [deal] on Monday."]', "", 1
        ),
        "marks its trigger": good.replace("[deal] with the flooding", "deal with the flooding"),
        "unknown macro": good.replace("{MILITARY}", "{MILITARY_WORDS}"),
        "bad pattern": good.replace(r"^\s+with\b", r"^\s+(with\b"),
        "unknown types": good.replace('types = ["sanctions"]', 'types = ["sanction"]'),
        "unknown keys": good.replace('kinds = ["noun"]', 'kind = ["noun"]', 1),
        "a window needs look": good.replace('when.look = "before"', 'when.look = "left"', 1),
        "words counts words": good.replace("when.words = 13", "when.words = 0"),
        "needs a when, an unless or a predicate": good.replace('predicate = "in_quotation"\n', ""),
        "duplicate veto ids": good.replace('"veto.great-deal"', '"veto.deal-with"'),
        "an id starts with": good.replace('"veto.great-deal"', '"great-deal"'),
    }
    for message, text in broken.items():
        assert text != good, message
        monkeypatch.setattr(vetoes, "read_data", lambda _name, text=text: text)
        with pytest.raises(ValueError, match=message):
            vetoes.veto_rules.__wrapped__()


def test_a_veto_predicate_must_be_known(monkeypatch: pytest.MonkeyPatch) -> None:
    from eventbrief.backends.offline import mentions

    rules = tuple(v._replace(predicate="in_quotes") if v.predicate else v for v in VETOES)
    monkeypatch.setattr(mentions, "veto_rules", lambda: rules)
    with pytest.raises(ValueError, match="unknown predicates: in_quotes"):
        mentions._vetoes.__wrapped__()


def test_explain_lists_the_triggers_each_veto_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "Budget row in Norvia\n\n"
        "The senator launched a verbal attack on the budget on Tuesday, the newspaper reported. "
        "Rebels attacked the town of Tarn on Tuesday, the army said.\n"
    )
    rows = _explain_rows(tmp_path, capsys, text, "--vetoed")
    assert [r[0] for r in rows] == ["e1", "vetoed", "vetoed", "vetoed"]
    assert [r[1:] for r in rows[1:]] == [
        ["veto.general-verb-beside-typed", "other.generic-past", "'launched'", "34"],
        ["veto.combat-needs-military-context", "armed_conflict.attacked", "'attack'", "52"],
        ["veto.statement-credits", "statement.said", "'said'", "163"],
    ]


def test_no_function_in_the_offline_package_is_over_80_lines() -> None:
    import ast
    from pathlib import Path

    import eventbrief.backends.offline as package

    long = [
        f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in Path(package.__file__).parent.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > 80
    ]
    assert long == []


def test_first_character_guard_is_a_superset_of_every_start() -> None:
    from eventbrief.backends.offline.rules import _first_chars

    assert _first_chars(r"(?:condemn|denounc)(?:ed|s)?\b") == {"c", "d"}
    assert _first_chars(r"(?<!news\s)conference\b") == {"c"}
    assert _first_chars(r"[$€]\s?\d|donat(?:ed|es)") == {"$", "€", "d"}
    assert _first_chars(r"\w+ed\b") is None
    assert _first_chars(r"(?:a|)b") is None


def test_a_happening_names_an_other_rule_and_folds_its_mentions() -> None:
    """`happening` ties an `other` rule to another rule's happening (a party's seats are the
    election's); it must name an existing `other` rule, and the two fold in one sentence."""
    import datetime as dt

    from eventbrief.backends.offline import extract_article
    from eventbrief.backends.offline.rules import trigger_rules

    rules = {r.id: r for r in trigger_rules()}
    for rule in rules.values():
        target = rule.happening
        assert target == rule.id or (target in rules and rules[target].type == rule.type == "other")
    assert rules["other.election-result"].happening == "other.election"
    assert rules["other.protest"].happening == "other.protest"
    text = (
        "Vote\n\nThe Green Party won 14 seats in Saturday's parliamentary election, officials said."
    )
    events = extract_article(text, dt.date(2026, 10, 5)).events
    assert [e.type for e in events] == ["other"]
