"""The sentence splitter behind the `sentences` evidence style, its numbered rendering, and the
conversion of citations into quotes."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from eventbrief.citations import CONTEXT_KEY, Citations, Cited, CitedExtraction
from eventbrief.grounding import ground
from eventbrief.models import Article, ArticleExtraction, ArticleMeta
from eventbrief.prompt_templates import fence, load_prompts
from eventbrief.sentences import numbered, split_sentences

ROOT = Path(__file__).resolve().parents[1]


def _texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met U.S. officials on Dec. 21. Growth was 3.5 percent.",
            ["Mr. Smith met U.S. officials on Dec. 21.", "Growth was 3.5 percent."],
        ),
        (
            "John F. Kennedy spoke. Dr. Ri and Gen. Kim left at 5 p.m. on Monday.",
            ["John F. Kennedy spoke.", "Dr. Ri and Gen. Kim left at 5 p.m. on Monday."],
        ),
        (
            'He asked "Why?" and left. Was it over? Yes! No. 10 said no. Then it ended.',
            [
                'He asked "Why?" and left.',
                "Was it over?",
                "Yes!",
                "No. 10 said no.",
                "Then it ended.",
            ],
        ),
        (
            "Prices rose 2.75 per cent, e.g. for fuel. About 11,000 troops. (AP)",
            ["Prices rose 2.75 per cent, e.g. for fuel.", "About 11,000 troops.", "(AP)"],
        ),
        (
            "Headline without a stop\nBody one. Body two.\n\n- a bullet\n",
            ["Headline without a stop", "Body one.", "Body two.", "- a bullet"],
        ),
        (
            "A paragraph wrapped\nby hand ends here. Next one\nstarts. New line.",
            ["A paragraph wrapped\nby hand ends here.", "Next one\nstarts.", "New line."],
        ),
        ("   \n\n  ", []),
    ],
)
def test_sentences_split_where_they_end(text: str, expected: list[str]) -> None:
    assert _texts(text) == expected


def test_every_sentence_is_an_exact_slice_and_nothing_is_left_out() -> None:
    for path in sorted((ROOT / "evals" / "articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences = split_sentences(text)
        assert [s.number for s in sentences] == list(range(1, len(sentences) + 1))
        covered = set()
        for s in sentences:
            assert text[s.start : s.end] == s.text == s.text.strip()
            covered.update(range(s.start, s.end))
        assert all(text[i].isspace() for i in range(len(text)) if i not in covered)
        assert [s.start for s in sentences] == sorted(s.start for s in sentences)


def test_a_seed_splits_as_a_reader_would() -> None:
    text = (ROOT / "evals" / "articles" / "002_0a4d1c7dadfa6c43.txt").read_text(encoding="utf-8")
    sentences = _texts(text)
    assert len(sentences) == 18
    assert sentences[3] == (
        "Russian Security Council Secretary Sergei Shoigu attends a meeting of Russian "
        "President Vladimir Putin with senior military officers in Moscow, Russia, "
        "Wednesday, Dec. 21, 2022."
    )
    assert sentences[4] == "(AP)"


def test_the_numbered_rendering_is_one_line_per_sentence() -> None:
    text = "Title line\nFirst  sentence\twith   gaps. Second [3] one {{ 7*7 }}.\n"
    assert numbered(text) == (
        "[1] Title line\n[2] First sentence with gaps.\n[3] Second [3] one {{ 7*7 }}."
    )


def _article(text: str) -> Article:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    meta = ArticleMeta(id="a", published=dt.date(2026, 2, 3), sha256=digest)
    return Article(meta=meta, text=text)


def test_the_user_message_shows_the_numbered_article_as_a_value_between_its_fences() -> None:
    text = "Talks began [3] today. A reader wrote {{ 7*7 }} and {% if x %}y{% endif %}.\n"
    rendered = load_prompts().rendered(_article(text), "sentences")
    shown = "[1] Talks began [3] today.\n[2] A reader wrote {{ 7*7 }} and {% if x %}y{% endif %}."
    tag = fence(shown)
    assert rendered["user"].endswith(f"<article {tag}>\n{shown}\n</article {tag}>")
    assert "its sentences are numbered [1], [2], …" in rendered["user"]
    assert "49" not in rendered["user"]
    assert '{"sentence": 4}' in rendered["system"]
    quotes = load_prompts().rendered(_article(text), "quotes")
    assert quotes["user"].endswith(f"<article {fence(text)}>\n{text}\n</article {fence(text)}>")
    assert "numbered" not in quotes["user"] and '"sentence"' not in quotes["system"]


TEXT = (
    "Norway and Chile sign pact\n\n"
    "OSLO, May 15 — Norway and Chile signed a fisheries agreement on Tuesday, the ministry "
    "said.\n\n"
    'Bellona criticised the pact, saying it "does little to curb escapes". Norway and Chile '
    "signed a fisheries agreement on Tuesday."
)


def _answer(*evidence: dict[str, object]) -> dict[str, object]:
    takeaway = {"text": "Norway and Chile signed a pact.", "evidence": list(evidence)}
    return {
        "summary": "Norway and Chile signed a fisheries pact; Bellona criticised it.",
        "key_takeaways": [takeaway, {**takeaway, "text": "Two."}, {**takeaway, "text": "3."}],
        "events": [
            {
                "id": "e1",
                "type": "agreement",
                "description": "Norway and Chile signed a fisheries agreement.",
                "evidence": list(evidence),
            }
        ],
    }


def test_citations_become_the_sentence_or_the_clause_with_exact_offsets() -> None:
    citations = Citations(TEXT)
    answer = _answer(
        {"sentence": 2},
        {"sentence": 3, "clause": "saying it “does little to curb escapes”"},  # curly copy
        {"sentence": 1, "clause": None},
    )
    cited = CitedExtraction.model_validate(answer, context={CONTEXT_KEY: citations})
    extraction = citations.to_quotes(cited)
    assert type(extraction) is ArticleExtraction
    quotes = [q.quote for q in extraction.events[0].evidence]
    assert quotes == [
        "OSLO, May 15 — Norway and Chile signed a fisheries agreement on Tuesday, the ministry "
        "said.",
        'saying it "does little to curb escapes"',  # the article's own characters
        "Norway and Chile sign pact",
    ]
    grounded = ground(extraction, TEXT)
    spans = [(e.start, e.end, e.match) for e in grounded.events[0].evidence]
    second = TEXT.index("OSLO")
    clause = TEXT.index("saying it")
    assert spans == [
        (second, TEXT.index("\n\nBellona"), "exact"),
        (clause, clause + len('saying it "does little to curb escapes"'), "exact"),
        (0, len("Norway and Chile sign pact"), "exact"),
    ]
    assert grounded.grounding_rate == 1.0


def test_a_sentence_the_article_does_not_have_is_an_error() -> None:
    citations = Citations(TEXT)
    with pytest.raises(ValidationError, match="sentence 5 is not in the article, whose sentences"):
        CitedExtraction.model_validate(_answer({"sentence": 5}), context={CONTEXT_KEY: citations})
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        CitedExtraction.model_validate(_answer({"sentence": 0}), context={CONTEXT_KEY: citations})
    assert len(citations.sentences) == 4


def test_a_clause_not_in_its_sentence_is_dropped_for_the_whole_sentence() -> None:
    citations = Citations(TEXT)
    cited = Cited.model_validate(
        {"sentence": 3, "clause": "the ministry said"}, context={CONTEXT_KEY: citations}
    )
    assert cited.clause is None
    assert citations.quote(cited) == (
        'Bellona criticised the pact, saying it "does little to curb escapes".'
    )
    blank = Cited.model_validate({"sentence": 4, "clause": "  "}, context={CONTEXT_KEY: citations})
    assert citations.quote(blank) == "Norway and Chile signed a fisheries agreement on Tuesday."


def test_a_raw_answer_keeps_its_usable_citations_as_quotes() -> None:
    raw = _answer({"sentence": 3, "clause": "Bellona criticised the pact"}, {"sentence": 42}, "x")
    quoted, dropped = Citations(TEXT).quoted_answer(raw)
    assert dropped == 8  # each of the 3 takeaways and the event cites 42 and "x"
    assert quoted["events"][0]["evidence"] == [{"quote": "Bellona criticised the pact"}]
    assert quoted["key_takeaways"][0]["evidence"] == [{"quote": "Bellona criticised the pact"}]
    assert raw["events"][0]["evidence"][1] == {"sentence": 42}  # the answer itself is not changed


def test_the_cited_schema_differs_from_the_contract_only_in_its_evidence_items() -> None:
    quotes = ArticleExtraction.model_json_schema()
    cited = CitedExtraction.model_json_schema()
    assert cited["properties"] == quotes["properties"]
    assert cited["required"] == quotes["required"]
    assert set(cited["$defs"]) - set(quotes["$defs"]) == {"Cited"}
    assert set(quotes["$defs"]) - set(cited["$defs"]) == {"Quote"}
    for name in ("Event", "Takeaway"):
        ours, theirs = dict(cited["$defs"][name]), dict(quotes["$defs"][name])
        our_fields, their_fields = dict(ours.pop("properties")), dict(theirs.pop("properties"))
        assert our_fields.pop("evidence")["items"] == {"$ref": "#/$defs/Cited"}
        assert their_fields.pop("evidence")["items"] == {"$ref": "#/$defs/Quote"}
        assert our_fields == their_fields
        assert ours == theirs
    for name in ("Entity", "TimeValue", "Quantity"):
        assert cited["$defs"][name] == quotes["$defs"][name]
    assert cited["$defs"]["Cited"]["properties"]["sentence"]["type"] == "integer"
