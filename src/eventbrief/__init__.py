"""eventbrief: news articles → typed, source-grounded event records and merged briefs."""

from __future__ import annotations

__version__ = "0.1.0"
