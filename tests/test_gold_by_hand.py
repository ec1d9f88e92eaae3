"""Gold written by hand: quotes without offsets, no sha256, no provenance. The loader fills the
rest from the article and still rejects what is wrong, naming the file and field;
`eventbrief gold check DIR` lists every problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from eventbrief.cli import app
from eventbrief.scoring import load_dataset
from eventbrief.scoring.gold import GOLD_CREATED_AT
from scoring_records import ARTICLE_A, ARTICLE_B, as_prediction, gold_a, gold_b, write_predictions

runner = CliRunner()

# What a labeller writes for article B: judgement and quotes, nothing computed.
HAND_B: dict[str, Any] = {
    "article": {"published": "2024-06-04"},
    "summary": "A grain convoy reached Lenmar and a second one is planned for July.",
    "key_takeaways": [
        {"text": "A convoy brought 12,000 tonnes of grain to Lenmar."},
        {"text": "The Relief Council plans a second convoy in July."},
        {"text": "Ostrava's defence ministry reported on the convoy route."},
    ],
    "events": [
        {
            "id": "e1",
            "type": "aid",
            "description": "A grain convoy reached Lenmar.",
            "location": "Lenmar",
            "date": {"text": "on June 2", "value": "2024-06-02"},
            "quantities": [{"value": 12000, "unit": "tonnes", "text": "12,000 tonnes"}],
            "attributed_to": ["aid officials"],
            "evidence": [
                {"quote": "A convoy carrying 12,000 tonnes of grain reached Lenmar on June 2"}
            ],
        },
        {
            "id": "e2",
            "type": "aid",
            "description": "The Relief Council will send a second convoy.",
            "participants": ["Relief Council"],
            "status": "planned",
            "date": {"text": "in July", "value": "2024-07"},
            "evidence": [
                {"quote": "The Relief Council announced it would send a second convoy in July."}
            ],
        },
        {
            "id": "e3",
            "type": "report_release",
            "description": "Ostrava's defence ministry released a report on the route.",
            "participants": ["Ostrava defence ministry"],
            "date": {"text": "on June 3", "value": "2024-06-03"},
            "evidence": [
                {"quote": "Ostrava's defence ministry released a report on the convoy route"}
            ],
        },
    ],
    "entities": [
        {"name": "Relief Council", "type": "organization"},
        {"name": "Ostrava defence ministry", "type": "organization",
         "aliases": ["Ostrava's defence ministry"]},
        {"name": "Lenmar", "type": "location"},
    ],
}  # fmt: skip


def by_hand(record: dict[str, Any]) -> dict[str, Any]:
    """A full gold record cut down to what a person writes."""
    data = json.loads(json.dumps(record))
    data.pop("provenance")
    data.pop("schema_version")
    data["article"] = {"published": data["article"]["published"]}
    for owner in (*data["events"], *data["key_takeaways"]):
        owner["evidence"] = [{"quote": e["quote"]} for e in owner["evidence"]]
    return data


def hand_dataset(root: Path) -> Path:
    (root / "articles").mkdir(parents=True)
    (root / "gold").mkdir()
    (root / "articles" / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (root / "articles" / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    hand_a = by_hand(gold_a().model_dump(mode="json"))
    (root / "gold" / "a.json").write_text(json.dumps(hand_a, indent=2), encoding="utf-8")
    (root / "gold" / "b.json").write_text(json.dumps(HAND_B, indent=2), encoding="utf-8")
    return root


def gold_json(root: Path, article_id: str) -> dict[str, Any]:
    return json.loads((root / "gold" / f"{article_id}.json").read_text(encoding="utf-8"))


def test_hand_written_gold_has_no_offsets_no_sha256_no_provenance(tmp_path: Path) -> None:
    root = hand_dataset(tmp_path / "d")
    for article_id in ("a", "b"):
        text = (root / "gold" / f"{article_id}.json").read_text(encoding="utf-8")
        for computed in ('"start"', '"end"', '"sha256"', '"provenance"', '"match"', '"id": "a"'):
            assert computed not in text


def test_the_loader_fills_in_what_the_article_gives(tmp_path: Path) -> None:
    """Loaded, the hand-written records are the full gold records: offsets found in the text,
    id, title and sha256 from the article, provenance of a gold record."""
    dataset = load_dataset(hand_dataset(tmp_path / "d"))
    assert dataset.warnings == []
    loaded = {item.id: item.gold for item in dataset.items}
    for article_id, full in (("a", gold_a()), ("b", gold_b())):
        gold = loaded[article_id]
        assert gold.article == full.article.model_copy(update={"source": None})
        assert gold.events == full.events
        assert gold.key_takeaways == full.key_takeaways
        assert gold.provenance.backend == "gold"
        assert gold.provenance.created_at == GOLD_CREATED_AT
    # filled in the same way every time: the fingerprint a baseline remembers is stable
    assert load_dataset(tmp_path / "d").fingerprint() == dataset.fingerprint()


def test_eval_scores_a_hand_written_dataset(tmp_path: Path) -> None:
    root = hand_dataset(tmp_path / "d")
    result = runner.invoke(
        app, ["eval", "--backend", "offline", "--dataset", str(root), "--report", "-"]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    overall = report["overall"]
    assert (overall["articles"], overall["valid_articles"]) == (2, 2)
    assert overall["events"]["gold"] == 8 and overall["entities"]["gold"] == 10
    assert report["per_article"]["b"]["events"]["gold"] == 3
    assert 0.0 < overall["events"]["f1"] <= 1.0
    low, high = overall["events"]["f1_ci"]
    assert low <= overall["events"]["f1"] <= high


def test_the_full_gold_as_predictions_scores_one_against_the_hand_written_gold(
    tmp_path: Path,
) -> None:
    """Known answer: the offsets the loader found are the ones a labeller would have computed,
    so the full records match the hand-written ones perfectly."""
    root = hand_dataset(tmp_path / "d")
    preds = write_predictions(
        tmp_path / "p", {"a": as_prediction(gold_a()), "b": as_prediction(gold_b())}
    )
    result = runner.invoke(
        app, ["eval", "--dataset", str(root), "--predictions", str(preds), "--report", "-"]
    )
    assert result.exit_code == 0, result.stderr
    overall = json.loads(result.stdout)["overall"]
    for part in ("events", "entities", "takeaways"):
        assert (overall[part]["precision"], overall[part]["recall"]) == (1.0, 1.0)
    assert set(overall["fields"].values()) == {1.0}
    assert overall["grounding_rate"] == 1.0 and overall["summary_rouge_l"] == 1.0


def test_gold_check_passes_a_good_dataset(tmp_path: Path) -> None:
    root = hand_dataset(tmp_path / "d")
    result = runner.invoke(app, ["gold", "check", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"eventbrief: {root}: 2 gold records, no problems" in result.stderr


def break_dataset(root: Path) -> None:
    """Four mistakes in a.json and two in b.json, each in its own field."""
    a = gold_json(root, "a")
    a["events"][1]["evidence"][0]["quote"] = "Marrok met Reyvik at the palace"  # not in the text
    a["events"][1]["participants"].append("Ilse Reyvik")  # not an entity
    a["events"][2]["date"]["value"] = "2024-02-30"  # no such day
    a["key_takeaways"][0]["evidence"][0].update(start=0, end=10)  # offsets elsewhere
    (root / "gold" / "a.json").write_text(json.dumps(a), encoding="utf-8")
    b = gold_json(root, "b")
    b["events"][1]["evidence"][0]["quote"] = (
        "The Relief Council announced it would send a second convoy in July!"
    )
    b["events"][2]["participants"] = ["Ostrava defense ministry office"]
    (root / "gold" / "b.json").write_text(json.dumps(b), encoding="utf-8")  # fmt: skip


def test_gold_check_names_every_problem_with_file_and_field(tmp_path: Path) -> None:
    root = hand_dataset(tmp_path / "d")
    break_dataset(root)
    result = runner.invoke(app, ["gold", "check", str(root)])
    assert result.exit_code == 1
    a, b = root / "gold" / "a.json", root / "gold" / "b.json"
    assert result.stdout.splitlines() == [
        f"{a}: events.1.evidence.0.quote: not in the article: 'Marrok met Reyvik at the palace'",
        f"{a}: key_takeaways.0.evidence.0.start: offsets 0:10 do not point at the quote "
        "'Foreign Minister Ilse Marrok arrived in Port Keswin on Monday' (the text there is "
        "'Harbour ta')",
        f"{a}: events.1.participants.2: 'Ilse Reyvik' is not named in entities (add it, or use "
        "an entity's name or alias)",
        f"{a}: not a valid ArticleSummary: events.2.date.value: Value error, date value "
        "'2024-02-30' is not a real calendar date",
        f"{b}: events.1.evidence.0.quote: not in the article verbatim: 'The Relief Council "
        "announced it would send a second convoy in July!'; the article has 'The Relief Council "
        "announced it would send a second convoy in July'",
        f"{b}: events.2.participants.0: 'Ostrava defense ministry office' is not named in "
        "entities (add it, or use an entity's name or alias)",
    ]
    assert result.stderr.splitlines()[-1] == "eventbrief: 6 problems in 2 files"


def test_eval_stops_on_a_broken_dataset_and_names_every_problem(tmp_path: Path) -> None:
    root = hand_dataset(tmp_path / "d")
    break_dataset(root)
    result = runner.invoke(app, ["eval", "--backend", "offline", "--dataset", str(root)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if "gold/" in line]
    assert len(lines) == 6 and all(line.startswith("eventbrief: ") for line in lines)


def test_gold_check_checks_the_brief_gold_against_the_gold_events(tmp_path: Path) -> None:
    root = hand_dataset(tmp_path / "d")
    brief = {
        "clusters": [
            {"id": "c1", "mentions": [{"article_id": "a", "event_id": "e1"},
                                      {"article_id": "b", "event_id": "e9"}]},
            {"id": "c2", "mentions": [{"article_id": "z", "event_id": "e1"}]},
        ],
        "conflicts": [
            {"field": "date", "values": [{"value": "2024-05-13", "articles": ["a"]},
                                         {"value": "2024-05-14", "articles": ["q"]}]},
        ],
    }  # fmt: skip
    path = root / "gold" / "brief.json"
    path.write_text(json.dumps(brief), encoding="utf-8")
    result = runner.invoke(app, ["gold", "check", str(root)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}: clusters.0.mentions.1: no event 'e9' in the gold of 'b'",
        f"{path}: clusters.1.mentions.0: no gold article 'z'",
        f"{path}: conflicts.0.values.1.articles.0: no gold article 'q'",
    ]


def test_a_folder_that_is_not_a_dataset(tmp_path: Path) -> None:
    result = runner.invoke(app, ["gold", "check", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "nothing/articles: no such folder" in result.stdout
