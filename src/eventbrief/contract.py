"""The published contract: JSON Schemas generated from the models, checked in under schemas/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from eventbrief.models import ArticleExtraction, ArticleSummary, Brief

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "article": ArticleSummary,
    "extraction": ArticleExtraction,
    "brief": Brief,
}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema for `name` (article, extraction or brief), generated from the model."""
    try:
        model = SCHEMA_MODELS[name]
    except KeyError:
        raise KeyError(f"unknown schema {name!r}; choose from {', '.join(SCHEMA_MODELS)}") from None
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://eventbrief.dev/schemas/{name}.schema.json"
    return schema


def schema_filename(name: str) -> str:
    return f"{name}.schema.json"


def render(name: str) -> str:
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"


def write_all(folder: Path) -> list[Path]:
    """Regenerate every checked-in schema file: `python -m eventbrief.contract schemas/`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMA_MODELS:
        path = folder / schema_filename(name)
        path.write_text(render(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for path in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(path)
