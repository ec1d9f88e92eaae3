"""eventbrief: news articles → typed, source-grounded event records and merged briefs.

The Python API (`summarize`, `summarize_many`) is loaded on first use, so `import eventbrief`
stays cheap for tools that only need the models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "summarize", "summarize_many"]

if TYPE_CHECKING:
    from eventbrief.pipeline import summarize, summarize_many


def __getattr__(name: str) -> Any:
    if name in {"summarize", "summarize_many"}:
        from eventbrief import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'eventbrief' has no attribute {name!r}")
