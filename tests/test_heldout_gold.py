"""The held-out dataset (evals/heldout) is labelled to the same standard as the seed gold.

The per-article checks run over every dataset folder (seeds, held-out, the offline backend's
development set evals/dev, and the later pairs of development and held-out sets evals/dev2 …
evals/dev15 and evals/heldout2 … evals/heldout13), so the seed gold and the held-out gold are held
to one definition; the evidence check itself is the one in test_gold.py.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from eventbrief.models import ArticleSummary, name_key
from test_gold import evidence_problems, unwritten_forms

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "evals"
HELDOUT = SEEDS / "heldout"
DEV = SEEDS / "dev"
DEV2 = SEEDS / "dev2"
HELDOUT2 = SEEDS / "heldout2"
HELDOUT3 = SEEDS / "heldout3"
DEV3 = SEEDS / "dev3"

# Publication dates of the held-out articles (also in evals/heldout/README.md).
HELDOUT_PUBLISHED = {
    "h01_nairobi_drones": "2025-03-04",
    "h02_un_panel_chad": "2024-10-17",
    "h03_eu_belarus_sanctions": "2025-11-20",
    "h04_kyrgyz_tajik_clash": "2026-01-14",
    "h05_caucasus_summit": "2025-08-29",
    "h06_houthi_drones": "2024-07-11",
}

# Publication dates of the second held-out set (also in evals/heldout2/README.md).
HELDOUT2_PUBLISHED = {
    "h2_01_chile_india_visit": "2026-04-15",
    "h2_02_algeria_jets_rumour": "2025-06-26",
    "h2_03_australia_cyber_attribution": "2025-02-13",
    "h2_04_colombia_ceasefire": "2024-08-28",
    "h2_05_madagascar_cyclone": "2026-05-07",
    "h2_06_sri_lanka_minister_resigns": "2025-11-27",
}


def article_ids(dataset: Path) -> list[str]:
    return sorted(p.stem for p in (dataset / "articles").glob("*.txt"))


def gold_ids(dataset: Path) -> list[str]:
    return sorted(p.stem for p in (dataset / "gold").glob("*.json") if p.name != "brief.json")


EVERY_SET = [SEEDS, *sorted(gold.parent for gold in SEEDS.glob("*/gold"))]
"""Every dataset folder: the seeds and each folder of evals/ with gold, so a new set cannot be
left out of the per-article checks."""

CASES = [
    pytest.param(dataset, article_id, id=f"{dataset.name}/{article_id}")
    for dataset in EVERY_SET
    for article_id in article_ids(dataset)
]


def text_of(dataset: Path, article_id: str) -> str:
    return (dataset / "articles" / f"{article_id}.txt").read_text(encoding="utf-8")


def gold_of(dataset: Path, article_id: str) -> ArticleSummary:
    raw = (dataset / "gold" / f"{article_id}.json").read_text(encoding="utf-8")
    return ArticleSummary.model_validate_json(raw)


def test_heldout_has_six_articles_each_with_gold_and_no_seed_overlap() -> None:
    assert article_ids(HELDOUT) == sorted(HELDOUT_PUBLISHED)
    assert gold_ids(HELDOUT) == article_ids(HELDOUT)
    assert not set(article_ids(HELDOUT)) & set(article_ids(SEEDS))
    seed_texts = {text_of(SEEDS, a) for a in article_ids(SEEDS)}
    assert not {text_of(HELDOUT, a) for a in article_ids(HELDOUT)} & seed_texts


@pytest.mark.parametrize("article_id", sorted(HELDOUT_PUBLISHED))
def test_heldout_articles_are_news_sized_and_off_the_seed_story(article_id: str) -> None:
    text = text_of(HELDOUT, article_id)
    assert 1800 <= len(text) <= 3200, len(text)
    assert not re.search(r"Russia|North Korea|Shoigu|Pyongyang|Kim Jong", text)


@pytest.mark.parametrize("article_id", sorted(HELDOUT_PUBLISHED))
def test_heldout_publication_dates(article_id: str) -> None:
    published = gold_of(HELDOUT, article_id).article.published
    assert published is not None and published.isoformat() == HELDOUT_PUBLISHED[article_id]
    assert HELDOUT_PUBLISHED[article_id] not in text_of(HELDOUT, article_id)


@pytest.mark.parametrize(("dataset", "article_id"), CASES)
def test_gold_metadata_matches_the_article(dataset: Path, article_id: str) -> None:
    gold = gold_of(dataset, article_id)
    text = text_of(dataset, article_id)
    assert gold.article.id == article_id
    assert gold.article.title == text.split("\n", 1)[0]
    assert gold.article.published is not None
    assert gold.article.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert gold.provenance.backend == "gold"
    assert gold.provenance.grounding_rate == 1.0
    assert gold.provenance.model is None and gold.provenance.usage is None


@pytest.mark.parametrize(("dataset", "article_id"), CASES)
def test_every_quote_is_in_the_article_at_its_offsets(dataset: Path, article_id: str) -> None:
    gold = gold_of(dataset, article_id)
    assert gold.events, "gold has no events"
    assert evidence_problems(gold, text_of(dataset, article_id)) == []


@pytest.mark.parametrize(("dataset", "article_id"), CASES)
def test_written_forms_are_verbatim(dataset: Path, article_id: str) -> None:
    assert unwritten_forms(gold_of(dataset, article_id), text_of(dataset, article_id)) == []


@pytest.mark.parametrize(("dataset", "article_id"), CASES)
def test_locations_and_participants_are_canonical(dataset: Path, article_id: str) -> None:
    gold = gold_of(dataset, article_id)
    canonical = {e.name for e in gold.entities}
    keys = [name_key(n) for e in gold.entities for n in e.names()]
    assert len(keys) == len(set(keys)), "an entity name or alias is used twice"
    assert [e.id for e in gold.events] == [f"e{i}" for i in range(1, len(gold.events) + 1)]
    for event in gold.events:
        assert event.location is None or event.location in canonical, event.id
        assert set(event.participants) <= canonical, event.id
        assert len(set(event.participants)) == len(event.participants), event.id


@pytest.mark.parametrize(("dataset", "article_id"), CASES)
def test_quotes_are_in_text_order_and_takeaways_supported(dataset: Path, article_id: str) -> None:
    gold = gold_of(dataset, article_id)
    assert 3 <= len(gold.key_takeaways) <= 7
    for owner in [*gold.events, *gold.key_takeaways]:
        starts = [ev.start for ev in owner.evidence]
        assert owner.evidence
        assert starts == sorted(starts)
        assert len({ev.quote for ev in owner.evidence}) == len(owner.evidence)


@pytest.mark.parametrize(
    "heldout",
    [d for d in EVERY_SET if d.name.startswith("heldout")],
    ids=[d.name for d in EVERY_SET if d.name.startswith("heldout")],
)
def test_no_heldout_name_leaks_into_the_package(heldout: Path) -> None:
    """Nobody tunes against a held-out set: none of its people or invented names is in src/.
    Real people the seed story names ("Kim Jong Un") are the seeds', not the set's."""
    seed_people = {
        name_key(entity.name)
        for article_id in article_ids(SEEDS)
        for entity in gold_of(SEEDS, article_id).entities
        if entity.type == "person"
    }
    names = {
        entity.name
        for article_id in article_ids(heldout)
        for entity in gold_of(heldout, article_id).entities
        if entity.type == "person" and name_key(entity.name) not in seed_people
    }
    names |= {gold_of(heldout, a).article.source or "" for a in article_ids(heldout)} - {""}
    assert len(names) >= 10
    sources = [
        p.read_text(encoding="utf-8")
        for p in (ROOT / "src").rglob("*")
        if p.is_file() and p.suffix in {".py", ".txt", ".json", ".csv", ".tsv"}
    ]
    leaked = sorted(n for n in names if any(n in s for s in sources))
    assert leaked == []


def test_dev_set_is_news_sized_dated_and_apart_from_seeds_and_heldout() -> None:
    """evals/dev is the offline backend's development set: eight short wire stories of its own."""
    ids = article_ids(DEV)
    assert len(ids) == 8 and gold_ids(DEV) == ids
    others = {text_of(d, a) for d in (SEEDS, HELDOUT) for a in article_ids(d)}
    for article_id in ids:
        text = text_of(DEV, article_id)
        assert 1200 <= len(text) <= 2500, (article_id, len(text))
        assert text not in others
        assert gold_of(DEV, article_id).article.published is not None


def test_heldout2_has_six_articles_each_with_gold_and_no_overlap() -> None:
    """evals/heldout2: a second held-out set, written and labelled apart from src/."""
    assert article_ids(HELDOUT2) == sorted(HELDOUT2_PUBLISHED)
    assert gold_ids(HELDOUT2) == article_ids(HELDOUT2)
    others = {text_of(d, a) for d in (SEEDS, HELDOUT, DEV, DEV2) for a in article_ids(d)}
    assert not {text_of(HELDOUT2, a) for a in article_ids(HELDOUT2)} & others


@pytest.mark.parametrize("article_id", sorted(HELDOUT2_PUBLISHED))
def test_heldout2_articles_are_news_sized_dated_and_off_the_seed_story(article_id: str) -> None:
    text = text_of(HELDOUT2, article_id)
    assert 1800 <= len(text) <= 3200, len(text)
    assert 250 <= len(text.split()) <= 450, len(text.split())
    assert not re.search(r"Russia|North Korea|Shoigu|Pyongyang|Kim Jong", text)
    published = gold_of(HELDOUT2, article_id).article.published
    assert published is not None and published.isoformat() == HELDOUT2_PUBLISHED[article_id]
    assert HELDOUT2_PUBLISHED[article_id] not in text


def test_dev2_set_is_news_sized_dated_and_apart_from_the_other_sets() -> None:
    """evals/dev2: ten wire stories for development, labelled by hand like the others."""
    ids = article_ids(DEV2)
    assert len(ids) == 10 and gold_ids(DEV2) == ids
    others = {text_of(d, a) for d in (SEEDS, HELDOUT, DEV, HELDOUT2) for a in article_ids(d)}
    for article_id in ids:
        text = text_of(DEV2, article_id)
        assert 1300 <= len(text) <= 3200, (article_id, len(text))
        assert 250 <= len(text.split()) <= 450, (article_id, len(text.split()))
        assert text not in others
        assert gold_of(DEV2, article_id).article.published is not None


def _short_stories_apart(dataset: Path, count: int, others: tuple[Path, ...], banned: str) -> int:
    """Checks a set of wire stories: `count` articles each with gold, 120–450 words, none the
    same text as an article of `others`, none matching `banned`, each dated in its gold and not
    in its text; returns how many are short pieces (under 200 words)."""
    ids = article_ids(dataset)
    assert len(ids) == count and gold_ids(dataset) == ids
    seen = {text_of(d, a) for d in others for a in article_ids(d)}
    short = 0
    for article_id in ids:
        text = text_of(dataset, article_id)
        words = len(text.split())
        assert 120 <= words <= 450, (article_id, words)
        short += words < 200
        assert text not in seen and not re.search(banned, text), article_id
        published = gold_of(dataset, article_id).article.published
        assert published is not None and published.isoformat() not in text
    return short


def test_dev3_set_is_news_sized_dated_and_apart_from_the_other_sets() -> None:
    """evals/dev3: eighteen wire stories on other topics, from three labellers who had not seen
    the rules; two are short pieces with no year anywhere."""
    others = (SEEDS, HELDOUT, DEV, DEV2, HELDOUT2)
    banned = r"Russia|North Korea|Shoigu|Pyongyang|Kim Jong"
    assert _short_stories_apart(DEV3, 18, others, banned) == 2


def test_heldout3_is_twelve_news_sized_dated_articles_apart_from_the_other_sets() -> None:
    """evals/heldout3: a third held-out set from two labellers who had not seen the rules; six on
    the seed story's world (none about its own visits), six on other topics, one short."""
    others = (SEEDS, HELDOUT, DEV, DEV2, HELDOUT2, DEV3)
    assert _short_stories_apart(HELDOUT3, 12, others, r"Shoigu") == 1


def _round(folder: Path) -> int:
    found = re.fullmatch(r"(?:dev|heldout)(\d+)", folder.name)
    return int(found.group(1)) if found else 0


LATER_SETS = sorted(
    (d for d in SEEDS.iterdir() if _round(d) >= 4),
    key=lambda d: (_round(d), d.name.startswith("heldout")),
)
"""Each later round's development set and held-out set (dev4, heldout4, dev5 …), in the order
they were made."""


@pytest.mark.parametrize("dataset", LATER_SETS, ids=lambda d: d.name)
def test_later_sets_are_news_sized_dated_and_apart_from_the_sets_before_them(dataset: Path) -> None:
    """evals/dev4, heldout4 and every later round's sets: each round's development set (eighteen
    stories from three labellers who had not seen the rules, three short) and held-out set (twelve
    from two more, two short), six of each on the seed story's world (none about its own visits),
    the rest on other topics."""
    count, short = (18, 3) if dataset.name.startswith("dev") else (12, 2)
    before = (SEEDS, HELDOUT, DEV, DEV2, HELDOUT2, DEV3, HELDOUT3)
    earlier = tuple(LATER_SETS[: LATER_SETS.index(dataset)])
    assert _short_stories_apart(dataset, count, before + earlier, r"Shoigu") == short
