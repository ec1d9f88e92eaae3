"""The event-type registry: equal to the guidelines' table, the Literal and the schema."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from eventbrief.backends.openai.schema import asked_schema
from eventbrief.contract import json_schema
from eventbrief.event_types import (
    EVENT_TYPE_INFO,
    EVENT_TYPE_NAMES,
    ONE_OFF_TYPES,
    TYPE_FIELD_DESCRIPTION,
    EventTypeInfo,
    definitions_text,
    family_of,
    types_in,
)
from eventbrief.models import EVENT_TYPES, Event, EventType

GUIDELINES = Path(__file__).resolve().parents[1] / "evals" / "GUIDELINES.md"


def guideline_rows() -> list[EventTypeInfo]:
    """The rows of the table in GUIDELINES.md §2, read as registry records."""
    section = GUIDELINES.read_text(encoding="utf-8").split("\n## 2. Event types\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 4, line
        name = re.fullmatch(r"`(\w+)`", cells[0])
        example = re.fullmatch(r'"(.+)"', cells[2])
        assert name and example, line
        counter = None if cells[3] == "—" else cells[3]
        rows.append(EventTypeInfo(name.group(1), cells[1], example.group(1), counter))  # type: ignore[arg-type]
    return rows


def test_the_registry_is_the_guidelines_table_row_by_row() -> None:
    rows = guideline_rows()
    assert len(rows) == 13
    for info, row in zip(EVENT_TYPE_INFO, rows, strict=True):
        written = (info.name, info.definition, info.example, info.counter_example)
        assert written == (row.name, row.definition, row.example, row.counter_example)


def test_the_literal_names_the_registry_types_in_order() -> None:
    assert typing.get_args(EventType) == EVENT_TYPE_NAMES
    assert EVENT_TYPES == EVENT_TYPE_NAMES
    assert EVENT_TYPE_NAMES[-1] == "other"


def test_the_type_field_description_comes_from_the_registry() -> None:
    assert Event.model_fields["type"].description == TYPE_FIELD_DESCRIPTION
    assert TYPE_FIELD_DESCRIPTION == (
        "One of the event types defined in the instructions; other when none fits."
    )
    sent = asked_schema()["$defs"]["Event"]["properties"]["type"]
    assert sent == {
        "description": TYPE_FIELD_DESCRIPTION,
        "enum": list(EVENT_TYPE_NAMES),
        "type": "string",
    }
    published = json_schema("extraction")["$defs"]["Event"]["properties"]["type"]
    assert published["description"] == TYPE_FIELD_DESCRIPTION


def test_definitions_text_has_one_line_per_type_with_definition_and_example() -> None:
    lines = definitions_text().splitlines()
    assert len(lines) == len(EVENT_TYPE_INFO)
    for line, info in zip(lines, EVENT_TYPE_INFO, strict=True):
        definition = info.definition.removesuffix(" (§1)")
        assert line == f'- {info.name}: {definition}; e.g. "{info.example}"'
    assert lines[1] == (
        "- meeting: talks between named parties that are not folded into a visit; "
        'e.g. "The two foreign ministers met on the sidelines of the summit in Geneva."'
    )
    text = definitions_text()
    assert "§" not in text
    for info in EVENT_TYPE_INFO:  # counter-examples are left out: every request pays for them
        counter = re.match(r'"([^"]+)"', info.counter_example or "")
        assert counter is None or counter.group(1) not in text


def test_families_and_one_off_types_come_from_the_registry() -> None:
    assert types_in("encounter") == {"visit", "meeting"}
    assert types_in("transfer") == {"arms_transfer", "technology_transfer", "aid"}
    assert types_in("force") == {"military_deployment", "armed_conflict"}
    assert types_in("speech") == {"statement", "criticism"}
    assert family_of("agreement") is None
    assert family_of("not a type") is None
    assert {
        "visit",
        "meeting",
        "agreement",
        "statement",
        "criticism",
        "report_release",
        "sanctions",
    } == ONE_OFF_TYPES
