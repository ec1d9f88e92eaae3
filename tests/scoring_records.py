"""Synthetic gold records for the scorer's known-answer tests and the eval CLI tests.

Each article is written here (never seen by any backend before); its gold is built with
offsets found by `str.index`, so the records are valid ArticleSummary objects by construction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from eventbrief.models import (
    ArticleMeta,
    ArticleSummary,
    Entity,
    Evidence,
    GroundedEvent,
    GroundedTakeaway,
    Provenance,
    Quantity,
    TimeValue,
)

ARTICLE_A = (
    "Harbour talks close with a fisheries pact\n"
    "Valdoria, May 14 (Coastal Wire) Foreign Minister Ilse Marrok arrived in Port Keswin on "
    "Monday for two days of talks with President Tomas Reyvik of Ostrava, the Coastal Wire "
    "reported. Marrok met Reyvik at the presidential palace in Port Keswin on Tuesday. "
    "The two governments signed a fisheries agreement on May 13 covering about 4,500 "
    "fishing boats. Officials said Ostrava had sent 2 patrol ships to the disputed shoals "
    "in April. The Northern League criticised the pact on Wednesday.\n"
)
ARTICLE_B = (
    "Grain convoy reaches the coast\n"
    "A convoy carrying 12,000 tonnes of grain reached Lenmar on June 2, aid officials said. "
    "The Relief Council announced it would send a second convoy in July. "
    "Ostrava's defence ministry released a report on the convoy route on June 3.\n"
)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ev(text: str, quote: str) -> Evidence:
    start = text.index(quote)
    return Evidence(quote=quote, start=start, end=start + len(quote), match="exact")


def _provenance(backend: str = "human") -> Provenance:
    return Provenance(
        backend=backend,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        grounding_rate=1.0,
    )


def gold_a() -> ArticleSummary:
    t = ARTICLE_A
    return ArticleSummary(
        article=ArticleMeta(
            id="a",
            title="Harbour talks close with a fisheries pact",
            published=dt.date(2024, 5, 15),
            sha256=_sha(t),
        ),
        summary=(
            "Foreign Minister Ilse Marrok of Valdoria held talks with President Tomas Reyvik "
            "of Ostrava in Port Keswin, where the two governments signed a fisheries agreement."
        ),
        key_takeaways=[
            GroundedTakeaway(
                text="Marrok travelled to Port Keswin for two days of talks with Reyvik.",
                evidence=[ev(t, "Foreign Minister Ilse Marrok arrived in Port Keswin on Monday")],
            ),
            GroundedTakeaway(
                text="Valdoria and Ostrava signed a fisheries agreement covering 4,500 boats.",
                evidence=[ev(t, "The two governments signed a fisheries agreement on May 13")],
            ),
            GroundedTakeaway(
                text="The Northern League criticised the fisheries pact.",
                evidence=[ev(t, "The Northern League criticised the pact on Wednesday.")],
            ),
        ],
        events=[
            GroundedEvent(
                id="e1",
                type="visit",
                description="Ilse Marrok arrived in Port Keswin for talks.",
                participants=["Ilse Marrok"],
                location="Port Keswin",
                date=TimeValue(text="on Monday", value="2024-05-13"),
                attributed_to=["Coastal Wire"],
                evidence=[ev(t, "Foreign Minister Ilse Marrok arrived in Port Keswin on Monday")],
            ),
            GroundedEvent(
                id="e2",
                type="meeting",
                description="Marrok met Reyvik at the presidential palace.",
                participants=["Ilse Marrok", "Tomas Reyvik"],
                location="Port Keswin",
                date=TimeValue(text="on Tuesday", value="2024-05-14"),
                evidence=[ev(t, "Marrok met Reyvik at the presidential palace in Port Keswin")],
            ),
            GroundedEvent(
                id="e3",
                type="agreement",
                description="Valdoria and Ostrava signed a fisheries agreement.",
                participants=["Valdoria", "Ostrava"],
                date=TimeValue(text="on May 13", value="2024-05-13"),
                quantities=[
                    Quantity(
                        value=4500,
                        unit="fishing boats",
                        text="about 4,500 fishing boats",
                        approximate=True,
                    )
                ],
                evidence=[ev(t, "The two governments signed a fisheries agreement on May 13")],
            ),
            GroundedEvent(
                id="e4",
                type="military_deployment",
                description="Ostrava sent patrol ships to the disputed shoals.",
                participants=["Ostrava"],
                location="disputed shoals",
                date=TimeValue(text="in April", value="2024-04"),
                status="alleged",
                quantities=[Quantity(value=2, unit="patrol ships", text="2 patrol ships")],
                attributed_to=["officials"],
                evidence=[ev(t, "Ostrava had sent 2 patrol ships to the disputed shoals")],
            ),
            GroundedEvent(
                id="e5",
                type="criticism",
                description="The Northern League criticised the pact.",
                participants=["Northern League"],
                date=TimeValue(text="on Wednesday", value="2024-05-15"),
                evidence=[ev(t, "The Northern League criticised the pact on Wednesday.")],
            ),
        ],
        entities=[
            Entity(
                name="Ilse Marrok",
                type="person",
                aliases=["Marrok"],
                description="Foreign Minister",
            ),
            Entity(
                name="Tomas Reyvik",
                type="person",
                aliases=["Reyvik"],
                description="President of Ostrava",
            ),
            Entity(name="Valdoria", type="country"),
            Entity(name="Ostrava", type="country", aliases=["Ostravan government"]),
            Entity(name="Port Keswin", type="location"),
            Entity(name="Northern League", type="organization"),
            Entity(name="Coastal Wire", type="organization"),
        ],
        provenance=_provenance(),
    )


def gold_b() -> ArticleSummary:
    t = ARTICLE_B
    return ArticleSummary(
        article=ArticleMeta(
            id="b",
            title="Grain convoy reaches the coast",
            published=dt.date(2024, 6, 4),
            sha256=_sha(t),
        ),
        summary="A grain convoy reached Lenmar and a second one is planned for July.",
        key_takeaways=[
            GroundedTakeaway(text="A convoy brought 12,000 tonnes of grain to Lenmar."),
            GroundedTakeaway(text="The Relief Council plans a second convoy in July."),
            GroundedTakeaway(text="Ostrava's defence ministry reported on the convoy route."),
        ],
        events=[
            GroundedEvent(
                id="e1",
                type="aid",
                description="A grain convoy reached Lenmar.",
                location="Lenmar",
                date=TimeValue(text="on June 2", value="2024-06-02"),
                quantities=[Quantity(value=12000, unit="tonnes", text="12,000 tonnes")],
                attributed_to=["aid officials"],
                evidence=[
                    ev(t, "A convoy carrying 12,000 tonnes of grain reached Lenmar on June 2")
                ],
            ),
            GroundedEvent(
                id="e2",
                type="aid",
                description="The Relief Council will send a second convoy.",
                participants=["Relief Council"],
                status="planned",
                date=TimeValue(text="in July", value="2024-07"),
                evidence=[
                    ev(t, "The Relief Council announced it would send a second convoy in July.")
                ],
            ),
            GroundedEvent(
                id="e3",
                type="report_release",
                description="Ostrava's defence ministry released a report on the route.",
                participants=["Ostrava defence ministry"],
                date=TimeValue(text="on June 3", value="2024-06-03"),
                evidence=[
                    ev(t, "Ostrava's defence ministry released a report on the convoy route")
                ],
            ),
        ],
        entities=[
            Entity(name="Relief Council", type="organization"),
            Entity(
                name="Ostrava defence ministry",
                type="organization",
                aliases=["Ostrava's defence ministry"],
            ),
            Entity(name="Lenmar", type="location"),
        ],
        provenance=_provenance(),
    )


TEXTS = {"a": ARTICLE_A, "b": ARTICLE_B}
GOLDS = {"a": gold_a, "b": gold_b}


def as_prediction(gold: ArticleSummary, **update: Any) -> ArticleSummary:
    """A predicted record: the gold with `update` applied, re-validated, from a backend."""
    data = gold.model_dump()
    data.update(update)
    data["provenance"] = _provenance("offline").model_dump()
    return ArticleSummary.model_validate(data)


def to_extraction(summary: ArticleSummary) -> dict[str, Any]:
    """The ArticleExtraction a model would return for `summary` (quotes only, no offsets)."""
    data = summary.model_dump(
        mode="json", include={"summary", "key_takeaways", "events", "entities"}
    )
    for item in (*data["key_takeaways"], *data["events"]):
        item["evidence"] = [{"quote": e["quote"]} for e in item["evidence"]]
    return data


def write_dataset(root: Path, golds: dict[str, ArticleSummary] | None = None) -> Path:
    """A dataset folder (articles/ + gold/) holding the synthetic articles."""
    golds = golds or {k: f() for k, f in GOLDS.items()}
    (root / "articles").mkdir(parents=True)
    (root / "gold").mkdir()
    for article_id, gold in golds.items():
        (root / "articles" / f"{article_id}.txt").write_text(TEXTS[article_id], encoding="utf-8")
        (root / "gold" / f"{article_id}.json").write_text(
            gold.model_dump_json(indent=2), encoding="utf-8"
        )
    return root


def write_predictions(folder: Path, preds: dict[str, ArticleSummary | str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for article_id, pred in preds.items():
        body = pred if isinstance(pred, str) else pred.model_dump_json(indent=2)
        (folder / f"{article_id}.json").write_text(body, encoding="utf-8")
    return folder


def report_json(text: str) -> dict[str, Any]:
    return json.loads(text)
