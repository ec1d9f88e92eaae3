"""Which trigger rule made each offline event: a debug view, so a wrong event points at its rule.

Run as `python -m eventbrief.backends.offline.explain ARTICLE.txt [YYYY-MM-DD]`; it prints one
line per event (the id, type and status the backend gives it, and the rule ids) and changes
nothing in the extraction contract.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NamedTuple

from eventbrief.articles import load_article
from eventbrief.backends.offline.backend import draft_events
from eventbrief.errors import ArticleError


class Explained(NamedTuple):
    """One event as the backend numbers it, with the rules behind it."""

    id: str
    type: str
    status: str
    rules: list[str]
    trigger_words: list[str]


def explain(text: str, published: dt.date | None = None) -> list[Explained]:
    """The rules behind each event `extract_article` would return for `text`."""
    _sentences, _table, drafts = draft_events(text, published)
    return [
        Explained(
            f"e{i}",
            d.type,
            d.status,
            d.rules,
            [text[m.trigger[0] : m.trigger[1]] for m in d.mentions],
        )
        for i, d in enumerate(drafts, start=1)
    ]


def main(argv: list[str]) -> int:
    """Print each event of an article (loaded as summarize loads it) with the rules behind it;
    a bad argument is one line on stderr and exit 2."""
    if not 1 <= len(argv) <= 2:
        print(
            "usage: python -m eventbrief.backends.offline.explain ARTICLE [YYYY-MM-DD]",
            file=sys.stderr,
        )
        return 2
    try:
        published = dt.date.fromisoformat(argv[1]) if len(argv) == 2 else None
    except ValueError:
        print(f"explain: {argv[1]!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    try:
        article = load_article(Path(argv[0]), published)
    except ArticleError as exc:
        print(f"explain: {exc}", file=sys.stderr)
        return 2
    text, published = article.text, article.meta.published
    for e in explain(text, published):
        words = ", ".join(repr(w) for w in e.trigger_words)
        print(f"{e.id}\t{e.type}\t{e.status}\t{' '.join(e.rules)}\t{words}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
