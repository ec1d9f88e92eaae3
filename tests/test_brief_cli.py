"""`eventbrief brief` through typer's CliRunner: summaries in, JSON/Markdown/HTML out, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brief_helpers import scenario
from eventbrief.cli.app import app
from eventbrief.models import Brief

runner = CliRunner()


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A dataset folder: articles/<id>.txt and gold/<id>.json (summaries) side by side."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "gold").mkdir()
    for aid, (s, text) in scenario().items():
        (tmp_path / "articles" / f"{aid}.txt").write_text(text, encoding="utf-8")
        (tmp_path / "gold" / f"{aid}.json").write_text(s.model_dump_json(), encoding="utf-8")
    return tmp_path


def test_help_shows_an_example() -> None:
    result = runner.invoke(app, ["brief", "--help"])
    assert result.exit_code == 0
    assert "eventbrief brief evals/articles/" in result.output


def test_json_brief_from_summary_files(dataset: Path) -> None:
    result = runner.invoke(app, ["brief", str(dataset / "gold")])
    assert result.exit_code == 0, result.output
    brief = Brief.model_validate_json(result.stdout)
    assert [a.id for a in brief.articles] == ["b", "a", "c"]
    assert len(brief.events) == 3
    assert "3 articles, 3 events, 4 disagreements" in result.stderr


def test_markdown_to_a_file_by_suffix(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    files = sorted(str(p) for p in (dataset / "gold").glob("*.json"))
    result = runner.invoke(app, ["brief", *files, "-o", str(out), "--title", "Berg's trips"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Berg's trips\n")
    assert "## Where the sources disagree" in text
    assert result.stdout == ""


def test_html_finds_article_texts_beside_the_summaries(dataset: Path) -> None:
    result = runner.invoke(
        app, ["brief", "--from-summaries", str(dataset / "gold"), "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!doctype html>")
    assert "Article text not available" not in result.stdout
    assert result.stdout.count('<div class="text">') == 3


def test_html_texts_from_a_folder(dataset: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "saved" / "runs"
    elsewhere.mkdir(parents=True)
    for p in (dataset / "gold").glob("*.json"):
        (elsewhere / p.name).write_bytes(p.read_bytes())
    plain = runner.invoke(app, ["brief", str(elsewhere), "--format", "html"])
    assert plain.stdout.count("Article text not available") == 3
    found = runner.invoke(
        app, ["brief", str(elsewhere), "--format", "html", "--texts", str(dataset / "articles")]
    )
    assert found.stdout.count("Article text not available") == 0


def test_a_bad_summary_file_is_named_and_the_rest_still_briefed(dataset: Path) -> None:
    (dataset / "gold" / "broken.json").write_text("{not json", encoding="utf-8")
    (dataset / "gold" / "wrong.json").write_text(json.dumps({"summary": "x"}), encoding="utf-8")
    result = runner.invoke(app, ["brief", str(dataset / "gold")])
    assert result.exit_code == 1
    assert "broken.json: not JSON" in result.stderr
    assert "wrong.json: not an ArticleSummary" in result.stderr
    assert len(Brief.model_validate_json(result.stdout).articles) == 3


def test_nothing_to_brief_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[]", encoding="utf-8")
    result = runner.invoke(app, ["brief", str(bad)])
    assert result.exit_code == 1
    assert "no article to brief" in result.stderr
    monkeypatch.setattr("eventbrief.cli.options.stdin_is_piped", lambda: False)  # a terminal
    assert runner.invoke(app, ["brief"]).exit_code == 2


def test_the_same_article_twice_is_used_once(dataset: Path) -> None:
    one = str(dataset / "gold" / "a.json")
    result = runner.invoke(app, ["brief", one, one, str(dataset / "gold" / "b.json")])
    assert result.exit_code == 1
    assert "a: given more than once" in result.stderr
    assert len(Brief.model_validate_json(result.stdout).articles) == 2


def test_articles_are_summarized_through_the_pipeline(dataset: Path) -> None:
    pytest.importorskip("eventbrief.pipeline", reason="the pipeline is not in this checkout yet")
    pytest.importorskip("eventbrief.backends.offline", reason="no offline backend yet")
    result = runner.invoke(
        app,
        ["brief", str(dataset / "articles"), "--backend", "offline", "--no-cache",
         "--format", "html", "--published", "2026-05-20"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.count('<article class="source"') == 3
    assert "Article text not available" not in result.stdout


def _extraction(summary) -> dict:
    """What a model would answer for one made-up article: its summary record, quotes only."""
    data = summary.model_dump(
        mode="json", include={"summary", "key_takeaways", "events", "entities"}
    )
    for part in (*data["events"], *data["key_takeaways"]):
        part["evidence"] = [{"quote": ev["quote"]} for ev in part["evidence"]]
    return data


def test_articles_through_the_openai_backend(scripted_server, dataset: Path, monkeypatch) -> None:
    from scripted_server import tool_call_reply

    for name in ("OPENAI_API_KEY", "EVENTBRIEF_API_KEY", "EVENTBRIEF_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    story = scenario()

    def route(request):
        user = request.messages[-1]["content"]
        aid = next(k for k, (_, text) in story.items() if text in user)
        return tool_call_reply(_extraction(story[aid][0]))

    scripted_server.router = route
    result = runner.invoke(
        app,
        ["brief", str(dataset / "articles"), "--base-url", scripted_server.base_url,
         "--model", "m", "--no-cache", "--published", "2026-05-20"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(scripted_server.requests) == 3
    brief = Brief.model_validate_json(result.stdout)
    assert sorted(a.id for a in brief.articles) == ["a", "b", "c"]
    meeting = next(e for e in brief.events if e.date and e.date.value == "2026-05-03")
    assert {m.article_id for m in meeting.mentions} == {"a", "b", "c"}
    assert all(ev.start is not None for e in brief.events for ev in e.evidence)
    quantity = next(c for c in brief.conflicts if c.field == "quantity")
    assert {v.value: v.articles for v in quantity.values} == {5000: ["b"], 4000: ["a"]}


def test_a_bad_article_is_named_and_the_rest_still_briefed(
    scripted_server, dataset: Path, monkeypatch
) -> None:
    from scripted_server import tool_call_reply

    for name in ("OPENAI_API_KEY", "EVENTBRIEF_API_KEY", "EVENTBRIEF_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    story = scenario()
    (dataset / "articles" / "empty.txt").write_text("", encoding="utf-8")

    def route(request):
        user = request.messages[-1]["content"]
        aid = next(k for k, (_, text) in story.items() if text in user)
        return tool_call_reply(_extraction(story[aid][0]))

    scripted_server.router = route
    result = runner.invoke(
        app,
        ["brief", str(dataset / "articles"), "--base-url", scripted_server.base_url,
         "--no-cache", "--format", "markdown"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "empty.txt: empty file" in result.stderr
    assert "## Timeline" in result.stdout


def test_seed_articles_with_the_offline_backend(tmp_path: Path) -> None:
    pytest.importorskip("eventbrief.backends.offline", reason="no offline backend yet")
    articles = Path(__file__).resolve().parent.parent / "evals" / "articles"
    outputs = {}
    for fmt in ("json", "markdown", "html"):
        out = tmp_path / f"brief.{fmt}"
        result = runner.invoke(
            app, ["brief", str(articles), "--backend", "offline", "--no-cache", "-o", str(out),
                  "--format", fmt],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs[fmt] = out.read_text(encoding="utf-8")
    brief = Brief.model_validate_json(outputs["json"])
    assert len(brief.articles) == 5 and brief.events
    assert all(ev.start is not None for e in brief.events for ev in e.evidence)
    assert outputs["markdown"].count("\n- **") >= len(brief.events)
    assert outputs["html"].count('<li class="event') == len(brief.events)
    assert outputs["html"].count('<div class="text">') == 5


def test_a_jsonl_of_articles_is_briefed_as_its_files_are(tmp_path: Path) -> None:
    articles = Path(__file__).resolve().parent.parent / "evals" / "articles"
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}) + "\n"
            for p in sorted(articles.glob("*.txt"))
        ),
        encoding="utf-8",
    )
    briefs = {}
    for given in (articles, feed):
        result = runner.invoke(app, ["brief", str(given), "--backend", "offline", "--no-cache"])
        assert result.exit_code == 0, result.output
        briefs[given] = Brief.model_validate_json(result.stdout)
    from_feed, from_files = briefs[feed], briefs[articles]
    assert len(from_feed.articles) == 5 and from_feed.events
    assert from_feed.model_dump(include={"events", "entities"}) == from_files.model_dump(
        include={"events", "entities"}
    )
