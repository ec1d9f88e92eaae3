"""ROUGE-L F-measure, as rouge-score computes it with `RougeScorer(["rougeL"], use_stemmer=True)`.

Tokens are rouge-score's: the text lower-cased, every run of characters other than a-z and 0-9
a separator, and words longer than three letters Porter-stemmed by nltk's stemmer in its default
(NLTK_EXTENSIONS) mode, the one rouge-score uses. The longest common subsequence of the two token
lists comes from rapidfuzz. tests/test_rouge.py holds the values equal to rouge-score's over the
repository's gold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rapidfuzz.distance import LCSseq

_SEPARATORS = re.compile(r"[^a-z0-9]+")
_TOKEN = re.compile(r"^[a-z0-9]+$")


@lru_cache(maxsize=1)
def _stem() -> Callable[[str], str]:
    """nltk's Porter stemmer (part of the eval extra; importing nltk takes a while)."""
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer().stem


def tokens(text: str) -> list[str]:
    """rouge-score's tokens of `text` (its tokenize.tokenize with the Porter stemmer)."""
    stem = _stem()
    words = _SEPARATORS.sub(" ", text.lower()).split()
    stemmed = [stem(word) if len(word) > 3 else word for word in words]
    return [word for word in stemmed if _TOKEN.match(word)]


def rouge_l(pred: str, gold: str) -> float:
    """ROUGE-L F of `pred` against `gold`: 0.0 when either has no token."""
    target, prediction = tokens(gold), tokens(pred)
    if not target or not prediction:
        return 0.0
    common = LCSseq.similarity(target, prediction)
    precision = common / len(prediction)
    recall = common / len(target)
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0
