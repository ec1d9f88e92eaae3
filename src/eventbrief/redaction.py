"""Masking the API key in text meant for people: error lines, stderr, reports.

One rule for every place that redacts, so a message reads the same wherever it is shown:
- a key of at least `MIN_ANYWHERE` characters is masked wherever it occurs (in a URL, in JSON,
  inside a header a server echoed back);
- a shorter key (local servers are often given a dummy key such as "x") is masked only where it
  stands alone, with no letter, digit, "-" or "_" on either side: masking it inside words would
  garble every message ("te***t", "e***pected") and hide nothing worth hiding.
"""

from __future__ import annotations

import re

MASK = "***"
MIN_ANYWHERE = 8
_TOKEN_CHAR = r"[\w-]"  # \w is letters, digits and "_" (Unicode)


def redact(text: str, secret: str | None) -> str:
    """`text` with `secret` replaced by MASK under the rule above (unchanged without a secret)."""
    if not secret or not secret.strip():
        return text
    if len(secret) >= MIN_ANYWHERE:
        return text.replace(secret, MASK)
    alone = rf"(?<!{_TOKEN_CHAR}){re.escape(secret)}(?!{_TOKEN_CHAR})"
    return re.sub(alone, MASK, text)
