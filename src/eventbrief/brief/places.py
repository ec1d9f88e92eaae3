"""When two stated locations can be the same place, without a gazetteer.

Equal after folding, one contained in the other ("Kursk" / "Kursk region"), or names of one
merged entity. A country against a place is not a disagreement: the place may lie inside it.
"""

from __future__ import annotations

import re

from eventbrief.brief.entities import EntityIndex
from eventbrief.countries import country_code
from eventbrief.models import name_key

_GENERIC = {"region", "province", "oblast", "city", "area", "the", "of", "border", "district"}


def _tokens(place: str) -> set[str]:
    return {t for t in re.findall(r"\w+", name_key(place)) if t not in _GENERIC}


def is_country(place: str, index: EntityIndex, article_id: str) -> bool:
    found = index.resolve(article_id, place)
    if found is not None and index.entities[found].type == "country":
        return True
    return country_code(place) is not None


def same_place(a: str, b: str, index: EntityIndex, article_a: str, article_b: str) -> bool:
    ka, kb = name_key(a), name_key(b)
    if ka == kb:
        return True
    ea, eb = index.resolve(article_a, a), index.resolve(article_b, b)
    if ea is not None and ea == eb:
        return True
    ta, tb = _tokens(a), _tokens(b)
    return bool(ta and tb) and (ta <= tb or tb <= ta)


def places_agree(a: str, b: str, index: EntityIndex, article_a: str, article_b: str) -> bool:
    """Same place, or a country against a place that may lie in it."""
    if same_place(a, b, index, article_a, article_b):
        return True
    return is_country(a, index, article_a) != is_country(b, index, article_b)
