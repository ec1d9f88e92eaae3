"""Backends: `openai` (instructor over any OpenAI-compatible endpoint) and `offline` (rules)."""
