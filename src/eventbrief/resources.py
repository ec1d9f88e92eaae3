"""Files shipped with the package: prompt templates and JSON Schemas.

In a wheel they sit inside the package (`eventbrief/prompts`, `eventbrief/schemas`); in a source
checkout (editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def resource_dir(name: str) -> Traversable:
    """The shipped folder `name` ("prompts" or "schemas"), wherever this copy was installed."""
    packaged = resources.files("eventbrief") / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"eventbrief is installed without its {name}/ folder")


def read_text(folder: str, filename: str) -> str:
    return (resource_dir(folder) / filename).read_text(encoding="utf-8")
