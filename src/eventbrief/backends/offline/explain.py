"""Which rules made each offline event: a debug view, so a wrong event points at its rule.

Run as `python -m eventbrief.backends.offline.explain ARTICLE.txt [YYYY-MM-DD] [--vetoed]`; it
prints one line per event (the id, type and status the backend gives it, the trigger rule ids,
the trigger words and the ids of the attribution rules behind its credits) and, with
`--vetoed`, one line per trigger a veto dropped (the veto id, the trigger rule id, the trigger
words and where they start), so a missed event points at its veto. It changes nothing in the
extraction contract.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NamedTuple

from eventbrief.articles import load_article
from eventbrief.backends.offline.attribution import find_credits
from eventbrief.backends.offline.backend import draft_events
from eventbrief.backends.offline.document import Document
from eventbrief.backends.offline.events import DraftEvent
from eventbrief.backends.offline.mentions import find_triggers, sentence_vetoes
from eventbrief.backends.offline.names import EntityTable
from eventbrief.errors import ArticleError


class Explained(NamedTuple):
    """One event as the backend numbers it, with the rules behind it."""

    id: str
    type: str
    status: str
    rules: list[str]
    trigger_words: list[str]
    credit_rules: list[str]


def _credit_rules(text: str, table: EntityTable, draft: DraftEvent) -> list[str]:
    """Ids of the attribution rules that credit the event's sources in its mentions' sentences
    (a speaker credited by a speech verb has none)."""
    found = (
        c
        for m in draft.mentions
        for c in find_credits(text, m.sentence.start, m.sentence.end, table)
        if set(c.names) & set(draft.credits)
    )
    return list(dict.fromkeys(c.rule for c in found if c.rule))


def explain(text: str, published: dt.date | None = None) -> list[Explained]:
    """The rules behind each event `extract_article` would return for `text`."""
    _sentences, table, drafts = draft_events(text, published)
    return [
        Explained(
            f"e{i}",
            d.type,
            d.status,
            d.rules,
            [text[m.trigger[0] : m.trigger[1]] for m in d.mentions],
            _credit_rules(text, table, d),
        )
        for i, d in enumerate(drafts, start=1)
    ]


class Vetoed(NamedTuple):
    """A trigger a veto dropped: the veto's id, the trigger rule's id, its words and offset."""

    veto: str
    rule: str
    words: str
    start: int


def vetoed(text: str) -> list[Vetoed]:
    """The triggers the vetoes of `vetoes.toml` drop in `text`, in the order of the text (in
    the sentences the backend reads: not headings or page furniture)."""
    doc = Document.build(text)
    triggers = find_triggers(text)
    found = [
        Vetoed(veto, t.rule, text[t.start : t.end], t.start)
        for s in doc.sentences
        if s.kind not in ("meta", "heading")
        for t, veto in sentence_vetoes(doc, s, triggers)[1].items()
    ]
    return sorted(found, key=lambda v: v.start)


def main(argv: list[str]) -> int:
    """Print each event of an article (loaded as summarize loads it) with the rules behind it,
    and with `--vetoed` each trigger a veto dropped; a bad argument is one line on stderr and
    exit 2."""
    show_vetoed = "--vetoed" in argv
    argv = [a for a in argv if a != "--vetoed"]
    if not 1 <= len(argv) <= 2:
        print(
            "usage: python -m eventbrief.backends.offline.explain ARTICLE [YYYY-MM-DD] [--vetoed]",
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
        credits = " ".join(e.credit_rules)
        print(f"{e.id}\t{e.type}\t{e.status}\t{' '.join(e.rules)}\t{words}\t{credits}")
    if show_vetoed:
        for v in vetoed(text):
            print(f"vetoed\t{v.veto}\t{v.rule}\t{v.words!r}\t{v.start}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
