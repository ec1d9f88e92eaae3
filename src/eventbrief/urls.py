"""Endpoint URLs with what may hold a secret taken out, by one rule wherever a URL is shown
(stderr, reports, a backend's repr) or kept (the cache's stored identities and endpoint
checks): a base URL may carry user:password@, and for people the query string too."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def strip_userinfo(text: str) -> str:
    """`text` with the user:password@ of every URL in it cut out (all else kept, so a stored
    key still tells two endpoints apart by path and query)."""
    return _USERINFO.sub("", text)


def display_url(url: str | None, default: str = "api.openai.com") -> str:
    """The endpoint as shown to people: scheme, host, port and path, without user:password@
    and the query string; `default` for no URL (OpenAI's own API)."""
    if not url:
        return default
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return url.rsplit("@", 1)[-1].split("?", 1)[0]
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
