"""Briefs: many article summaries merged into one timeline with sources and disagreements."""

from eventbrief.brief.builder import build_brief

__all__ = ["build_brief"]
