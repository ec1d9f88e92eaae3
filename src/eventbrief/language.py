"""Is a text English? A stop-word count, cheap enough to run on every article.

The offline backend's rules read English only, and on any other language they find nothing
without saying so; this test lets the tool say it. It is deliberately crude: the share of very
common function words, which is high (a third or more) in any English prose and near zero in
other languages, and the language whose own function words are commonest instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

MIN_WORDS = 20
"""Fewer words than this are too few to judge; such a text is taken as English."""
MIN_LETTERS = 40
"""Letters needed to name a script (Chinese or Japanese runs whole sentences into one word)."""
ENGLISH_SHARE = 0.12
"""English prose has far more of its function words than this (news: about 0.3–0.4)."""


def _words(text: str) -> frozenset[str]:
    """A stop-word set from one space-separated string (easier to read and edit than a list)."""
    return frozenset(text.split())


# Function words that are common in one language and rare as words of the others.
STOP_WORDS: dict[str, frozenset[str]] = {
    "English": _words(
        "the of and to in is that for it with as was on be by at this are from have has had "
        "not but they their which were been would will an or its said he she his her who"
    ),
    "German": _words(
        "der die das und ist nicht ein eine einer den dem des sich mit auf für von zu im auch "
        "wird werden wurde sind sagte nach bei über aus noch einem eines wie oder hat"
    ),
    "French": _words(
        "le la les et est une des du dans pour que qui sur pas par au aux avec ce cette sont "
        "été ont il elle ils mais selon plus leur"
    ),
    "Spanish": _words(
        "el la los las y es una del en que por con para se su sus al lo como más pero fue "
        "han este esta según sobre entre"
    ),
    "Italian": _words(
        "il lo la gli le e è una del della dei delle che per con non sono nel nella alla "
        "anche come più ha stato questo secondo"
    ),
    "Portuguese": _words(
        "o a os as e é um uma do da dos das em no na que para com não por se mais foi são "
        "também segundo pelo pela"
    ),
    "Dutch": _words(
        "de het een en van is dat op te in voor met zijn niet aan er ook als bij door maar "
        "werd heeft worden wordt volgens"
    ),
}
_WORD = re.compile(r"[^\W\d_]+")


def guess_language(text: str) -> str | None:
    """The language the text looks to be in when that is plainly not English, else None.

    Returns a language name ("German"), or the script's name ("Cyrillic script") for a text
    written mostly in letters outside the Latin alphabet, or "a language other than English"
    when its function words match none of the languages known here.
    """
    words = [w.lower() for w in _WORD.findall(text)]
    script, letters = _main_script(words)
    if script != "LATIN" and letters >= MIN_LETTERS:
        return f"{script.title()} script"
    if script != "LATIN" or len(words) < MIN_WORDS:
        return None
    shares = {
        language: sum(1 for w in words if w in stop) / len(words)
        for language, stop in STOP_WORDS.items()
    }
    if shares["English"] >= ENGLISH_SHARE:
        return None
    best, share = max(shares.items(), key=lambda item: item[1])
    if best != "English" and share >= 2 * shares["English"] and share >= ENGLISH_SHARE:
        return best
    return "a language other than English"


def _main_script(words: list[str]) -> tuple[str, int]:
    """The writing system most letters belong to ("LATIN", "CYRILLIC", "CJK", …), and how
    many letters there are."""
    scripts: Counter[str] = Counter()
    for word in words:
        for char in word:
            name = unicodedata.name(char, "")
            scripts[name.split(" ", 1)[0] if name else "UNKNOWN"] += 1
    if not scripts:
        return "LATIN", 0
    return scripts.most_common(1)[0][0], sum(scripts.values())
