"""The article as the offline rules read it, built once per article: its sentences, and its
tokens with offsets, lower-case forms, lemmas and the sentence each is in.

Rules look around a trigger in words, not characters: "the 10 words before it, within its
sentence" never stops inside a word and never reaches into the sentence before or after, where
a fixed character window (`text[s - 60 : s]`) did both. Windows count words (tokens that start
with a letter or digit), not marks: "talks, due to open on Monday, could" is 8 words whatever
its punctuation. Own rules, not a library: measured
against pysbd and spaCy's blank English pipeline in bench/bench_document.py (numbers and the
choice in docs/architecture.md).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import NamedTuple

from eventbrief.backends.offline.lemmas import lemma
from eventbrief.backends.offline.sentences import Sentence, split_sentences

_TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"  # a dotted acronym: U.S., U.N.
    r"|\d+(?:[.,:]\d+)*"  # a number: 11,000, 3.5, 10:30
    r"|['’]s\b"  # a possessive: Russia|'s
    r"|\w+(?:[-'’]\w+)*(?<!['’]s)"  # a word, hyphenated or with an apostrophe: Al-Sisi, O’Neill
    r"|[^\w\s]"  # one mark of punctuation
)


class Token(NamedTuple):
    """One token: `text[start:end]`, its lower-case form and lemma, and its sentence's index."""

    start: int
    end: int
    lower: str
    lemma: str
    sentence: int


@dataclass(frozen=True)
class Document:
    """An article's text, sentences and tokens; windows around an offset counted in words."""

    text: str
    sentences: list[Sentence]
    tokens: list[Token]
    starts: list[int]
    """Where each word (a token that starts with a letter or digit) starts."""
    ends: list[int]
    """Where each word ends."""

    @classmethod
    def build(cls, text: str) -> Document:
        """Split `text` into sentences (`sentences.split_sentences`) and each sentence into
        tokens; a capitalised word inside a sentence (a name) keeps its lower-case form as its
        lemma."""
        sentences = split_sentences(text)
        tokens: list[Token] = []
        starts: list[int] = []
        ends: list[int] = []
        for s in sentences:
            first = True
            for m in _TOKEN.finditer(text, s.start, s.end):
                start, end = m.span()
                word = m.group()
                lower = word.lower()
                name = not first and word[0].isupper()
                tokens.append(Token(start, end, lower, lower if name else lemma(lower), s.index))
                first = False
                if word[0].isalnum():
                    starts.append(start)
                    ends.append(end)
        return cls(text, sentences, tokens, starts, ends)

    def _sentence_index(self, offset: int) -> int:
        """The index of the sentence holding `offset` (or of the last one starting before it);
        -1 before the first sentence."""
        return bisect.bisect_right(self.sentences, offset, key=lambda s: s.start) - 1

    def _sentence_span(self, offset: int) -> tuple[int, int]:
        """The sentence holding `offset` (or the last one starting before it); the whole text
        when no sentence does."""
        i = self._sentence_index(offset)
        if i < 0:
            return 0, len(self.text)
        return self.sentences[i].start, max(self.sentences[i].end, offset)

    def sentence_start(self, offset: int, back: int = 0) -> int:
        """Where the sentence holding `offset` starts, or the one `back` sentences before it
        (the first sentence's start when there are not so many)."""
        i = self._sentence_index(offset)
        return self.sentences[max(0, i - back)].start if i >= 0 else 0

    def before(self, offset: int, n: int, floor: int = 0) -> int:
        """Where the `n` words that end at or before `offset` begin, within its sentence and
        not before `floor`: `text[doc.before(s, 10) : s]` is the window before a trigger."""
        lo = self._sentence_span(offset)[0]
        return min(offset, max(self.words_back(offset, n), lo, floor))

    def words_back(self, offset: int, n: int) -> int:
        """Where the `n` words before `offset` begin, across sentences (0 when there are fewer):
        a bound that keeps a look-back over several sentences local in a text without stops."""
        k = bisect.bisect_right(self.ends, offset)
        return self.starts[k - n] if k >= n else 0

    def after(self, offset: int, n: int, ceiling: int | None = None) -> int:
        """Where the `n` words that start at or after `offset` end, within its sentence and
        not past `ceiling`: `text[e : doc.after(e, 15)]` is the window after a trigger."""
        k = bisect.bisect_left(self.starts, offset)
        hi = self._sentence_span(offset)[1]
        end = self.ends[k + n - 1] if k + n - 1 < len(self.ends) else hi
        if ceiling is not None:
            hi = min(hi, ceiling)
        return max(offset, min(end, hi))

    def words_between(self, a: int, b: int) -> int:
        """How many words lie wholly inside `text[a:b]` (a distance in words)."""
        return max(0, bisect.bisect_right(self.ends, b) - bisect.bisect_left(self.starts, a))
