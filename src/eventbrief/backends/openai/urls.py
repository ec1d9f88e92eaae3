"""Which endpoint a backend talks to, as it may be shown (the one URL rule is eventbrief.urls)."""

from __future__ import annotations

from urllib.parse import urlsplit

from eventbrief.urls import display_url

OFFICIAL_ENDPOINT = "the default OpenAI endpoint"
"""How a backend with no base URL names its endpoint."""


def is_official(base_url: str | None) -> bool:
    """Whether requests go to OpenAI's own API (no base URL, or its host)."""
    return not base_url or urlsplit(base_url).hostname == "api.openai.com"


def safe_url(url: str | None) -> str:
    """The endpoint URL as shown and stored: no user:password part, no query."""
    return display_url(url, OFFICIAL_ENDPOINT)
