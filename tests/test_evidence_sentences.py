"""The `sentences` evidence style end to end: the model is shown the article's numbered
sentences and cites numbers, over real HTTP (openai + instructor against the scripted server);
the record it makes is the same as the quotes style's."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.backends.openai.endpoint_report import CHECKED_EVIDENCE, EndpointReport
from eventbrief.backends.openai.schema import asked_schema, strict_response_format
from eventbrief.cache import cache_key
from eventbrief.chunking import ChunkingBackend
from eventbrief.cli.app import app
from eventbrief.errors import ConfigError, ExtractionError
from eventbrief.pipeline import build_summary
from eventbrief.sentences import split_sentences
from scale_helpers import article_in_prompt
from scripted_server import RecordedRequest, Reply, ScriptedServer, tool_call_reply
from test_openai_backend import (
    API_KEY,
    EXPECTED,
    EXTRACTION,
    TEXT,
    _all_message_text,
    _answer,
    _article,
    _backend,
    _run,
)

SENTENCES = split_sentences(TEXT)


def cite(extraction: dict[str, Any]) -> dict[str, Any]:
    """`extraction` with every quote cited by the number of the sentence holding it: the
    sentence alone when the quote is all of it, else with the quote as its clause."""
    cited = copy.deepcopy(extraction)
    for item in (*cited["key_takeaways"], *cited["events"]):
        evidence = []
        for quote in (e["quote"] for e in item["evidence"]):
            (sentence,) = [s for s in SENTENCES if quote in s.text]
            if quote == sentence.text:
                evidence.append({"sentence": sentence.number})
            else:
                evidence.append({"sentence": sentence.number, "clause": quote})
        item["evidence"] = evidence
    return cited


CITED = cite(EXTRACTION)


def _schema_sent(request: RecordedRequest, mode: str) -> dict[str, Any]:
    if mode == "tools":
        return request.body["tools"][0]["function"]["parameters"]
    return request.body["response_format"]["schema"]


def test_the_scripted_answer_cites_whole_sentences_and_clauses() -> None:
    events = CITED["events"]
    assert events[0]["evidence"] == [
        {
            "sentence": 2,
            "clause": "Norway and Chile signed a five-year fisheries research agreement on Tuesday",
        }
    ]
    assert CITED["key_takeaways"][2]["evidence"] == [
        {"sentence": 5, "clause": 'saying it "does little to curb escapes from fish farms"'}
    ]


@pytest.mark.parametrize("mode", ["tools", "json_object"])
@pytest.mark.parametrize("evidence", ["quotes", "sentences"])
def test_both_styles_give_the_same_extraction_in_tools_and_json_object_modes(
    scripted_server: ScriptedServer, mode: str, evidence: str
) -> None:
    scripted_server.queue(_answer(mode, CITED if evidence == "sentences" else EXTRACTION))
    backend = _backend(scripted_server, mode=mode, evidence=evidence)
    result = _run(backend)
    assert result.extraction == EXPECTED
    (request,) = scripted_server.requests
    schema = _schema_sent(request, mode)
    item = schema["$defs"]["Event"]["properties"]["evidence"]["items"]
    user = request.messages[1]["content"]
    if evidence == "sentences":
        assert item == {"$ref": "#/$defs/Cited"}
        assert "Quote" not in schema["$defs"]
        assert set(schema["$defs"]["Cited"]["properties"]) == {"sentence", "clause"}
        assert f"\n[5] {SENTENCES[4].text}\n</article " in user
        assert TEXT not in user
    else:
        assert item == {"$ref": "#/$defs/Quote"}
        assert f"\n{TEXT}\n" in user and "[1] " not in user
    if mode == "json_object":  # instructor's JSON mode shows the schema in the system message
        assert ('"$ref": "#/$defs/Cited"' in request.messages[0]["content"]) is (
            evidence == "sentences"
        )
    summary = build_summary(_article(), result, backend)
    assert summary.provenance.evidence == evidence
    assert summary.provenance.grounding_rate == 1.0


def test_citations_ground_at_the_sentences_they_name(scripted_server: ScriptedServer) -> None:
    answer = copy.deepcopy(CITED)
    answer["events"][2]["evidence"] = [{"sentence": 5}]
    answer["events"][1]["evidence"] = [{"sentence": 4, "clause": "to visit Bergen"}]
    scripted_server.queue(tool_call_reply(answer))
    backend = _backend(scripted_server, evidence="sentences")
    summary = build_summary(_article(), _run(backend), backend)
    (whole,) = summary.events[2].evidence
    assert (whole.quote, whole.start, whole.end, whole.match) == (
        SENTENCES[4].text,
        SENTENCES[4].start,
        SENTENCES[4].end,
        "exact",
    )
    assert whole.start == TEXT.index("The environmental group") and whole.end == len(TEXT)
    (clause,) = summary.events[1].evidence
    at = TEXT.index("to visit Bergen")
    assert (clause.quote, clause.start, clause.end) == ("to visit Bergen", at, at + 15)


@pytest.mark.parametrize("mode", ["tools", "json_object"])
def test_a_sentence_number_out_of_range_is_reasked(
    scripted_server: ScriptedServer, mode: str
) -> None:
    wrong = copy.deepcopy(CITED)
    wrong["events"][1]["evidence"] = [{"sentence": 9}]
    scripted_server.queue(_answer(mode, wrong), _answer(mode, CITED))
    result = _run(_backend(scripted_server, mode=mode, evidence="sentences"))
    assert result.extraction == EXPECTED
    assert len(scripted_server.requests) == 2
    assert "sentence 9 is not in" not in _all_message_text(scripted_server.requests[0])
    assert (
        "sentence 9 is not in the article, whose sentences are numbered 1 to 5"
        in scripted_server.requests[1].messages[-1]["content"]
    )


def test_a_clause_not_in_its_sentence_cites_the_whole_sentence_without_a_reask(
    scripted_server: ScriptedServer,
) -> None:
    answer = copy.deepcopy(CITED)
    answer["events"][1]["evidence"] = [{"sentence": 4, "clause": "Bellona criticised the pact"}]
    scripted_server.queue(tool_call_reply(answer))
    result = _run(_backend(scripted_server, evidence="sentences"))
    assert len(scripted_server.requests) == 1
    assert [q.quote for q in result.extraction.events[1].evidence] == [SENTENCES[3].text]
    assert result.warnings == ()


def test_an_answer_citing_a_missing_sentence_after_every_reask_is_partial(
    scripted_server: ScriptedServer,
) -> None:
    answer = copy.deepcopy(CITED)
    answer["events"][2]["evidence"] = [{"sentence": 12}]
    scripted_server.router = lambda request: tool_call_reply(answer)
    result = _run(_backend(scripted_server, evidence="sentences", reasks=2))
    assert len(scripted_server.requests) == 3
    assert [e.id for e in result.extraction.events] == ["e1", "e2"]
    assert result.extraction.events == EXPECTED.events[:2]
    assert result.warnings == (
        "dropped 1 citation that names no sentence of the article",
        "dropped event e3 (no evidence)",
    )
    error = _fail_strict(scripted_server)
    assert "sentence 12 is not in the article" in str(error)


def _fail_strict(server: ScriptedServer) -> ExtractionError:
    with pytest.raises(ExtractionError) as caught:
        _run(_backend(server, evidence="sentences", reasks=0, strict=True))
    return caught.value


def test_the_styles_have_different_identities_and_cache_keys(
    scripted_server: ScriptedServer,
) -> None:
    meta = _article().meta
    for mode in ("tools", "json_object", "json_schema"):
        quotes = _backend(scripted_server, mode=mode).identity()
        sentences = _backend(scripted_server, mode=mode, evidence="sentences").identity()
        assert (quotes["evidence"], sentences["evidence"]) == ("quotes", "sentences")
        assert quotes["schema"] != sentences["schema"]
        assert {k: v for k, v in quotes.items() if k not in ("evidence", "schema")} == {
            k: v for k, v in sentences.items() if k not in ("evidence", "schema")
        }
        assert cache_key(quotes, meta) != cache_key(sentences, meta)
    strict = strict_response_format(evidence="sentences")["json_schema"]["schema"]
    cited = strict["$defs"]["Cited"]
    assert cited["additionalProperties"] is False
    assert sorted(cited["required"]) == ["clause", "sentence"]


def _report(evidence: str) -> EndpointReport:
    return EndpointReport(
        endpoint="http://127.0.0.1:1/v1",
        model="m",
        checked_at="now",
        probes=[],
        recommended_mode="json_object",
        recommended_concurrency=1,
        grammar_keywords=True,
        recommended_evidence=evidence,  # type: ignore[arg-type]
    )


def test_auto_evidence_is_settled_by_the_endpoint_check_unless_set() -> None:
    auto = OpenAIBackend("m", base_url="http://127.0.0.1:1/v1", api_key="k", mode="auto")
    assert auto.needs_check
    auto.configure(_report("sentences"))
    assert (auto.mode, auto.evidence) == ("json_object", "sentences")
    assert auto.identity()["evidence"] == "sentences"
    told = OpenAIBackend(
        "m", base_url="http://127.0.0.1:1/v1", api_key="k", mode="auto", evidence="quotes"
    )
    told.configure(_report("sentences"))
    assert told.identity()["evidence"] == "quotes"
    assert (
        EndpointReport.model_validate(
            {
                k: v
                for k, v in _report("sentences").model_dump().items()
                if k != "recommended_evidence"
            }
        ).recommended_evidence
        == CHECKED_EVIDENCE
    )  # a report stored before the field existed
    explicit = OpenAIBackend("m", base_url="http://127.0.0.1:1/v1", api_key="k", mode="tools")
    assert explicit.identity()["evidence"] == "quotes"
    official = OpenAIBackend("m", api_key="k", mode="auto")
    assert (official.mode, official.identity()["evidence"]) == ("tools", "quotes")
    with pytest.raises(ConfigError, match="unknown evidence style 'words'"):
        OpenAIBackend("m", base_url="http://127.0.0.1:1/v1", api_key="k", evidence="words")


def _cli_env(server: ScriptedServer, **extra: str) -> dict[str, str]:
    return {
        "EVENTBRIEF_BASE_URL": server.base_url,
        "EVENTBRIEF_MODEL": "m",
        "EVENTBRIEF_API_KEY": API_KEY,
        **extra,
    }


def _citing(request: RecordedRequest) -> Reply:
    return tool_call_reply(CITED)


@pytest.mark.parametrize("how", ["flag", "env"])
def test_summarize_cites_sentences_when_told(
    scripted_server: ScriptedServer, tmp_path: Path, how: str
) -> None:
    article = tmp_path / "nordic.txt"
    article.write_text(TEXT, encoding="utf-8")
    scripted_server.router = _citing
    flags = ["--evidence", "sentences"] if how == "flag" else []
    env = _cli_env(
        scripted_server, **({"EVENTBRIEF_EVIDENCE": "sentences"} if how == "env" else {})
    )
    result = CliRunner().invoke(
        app, ["summarize", str(article), "--published", "2025-05-15", *flags], env=env
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["provenance"]["evidence"] == "sentences"
    assert record["provenance"]["grounding_rate"] == 1.0
    assert record["events"][2]["evidence"][0]["start"] == TEXT.index("The environmental group")
    assert "evidence sentences" in result.stderr
    (request,) = scripted_server.requests
    assert "\n[1] Norway and Chile sign fisheries research pact\n" in request.messages[1]["content"]


def test_a_bad_evidence_style_is_a_usage_error(scripted_server: ScriptedServer) -> None:
    env = _cli_env(scripted_server, EVENTBRIEF_EVIDENCE="words")
    result = CliRunner().invoke(app, ["summarize", "x.txt"], env=env)
    assert result.exit_code == 2
    assert "EVENTBRIEF_EVIDENCE" in result.stderr
    flag = CliRunner().invoke(app, ["summarize", "x.txt", "--evidence", "words"], env=env)
    assert flag.exit_code == 2
    assert scripted_server.requests == []


@pytest.mark.parametrize("command", ["summarize", "brief", "eval"])
def test_every_command_that_extracts_offers_evidence(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--evidence" in result.stdout
    assert "--evidence auto|quotes|sentences" in result.stdout


def _strings(schema: Any) -> list[dict[str, Any]]:
    """Every schema in `schema` whose type is or includes string."""
    found = []
    if isinstance(schema, dict):
        kind = schema.get("type")
        if kind == "string" or (isinstance(kind, list) and "string" in kind):
            found.append(schema)
        for value in schema.values():
            found += _strings(value)
    elif isinstance(schema, list):
        for value in schema:
            found += _strings(value)
    return found


@pytest.mark.parametrize("evidence", ["quotes", "sentences"])
def test_grammar_bounds_cover_every_string_nullable_ones_included(evidence: str) -> None:
    """A grammar server's schema bounds every string, a nullable one as an `anyOf` of a bounded
    string and null (llama-cpp-python drops the bound of `"type": ["string", "null"]`): without
    it a small model can fill its whole token budget with one optional field."""
    schema = asked_schema(limits=True, evidence=evidence)  # type: ignore[arg-type]
    strings = _strings(schema)
    assert strings and all(s["type"] == "string" for s in strings)
    assert all("maxLength" in s or "enum" in s for s in strings)
    defs = schema["$defs"]
    location = defs["Event"]["properties"]["location"]
    assert location["anyOf"] == [{"type": "string", "maxLength": 300}, {"type": "null"}]
    assert "most specific place" in location["description"]
    if evidence == "sentences":
        clause = defs["Cited"]["properties"]["clause"]["anyOf"]
        assert clause == [{"type": "string", "maxLength": 400}, {"type": "null"}]
    else:
        assert defs["Quote"]["properties"]["quote"]["maxLength"] == 400
    plain = asked_schema(limits=False, evidence=evidence)  # type: ignore[arg-type]
    assert plain["$defs"]["Event"]["properties"]["location"]["type"] == ["string", "null"]


SECOND = (
    "Chile's parliament ratified the pact on Friday.\n\n"
    "Opposition senators said the surveys would cost more than planned."
)


def _chunk_answer(request: RecordedRequest) -> Reply:
    """Cites sentence 1 of whatever article (chunk) the request shows, and sentence 2 for the
    event: numbers are the chunk's own."""
    shown = article_in_prompt(request.messages)
    assert shown.startswith("[1] ")
    first = shown.splitlines()[0].removeprefix("[1] ")
    takeaway = {"text": first, "evidence": [{"sentence": 1}]}
    return tool_call_reply(
        {
            "summary": first,
            "key_takeaways": [takeaway, {**takeaway, "text": "B."}, {**takeaway, "text": "C."}],
            "events": [
                {
                    "id": "e1",
                    "type": "statement",
                    "description": first,
                    "evidence": [{"sentence": 2}],
                }
            ],
            "entities": [],
        }
    )


def test_a_long_article_is_numbered_chunk_by_chunk(scripted_server: ScriptedServer) -> None:
    """Chunks are cited by their own numbers; the quotes they stand for are spans of the whole
    article, so grounding against it needs no arithmetic."""
    text = f"{TEXT}\n\n{SECOND}"
    scripted_server.router = _chunk_answer
    backend = ChunkingBackend(
        _backend(scripted_server, evidence="sentences"), max_chars=len(TEXT) + 10, overlap_chars=0
    )

    async def go() -> Any:
        try:
            return await backend.extract(_article(text))
        finally:
            await backend.aclose()

    result = asyncio.run(go())
    assert len(scripted_server.requests) == 2
    summary = build_summary(_article(text), result, _backend(scripted_server, evidence="sentences"))
    spans = [(e.quote, e.start) for event in summary.events for e in event.evidence]
    assert spans == [
        (SENTENCES[1].text, SENTENCES[1].start),
        (
            "Opposition senators said the surveys would cost more than planned.",
            text.index("Opposition senators"),
        ),
    ]
    assert summary.provenance.grounding_rate == 1.0
