"""salvage.py on its own: the lenient JSON reader, lead sentences, and the rebuilding of a valid
extraction from an invalid answer, with the warning each change leaves."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest

from eventbrief.grounding import ground, locate
from eventbrief.models import SUMMARY_MAX_WORDS, Article, ArticleExtraction, ArticleMeta
from eventbrief.salvage import (
    MAX_JSON_CHARS,
    SalvageError,
    lead_sentences,
    lenient_json,
    salvage,
    shorten_summary,
    takeaways_needed,
)

TITLE = "Estonia and Finland open ferry research centre"
TEXT = (
    f"{TITLE}\n\n"
    "TALLINN, March 3 (Baltic Desk) — Estonia and Finland opened a joint ferry research centre "
    "in Tallinn on Monday, the Estonian transport ministry said.\n\n"
    "Transport Minister Kuldar Leis cut the ribbon with his Finnish counterpart, Lulu Ranne. "
    "The U.S. embassy sent an observer to the ceremony.\n\n"
    "The centre will employ about 40 engineers and is expected to publish its first report "
    "in June, according to the ministry.\n\n"
    "Photo: Baltic Desk"
)
LEAD = [
    "TALLINN, March 3 (Baltic Desk) — Estonia and Finland opened a joint ferry research centre "
    "in Tallinn on Monday, the Estonian transport ministry said.",
    "Transport Minister Kuldar Leis cut the ribbon with his Finnish counterpart, Lulu Ranne.",
    "The U.S. embassy sent an observer to the ceremony.",
    "The centre will employ about 40 engineers and is expected to publish its first report "
    "in June, according to the ministry.",
]

ANSWER: dict[str, Any] = {
    "summary": "Estonia and Finland opened a joint ferry research centre in Tallinn.",
    "key_takeaways": [
        {
            "text": "Estonia and Finland opened a joint ferry research centre.",
            "evidence": [{"quote": "Estonia and Finland opened a joint ferry research centre"}],
        },
        {
            "text": "The centre will employ about 40 engineers.",
            "evidence": [{"quote": "The centre will employ about 40 engineers"}],
        },
        {
            "text": "A first report is expected in June.",
            "evidence": [{"quote": "is expected to publish its first report in June"}],
        },
    ],
    "events": [
        {
            "id": "e1",
            "type": "agreement",
            "description": "Estonia and Finland opened a joint ferry research centre.",
            "participants": ["Estonia", "Finland"],
            "location": "Tallinn",
            "date": {"text": "on Monday", "value": "2025-03-03", "approximate": False},
            "status": "occurred",
            "quantities": [],
            "attributed_to": ["Estonian transport ministry"],
            "evidence": [{"quote": "Estonia and Finland opened a joint ferry research centre"}],
        },
        {
            "id": "e2",
            "type": "report_release",
            "description": "The centre is expected to publish its first report.",
            "participants": ["Estonia"],
            "location": None,
            "date": {"text": "in June", "value": "2025-06", "approximate": False},
            "status": "planned",
            "quantities": [
                {
                    "value": 40,
                    "unit": "engineers",
                    "text": "about 40 engineers",
                    "approximate": True,
                }
            ],
            "attributed_to": [],
            "evidence": [{"quote": "is expected to publish its first report in June"}],
        },
    ],
    "entities": [
        {"name": "Estonia", "type": "country", "aliases": [], "description": None},
        {"name": "Finland", "type": "country", "aliases": [], "description": None},
    ],
}


def _article(text: str = TEXT, title: str | None = TITLE) -> Article:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(meta=ArticleMeta(id="ferry", title=title, sha256=digest), text=text)


def _answer(**changes: Any) -> dict[str, Any]:
    answer = copy.deepcopy(ANSWER)
    answer.update(copy.deepcopy(changes))
    return answer


def _all_quotes_hold(extraction: ArticleExtraction, text: str) -> None:
    """Grounding finds every kept quote, and its offsets hold it."""
    grounded = ground(extraction, text)
    assert grounded.grounding_rate == 1.0
    for item in (*grounded.takeaways, *grounded.events):
        for evidence in item.evidence:
            assert evidence.start is not None and evidence.end is not None
            if evidence.match == "exact":
                assert " ".join(text[evidence.start : evidence.end].split()) == " ".join(
                    evidence.quote.split()
                )


# lenient_json


def test_lenient_json_reads_a_raw_newline_inside_a_string() -> None:
    assert lenient_json('{"summary": "two\nlines", "n": 1}') == {"summary": "two\nlines", "n": 1}


def test_lenient_json_finds_the_object_in_a_markdown_fence() -> None:
    text = 'Here it is {as asked}:\n```json\n{"summary": "a\tb"}\n```\nDone.'
    assert lenient_json(text) == {"summary": "a\tb"}
    assert lenient_json(text.encode("utf-8")) == {"summary": "a\tb"}


def test_lenient_json_takes_the_last_complete_object() -> None:
    assert lenient_json('{"summary": "echoed"} then {"summary": "answer"}') == {"summary": "answer"}
    assert lenient_json('{"a": 1,} and then {"b": 2}') == {"b": 2}


def test_lenient_json_never_takes_an_object_nested_in_a_broken_one() -> None:
    truncated = '{"summary": "x", "events": [{"id": "e1", "type": "visit"}, {"id": "e2", "ty'
    assert lenient_json(truncated) is None
    assert lenient_json('{"summary": "cut off') is None


@pytest.mark.parametrize("text", ["", "no json here", "[1, 2]", '"a string"', "{", "}{"])
def test_lenient_json_without_an_object_is_none(text: str) -> None:
    assert lenient_json(text) is None


def test_lenient_json_does_not_search_huge_text() -> None:
    assert lenient_json('{"a": "' + "x" * MAX_JSON_CHARS + '"}') is None


# lead sentences and summaries


def test_lead_sentences_skip_the_headline_and_caption_and_keep_abbreviations() -> None:
    assert lead_sentences(TEXT, TITLE) == LEAD
    assert lead_sentences(TEXT, None) == LEAD  # a short line without a full stop is a headline
    for sentence in lead_sentences(TEXT, TITLE):
        assert sentence in TEXT


def test_lead_sentences_of_text_without_sentence_ends_are_its_lines() -> None:
    assert lead_sentences("one line\ntwo line") == ["one line", "two line"]


def test_shorten_summary_cuts_at_a_sentence_end() -> None:
    sentence = "Ten words make up this sentence in the test right here."
    summary = " ".join([sentence] * 9)  # 99 words
    short = shorten_summary(summary)
    assert short == " ".join([sentence] * 7)
    assert len(short.split()) == 77


def test_shorten_summary_cuts_one_long_sentence_at_the_word_limit() -> None:
    summary = " ".join(f"w{n}" for n in range(100)) + "."
    short = shorten_summary(summary)
    assert short.split() == [f"w{n}" for n in range(SUMMARY_MAX_WORDS - 1)] + ["w79…"]


# salvage


def test_a_whole_answer_comes_back_unchanged_with_a_note() -> None:
    kept = salvage(_article(), _answer())
    assert kept.extraction == ArticleExtraction.model_validate(ANSWER)
    assert kept.warnings == ["kept an answer that failed validation; nothing in it was changed"]


def test_no_takeaways_are_filled_from_the_lead_sentences() -> None:
    kept = salvage(_article(), _answer(key_takeaways=[]))
    takeaways = kept.extraction.key_takeaways
    assert [t.text for t in takeaways] == LEAD[:3]
    assert [[q.quote for q in t.evidence] for t in takeaways] == [[s] for s in LEAD[:3]]
    for takeaway in takeaways:
        span = locate(takeaway.evidence[0].quote, TEXT)
        assert span is not None and span.match == "exact"
        assert TEXT[span.start : span.end] == takeaway.evidence[0].quote
    assert kept.warnings == ["filled 3 key takeaways from the article's lead sentences"]
    assert kept.extraction.events == ArticleExtraction.model_validate(ANSWER).events


def test_lead_lines_that_are_code_or_run_on_are_not_made_takeaways() -> None:
    long = " ".join(["word"] * 61) + "."
    text = (
        'The port said traffic grew by a tenth in May. {"summary": "Obey this JSON now."}\n'
        f"<p>Markup from a page that was not cleaned.</p>\n{long}\n"
        "Officials credited new routes for the growth.\nThe record is the third this year.\n"
    )
    kept = salvage(_article(text, None), {"summary": "Traffic grew."})
    assert [t.text for t in kept.extraction.key_takeaways] == [
        "The port said traffic grew by a tenth in May.",
        "Officials credited new routes for the growth.",
        "The record is the third this year.",
    ]


def test_fewer_than_three_takeaways_are_made_up_to_three() -> None:
    kept = salvage(_article(), _answer(key_takeaways=ANSWER["key_takeaways"][:1]))
    texts = [t.text for t in kept.extraction.key_takeaways]
    assert texts == [ANSWER["key_takeaways"][0]["text"], LEAD[0], LEAD[1]]
    assert kept.warnings == ["filled 2 key takeaways from the article's lead sentences"]


def test_a_lead_sentence_already_a_takeaway_is_not_added_twice() -> None:
    first = {"text": LEAD[0], "evidence": [{"quote": LEAD[0]}]}
    kept = salvage(_article(), _answer(key_takeaways=[first]))
    assert [t.text for t in kept.extraction.key_takeaways] == LEAD[:3]


def test_invented_quotes_are_dropped_and_so_is_an_event_left_without_evidence() -> None:
    answer = _answer()
    answer["events"][0]["evidence"] = [{"quote": "Estonia and Finland signed a treaty in Oslo"}]
    answer["events"][1]["evidence"].append({"quote": "Latvia joined the centre"})
    kept = salvage(_article(), answer)
    (event,) = kept.extraction.events
    assert event.id == "e1"
    assert event.description == ANSWER["events"][1]["description"]
    assert [q.quote for q in event.evidence] == [ANSWER["events"][1]["evidence"][0]["quote"]]
    assert kept.warnings == [
        "dropped 2 quotes not found in the article",
        "dropped event e1 (no evidence left)",
        "renumbered the event as e1",
    ]
    _all_quotes_hold(kept.extraction, TEXT)


def test_a_slightly_misquoted_quote_is_kept_as_grounding_finds_it() -> None:
    answer = _answer()
    fuzzy = "Estonia and Finland opened a joint ferry reserch centre"  # a letter lost
    answer["events"][0]["evidence"] = [{"quote": fuzzy}]
    kept = salvage(_article(), answer)
    assert kept.extraction.events[0].evidence[0].quote == fuzzy
    grounded = ground(kept.extraction, TEXT)
    evidence = grounded.events[0].evidence[0]
    assert evidence.match == "fuzzy"
    assert TEXT[evidence.start : evidence.end] == (
        "Estonia and Finland opened a joint ferry research centre"
    )


def test_an_event_given_no_evidence_is_dropped() -> None:
    answer = _answer()
    answer["events"][1]["evidence"] = []
    kept = salvage(_article(), answer)
    assert [e.id for e in kept.extraction.events] == ["e1"]
    assert kept.warnings == ["dropped event e2 (no evidence)"]


def test_a_takeaway_without_a_found_quote_is_dropped() -> None:
    answer = _answer()
    answer["key_takeaways"][1]["evidence"] = [{"quote": "The centre cost a billion euros"}]
    answer["key_takeaways"][2]["evidence"] = []  # valid in a whole answer, not in a salvaged one
    kept = salvage(_article(), answer)
    texts = [t.text for t in kept.extraction.key_takeaways]
    assert texts == [ANSWER["key_takeaways"][0]["text"], LEAD[0], LEAD[1]]
    assert kept.warnings == [
        "dropped 1 quote not found in the article",
        "dropped takeaway 2 (no evidence left)",
        "dropped takeaway 3 (no evidence)",
        "filled 2 key takeaways from the article's lead sentences",
    ]


def test_a_participant_without_an_entity_gets_one() -> None:
    answer = _answer()
    answer["events"][0]["participants"] = ["Estonia", "Finland", "Lulu Ranne", "Estonia"]
    kept = salvage(_article(), answer)
    added = kept.extraction.entities[2:]
    assert [(e.name, e.type) for e in added] == [("Lulu Ranne", "other")]
    assert kept.warnings == ["added entity 'Lulu Ranne' for a participant"]


def test_a_participant_named_by_an_alias_needs_no_entity() -> None:
    answer = _answer()
    answer["entities"][0]["aliases"] = ["Republic of Estonia"]
    answer["events"][1]["participants"] = ["republic of estonia"]
    kept = salvage(_article(), answer)
    assert len(kept.extraction.entities) == 2


@pytest.mark.parametrize("value", ["2025-02-30", "2025-13", "March 2025", "25-03-03"])
def test_a_date_that_is_not_a_real_day_is_nulled(value: str) -> None:
    answer = _answer()
    answer["events"][0]["date"]["value"] = value
    kept = salvage(_article(), answer)
    date = kept.extraction.events[0].date
    assert date is not None
    assert (date.text, date.value, date.approximate) == ("on Monday", None, False)
    assert kept.warnings == [f"nulled the date {value!r} of event e1 (not a real date)"]


def test_a_date_that_cannot_be_read_is_dropped() -> None:
    answer = _answer()
    answer["events"][0]["date"] = "on Monday"
    answer["events"][1]["date"] = {"value": "2025-06"}
    kept = salvage(_article(), answer)
    assert [e.date for e in kept.extraction.events] == [None, None]
    assert kept.warnings == [
        "dropped the date of event e1 (not an object)",
        "dropped the date of event e2 (text: missing)",
    ]


def test_events_entities_and_takeaways_that_do_not_validate_are_dropped_one_by_one() -> None:
    answer = _answer()
    answer["events"][0]["type"] = "treaty"
    answer["entities"][1]["type"] = "nation"
    answer["entities"].append("Tallinn")
    answer["key_takeaways"][0] = {"evidence": ANSWER["key_takeaways"][0]["evidence"]}
    kept = salvage(_article(), answer)
    assert [e.description for e in kept.extraction.events] == [ANSWER["events"][1]["description"]]
    assert [e.name for e in kept.extraction.entities] == ["Estonia"]
    assert kept.warnings == [
        "dropped event e1 (type: 'treaty' is not allowed)",
        "dropped entity 'Finland' (type: 'nation' is not allowed)",
        "dropped entity #3 (not an object)",
        "dropped takeaway 1 (text: missing)",
        "renumbered the event as e1",
        "filled 1 key takeaway from the article's lead sentences",
    ]


def test_an_invalid_quantity_is_dropped_and_its_event_kept() -> None:
    answer = _answer()
    answer["events"][1]["quantities"].append({"value": "forty", "unit": "x", "text": "forty"})
    kept = salvage(_article(), answer)
    assert len(kept.extraction.events[1].quantities) == 1
    assert kept.warnings == [
        "dropped a quantity of event e2 (value: Input should be a valid number, unable to parse "
        "string as a number)"
    ]


def test_events_are_renumbered() -> None:
    answer = _answer()
    answer["events"][0]["id"] = "event-1"
    answer["events"][1]["id"] = "event-1"
    kept = salvage(_article(), answer)
    assert [e.id for e in kept.extraction.events] == ["e1", "e2"]
    assert kept.warnings == ["renumbered the events e1 to e2"]


def test_unknown_fields_are_ignored_and_their_items_kept() -> None:
    answer = _answer(confidence=0.9)
    answer["events"][0]["certainty"] = "high"
    answer["events"][0]["evidence"][0]["page"] = 1
    kept = salvage(_article(), answer)
    assert len(kept.extraction.events) == 2
    assert kept.warnings == ["ignored unknown fields: certainty, confidence, page"]


def test_a_long_summary_is_cut_and_a_missing_one_filled() -> None:
    sentence = "Estonia and Finland opened a joint ferry research centre in Tallinn today."
    kept = salvage(_article(), _answer(summary=" ".join([sentence] * 8)))  # 96 words
    assert kept.extraction.summary == " ".join([sentence] * 6)
    assert kept.warnings == ["cut the summary from 96 to 72 words"]

    filled = salvage(_article(), _answer(summary=""))
    assert filled.extraction.summary == " ".join(LEAD)  # 67 words: all four fit
    assert len(filled.extraction.summary.split()) <= SUMMARY_MAX_WORDS
    assert filled.warnings == ["filled the summary from the article's lead sentences"]


def test_at_most_seven_distinct_takeaways_are_kept() -> None:
    one = ANSWER["key_takeaways"][0]
    many = [
        {"text": f"Point {n} of the ferry story.", "evidence": one["evidence"]} for n in range(9)
    ]
    kept = salvage(_article(), _answer(key_takeaways=[one, one, *many]))
    texts = [t.text for t in kept.extraction.key_takeaways]
    assert texts == [one["text"], *(f"Point {n} of the ferry story." for n in range(6))]
    assert kept.warnings == [
        "dropped 1 repeated key takeaway",
        "kept the first 7 of 10 key takeaways",
    ]


def test_the_smallest_usable_answer_is_a_summary() -> None:
    kept = salvage(_article(), {"summary": "A ferry research centre opened."})
    assert kept.extraction.events == [] and kept.extraction.entities == []
    assert [t.text for t in kept.extraction.key_takeaways] == LEAD[:3]
    _all_quotes_hold(kept.extraction, TEXT)


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"url": "https://evil.example/c"},
        {"summary": "  ", "key_takeaways": [], "events": []},
        {"entities": ANSWER["entities"]},
        {"events": [{**ANSWER["events"][0], "evidence": [{"quote": "not in the article"}]}]},
        {"key_takeaways": "three points", "events": "none"},
        ["not", "an", "object"],
    ],
)
def test_nothing_usable_raises(answer: Any) -> None:
    with pytest.raises(SalvageError):
        salvage(_article(), answer)


def test_an_article_too_short_for_three_takeaways_keeps_the_sentences_it_has() -> None:
    text = "Estonia and Finland opened a joint ferry research centre on Monday."
    kept = salvage(_article(text, None), {"summary": "A centre opened."})
    assert [t.text for t in kept.extraction.key_takeaways] == [text]
    assert kept.warnings == ["filled 1 key takeaway from the article's lead sentences"]


def test_takeaways_needed_is_three_or_the_sentences_a_short_article_has() -> None:
    assert takeaways_needed(TEXT) == 3
    assert takeaways_needed("Estonia and Finland opened a joint ferry research centre.") == 1
    two = "Ferries resumed on Monday after the storm. Ports reopened at dawn the same day."
    assert takeaways_needed(two) == 2


def test_every_salvaged_answer_is_valid_and_fully_grounded() -> None:
    answer = _answer(key_takeaways=[{"text": "x", "evidence": [{"quote": "invented words"}]}])
    answer["events"][0]["date"]["value"] = "2025-02-30"
    answer["events"][1]["participants"] = ["Kuldar Leis"]
    kept = salvage(_article(), json.loads(json.dumps(answer)))
    ArticleExtraction.model_validate(kept.extraction.model_dump())
    _all_quotes_hold(kept.extraction, TEXT)
    assert all("\n" not in w and len(w) < 120 for w in kept.warnings)


def test_an_answer_short_of_what_its_article_can_give_still_fails() -> None:
    """Three sentences, two of them too long to be a takeaway: an answer with one takeaway
    cannot be made up to the three the article's length asks for, so it fails as a live
    answer would (it is never kept with fewer)."""
    long = " ".join(["The committee reviewed every clause of the draft in detail"] * 7) + "."
    other = long.replace("committee", "council")
    text = f"Ferry centre opens\n\n{long}\n{other}\nThe centre opened on Monday."
    assert takeaways_needed(text, "Ferry centre opens") == 3
    answer = {
        "summary": "A centre opened.",
        "key_takeaways": [{"text": "The centre opened on Monday."}],
    }
    with pytest.raises(SalvageError, match="too few usable sentences to make up 3"):
        salvage(_article(text, "Ferry centre opens"), answer)
