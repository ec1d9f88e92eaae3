"""Errors the tool reports to users as one line; the CLI maps them to exit codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventbrief.models import Usage


class EventbriefError(Exception):
    """Base class: the message is shown to the user as it is, on one line."""


class ArticleError(EventbriefError):
    """An article cannot be read or used (missing, empty, binary, bad encoding, too long)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ConfigError(EventbriefError):
    """The configuration is incomplete or inconsistent (no endpoint, unknown mode, …)."""


class ExtractionError(EventbriefError):
    """A backend could not produce a valid extraction for an article. `usage` is what the failed
    attempts cost, so that run totals count paid requests too."""

    def __init__(self, article_id: str, reason: str, usage: Usage | None = None) -> None:
        super().__init__(f"{article_id}: {reason}")
        self.article_id = article_id
        self.reason = reason
        self.usage = usage


class NarrationError(EventbriefError):
    """A backend could not write a brief's narrative; the message says why, on one line."""
