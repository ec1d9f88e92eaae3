"""Benchmark of the offline backend's document model against maintained libraries: sentence
splitting and tokenizing by the package's own rules, pysbd, and spaCy's blank English pipeline
(sentencizer, tokenizer, lookup lemmas from spacy-lookups-data), side by side.

    python bench/bench_document.py [--repeat 5]

Reads the articles and gold of evals/, evals/dev and evals/dev2 only (never the held-out sets).
Each splitter gets the same body lines (a line break ends a sentence for all of them; titles,
headings, bullets and meta lines stay whole). Measured per splitter: median milliseconds per
article, import and set-up time (a fresh process), installed size (the distribution and what it
requires beyond the default install), gold evidence quotes it cuts (every quote in these golds
is one sentence or part of one), boundaries it puts after an abbreviation, an initial or a
dotted acronym followed by a capitalised word, boundaries inside a dateline, and errors on
hand-written probe lines. A library that is not installed is reported as skipped.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import importlib.util
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from eventbrief.backends.offline.document import Document
from eventbrief.backends.offline.sentences import DATELINE, split_sentences
from eventbrief.sentences import sentence_spans

ROOT = Path(__file__).resolve().parents[1]
SETS = ("evals", "evals/dev", "evals/dev2")
Spans = list[tuple[int, int]]
Splitter = Callable[[str], Spans]

ABBREVIATED = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|Adm|Gov|Sen|Rep|St|Jan|Feb|"
    r"Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Inc|Corp|Co|Ltd|No)\.)$"
)
"""A period that closes an abbreviation, an initial or a dotted acronym."""

PROBES: list[tuple[str, list[str]]] = [
    (
        "Mr. Smith met U.S. officials on Dec. 21. Growth was 3.5 percent.",
        ["Mr. Smith met U.S. officials on Dec. 21.", "Growth was 3.5 percent."],
    ),
    (
        "John F. Kennedy spoke. Dr. Ri and Gen. Kim left at 5 p.m. on Monday.",
        ["John F. Kennedy spoke.", "Dr. Ri and Gen. Kim left at 5 p.m. on Monday."],
    ),
    (
        "Army spokesman Lt. Col. Guillaume Ndjike said the town fell. Fighting went on.",
        ["Army spokesman Lt. Col. Guillaume Ndjike said the town fell.", "Fighting went on."],
    ),
    (
        "VIENNA, Sept. 17 (Reuters) — Inspectors returned to the plant. They stayed a week.",
        [
            "VIENNA, Sept. 17 (Reuters) — Inspectors returned to the plant.",
            "They stayed a week.",
        ],
    ),
    (
        "The deal was signed in the U.S. The talks resume in May.",
        ["The deal was signed in the U.S.", "The talks resume in May."],
    ),
    (
        '"We will not yield," he said. "Never." The minister left.',
        ['"We will not yield," he said.', '"Never."', "The minister left."],
    ),
    (
        "Acme Corp. bought 20 jets. Ms. Lee of Beta Inc. objected.",
        ["Acme Corp. bought 20 jets.", "Ms. Lee of Beta Inc. objected."],
    ),
    (
        "Troops left on Jan. 5, officials said. Was it over? Yes!",
        ["Troops left on Jan. 5, officials said.", "Was it over?", "Yes!"],
    ),
    (
        "The U.N. Security Council met. Sen. J. D. Vance and Gov. Abbott spoke.",
        ["The U.N. Security Council met.", "Sen. J. D. Vance and Gov. Abbott spoke."],
    ),
    (
        "Prices rose 2.75 per cent, e.g. for fuel. About 11,000 troops crossed.",
        ["Prices rose 2.75 per cent, e.g. for fuel.", "About 11,000 troops crossed."],
    ),
    (
        "It happened at 9 a.m. Reuters could not confirm it.",
        ["It happened at 9 a.m.", "Reuters could not confirm it."],
    ),
    (
        "No. 10 said no. Then it ended (officially). 2024 was calm.",
        ["No. 10 said no.", "Then it ended (officially).", "2024 was calm."],
    ),
]
"""Lines with the sentences a careful reader cuts them into."""


def _own(line: str) -> Spans:
    return [(s.start, s.end) for s in split_sentences(line) if s.kind == "body"] or [(0, len(line))]


def _pysbd() -> Splitter | None:
    if importlib.util.find_spec("pysbd") is None:
        return None
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def split(line: str) -> Spans:
        return [(s.start, s.start + len(s.sent.rstrip())) for s in segmenter.segment(line)]

    return split


def _spacy(lemmas: bool) -> Splitter | None:
    if importlib.util.find_spec("spacy") is None:
        return None
    if lemmas and importlib.util.find_spec("spacy_lookups_data") is None:
        return None
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    if lemmas:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()

    def split(line: str) -> Spans:
        return [(s.start_char, s.end_char) for s in nlp(line).sents]

    return split


def _own(line: str) -> Spans:
    return sentence_spans(line, 0, len(line))


OWN_MODULES = (
    "eventbrief.sentences",
    "eventbrief.backends.offline.sentences",
    "eventbrief.backends.offline.lemmas",
    "eventbrief.backends.offline.document",
)
"""The own document model's modules: its import time is theirs alone (`-X importtime` self
times), not the rest of the offline backend that importing the package brings."""
IMPORTS = {
    "pysbd": "import pysbd; pysbd.Segmenter(language='en', clean=False, char_span=True)",
    "spaCy sentencizer": "import spacy; n = spacy.blank('en'); n.add_pipe('sentencizer')",
    "spaCy + lookup lemmas": "import spacy; n = spacy.blank('en'); n.add_pipe('sentencizer'); "
    "n.add_pipe('lemmatizer', config={'mode': 'lookup'}); n.initialize()",
}
DISTRIBUTIONS = {
    "own rules": [],
    "pysbd": ["pysbd"],
    "spaCy sentencizer": ["spacy"],
    "spaCy + lookup lemmas": ["spacy", "spacy-lookups-data"],
}


def _closure(names: list[str]) -> set[str]:
    """The distributions `names` need, themselves included (extras left out)."""
    seen: set[str] = set()
    todo = [n.lower().replace("_", "-") for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for req in dist.requires or []:
            if "extra ==" in req or "extra==" in req:
                continue
            m = re.match(r"[A-Za-z0-9._-]+", req)
            if m:
                todo.append(m.group(0).lower().replace("_", "-"))
    return seen


def _size_mb(names: list[str]) -> float:
    """Installed megabytes of `names` and what they need that eventbrief does not."""
    extra = _closure(names) - _closure(["eventbrief"])
    total = 0
    for name in extra:
        for f in metadata.distribution(name).files or []:
            path = Path(str(f.locate()))
            if path.is_file():
                total += path.stat().st_size
    return total / 1e6


def _own_import_ms() -> float:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import eventbrief.backends.offline.document"],
        capture_output=True,
        text=True,
        check=True,
    )
    self_us = 0
    for line in proc.stderr.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] in OWN_MODULES:
            self_us += int(parts[0])
    return self_us / 1000


def _import_ms(code: str) -> float:
    """Median wall time of a fresh process doing `code`, less a bare interpreter's."""

    def run(c: str) -> float:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", c], check=True)
        return time.perf_counter() - t

    bare = statistics.median(run("pass") for _ in range(5))
    return (statistics.median(run(code) for _ in range(5)) - bare) * 1000


def _body_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line the backend splits into sentences."""
    lines: dict[int, tuple[int, int]] = {}
    for s in split_sentences(text):
        if s.kind == "body":
            a, b = lines.get(s.line, (s.start, s.end))
            lines[s.line] = (min(a, s.start), max(b, s.end))
    return list(lines.values())


def _boundaries(text: str, split: Splitter) -> list[int]:
    """Where a sentence starts inside a body line, by `split`."""
    out = []
    for a, b in _body_lines(text):
        for s, _e in split(text[a:b])[1:]:
            out.append(a + s)
    return out


def _load() -> list[tuple[str, list[tuple[int, int]]]]:
    """(text, gold evidence spans) of each article of the sets."""
    docs = []
    for name in SETS:
        for path in sorted((ROOT / name / "articles").glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            gold_path = ROOT / name / "gold" / f"{path.stem}.json"
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            items = [*gold["events"], *gold["key_takeaways"]]
            docs.append((text, [(q["start"], q["end"]) for i in items for q in i["evidence"]]))
    return docs


def _quality(docs: list[tuple[str, list[tuple[int, int]]]], split: Splitter) -> dict[str, int]:
    cut = abbrev = dateline = 0
    for text, quotes in docs:
        bounds = _boundaries(text, split)
        cut += sum(any(qs < b < qe for b in bounds) for qs, qe in quotes)
        for b in bounds:
            before = text[:b].rstrip()
            abbrev += bool(ABBREVIATED.search(before[-12:]))
            line_start = text.rfind("\n", 0, b) + 1
            m = DATELINE.match(text[line_start:])
            dateline += bool(m and b < line_start + m.end())
    probes = sum([line[s:e] for s, e in split(line)] != expected for line, expected in PROBES)
    return {"cut": cut, "abbrev": abbrev, "dateline": dateline, "probes": probes}


def _time_ms(docs: list[tuple[str, list[tuple[int, int]]]], split: Splitter, repeat: int) -> float:
    per_article = []
    for text, _ in docs:
        lines = [text[a:b] for a, b in _body_lines(text)]
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            for line in lines:
                split(line)
            runs.append((time.perf_counter() - t) * 1000)
        per_article.append(statistics.median(runs))
    return statistics.median(per_article)


def _build_ms(docs: list[tuple[str, list[tuple[int, int]]]], repeat: int) -> tuple[float, float]:
    """Median ms per article to build the whole Document (sentences, tokens, lemmas), and the
    median characters per word (what the rules' windows count)."""
    per_article, widths = [], []
    for text, _ in docs:
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            doc = Document.build(text)
            runs.append((time.perf_counter() - t) * 1000)
        per_article.append(statistics.median(runs))
        widths.append(len(text) / max(1, len(doc.starts)))
    return statistics.median(per_article), statistics.median(widths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    docs = _load()
    quotes = sum(len(q) for _, q in docs)
    print(f"{len(docs)} articles of {', '.join(SETS)}; {quotes} gold evidence quotes")
    splitters: dict[str, Splitter | None] = {
        "own rules": _own,
        "pysbd": _pysbd(),
        "spaCy sentencizer": _spacy(lemmas=False),
        "spaCy + lookup lemmas": _spacy(lemmas=True),
    }
    head = f"{'splitter':24}{'ms/article':>11}{'import ms':>10}{'size MB':>9}"
    print(head + f"{'quotes cut':>11}{'abbrev':>8}{'dateline':>9}{'probes wrong':>13}")
    for name, split in splitters.items():
        if split is None:
            print(f"{name:24}skipped (not installed)")
            continue
        q = _quality(docs, split)
        ms = _time_ms(docs, split, args.repeat)
        imported = _own_import_ms() if name == "own rules" else _import_ms(IMPORTS[name])
        row = f"{name:24}{ms:11.2f}{imported:10.0f}"
        row += f"{_size_mb(DISTRIBUTIONS[name]):9.1f}{q['cut']:11d}{q['abbrev']:8d}"
        print(row + f"{q['dateline']:9d}{q['probes']:10d}/{len(PROBES)}")
    build_ms, width = _build_ms(docs, args.repeat)
    print(f"whole Document per article (sentences, tokens, lemmas): {build_ms:.2f} ms median")
    print(
        f"characters per word: {width:.2f} median (a 60-character window ~ {60 / width:.0f} words)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
