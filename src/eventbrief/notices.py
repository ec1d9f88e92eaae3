"""Notices on one article: why its record may hold less than the reader expects.

A record can be valid and still say little for a reason the reader cannot see in it: relative
dates left null because no publication date was found, a text the offline rules cannot read, a
text with nothing newsworthy in it. Each of these is one line, shown on stderr and in the
Markdown and HTML pages, so the silence is explained instead of mistaken for "nothing happened".
They are advice, not faults: the record is kept as it is and the run still succeeds.
"""

from __future__ import annotations

from eventbrief.language import guess_language
from eventbrief.models import Article, ArticleSummary
from eventbrief.timex import find_dates

QUOTED_DATES = 2


def article_notices(article: Article, summary: ArticleSummary, *, rules: bool = False) -> list[str]:
    """The notices for one summarized article, most important first (none for most news);
    `rules` when the summary comes from the offline rules (a deterministic backend)."""
    notices: list[str] = []
    undated = _unresolved_dates(article)
    if undated:
        notices.append(undated)
    if not rules:
        return notices
    language = guess_language(article.text)
    if language is not None:
        notices.append(
            f"{_not_english(language)}; the offline backend reads English news only, so it "
            "finds little here (an LLM behind --backend openai reads other languages)"
        )
    elif not summary.events:
        notices.append(
            "no event found: the offline rules look for news events (meetings, visits, attacks, "
            "statements, agreements, …) told in English news prose; this text may not be news"
        )
    return notices


def _unresolved_dates(article: Article) -> str | None:
    """Without a publication date, "on Friday" or "last month" has no value; say how many
    such dates went unresolved and how to give the date."""
    if article.meta.published is not None:
        return None
    relative = [m.text for m in find_dates(article.text, None) if m.value is None]
    if not relative:
        return None
    shown = ", ".join(f"“{text}”" for text in relative[:QUOTED_DATES])
    more = ", …" if len(relative) > QUOTED_DATES else ""
    count = f"{len(relative)} relative dates are" if len(relative) != 1 else "1 relative date is"
    return (
        f"no publication date found, so {count} left unresolved ({shown}{more}); "
        f"give it with --published {article.meta.id}=YYYY-MM-DD"
    )


def _not_english(language: str) -> str:
    """The notice's opening: the language or script by name when it is known."""
    if language.endswith(" script"):
        return f"the text is in {language}, not English"
    if language[:1].isupper():
        return f"the text looks {language}, not English"
    return "the text does not look English"
