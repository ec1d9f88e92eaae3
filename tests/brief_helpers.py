"""Builders of ArticleSummary records for the brief tests: events given as small dicts, quotes
located in the given text so that evidence offsets are real."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from eventbrief.models import ArticleSummary

CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def evidence(text: str, quote: str) -> dict[str, Any]:
    start = text.index(quote)
    return {"quote": quote, "start": start, "end": start + len(quote), "match": "exact"}


def summary(
    article_id: str,
    published: str | None,
    text: str,
    events: list[dict[str, Any]],
    entities: list[dict[str, Any]],
    takeaways: list[str] | None = None,
) -> ArticleSummary:
    """Each event dict needs `quote` (a span of `text`); other keys are Event fields."""
    built = []
    for i, spec in enumerate(events, start=1):
        spec = dict(spec)
        quotes = spec.pop("quote")
        quotes = [quotes] if isinstance(quotes, str) else quotes
        built.append({"id": f"e{i}", **spec, "evidence": [evidence(text, q) for q in quotes]})
    points = takeaways or ["First point.", "Second point.", "Third point."]
    return ArticleSummary.model_validate(
        {
            "article": {
                "id": article_id,
                "title": f"Article {article_id}",
                "published": published,
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
            },
            "summary": text[:200],
            "key_takeaways": [{"text": t, "evidence": []} for t in points],
            "events": built,
            "entities": entities,
            "provenance": {
                "backend": "test",
                "created_at": CREATED.isoformat(),
                "grounding_rate": 1.0,
            },
        }
    )


PEOPLE = [
    {"name": "Anna Berg", "type": "person", "aliases": ["Berg"]},
    {"name": "Tomas Vale", "type": "person", "aliases": ["Vale"]},
    {"name": "Nordland", "type": "country", "aliases": []},
    {"name": "Southland", "type": "country", "aliases": ["the Republic"]},
]

TEXT_A = (
    "Eastport, May 20. Anna Berg arrived in Eastport on May 20 for talks with Tomas Vale. "
    "It is her third trip to Southland in two months. "
    "Berg first met Vale in Eastport on May 3. "
    "About 4,000 Nordland troops were deployed to the Gray Coast, officials said."
)
TEXT_B = (
    "Anna Berg, Nordland's envoy, met Tomas Vale in Eastport on May 3 to discuss security. "
    "Officials say 5,000 soldiers from Nordland have been sent to the Gray Coast."
)
TEXT_C = (
    "Berg is back in Eastport. Berg arrived in the Southland capital on Tuesday, her second "
    "visit to the country this year, after her May 3 meeting with Vale in Eastport."
)


HOSTILE = (
    "Breaking <script>alert(1)</script> news.\n"
    "Officials said </script><script>window.__pwned = 3</script> & more.\n"
    'A picture <img src=x onerror="window.__pwned = 2"> appeared.\n'
    "Berg met Vale in Eastport on June 1 <b>today</b>."
)
"""An article whose text, quotes and fields carry markup and script: a page must show them as
text and run none (each script would set window.__pwned)."""


def hostile_summary() -> ArticleSummary:
    """The summary of HOSTILE, with markup in its title, description, place and takeaways."""
    return summary(
        "x<script>window.__pwned=5</script>",
        "2026-06-02",
        HOSTILE,
        [
            {
                "type": "meeting",
                "description": 'Berg met Vale <img src=x onerror="window.__pwned=6">.',
                "participants": ["Anna Berg", "Tomas Vale"],
                "location": "</script><script>window.__pwned=7</script>",
                "date": {"text": "June 1", "value": "2026-06-01"},
                "quote": [
                    "<script>alert(1)</script>",
                    "</script><script>window.__pwned = 3</script>",
                ],
            }
        ],
        PEOPLE,
        takeaways=["<script>window.__pwned=8</script> one.", "Two & two.", "Three <i>x</i>."],
    )


def scenario() -> dict[str, tuple[ArticleSummary, str]]:
    """Three articles on one story: the May 3 meeting in all three, a troop number that differs,
    and visit counts that cannot both hold."""
    a = summary(
        "a",
        "2026-05-20",
        TEXT_A,
        [
            {
                "type": "visit",
                "description": "Anna Berg arrived in Eastport for talks with Tomas Vale.",
                "participants": ["Anna Berg", "Tomas Vale"],
                "location": "Eastport",
                "date": {"text": "May 20", "value": "2026-05-20"},
                "quote": "Anna Berg arrived in Eastport on May 20 for talks with Tomas Vale.",
            },
            {
                "type": "meeting",
                "description": "Anna Berg met Tomas Vale in Eastport.",
                "participants": ["Anna Berg", "Tomas Vale"],
                "location": "Eastport",
                "date": {"text": "May 3", "value": "2026-05-03"},
                "quote": "Berg first met Vale in Eastport on May 3.",
            },
            {
                "type": "military_deployment",
                "description": "Nordland deployed about 4,000 troops to the Gray Coast.",
                "participants": ["Nordland"],
                "location": "Gray Coast",
                "quantities": [
                    {"value": 4000, "unit": "troops", "text": "About 4,000", "approximate": True}
                ],
                "quote": "About 4,000 Nordland troops were deployed to the Gray Coast",
            },
        ],
        PEOPLE,
        takeaways=[
            "Anna Berg is visiting Southland for the third time in two months.",
            "Nordland has deployed troops to the Gray Coast.",
            "Berg and Vale first met on May 3.",
        ],
    )
    b = summary(
        "b",
        "2026-05-04",
        TEXT_B,
        [
            {
                "type": "meeting",
                "description": "Envoy Anna Berg met Tomas Vale in Eastport about security.",
                "participants": ["Berg", "Vale"],
                "location": "Eastport",
                "date": {"text": "on May 3", "value": "2026-05-03"},
                "quote": "Anna Berg, Nordland's envoy, met Tomas Vale in Eastport on May 3",
            },
            {
                "type": "military_deployment",
                "description": "Nordland sent 5,000 soldiers to the Gray Coast.",
                "participants": ["Nordland"],
                "location": "Gray Coast",
                "status": "alleged",
                "quantities": [{"value": 5000, "unit": "soldiers", "text": "5,000 soldiers"}],
                "quote": "5,000 soldiers from Nordland have been sent to the Gray Coast",
            },
        ],
        PEOPLE,
        takeaways=[
            "Nordland has deployed soldiers to the Gray Coast.",
            "Berg met Vale to discuss security.",
            "Officials gave a number of soldiers.",
        ],
    )
    c = summary(
        "c",
        "2026-05-20",
        TEXT_C,
        [
            {
                "type": "visit",
                "description": "Anna Berg arrived in the Southland capital.",
                "participants": ["Anna Berg"],
                "location": "Eastport",
                "date": {"text": "on Tuesday", "value": "2026-05-19"},
                "quote": "Berg arrived in the Southland capital on Tuesday",
            },
            {
                "type": "meeting",
                "description": "Anna Berg met Tomas Vale in Eastport in May.",
                "participants": ["Anna Berg", "Tomas Vale"],
                "location": "Eastport",
                "date": {"text": "May", "value": "2026-05"},
                "quote": "her May 3 meeting with Vale in Eastport",
            },
        ],
        PEOPLE,
    )
    return {s.article.id: (s, t) for s, t in ((a, TEXT_A), (b, TEXT_B), (c, TEXT_C))}


SEEDS = Path(__file__).resolve().parent.parent / "evals" / "articles"
SEED_PUBLISHED = [
    "--published", "000_a91afaca033a80ab=2025-06-17",
    "--published", "001_06ee34612adf2594=2025-06-04",
    "--published", "002_0a4d1c7dadfa6c43=2025-06-17",
    "--published", "2025-03-21",
]  # fmt: skip
"""The seed articles' publication dates (three never state a year), as evals/README.md gives."""
COPIED = "003_1b294a7ceb27666f"
COPY = "005_wire_copy"


def seeds_with_a_copy(folder: Path) -> Path:
    """The five seed articles and one more outlet's run of 003: the same wire text under a new
    headline, with a credit line added."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS.glob("*.txt")):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    original = (SEEDS / f"{COPIED}.txt").read_text(encoding="utf-8")
    body = original.split("\n", 1)[1].rstrip("\n")
    copy = (
        "North Korea hosts Putin's security adviser for talks\n"
        f"{body}\nReporting by Jane Doe; Editing by John Roe\n"
    )
    (folder / f"{COPY}.txt").write_text(copy, encoding="utf-8")
    return folder


UNRELATED = (
    "Codelco reopens El Teniente mine after safety shutdown\n\n"
    "Santiago, May 12 (Andes Wire) Chilean state miner Codelco reopened its El Teniente mine on "
    "Monday after a two-week safety shutdown, the company said.\n"
    "Codelco chief executive Ruben Alvarado said production would return to full capacity by "
    "June.\n"
    "The shutdown followed a tunnel collapse on April 28 that injured four workers.\n"
    "Mining minister Aurora Williams visited the mine on Tuesday and met union leaders in "
    "Rancagua.\n"
)
"""An article on another story: no event, person or place in common with the seeds."""
