"""Writers: atomic files, directory targets, and the Markdown page's escaping."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eventbrief import output
from eventbrief.models import ArticleSummary
from eventbrief.output import is_dir_target, render_markdown, write_text

SUMMARY = {
    "article": {"id": "a", "title": "T | pipe", "source": "-", "sha256": "0" * 64},
    "summary": "S.",
    "key_takeaways": [{"text": f"K{i}.", "evidence": []} for i in range(3)],
    "events": [
        {
            "id": "e1",
            "type": "statement",
            "description": "A said x | y.",
            "participants": [],
            "date": {"text": "early June", "value": "2025-06", "approximate": True},
            "evidence": [{"quote": "x | y", "start": 3, "end": 8, "match": "exact"}],
        }
    ],
    "entities": [],
    "provenance": {"backend": "b", "created_at": "2025-06-04T00:00:00Z", "grounding_rate": 1},
}


def test_write_text_replaces_atomically_and_cleans_up_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deep" / "out.json"
    write_text(path, "first\n")
    assert path.read_text() == "first\n"

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_text(path, "second\n")
    assert path.read_text() == "first\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["out.json"]


def test_dir_targets(tmp_path: Path) -> None:
    assert is_dir_target(str(tmp_path))
    assert is_dir_target("new-folder/")
    assert not is_dir_target(str(tmp_path / "file.json"))
    assert not is_dir_target(None)


def test_markdown_escapes_table_cells_and_marks_approximate_dates() -> None:
    page = render_markdown(ArticleSummary.model_validate(SUMMARY))
    assert page.startswith("# T | pipe\n")
    assert "source stdin" in page
    assert "| e1 | ~2025-06 | statement | occurred | A said x \\| y. |  | “x \\| y” [3–8] |" in page
    assert "No entities found." in page


def test_json_array_for_several_and_object_for_one() -> None:
    one = ArticleSummary.model_validate(SUMMARY)
    assert output.render([one], "json").startswith("{\n")
    assert output.render([one, one], "json").startswith("[\n")
    assert output.render([one, one], "jsonl").count("\n") == 2
