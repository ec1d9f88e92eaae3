"""The prompt templates in prompts/ and the values they are rendered with.

The templates stay unrendered here: instructor renders them with Jinja from `context`, so the
article text is a value inserted into the message, never template source (an article holding
`{{ 7*7 }}` reaches the model verbatim). Each file starts with a `version:` line; the version
goes into provenance and the cache key, so change it whenever the wording changes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eventbrief.models import Article
from eventbrief.resources import read_text

_VERSION_LINE = re.compile(r"\Aversion:[ \t]*(\S+)[ \t]*\r?\n")


@dataclass(frozen=True)
class PromptTemplates:
    """The system and user templates (version lines removed) and their shared version."""

    version: str
    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        """Chat messages still holding their Jinja placeholders."""
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user},
        ]


def split_version(source: str, filename: str) -> tuple[str, str]:
    """(version, body) of a prompt file whose first line is `version: V`."""
    match = _VERSION_LINE.match(source)
    if match is None:
        raise ValueError(f"prompts/{filename} must start with a 'version: ...' line")
    return match.group(1), source[match.end() :].rstrip("\n")


@lru_cache(maxsize=1)
def load_prompts() -> PromptTemplates:
    """Read prompts/system.txt and prompts/user.txt; both must carry the same version."""
    system_version, system = split_version(read_text("prompts", "system.txt"), "system.txt")
    user_version, user = split_version(read_text("prompts", "user.txt"), "user.txt")
    if system_version != user_version:
        raise ValueError(
            f"prompts/system.txt is version {system_version} but prompts/user.txt is "
            f"{user_version}; give both the same version"
        )
    return PromptTemplates(version=system_version, system=system, user=user)


def prompt_context(article: Article) -> dict[str, Any]:
    """Values the templates are rendered with.

    `fence` tags the article's delimiters with a digest of its own text, so an article cannot
    close the delimiter early: it would have to contain a hash of itself.
    """
    published = article.meta.published
    return {
        "article": article.text,
        "published": published.isoformat() if published else None,
        "fence": hashlib.sha256(article.text.encode("utf-8")).hexdigest()[:8],
    }
