"""Which endpoint a backend talks to, as it may be shown."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def is_official(base_url: str | None) -> bool:
    """Whether requests go to OpenAI's own API (no base URL, or its host)."""
    return not base_url or urlsplit(base_url).hostname == "api.openai.com"


def safe_url(url: str | None) -> str:
    """The endpoint URL without any user:password part."""
    if not url:
        return "the default OpenAI endpoint"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
