"""`eventbrief eval` end to end: saved predictions, the regression gate, reports, and a live
run of the openai backend against a scripted server that answers with the dataset's own gold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventbrief.cli import app
from eventbrief.models import ArticleSummary
from eventbrief.scoring.similarity import FIELDS
from scoring_records import (
    GOLDS,
    TEXTS,
    as_prediction,
    gold_a,
    gold_b,
    to_extraction,
    write_dataset,
    write_predictions,
)
from scripted_server import RecordedRequest, Reply, ScriptedServer, tool_call_reply

runner = CliRunner()


def run(*args: str | Path) -> Any:
    return runner.invoke(app, ["eval", *map(str, args)])


def scores_of(stdout: str) -> dict[str, Any]:
    return json.loads(stdout)


def all_f1_and_fields(scores: dict[str, Any]) -> list[float]:
    values = [
        scores[part][k]
        for part in ("events", "entities", "takeaways")
        for k in ("precision", "recall", "f1")
    ]
    return values + list(scores["fields"].values())


def test_help_shows_an_example() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "eventbrief eval --backend offline --baseline evals/baseline.json" in result.stdout


def test_scores_saved_predictions_with_report_on_stdout(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "d")
    a, b = gold_a(), gold_b()
    preds = write_predictions(
        tmp_path / "p",
        {
            "a": as_prediction(a),
            "b": as_prediction(b, events=[e.model_dump() for e in b.events[:2]]),
        },
    )
    result = run("--dataset", data, "--predictions", preds, "--report", "-")
    assert result.exit_code == 0, result.stderr
    report = scores_of(result.stdout)
    assert set(all_f1_and_fields(report["per_article"]["a"])) == {1.0}
    assert report["per_article"]["b"]["events"]["recall"] == 2 / 3
    assert report["overall"]["events"]["recall"] == 7 / 8
    assert report["overall"]["latency_s"] is None
    assert report["overall"]["brief"] is None
    assert report["run"]["backend"] == "offline"
    for key in ("events", "fields", "entities", "takeaways", "grounding_rate"):
        assert key in report["overall"] and key in report["per_article"]["a"]
    # the table is on stderr, not mixed into the JSON on stdout
    assert "overall" in result.stderr and "events F1" in result.stderr


def test_an_invalid_or_missing_prediction_file_scores_zero_and_the_rest_still_count(
    tmp_path: Path,
) -> None:
    data = write_dataset(tmp_path / "d")
    broken = as_prediction(gold_a()).model_dump(mode="json")
    broken["events"][0]["type"] = "parade"
    preds = write_predictions(tmp_path / "p", {"a": json.dumps(broken)})
    out = tmp_path / "r.json"
    result = run("--dataset", data, "--predictions", preds, "--report", out)
    assert result.exit_code == 1  # no valid prediction at all: the report is written, the run fails
    assert result.stderr.splitlines()[-1] == (
        "eventbrief: no valid prediction: 0 of 2 articles (the errors are above)"
    )
    report = json.loads(out.read_text())
    assert report["overall"]["schema_validity"] == 0.0
    assert "a.json: invalid: events.0.type" in report["per_article"]["a"]["error"]
    assert "b.json: no prediction file" in report["per_article"]["b"]["error"]
    assert "a.json: invalid" in result.stderr

    write_predictions(preds, {"b": as_prediction(gold_b())})
    result = run("--dataset", data, "--predictions", preds, "--report", out)
    assert result.exit_code == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["overall"]["schema_validity"] == 0.5
    assert report["per_article"]["b"]["events"]["f1"] == 1.0
    assert report["per_article"]["a"]["events"]["f1"] == 0.0


def test_regression_gate(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "d")
    a, b = gold_a(), gold_b()
    good = write_predictions(tmp_path / "good", {"a": as_prediction(a), "b": as_prediction(b)})
    base = tmp_path / "baseline.json"

    result = run("--dataset", data, "--predictions", good, "--baseline", base)
    assert result.exit_code == 0
    assert "no baseline entry 'offline'" in result.stderr
    result = run("--dataset", data, "--predictions", good, "--baseline", base, "--require-baseline")
    assert result.exit_code == 1

    result = run("--dataset", data, "--predictions", good, "--baseline", base, "--update-baseline")
    assert result.exit_code == 0, result.stderr
    stored = json.loads(base.read_text())
    entry = stored["entries"]["offline"]
    assert entry["metrics"]["events.f1"] == {"score": 1.0, "tolerance": 0.02}

    assert run("--dataset", data, "--predictions", good, "--baseline", base).exit_code == 0

    events = [e.model_dump() for e in a.events]
    events[0]["type"] = "meeting"
    worse = write_predictions(
        tmp_path / "worse",
        {"a": as_prediction(a, events=events[:4]), "b": as_prediction(b)},
    )
    result = run("--dataset", data, "--predictions", worse, "--baseline", base)
    assert result.exit_code == 1
    fell = [line for line in result.stderr.splitlines() if " fell: " in line]
    assert {line.split()[1] for line in fell} == {
        "events.recall",
        "events.f1",
        "fields.type",
    }
    assert "events.recall fell: 0.8750 < baseline 1.0000 - tolerance 0.0200" in result.stderr

    # a wider tolerance for one metric lets its drop pass; the others still fail
    entry["metrics"]["fields.type"]["tolerance"] = 0.5
    base.write_text(json.dumps(stored))
    result = run("--dataset", data, "--predictions", worse, "--baseline", base)
    assert result.exit_code == 1 and "fields.type fell" not in result.stderr
    # --update-baseline keeps the tolerance a person set
    run("--dataset", data, "--predictions", worse, "--baseline", base, "--update-baseline")
    stored = json.loads(base.read_text())
    # fields are micro over the 7 matched pairs of both articles, one with the wrong type
    assert stored["entries"]["offline"]["metrics"]["fields.type"] == {
        "score": round(6 / 7, 6),
        "tolerance": 0.5,
    }


def test_html_report_escapes_article_text_and_marks_unmatched(tmp_path: Path) -> None:
    a = gold_a()
    events = [e.model_dump() for e in a.events]
    events[1]["description"] = "<script>alert(1)</script> met"
    spurious = {
        **events[0],
        "id": "e9",
        "type": "sanctions",
        "participants": [],
        "date": None,
        "location": None,
        "attributed_to": [],
        "evidence": [{"quote": "Harbour talks"}],
    }
    data = write_dataset(tmp_path / "d")
    preds = write_predictions(
        tmp_path / "p",
        {"a": as_prediction(a, events=[*events[1:], spurious]), "b": as_prediction(gold_b())},
    )
    page = tmp_path / "r.html"
    assert run("--dataset", data, "--predictions", preds, "--html", page).exit_code == 0
    html = page.read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; met" in html
    assert html.count("<svg") == 16
    assert html.count("class='missed'") == 1 and html.count("class='spurious'") == 1
    assert "http" not in html.replace("http-equiv", "")  # no external assets


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ("none", "no such folder"),
        ("no-article", "no article a.txt"),
        ("bad-gold", "not a valid ArticleSummary: events.0.type"),
        ("bad-brief", "brief.json: not a brief gold file"),
    ],
)
def test_dataset_errors_name_the_file_and_exit_2(tmp_path: Path, layout: str, message: str) -> None:
    root = tmp_path / "d"
    if layout != "none":
        write_dataset(root)
    if layout == "no-article":
        (root / "articles" / "a.txt").unlink()
    if layout == "bad-gold":
        broken = json.loads((root / "gold" / "a.json").read_text())
        broken["events"][0]["type"] = "parade"
        (root / "gold" / "a.json").write_text(json.dumps(broken))
    if layout == "bad-brief":
        (root / "gold" / "brief.json").write_text('{"clusters": "none"}')
    result = run("--dataset", root, "--predictions", tmp_path)
    assert result.exit_code == 2
    assert message in result.stderr


def _router(answers: dict[str, dict[str, Any]]) -> Any:
    """Answer each request with the extraction of the article whose text it carries."""

    def route(request: RecordedRequest) -> Reply:
        sent = json.dumps(request.messages, ensure_ascii=False)
        for marker, extraction in answers.items():
            if marker in sent:
                return tool_call_reply(extraction)
        return Reply(status=400, body={"error": {"message": "unknown article"}})

    return route


def _marker(article_id: str) -> str:
    return TEXTS[article_id].splitlines()[1][:40]


def _live_eval(tmp_path: Path, server: ScriptedServer, golds: dict[str, ArticleSummary]) -> Any:
    data = write_dataset(tmp_path / "fresh-dataset")
    server.router = _router({_marker(aid): to_extraction(g) for aid, g in golds.items()})
    return run(
        "--dataset",
        data,
        "--backend",
        "openai",
        "--base-url",
        server.base_url,
        "--model",
        "scripted-model",
        "--report",
        "-",
    )


def test_must_hold_gold_answers_score_one_on_every_f1_and_field(
    tmp_path: Path, scripted_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTBRIEF_API_KEY", "sk-scripted-test")
    result = _live_eval(tmp_path, scripted_server, {k: f() for k, f in GOLDS.items()})
    assert result.exit_code == 0, result.stderr
    report = scores_of(result.stdout)
    for scores in (report["overall"], *report["per_article"].values()):
        assert set(all_f1_and_fields(scores)) == {1.0}
        assert scores["grounding_rate"] == 1.0
        assert scores["latency_s"] is not None and scores["latency_s"] >= 0
    assert report["overall"]["schema_validity"] == 1.0
    assert report["overall"]["usage"]["requests"] == len(GOLDS)
    assert report["run"] == {**report["run"], "backend": "openai", "model": "scripted-model"}
    assert "sk-scripted-test" not in result.stdout + result.stderr


def test_must_hold_one_event_removed_gives_recall_n_minus_one_over_n(
    tmp_path: Path, scripted_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTBRIEF_API_KEY", "sk-scripted-test")
    golds = {k: f() for k, f in GOLDS.items()}
    answers = {
        aid: ArticleSummary.model_validate(
            {**g.model_dump(), "events": g.model_dump()["events"][1:]}
        )
        for aid, g in golds.items()
    }
    result = _live_eval(tmp_path, scripted_server, answers)
    assert result.exit_code == 0, result.stderr
    report = scores_of(result.stdout)
    for aid, gold in golds.items():
        n = len(gold.events)
        events = report["per_article"][aid]["events"]
        assert events["recall"] == (n - 1) / n
        assert events["precision"] == 1.0
        assert report["per_article"][aid]["unmatched_gold"] == ["e1"]


EVALS = Path(__file__).resolve().parent.parent / "evals"


@pytest.mark.skipif(not list((EVALS / "gold").glob("0*.json")), reason="no gold in evals/ yet")
def test_the_project_dataset_answered_with_its_own_gold_scores_one(
    scripted_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTBRIEF_API_KEY", "sk-scripted-test")
    answers = {}
    for path in sorted((EVALS / "gold").glob("0*.json")):
        text = (EVALS / "articles" / f"{path.stem}.txt").read_text(encoding="utf-8")
        marker = json.dumps(text[200:260], ensure_ascii=False)[1:-1]
        answers[marker] = to_extraction(ArticleSummary.model_validate_json(path.read_text()))
    scripted_server.router = _router(answers)
    result = run(
        "--dataset", EVALS, "--backend", "openai", "--base-url", scripted_server.base_url,
        "--report", "-",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    overall = scores_of(result.stdout)["overall"]
    assert set(all_f1_and_fields(overall)) == {1.0}
    assert overall["events"]["matched"] == overall["events"]["gold"] > 0


def test_markdown_tables_on_stdout(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "d")
    preds = write_predictions(
        tmp_path / "p", {"a": as_prediction(gold_a()), "b": as_prediction(gold_b())}
    )
    result = run("--dataset", data, "--predictions", preds, "--markdown", "-")
    assert result.exit_code == 0
    tables = result.stdout.split("\n\n")
    assert len(tables) == 2
    assert tables[0].startswith("| article | events P | events R | events F1 |")
    assert "| **overall** | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 |" in tables[1]
    assert "| b | 1.00 |" in tables[0]


def test_baseline_remembers_its_articles_and_gold(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "d")
    a, b = gold_a(), gold_b()
    preds = write_predictions(tmp_path / "p", {"a": as_prediction(a), "b": as_prediction(b)})
    base = tmp_path / "baseline.json"
    run("--dataset", data, "--predictions", preds, "--baseline", base, "--update-baseline")
    assert json.loads(base.read_text())["entries"]["offline"]["articles"] == ["a", "b"]

    other = write_dataset(tmp_path / "other", {"a": a})
    result = run("--dataset", other, "--predictions", preds, "--baseline", base)
    assert result.exit_code == 2
    assert "cannot be compared: it was measured on other articles" in result.stderr

    edited = b.model_copy(update={"summary": "A grain convoy reached Lenmar."})
    (data / "gold" / "b.json").write_text(edited.model_dump_json())
    result = run("--dataset", data, "--predictions", preds, "--baseline", base)
    assert "gold changed since baseline 'offline' was measured" in result.stderr
    assert "summary_rouge_l fell" in result.stderr and result.exit_code == 1


@pytest.mark.skipif(not (EVALS / "gold" / "brief.json").exists(), reason="no brief gold yet")
def test_brief_scores_go_under_overall_brief_and_into_the_gate(tmp_path: Path) -> None:
    preds = tmp_path / "p"
    preds.mkdir()
    for path in (EVALS / "gold").glob("0*.json"):
        (preds / path.name).write_text(path.read_text())
    result = run("--dataset", EVALS, "--predictions", preds, "--report", "-")
    assert result.exit_code == 0, result.stderr
    brief = scores_of(result.stdout)["overall"]["brief"]
    for key in ("cluster_b3_f1", "cluster_pairwise_f1", "conflict_recall"):
        assert 0.0 <= brief[key] <= 1.0
    assert brief["gold_mentions"] == scores_of(result.stdout)["overall"]["events"]["gold"]
    assert "brief (full scores in the JSON report): cluster b3 f1" in result.stderr
    base = tmp_path / "baseline.json"
    run("--dataset", EVALS, "--predictions", preds, "--baseline", base, "--update-baseline")
    gated = json.loads(base.read_text())["entries"]
    (entry,) = gated.values()
    assert "brief.conflict_recall" in entry["metrics"]
    assert "brief.gold_mentions" not in entry["metrics"]


BRIEF_GOLD = {
    "clusters": [
        {"id": "c1", "mentions": [{"article_id": "a", "event_id": "e1"},
                                  {"article_id": "b", "event_id": "e1"}]},
        {"id": "c2", "mentions": [{"article_id": "a", "event_id": "e2"}]},
    ],
}  # fmt: skip


def test_brief_rates_with_nothing_matched_are_null_and_fail_the_gate(tmp_path: Path) -> None:
    """Valid predictions with no events match no gold mention: the cluster rates are null in
    the JSON, "n/a" on the terminal and in the HTML (not 1.00), and a baseline that has numbers
    for them fails, naming each metric that has no score."""
    data = write_dataset(tmp_path / "d")
    (data / "gold" / "brief.json").write_text(json.dumps(BRIEF_GOLD), encoding="utf-8")
    a, b = gold_a(), gold_b()
    good = write_predictions(tmp_path / "good", {"a": as_prediction(a), "b": as_prediction(b)})
    base = tmp_path / "baseline.json"
    made = run("--dataset", data, "--predictions", good, "--baseline", base, "--update-baseline")
    assert made.exit_code == 0, made.stderr
    gated = json.loads(base.read_text())["entries"]["offline"]["metrics"]
    b3_f1 = gated["brief.cluster_b3_f1"]["score"]
    assert 0.0 < b3_f1 <= 1.0
    assert "brief.conflict_recall" not in gated  # null (no gold conflict): nothing to store

    empty = write_predictions(
        tmp_path / "empty", {"a": as_prediction(a, events=[]), "b": as_prediction(b, events=[])}
    )
    page = tmp_path / "r.html"
    result = run("--dataset", data, "--predictions", empty, "--report", "-", "--html", page)
    assert result.exit_code == 0, result.stderr
    brief = scores_of(result.stdout)["overall"]["brief"]
    assert brief["matched_mentions"] == 0
    for key in ("cluster_b3_precision", "cluster_b3_f1", "cluster_pairwise_f1"):
        assert brief[key] is None
    assert brief["conflict_recall"] is None and brief["conflict_precision"] is None
    shown = "cluster b3 f1 n/a · cluster pairwise f1 n/a · conflict recall n/a"
    assert f"brief (full scores in the JSON report): {shown}" in result.stderr
    assert f"brief (full scores in the JSON report): {shown}" in page.read_text("utf-8")

    result = run("--dataset", data, "--predictions", empty, "--baseline", base)
    assert result.exit_code == 1
    assert (
        "brief.cluster_b3_f1 has no score in this run (nothing to score, n/a); "
        f"baseline {b3_f1:.4f}" in result.stderr
    )
    missing = {line.split()[1] for line in result.stderr.splitlines() if "has no score" in line}
    stored_cluster_rates = {name for name in gated if name.startswith("brief.cluster_")}
    assert {"brief.cluster_b3_precision", "brief.cluster_b3_recall"} <= stored_cluster_rates
    assert missing == stored_cluster_rates | {f"fields.{name}" for name in FIELDS}


def test_a_run_with_no_valid_extraction_fails_and_names_each_article_once(
    tmp_path: Path, scripted_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that answers garbage to every request: each article's line names it once,
    the report is still written, and eval exits 1 with one line saying why; with
    --update-baseline no baseline is written from such a run."""
    monkeypatch.setenv("EVENTBRIEF_API_KEY", "sk-scripted-test")
    monkeypatch.setenv("EVENTBRIEF_REASKS", "0")
    scripted_server.router = lambda request: tool_call_reply("{garbage")
    data = write_dataset(tmp_path / "d")
    live = ("--dataset", data, "--backend", "openai", "--base-url", scripted_server.base_url)
    result = run(*live, "--model", "scripted-model", "--concurrency", "1", "--report", "-")
    assert result.exit_code == 1, result.stderr
    errors = {aid: art["error"] for aid, art in scores_of(result.stdout)["per_article"].items()}
    assert set(errors) == {"a", "b"}
    for aid, error in errors.items():
        assert error.startswith(f"{aid}: the model's answer was not valid after 1 try: answer: ")
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert progress == [f"[1/2] {errors['a']}", f"[2/2] {errors['b']}"]
    assert result.stderr.splitlines()[-1] == (
        "eventbrief: no valid extraction: 0 of 2 articles (the errors are above)"
    )

    base = tmp_path / "baseline.json"
    result = run(*live, "--baseline", base, "--update-baseline")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "eventbrief: no valid extraction: 0 of 2 articles (the errors are above); "
        "the baseline was not updated"
    )
    assert not base.exists()


def test_an_ok_line_names_the_article_once(
    tmp_path: Path, scripted_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTBRIEF_API_KEY", "sk-scripted-test")
    monkeypatch.setenv("EVENTBRIEF_CONCURRENCY", "1")
    result = _live_eval(tmp_path, scripted_server, {k: f() for k, f in GOLDS.items()})
    assert result.exit_code == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("[")] == [
        "[1/2] a: ok",
        "[2/2] b: ok",
    ]
