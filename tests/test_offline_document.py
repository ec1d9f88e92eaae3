"""The offline backend's document model: sentences, tokens with offsets, lemmas, and the word
windows the rules read around a trigger."""

from __future__ import annotations

import datetime as dt

import pytest

from eventbrief.backends.offline import extract_article
from eventbrief.backends.offline.document import Document
from eventbrief.backends.offline.lemmas import lemma
from eventbrief.sentences import split_sentences

TEXT = (
    "Leaders meet in Oslo\n"
    "OSLO, Sept. 17 (Reuters) — Mr. Diaz met Gen. Ortiz and U.S. envoys on Monday. "
    "Russia's navy sent 11,000 troops, officials said.\n"
    "The deal was signed in the U.S. The talks resume in May."
)


def test_tokens_are_exact_slices_in_order_with_their_sentence() -> None:
    doc = Document.build(TEXT)
    for t in doc.tokens:
        assert TEXT[t.start : t.end].lower() == t.lower
        sentence = doc.sentences[t.sentence]
        assert sentence.start <= t.start < t.end <= sentence.end
    assert [t.start for t in doc.tokens] == sorted(t.start for t in doc.tokens)
    second = [TEXT[t.start : t.end] for t in doc.tokens if t.sentence == 2]
    assert " ".join(second) == "Russia 's navy sent 11,000 troops , officials said ."


def test_abbreviations_initials_and_datelines_do_not_end_a_sentence() -> None:
    doc = Document.build(TEXT)
    assert [s.text for s in doc.sentences] == [
        "Leaders meet in Oslo",
        "OSLO, Sept. 17 (Reuters) — Mr. Diaz met Gen. Ortiz and U.S. envoys on Monday.",
        "Russia's navy sent 11,000 troops, officials said.",
        "The deal was signed in the U.S.",
        "The talks resume in May.",
    ]
    assert [s.kind for s in doc.sentences] == ["title", "body", "body", "body", "body"]
    assert [t.lower for t in doc.tokens if t.lower.endswith(".") and len(t.lower) > 1] == [
        "u.s.",
        "u.s.",
    ]


def test_the_offline_backend_and_the_citations_share_one_boundary_rule() -> None:
    line = "John F. Kennedy spoke. Dr. Ri left at 5 p.m. on Monday. No. 10 said no. Then it ended."
    offline = [s.text for s in Document.build("Title\n" + line).sentences[1:]]
    assert offline == [s.text for s in split_sentences(line)]
    assert offline == [
        "John F. Kennedy spoke.",
        "Dr. Ri left at 5 p.m. on Monday.",
        "No. 10 said no.",
        "Then it ended.",
    ]


def test_windows_count_words_and_stop_at_the_sentence() -> None:
    doc = Document.build(TEXT)
    sent = TEXT.index("sent")
    assert TEXT[doc.before(sent, 1) : sent] == "navy "
    assert TEXT[doc.before(sent, 2) : sent] == "Russia's navy "  # the possessive is no word
    assert TEXT[doc.before(sent, 10) : sent] == "Russia's navy "  # not into the sentence before
    assert TEXT[doc.before(sent, 10, floor=TEXT.index("navy")) : sent] == "navy "
    end = sent + len("sent")
    assert TEXT[end : doc.after(end, 3)] == " 11,000 troops, officials"  # the comma is no word
    assert TEXT[end : doc.after(end, 50)] == " 11,000 troops, officials said."
    assert TEXT[end : doc.after(end, 50, ceiling=TEXT.index(", officials"))] == " 11,000 troops"
    assert doc.words_between(end, TEXT.index("officials")) == 2
    signed = TEXT.index("signed") + len("signed")
    assert TEXT[signed : doc.after(signed, 10)] == " in the U.S."


def test_a_window_at_the_edge_of_the_text_is_empty_not_an_error() -> None:
    doc = Document.build("Talks.")
    assert doc.before(0, 5) == 0
    assert doc.after(6, 5) == 6
    assert Document.build("").tokens == []
    assert Document.build("").before(0, 3) == 0


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("signed", "sign"),
        ("arriving", "arrive"),
        ("visited", "visit"),
        ("planned", "plan"),
        ("negotiating", "negotiate"),
        ("announced", "announce"),
        ("fought", "fight"),
        ("said", "say"),
        ("was", "be"),
        ("countries", "country"),
        ("talks", "talk"),
        ("crashes", "crash"),
        ("people", "person"),
        ("news", "news"),
        ("11,000", "11,000"),
    ],
)
def test_lemmas_of_regular_and_irregular_forms(word: str, expected: str) -> None:
    assert lemma(word) == expected


def test_a_name_inside_a_sentence_keeps_its_form_but_a_sentence_opener_is_lemmatized() -> None:
    doc = Document.build("Headline\nTalks ended. Officials met Fields Holdings.")
    assert [(t.lower, t.lemma) for t in doc.tokens if t.sentence > 0 and t.lower.isalpha()] == [
        ("talks", "talk"),
        ("ended", "end"),
        ("officials", "official"),
        ("met", "meet"),
        ("fields", "fields"),
        ("holdings", "holdings"),
    ]


def test_sentence_starts_and_words_back_across_sentences() -> None:
    doc = Document.build(TEXT)
    said = TEXT.index("said")
    assert doc.sentence_start(said) == TEXT.index("Russia")
    assert doc.sentence_start(said, back=1) == TEXT.index("OSLO")
    assert doc.sentence_start(said, back=9) == 0
    assert TEXT[doc.words_back(TEXT.index("Russia"), 2) :].startswith("on Monday.")


def test_they_after_a_sentence_with_titles_means_the_people_it_names() -> None:
    """A pronoun's antecedents are the people of the previous sentence; "Mr." and "Ms." inside
    it do not end it (a search for ". " did, and found only the last person)."""
    text = (
        "Trade talks in Lima\nPeru's trade minister Mr. Luis Diaz met Ms. Ana Ortiz, Chile's "
        "foreign minister, in Lima on Monday. They signed a trade agreement on Tuesday."
    )
    events = extract_article(text, dt.date(2025, 3, 5)).events
    assert [(e.type, e.participants) for e in events] == [
        ("meeting", ["Luis Diaz", "Ana Ortiz"]),
        ("agreement", ["Luis Diaz", "Ana Ortiz"]),
    ]


def test_the_rules_version_covers_the_shared_sentence_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from eventbrief.backends.offline import backend

    digest = backend._rules_digest()
    others = tuple(n for n in backend._SHARED_RULE_INPUTS if n != "sentences.py")
    assert len(others) == len(backend._SHARED_RULE_INPUTS) - 1
    monkeypatch.setattr(backend, "_SHARED_RULE_INPUTS", others)
    assert backend._rules_digest() != digest
