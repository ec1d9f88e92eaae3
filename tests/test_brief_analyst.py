"""The brief an analyst reads, built by the offline backend from the five seed articles and a
copy of one: merged takeaways with their support, the copy marked and not counted as a second
source, a photo caption that is not an event, entity variants merged, an unrelated story kept
apart with a warning, and article texts found from summaries saved elsewhere."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brief_helpers import (
    COPIED,
    COPY,
    PEOPLE,
    SEED_PUBLISHED,
    SEEDS,
    UNRELATED,
    seeds_with_a_copy,
    summary,
)
from eventbrief.brief import build_brief
from eventbrief.brief.boilerplate import classify
from eventbrief.brief.duplicates import DUPLICATE_CONTAINMENT, containment, shingles
from eventbrief.brief.takeaways import MAX_TAKEAWAYS
from eventbrief.cli.app import app
from eventbrief.models import Brief

pytest.importorskip("eventbrief.backends.offline", reason="no offline backend yet")

runner = CliRunner()
OFFLINE = ["--backend", "offline", "--no-cache"]


@pytest.fixture(scope="module")
def seed_brief(tmp_path_factory: pytest.TempPathFactory) -> Brief:
    folder = seeds_with_a_copy(tmp_path_factory.mktemp("seeds") / "articles")
    result = runner.invoke(app, ["brief", str(folder), *OFFLINE, "-q", *SEED_PUBLISHED])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return Brief.model_validate_json(result.stdout)


def _originals(brief: Brief) -> dict[str, str]:
    return {a.id: a.duplicate_of for a in brief.articles if a.duplicate_of}


def test_takeaways_are_merged_to_at_most_seven_with_support(seed_brief: Brief) -> None:
    takeaways = seed_brief.key_takeaways
    assert len(takeaways) == MAX_TAKEAWAYS == 7
    ids = {a.id for a in seed_brief.articles}
    copies = _originals(seed_brief)
    independent = []
    for t in takeaways:
        assert t.support and set(t.support) <= ids
        assert len(set(t.support)) == len(t.support)
        independent.append(len({copies.get(a, a) for a in t.support}))
    assert independent == sorted(independent, reverse=True)
    assert independent[0] >= 3
    assert sum(1 for n in independent if n >= 2) >= 3
    known = {e.id for e in seed_brief.events}
    assert all(set(t.events) <= known for t in takeaways)


def test_the_copy_is_marked_as_a_duplicate_of_its_original(seed_brief: Brief) -> None:
    assert _originals(seed_brief) == {COPY: COPIED}
    copy = next(a for a in seed_brief.articles if a.id == COPY)
    assert copy.similarity is not None and copy.similarity > 0.95
    assert all(a.similarity is None for a in seed_brief.articles if a.id != COPY)


def test_independent_sources_count_a_copy_once(seed_brief: Brief) -> None:
    copies = _originals(seed_brief)
    for event in seed_brief.events:
        articles = {m.article_id for m in event.mentions}
        assert event.independent_sources == len(articles - set(copies)), event.id
    with_copy = [e for e in seed_brief.events if COPY in {m.article_id for m in e.mentions}]
    assert with_copy
    assert all(e.independent_sources == len(e.mentions) - 1 for e in with_copy)
    deployment = seed_brief.events[0]
    assert deployment.type == "military_deployment"
    assert (len(deployment.mentions), deployment.independent_sources) == (6, 5)


def test_a_photo_caption_is_not_an_event(seed_brief: Brief) -> None:
    caption = [(s.article_id, s.reason) for s in seed_brief.set_aside]
    assert caption == [("002_0a4d1c7dadfa6c43", "caption")]
    quotes = [ev.quote for e in seed_brief.events for ev in e.evidence]
    assert not [q for q in quotes if "attends a meeting" in q]
    assert not [t for t in seed_brief.key_takeaways if "attends a meeting" in t.text]
    assert not [t for t in seed_brief.key_takeaways if "Reporting by" in t.text]


def test_russias_and_russian_security_council_are_one_entity(seed_brief: Brief) -> None:
    councils = [
        e for e in seed_brief.entities if any("security council" in n.casefold() for n in e.names())
    ]
    variants = [
        {n.replace("’", "'") for n in e.names()} for e in councils if e.type == "organization"
    ]
    merged = [v for v in variants if "Russian Security Council" in v]
    assert merged == [{"Russian Security Council", "Russia's Security Council"}]


def test_an_unrelated_story_is_kept_apart_with_one_warning(tmp_path: Path) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    for name in ("000_a91afaca033a80ab", "001_06ee34612adf2594", "002_0a4d1c7dadfa6c43"):
        shutil.copy(SEEDS / f"{name}.txt", folder / f"{name}.txt")
    (folder / "900_codelco.txt").write_text(UNRELATED, encoding="utf-8")
    result = runner.invoke(
        app,
        ["brief", str(folder), *OFFLINE, "-q", *SEED_PUBLISHED[:6], "--published", "2025-05-12"],
    )
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines == [
        "eventbrief: warning: 1 of 4 articles share no event or entity with the rest and are "
        "kept apart as another story: 900_codelco"
    ]
    brief = Brief.model_validate_json(result.stdout)
    assert [s.articles for s in brief.stories] == [
        ["001_06ee34612adf2594", "000_a91afaca033a80ab", "002_0a4d1c7dadfa6c43"],
        ["900_codelco"],
    ]
    assert brief.title.endswith("(+1 article on another story)")
    assert "Codelco" not in brief.title and "Aurora Williams" in brief.stories[1].title
    elsewhere = [t.support == ["900_codelco"] for t in brief.key_takeaways]
    assert elsewhere[0] is False and elsewhere == sorted(elsewhere)
    codelco = [e for e in brief.events if {m.article_id for m in e.mentions} == {"900_codelco"}]
    assert codelco and all(len(e.mentions) == 1 for e in codelco)


def test_one_story_has_one_entry_and_no_warning(seed_brief: Brief) -> None:
    assert len(seed_brief.stories) == 1
    assert seed_brief.stories[0].articles == [a.id for a in seed_brief.articles]
    assert seed_brief.title == seed_brief.stories[0].title


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "Russian Security Council Secretary Sergei Shoigu attends a meeting of Russian "
            "President Vladimir Putin with senior military officers in Moscow, Russia, "
            "Wednesday, Dec. 21, 2022. (AP)",
            "caption",
        ),
        ("Kim Jong Un waves in Pyongyang on Monday. (AP Photo/Lee Jin-man)", "caption"),
        ("Photo: Aram Petrosyan and Elchin Mammadov at their meeting in Tirana.", "caption"),
        ("Officials inspect the site. REUTERS/Kim Hong-Ji", "caption"),
        ("Reporting by Jane Doe; Editing by John Roe", "boilerplate"),
        ("(Additional reporting by Tom Balmforth in Moscow)", "boilerplate"),
        ("Yonhap is South Korea's largest news agency.", "boilerplate"),
        ("TASS is a Russian state news agency based in Moscow.", "boilerplate"),
        ("© 2025 Andes Wire. All rights reserved.", "boilerplate"),
        ("Sergei Shoigu arrived in Pyongyang on Tuesday for talks with Kim Jong Un.", None),
        ("The TASS news agency reported the visit.", None),
        ("The meeting took place on Wednesday, Dec. 21, 2022.", None),
        ("Reuters is reporting that the newspaper closed.", None),
    ],
)
def test_captions_and_boilerplate_are_recognised(line: str, reason: str | None) -> None:
    assert classify(line) == reason


def test_boilerplate_events_are_set_aside_by_the_merge_whatever_made_them() -> None:
    text = (
        "Berg met Vale in Eastport on June 1.\n"
        "Berg greets Vale in Eastport, Nordland, Monday, June 1, 2026. (AP Photo/Jo Lee)\n"
        "Reporting by Anna Berg; Editing by Tomas Vale"
    )
    spec = {"participants": ["Anna Berg", "Tomas Vale"], "location": "Eastport"}
    one = summary(
        "p",
        "2026-06-02",
        text,
        [
            {**spec, "type": "meeting", "description": "Berg met Vale.", "quote": "Berg met Vale"},
            {**spec, "type": "meeting", "description": "Berg greets Vale.",
             "quote": "Berg greets Vale in Eastport, Nordland, Monday, June 1, 2026."},
            {**spec, "type": "statement", "description": "Berg reported.",
             "quote": "Reporting by Anna Berg"},
        ],
        PEOPLE,
        takeaways=["Berg met Vale.", "Reporting by Anna Berg; Editing by Tomas Vale.",
                   "Berg greets Vale in Eastport, Nordland, Monday, June 1, 2026."],
    )  # fmt: skip
    for texts in ({"p": text}, None):
        brief = build_brief([one], texts=texts)
        assert [(s.event_id, s.reason) for s in brief.set_aside] == [
            ("e2", "caption"),
            ("e3", "boilerplate"),
        ]
        assert [m.event_id for e in brief.events for m in e.mentions] == ["e1"]
        assert [t.text for t in brief.key_takeaways] == ["Berg met Vale."]


def test_shingle_overlap_measured_on_the_seeds_and_a_copy(tmp_path: Path) -> None:
    """The numbers duplicates.py gives: seeds at most 0.074 apart, the copy 0.973."""
    folder = seeds_with_a_copy(tmp_path / "articles")
    prints = {p.stem: shingles(p.read_text(encoding="utf-8")) for p in folder.glob("*.txt")}
    pairs = {
        (a, b): containment(prints[a], prints[b]) for a, b in itertools.combinations(prints, 2)
    }
    seeds = [v for (a, b), v in pairs.items() if COPY not in (a, b)]
    assert max(seeds) == pytest.approx(0.074, abs=0.001)
    copy = pairs.get((COPIED, COPY), pairs.get((COPY, COPIED)))
    assert copy == pytest.approx(0.973, abs=0.001)
    others = [v for (a, b), v in pairs.items() if COPY in (a, b) and COPIED not in (a, b)]
    assert max(seeds + others) < 0.1 < DUPLICATE_CONTAINMENT < 0.9 < copy


def test_never_more_than_seven_takeaways() -> None:
    text = " ".join(f"Point {n} is about topic{n} in depth." for n in range(7))
    points = [f"Topic{n} matters for reason{n}." for n in range(7)]
    many = [
        summary(f"x{i}", f"2026-06-0{i + 1}", text + f" Unique {i}.", [], PEOPLE,
                takeaways=[p.replace("reason", f"cause{i}x") for p in points])
        for i in range(4)
    ]  # fmt: skip
    brief = build_brief(many)
    assert len(brief.key_takeaways) == 7
    assert all(t.support == ["x0", "x1", "x2", "x3"] for t in brief.key_takeaways)


def _saved_summaries(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Summaries written by a run in `project` over news/*.txt, as `summarize -o out/` does:
    each records its source relative to the project folder."""
    news = project / "news"
    news.mkdir(parents=True)
    for name in ("001_06ee34612adf2594", "002_0a4d1c7dadfa6c43"):
        shutil.copy(SEEDS / f"{name}.txt", news / f"{name}.txt")
    monkeypatch.chdir(project)
    result = runner.invoke(
        app, ["summarize", "news/", *OFFLINE, "-o", "out/", "--published", "2025-06-17"]
    )
    assert result.exit_code == 0, result.output
    recorded = json.loads((project / "out" / "001_06ee34612adf2594.json").read_text())
    assert recorded["article"]["source"] == "news/001_06ee34612adf2594.txt"
    return project / "out"


def test_texts_are_found_by_their_source_relative_to_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _saved_summaries(tmp_path / "project", monkeypatch)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = runner.invoke(app, ["brief", str(out), "--format", "html", "-q"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "Article text not available" not in result.stdout
    assert result.stdout.count('<div class="text">') == 2


def test_texts_next_to_the_summaries_are_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _saved_summaries(tmp_path / "project", monkeypatch)
    shutil.rmtree(tmp_path / "project" / "news")
    for name in ("001_06ee34612adf2594", "002_0a4d1c7dadfa6c43"):
        shutil.copy(SEEDS / f"{name}.txt", out / f"{name}.txt")
    files = sorted(str(p) for p in out.glob("*.json"))
    result = runner.invoke(app, ["brief", *files, "--format", "html", "-q"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.count('<div class="text">') == 2


def test_missing_texts_are_warned_about_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _saved_summaries(tmp_path / "project", monkeypatch)
    shutil.rmtree(tmp_path / "project" / "news")
    result = runner.invoke(app, ["brief", str(out), "--format", "html", "-q"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "eventbrief: warning: article text not found for 2 of 2 summaries "
        "(001_06ee34612adf2594, 002_0a4d1c7dadfa6c43): looked beside them, at their recorded "
        "source (also relative to the summary file) and in --texts DIR; the brief uses their "
        "quotes only"
    ]
    assert result.stdout.count("Article text not available") == 2
