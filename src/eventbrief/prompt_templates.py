"""The prompt templates in prompts/ and the values they are rendered with.

The article is always a value inserted into a template, never template source (an article
holding `{{ 7*7 }}` reaches the model verbatim). instructor renders every message it is given
with a fresh sandboxed Jinja environment, compiling it on every call (a few ms for our long
prompts); so each template is compiled once here, rendered with the article as a variable, and
the result handed to instructor as the value of a one-placeholder message (`INSTRUCTOR_MESSAGES`)
through `context`. What the model receives is exactly what instructor's own rendering of the
templates gives (see `render`). Every prompt is rendered by `PromptTemplates.render`: the live
extraction, the Batch API's request lines (`chat_messages`) and the brief's narration. Each file
starts with a `version:` line; the version goes into provenance and the cache key, so change it
whenever the wording changes, the event-type definitions filled into the system prompt included.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from textwrap import dedent
from typing import Any, Literal, get_args

from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment

from eventbrief.event_types import definitions_text
from eventbrief.models import Article
from eventbrief.resources import read_text
from eventbrief.sentences import numbered

EvidenceStyle = Literal["quotes", "sentences"]
EVIDENCE_STYLES: tuple[EvidenceStyle, ...] = get_args(EvidenceStyle)
"""How the model gives evidence: `quotes` copied from the article, or the numbers of the
`sentences` it is shown the article in (see eventbrief.sentences)."""

INSTRUCTOR_MESSAGES: tuple[dict[str, str], ...] = (
    {"role": "system", "content": "{{ system }}"},
    {"role": "user", "content": "{{ user }}"},
)
"""The messages given to instructor: each is one placeholder for a message rendered here."""

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

    @cached_property
    def _compiled(self) -> tuple[Template, Template]:
        # the same environment instructor renders with (sandboxed, default settings)
        environment = SandboxedEnvironment()
        return environment.from_string(self.system), environment.from_string(self.user)

    def render(self, context: dict[str, Any]) -> dict[str, str]:
        """{"system": …, "user": …}: the message texts as instructor's own templating of
        `messages()` with `context` would give them (Jinja, then `textwrap.dedent`, which
        instructor applies to every rendered message)."""
        system, user = self._compiled
        return {
            "system": dedent(system.render(**context)),
            "user": dedent(user.render(**context)),
        }

    def rendered(self, article: Article, evidence: EvidenceStyle = "quotes") -> dict[str, str]:
        """The extraction messages for `article`: `render` with `prompt_context`."""
        return self.render(prompt_context(article, evidence))


def chat_messages(rendered: dict[str, str]) -> list[dict[str, str]]:
    """Rendered texts (`PromptTemplates.render`) as the chat messages a request sends."""
    return [
        {"role": "system", "content": rendered["system"]},
        {"role": "user", "content": rendered["user"]},
    ]


def split_version(source: str, filename: str) -> tuple[str, str]:
    """(version, body) of a prompt file whose first line is `version: V`."""
    match = _VERSION_LINE.match(source)
    if match is None:
        raise ValueError(f"prompts/{filename} must start with a 'version: ...' line")
    return match.group(1), source[match.end() :].rstrip("\n")


@lru_cache(maxsize=4)
def load_prompt_pair(system_file: str, user_file: str) -> PromptTemplates:
    """Read a system and a user template from prompts/; both must carry the same version."""
    system_version, system = split_version(read_text("prompts", system_file), system_file)
    user_version, user = split_version(read_text("prompts", user_file), user_file)
    if system_version != user_version:
        raise ValueError(
            f"prompts/{system_file} is version {system_version} but prompts/{user_file} is "
            f"{user_version}; give both the same version"
        )
    return PromptTemplates(version=system_version, system=system, user=user)


def load_prompts() -> PromptTemplates:
    """The extraction prompt: prompts/system.txt and prompts/user.txt."""
    return load_prompt_pair("system.txt", "user.txt")


def fence(text: str) -> str:
    """The tag of the delimiters around untrusted `text`: a digest of the text itself, so the
    text cannot close its delimiter early (it would have to contain a hash of itself). 64 bits,
    so that searching for such a fixed point is out of reach (32 bits would take hours)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def prompt_context(article: Article, evidence: EvidenceStyle = "quotes") -> dict[str, Any]:
    """Values the templates are rendered with; `fence` tags the article's delimiters, and
    `event_types` defines every event type (a server may never show the model the schema's
    descriptions, so the prompt text must). In the `sentences` style the article is shown as
    its numbered sentences, still a value, and the fence is a digest of that rendering."""
    published = article.meta.published
    shown = numbered(article.text) if evidence == "sentences" else article.text
    return {
        "article": shown,
        "published": published.isoformat() if published else None,
        "fence": fence(shown),
        "event_types": definitions_text(),
        "evidence": evidence,
    }
