"""The lemma of an English word by a small rule set: a table of irregular forms, then suffix
rules for regular inflection ("signed" → sign, "arriving" → arrive, "countries" → country).

General English only, no part of speech: it is a lookup-free stand-in for spaCy's lookup
lemmas (measured in bench/bench_document.py), right on the verbs and nouns news rules read and
wrong on some rarer words ("focused" → focuse), which a rule asking for a lemma can live with.
"""

from __future__ import annotations

import functools
import re

_IRREGULAR_VERBS = """
be am is are was were been being | have has had having | do does did done doing |
say says said | go goes went gone | meet met | send sent | fight fought | sell sold |
give gave given | fly flew flown | strike struck stricken | withdraw withdrew withdrawn |
make made | take took taken | tell told | hold held | begin began begun | come came |
bring brought | buy bought | lead led | leave left | win won | lose lost | see saw seen |
speak spoke spoken | write wrote written | know knew known | think thought | find found |
keep kept | pay paid | build built | rise rose risen | fall fell fallen | shoot shot |
break broke broken | choose chose chosen | drive drove driven | run ran | stand stood |
understand understood | seek sought | teach taught | catch caught | mean meant | feel felt |
hear heard | spend spent | lend lent | deal dealt | get got gotten | forgive forgave forgiven |
grow grew grown | throw threw thrown | draw drew drawn | wear wore worn | swear swore sworn |
bear bore borne | arise arose arisen | forbid forbade forbidden | hide hid hidden | bid bade |
ride rode ridden | rise rose | shake shook shaken | sink sank sunk | slay slew slain |
spread | die died dying | use used using | sweep swept | undertake undertook undertaken |
overtake overtook overtaken |
agree agreed | free freed | guarantee guaranteed | flee fled | feed fed | bleed bled |
"""
_IRREGULAR_NOUNS = """
person people | man men | woman women | child children | foot feet | tooth teeth |
mouse mice | crisis crises | analysis analyses | thesis theses | basis bases
"""
_UNINFLECTED = """
news series species politics economics physics always perhaps whereas various during this his
its us thus gas bus yes was has does hundred nothing something anything everything morning evening
"""
"""Words the suffix rules would cut though nothing is inflected."""


def _table(spec: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for group in spec.split("|"):
        words = group.split()
        for form in words:
            out.setdefault(form, words[0])
    return out


_IRREGULAR = {**_table(_IRREGULAR_VERBS), **_table(_IRREGULAR_NOUNS)}
_INVARIANT = frozenset(_UNINFLECTED.split())
_VOWELS = "aeiou"
_UNDOUBLE = re.compile(r"([bdgmnprt])\1$")
_LOST_E = re.compile(r"(?:[vzu]|[^c]c|[^n]g|[ae]ng|[^aeo]at|[^aeiou]id|[^aeo][ui]r|[aeiou]s)$")
"""Stems that lost an -e to -ed / -ing ("arriv", "seiz", "issu", "announc", "negotiat")."""
_SHORT_CVC = re.compile(r"^[^aeiou]*[aeiou][^aeiouwxy]$")
"""A one-syllable stem ending in one vowel and one consonant ("mak", "vot"): it had an -e."""


def _stem_of(word: str, suffix_len: int) -> str:
    """The stem left by -ed or -ing: undoubled ("planned" → plan) or with its -e back
    ("arrived" → arrive); a longer stem keeps its end ("visited" → visit)."""
    stem = word[:-suffix_len]
    if _UNDOUBLE.search(stem) and stem not in ("add", "err", "odd"):
        return stem[:-1]
    if (_LOST_E.search(stem) and not stem.endswith("ss")) or _SHORT_CVC.match(stem):
        return stem + "e"
    return stem


@functools.lru_cache(maxsize=65536)
def lemma(lower: str) -> str:
    """The lemma of a lower-case word ("fought" → fight, "talks" → talk); other tokens
    (numbers, punctuation) are their own lemma."""
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if lower in _INVARIANT or not lower.isalpha() or len(lower) <= 3:
        return lower
    if lower.endswith(("ies", "ied")) and len(lower) > 4:
        return lower[:-3] + "y"
    if lower.endswith("ing") and any(c in _VOWELS for c in lower[:-3]) and len(lower) > 5:
        return _stem_of(lower, 3)
    if lower.endswith("ed") and not lower.endswith("eed"):
        return _stem_of(lower, 2)
    if lower.endswith(("ches", "shes", "sses", "xes", "zes")):
        return lower[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return lower[:-1]
    return lower
