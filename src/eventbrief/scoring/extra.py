"""What scoring needs beyond the default install: the `eval` extra.

scipy solves the one-to-one matchings (matching.py) and nltk's Porter stemmer makes ROUGE-L's
tokens (rouge.py); together ~230 MB that `summarize` and `brief` never use, so they are an extra
that eval users and CI install, and the eval names it when it is missing.
"""

from __future__ import annotations

from importlib.util import find_spec

EVAL_PACKAGES = ("scipy", "nltk")
INSTALL = "pip install 'eventbrief[eval]'"


def missing_eval_packages() -> list[str]:
    """The packages of the `eval` extra that are not installed."""
    return [name for name in EVAL_PACKAGES if find_spec(name) is None]


def missing_message(missing: list[str]) -> str:
    """One line telling what to install."""
    return f"scoring needs {', '.join(missing)} (the eval extra): {INSTALL}"
