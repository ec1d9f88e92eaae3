"""ROUGE-L from rapidfuzz's LCS over rouge-score's tokens equals rouge-score's own value.

rouge-score (dev extra only) is the reference: 2,763 pairs of texts drawn from the repository's
gold (each summary against every other, takeaways and evidence quotes against their summary and
each other) must score exactly the same, float for float.
"""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import pytest
from rouge_score import rouge_scorer, tokenize
from rouge_score.tokenizers import DefaultTokenizer

from eventbrief.scoring.rouge import rouge_l, tokens

EVALS = Path(__file__).resolve().parents[1] / "evals"
GOLD = sorted(p for p in EVALS.rglob("gold/*.json") if p.name != "brief.json")


def _texts(path: Path) -> tuple[str, list[str]]:
    """An article's gold summary, and its takeaways and evidence quotes."""
    record = json.loads(path.read_text(encoding="utf-8"))
    quotes = [q["quote"] for t in record["key_takeaways"] for q in t["evidence"]]
    quotes += [q["quote"] for e in record["events"] for q in e.get("evidence", [])]
    return record["summary"], [t["text"] for t in record["key_takeaways"]] + quotes


SUMMARIES = [_texts(path)[0] for path in GOLD if path.parent.parent.name in ("evals", "dev")]
"""The summaries every gold summary is also compared with: the seeds' and evals/dev's, a fixed
set, so the pairs grow with the gold linearly (all against all took minutes at 274 records)."""
REFERENCE = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def test_the_gold_is_there_to_compare() -> None:
    assert len(GOLD) >= 35


@pytest.mark.parametrize("path", GOLD, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_equal_to_rouge_score_on_the_gold(path: Path) -> None:
    summary, others = _texts(path)
    pairs = [(text, summary) for text in others]
    pairs += list(product(others[:4], others[:4]))
    pairs += [(summary, other) for other in SUMMARIES]
    for pred, gold in pairs:
        expected = REFERENCE.score(gold, pred)["rougeL"].fmeasure
        assert rouge_l(pred, gold) == expected, (pred, gold)


def test_same_tokens_as_rouge_score_on_awkward_text() -> None:
    text = "Ukraine's U.S.-made HIMARS struck 2 depots; İstanbul talks — dying, skies, news, 3.5%!"
    expected = tokenize.tokenize(text, DefaultTokenizer(use_stemmer=True)._stemmer)
    assert tokens(text) == expected
    assert "news" in expected and "die" in expected  # nltk's extensions to Porter, as rouge-score


def test_empty_side_scores_zero() -> None:
    assert rouge_l("", "a gold summary") == 0.0
    assert rouge_l("a prediction", "—") == 0.0
    assert rouge_l("the same words", "the same words") == 1.0
