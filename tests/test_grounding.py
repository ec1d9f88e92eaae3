"""Grounding: quotes found in the text get exact char offsets; invented quotes are rejected."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventbrief.grounding import (
    _CHAR_MAP,
    Span,
    _normalise,
    _Normalised,
    ground,
    locate,
    quote_checker,
)
from eventbrief.models import ArticleExtraction

TEXT = (
    "PORT ELLIS, March 3 (Harbour Wire) — The city council voted 7-2 on Monday to close\n"
    "the old ferry terminal by “late autumn”, Mayor Ana Ruiz said.\n\n"
    "About 1,200 commuters use the terminal daily.  Ruiz’s office said a new pier\n"
    "would open in 2027, though council member Tom Hale called the plan “rushed”."
)


def _slice(span: Span | None) -> str | None:
    return None if span is None else TEXT[span.start : span.end]


def test_exact_quote_gets_its_offsets() -> None:
    span = locate("About 1,200 commuters use the terminal daily.", TEXT)
    assert span == Span(TEXT.index("About"), TEXT.index("daily.") + len("daily."), "exact")


def test_white_space_and_quote_marks_are_normalised_but_offsets_point_into_the_original() -> None:
    quote = 'close the old ferry terminal by "late autumn", Mayor Ana Ruiz said.'
    span = locate(quote, TEXT)
    assert span is not None and span.match == "exact"
    assert _slice(span) == "close\nthe old ferry terminal by “late autumn”, Mayor Ana Ruiz said."


def test_dashes_and_apostrophes_are_normalised() -> None:
    assert _slice(locate("(Harbour Wire) - The city council", TEXT)) == (
        "(Harbour Wire) — The city council"
    )
    span = locate("Ruiz's office said a new pier would open in 2027", TEXT)
    assert span is not None and span.match == "exact"
    assert _slice(span) == "Ruiz’s office said a new pier\nwould open in 2027"


def test_a_small_slip_is_found_fuzzily_on_whole_words() -> None:
    span = locate("council member Tom Hale called the plan rushed and hasty", TEXT)
    assert span is None
    span = locate("though council member Tom Hail called the plan", TEXT)
    assert span is not None and span.match == "fuzzy"
    assert _slice(span) == "though council member Tom Hale called the plan"


def test_a_changed_word_or_number_is_not_found() -> None:
    assert locate("The city council voted 7-2 on Tuesday to close", TEXT) is None
    assert locate("About 1,300 commuters use the terminal daily.", TEXT) is None
    assert locate("The mayor resigned after the vote on Monday.", TEXT) is None


def test_short_quotes_must_match_exactly() -> None:
    assert locate("Mayor Ana", TEXT) is not None
    assert locate("Mayor Anna", TEXT) is None
    assert locate("", TEXT) is None
    assert locate("   ", TEXT) is None
    assert locate("anything at all", "") is None


def test_quote_checker_raises_naming_the_quote() -> None:
    check = quote_checker(TEXT)
    check("Mayor Ana Ruiz said.")
    with pytest.raises(ValueError, match="The ferry will keep running"):
        check("The ferry will keep running")


def _extraction(event_quotes: list[str], takeaway_quotes: list[str]) -> ArticleExtraction:
    return ArticleExtraction.model_validate(
        {
            "summary": "Port Ellis council voted to close the old ferry terminal.",
            "key_takeaways": [
                {"text": "The council voted to close the terminal.", "evidence": []},
                {
                    "text": "About 1,200 commuters use it.",
                    "evidence": [{"quote": q} for q in takeaway_quotes],
                },
                {"text": "A new pier is due in 2027.", "evidence": []},
            ],
            "events": [
                {
                    "id": "e1",
                    "type": "other",
                    "description": "The city council voted to close the old ferry terminal.",
                    "participants": ["Port Ellis city council"],
                    "location": "Port Ellis",
                    "date": {"text": "on Monday", "value": "2031-03-03", "approximate": False},
                    "status": "occurred",
                    "evidence": [{"quote": q} for q in event_quotes],
                }
            ],
            "entities": [{"name": "Port Ellis city council", "type": "organization"}],
        }
    )


def test_ground_fills_offsets_and_rate() -> None:
    extraction = _extraction(
        ["The city council voted 7-2 on Monday", "The council met in secret."],
        ["About 1,200 commuters use the terminal daily.", "Ruiz's ofice said a new pier"],
    )
    grounded = ground(extraction, TEXT)
    assert grounded.grounding_rate == pytest.approx(3 / 4)
    slipped = grounded.takeaways[1].evidence[1]
    assert slipped.match == "fuzzy" and slipped.quote == "Ruiz's ofice said a new pier"
    assert TEXT[slipped.start : slipped.end] == "Ruiz’s office said a new pier"
    found, missing = grounded.events[0].evidence
    assert (found.start, found.end, found.match) == (
        TEXT.index("The city council"),
        TEXT.index(" to close"),
        "exact",
    )
    assert (missing.start, missing.end, missing.match) == (None, None, None)
    assert missing.quote == "The council met in secret."
    takeaway_evidence = grounded.takeaways[1].evidence[0]
    assert TEXT[takeaway_evidence.start : takeaway_evidence.end] == (
        "About 1,200 commuters use the terminal daily."
    )
    assert grounded.events[0].date is not None and grounded.events[0].date.value == "2031-03-03"
    assert [t.text for t in grounded.takeaways] == [t.text for t in extraction.key_takeaways]


def test_ground_with_no_quotes_is_fully_grounded() -> None:
    extraction = _extraction(["Mayor Ana Ruiz said."], [])
    extraction.events.clear()
    assert ground(extraction, TEXT).grounding_rate == 1.0


def test_the_models_quote_validator_uses_the_checker() -> None:
    payload = _extraction(["Mayor Ana Ruiz said."], []).model_dump()
    payload["events"][0]["evidence"] = [{"quote": "Mayor Ruiz resigned."}]
    with pytest.raises(ValueError, match="Mayor Ruiz resigned"):
        ArticleExtraction.model_validate(payload, context={"quote_checker": quote_checker(TEXT)})


_ALPHABET = st.sampled_from([*"abcde XYZ,.\n\t", "’", "“", "”", "—", "…", "\u00a0"])


@given(text=st.text(_ALPHABET, min_size=1, max_size=200), data=st.data())
def test_every_slice_of_the_text_is_found_with_offsets_to_matching_text(
    text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    span = locate(quote, text)
    if not quote.strip():
        assert span is None
        return
    assert span is not None and span.match == "exact"
    assert 0 <= span.start < span.end <= len(text)
    assert " ".join(_plain(text[span.start : span.end]).split()) == " ".join(_plain(quote).split())


def _plain(text: str) -> str:
    return text.translate({ord("’"): "'", ord("“"): '"', ord("”"): '"', ord("—"): "-"}).replace(
        "…", "..."
    )


def _normalised_one_char_at_a_time(text: str) -> tuple[str, list[int]]:
    """The normalisation spelled out character by character: the reference for the fast one."""
    chars: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not in_space and chars:
                chars.append(" ")
                origin.append(index)
            in_space = True
            continue
        in_space = False
        for out in _CHAR_MAP.get(char, char):
            chars.append(out)
            origin.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin


@given(st.text(alphabet=[*"ab .\t\n\r\x85\xa0\u2003\u3000Σ", *_CHAR_MAP], max_size=30))
def test_fast_normalisation_matches_the_character_by_character_one(text: str) -> None:
    expected = _normalised_one_char_at_a_time(text)
    normalised = _Normalised(text)
    assert (normalised.text, list(normalised.origin)) == expected
    assert _normalise(text) == expected[0]
