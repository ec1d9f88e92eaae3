"""The one reader of a server's Retry-After (the rate gate and the retry policy both use it)."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds a server asks us to wait: `retry-after-ms`, `retry-after` in seconds or as an
    HTTP date; None when it does not say."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        if name not in lowered:
            continue
        try:
            return max(0.0, float(lowered[name]) / scale)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(lowered[name])
        except (TypeError, ValueError):
            continue
        return max(0.0, when.timestamp() - time.time())
    return None
