"""The hand-labelled gold dataset is internally consistent: every score rests on it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from eventbrief.models import ArticleSummary, name_key

DATASET = Path(__file__).resolve().parents[1] / "evals"
ARTICLES = DATASET / "articles"
GOLD = DATASET / "gold"
BRIEF = GOLD / "brief.json"

ARTICLE_IDS = sorted(p.stem for p in ARTICLES.glob("*.txt"))

# Publication dates given with the seed articles (see evals/README.md).
PUBLISHED = {
    "000_a91afaca033a80ab": "2025-06-17",
    "001_06ee34612adf2594": "2025-06-04",
    "002_0a4d1c7dadfa6c43": "2025-06-17",
    "003_1b294a7ceb27666f": "2025-03-21",
    "004_2ad1f6fdf5f1c408": "2025-03-21",
}


def article_text(article_id: str) -> str:
    return (ARTICLES / f"{article_id}.txt").read_text(encoding="utf-8")


def load_gold(article_id: str) -> ArticleSummary:
    raw = (GOLD / f"{article_id}.json").read_text(encoding="utf-8")
    return ArticleSummary.model_validate_json(raw)


def unwritten_forms(summary: ArticleSummary, text: str) -> list[tuple[str, str]]:
    """(owner, form) of every date text, quantity text, entity name or alias of `summary` that
    is not copied verbatim from `text`."""
    missing = []
    for event in summary.events:
        if event.date is not None and event.date.text not in text:
            missing.append((event.id, event.date.text))
        missing += [(event.id, q.text) for q in event.quantities if q.text not in text]
    for entity in summary.entities:
        missing += [(entity.name, name) for name in entity.names() if name not in text]
    return missing


def evidence_problems(summary: ArticleSummary, text: str) -> list[str]:
    """Every quote must be verbatim in the article with offsets pointing exactly at it."""
    problems: list[str] = []
    owners: list[tuple[str, list[Any]]] = [(e.id, e.evidence) for e in summary.events]
    owners += [(f"takeaway {i + 1}", t.evidence) for i, t in enumerate(summary.key_takeaways)]
    for owner, evidence in owners:
        for ev in evidence:
            if ev.quote not in text:
                problems.append(f"{owner}: quote not in article: {ev.quote!r}")
            elif ev.start is None or ev.end is None or text[ev.start : ev.end] != ev.quote:
                problems.append(f"{owner}: offsets {ev.start}:{ev.end} miss {ev.quote!r}")
            elif ev.match != "exact":
                problems.append(f"{owner}: match is {ev.match!r}, expected 'exact'")
    return problems


def load_brief() -> dict[str, Any]:
    return json.loads(BRIEF.read_text(encoding="utf-8"))


def gold_event_ids() -> set[tuple[str, str]]:
    return {(aid, e.id) for aid in ARTICLE_IDS for e in load_gold(aid).events}


def test_dataset_has_the_five_articles_each_with_gold() -> None:
    assert sorted(PUBLISHED) == ARTICLE_IDS
    gold_ids = sorted(p.stem for p in GOLD.glob("*.json") if p.name != "brief.json")
    assert gold_ids == ARTICLE_IDS


@pytest.mark.parametrize("article_id", ARTICLE_IDS)
def test_gold_metadata_matches_the_article(article_id: str) -> None:
    gold = load_gold(article_id)
    text = article_text(article_id)
    meta = gold.article
    assert meta.id == article_id
    assert meta.title == text.split("\n", 1)[0]
    assert meta.published is not None
    assert meta.published.isoformat() == PUBLISHED[article_id]
    assert meta.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert gold.provenance.backend == "gold"
    assert gold.provenance.grounding_rate == 1.0
    assert gold.provenance.model is None and gold.provenance.usage is None


@pytest.mark.parametrize("article_id", ARTICLE_IDS)
def test_every_quote_is_in_the_article_at_its_offsets(article_id: str) -> None:
    gold = load_gold(article_id)
    assert gold.events, "gold has no events"
    assert evidence_problems(gold, article_text(article_id)) == []


@pytest.mark.parametrize("article_id", ARTICLE_IDS)
def test_written_forms_are_verbatim(article_id: str) -> None:
    """Date texts, quantity texts, entity names and aliases are copied from the article."""
    assert unwritten_forms(load_gold(article_id), article_text(article_id)) == []


@pytest.mark.parametrize("article_id", ARTICLE_IDS)
def test_locations_and_names_are_canonical(article_id: str) -> None:
    gold = load_gold(article_id)
    canonical = {e.name for e in gold.entities}
    keys = [name_key(n) for e in gold.entities for n in e.names()]
    assert len(keys) == len(set(keys)), "an entity name or alias is used twice"
    for event in gold.events:
        assert event.location is None or event.location in canonical, event.id
        assert set(event.participants) <= canonical, event.id
        assert len(set(event.participants)) == len(event.participants), event.id


@pytest.mark.parametrize("article_id", ARTICLE_IDS)
def test_quotes_are_in_text_order_and_takeaways_supported(article_id: str) -> None:
    """GUIDELINES.md §9: one quote per mention, in text order; every takeaway has support."""
    gold = load_gold(article_id)
    for owner in [*gold.events, *gold.key_takeaways]:
        starts = [ev.start for ev in owner.evidence]
        assert starts == sorted(starts)
        assert owner.evidence
        assert len({ev.quote for ev in owner.evidence}) == len(owner.evidence)


def test_evidence_check_catches_wrong_offsets_and_foreign_quotes() -> None:
    article_id = ARTICLE_IDS[0]
    text = article_text(article_id)
    broken = load_gold(article_id).model_copy(deep=True)
    first = broken.events[0].evidence[0]
    assert first.start is not None and first.end is not None
    first.start, first.end = first.start + 1, first.end + 1
    broken.key_takeaways[0].evidence[0].quote = "a sentence that is not in the article"
    problems = evidence_problems(broken, text)
    assert len(problems) == 2
    assert "offsets" in problems[0] and "not in article" in problems[1]


def test_brief_clusters_cover_every_gold_event_exactly_once() -> None:
    brief = load_brief()
    cluster_ids = [c["id"] for c in brief["clusters"]]
    assert len(cluster_ids) == len(set(cluster_ids))
    mentions = [(m["article_id"], m["event_id"]) for c in brief["clusters"] for m in c["mentions"]]
    assert all(c["mentions"] and c["label"] for c in brief["clusters"])
    assert len(mentions) == len(set(mentions)), "an event is in two clusters"
    assert set(mentions) == gold_event_ids()


def test_brief_conflicts_name_existing_clusters_and_articles() -> None:
    brief = load_brief()
    clusters = {c["id"]: {m["article_id"] for m in c["mentions"]} for c in brief["clusters"]}
    assert brief["conflicts"]
    for conflict in brief["conflicts"]:
        assert conflict["field"] and conflict["description"]
        assert conflict["cluster"] is None or conflict["cluster"] in clusters
        assert len(conflict["values"]) >= 2
        stated = [v["value"] for v in conflict["values"]]
        assert len(stated) == len(set(map(str, stated))), "a conflict repeats a value"
        for value in conflict["values"]:
            assert value["articles"]
            assert set(value["articles"]) <= set(ARTICLE_IDS)
            if conflict["cluster"] is not None:
                assert set(value["articles"]) <= clusters[conflict["cluster"]]


def test_brief_gold_holds_the_known_cross_article_facts() -> None:
    """The June 4 visit is reported by three articles; troop numbers 11,000 vs 12,000 conflict."""
    brief = load_brief()
    by_events = {
        frozenset((m["article_id"][:3], m["event_id"]) for m in c["mentions"]): c["id"]
        for c in brief["clusters"]
    }
    june4 = by_events[frozenset({("000", "e2"), ("001", "e1"), ("002", "e2")})]
    for aid, eid in [("000", "e2"), ("001", "e1"), ("002", "e2")]:
        full = next(a for a in ARTICLE_IDS if a.startswith(aid))
        event = next(e for e in load_gold(full).events if e.id == eid)
        assert event.type == "visit" and event.date is not None
        assert event.date.value == "2025-06-04"
    troops = [c for c in brief["conflicts"] if c["field"] == "quantity"]
    assert [sorted(v["value"] for v in c["values"]) for c in troops] == [[11000, 12000]]
    assert june4 not in {c["cluster"] for c in brief["conflicts"]}
