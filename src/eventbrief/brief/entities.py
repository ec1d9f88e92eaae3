"""Entities merged across articles by the rule of `eventbrief.entity_merge`: two entities are
one when they share a name or alias (or here also a country code, or a body's name with its
country as adjective or possessive) and their types agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from eventbrief.countries import country_code, country_index
from eventbrief.entity_merge import group_entities, merged_entity
from eventbrief.models import ArticleSummary, Entity, name_key

_POSSESSIVE = re.compile(r"^(?P<country>[A-Z][\w .-]*?)['’]s\s+(?P<rest>\S.*)$")


@lru_cache(maxsize=4096)
def adjective_forms(name: str) -> tuple[str, ...]:
    """Other names of a body named with its country's possessive: "Russia's Security Council"
    is the "Russian Security Council"."""
    m = _POSSESSIVE.match(name.strip())
    if not m:
        return ()
    table = country_index()
    code = table.by_name.get(m.group("country").strip())
    if code is None:
        return ()
    return tuple(f"{d} {m.group('rest')}" for d in sorted(table.countries[code].demonyms))


def _keys(entity: Entity) -> set[str]:
    """What makes two entities one: a folded name or alias, the same country code, or for a
    body the same name with its country as adjective or possessive."""
    keys = {name_key(n) for n in entity.names()} - {""}
    if entity.type == "country":
        keys |= {f"iso:{code}" for n in entity.names() if (code := country_code(n))}
    if entity.type in ("organization", "other"):
        keys |= {name_key(form) for n in entity.names() for form in adjective_forms(n)}
    return keys


@dataclass
class EntityIndex:
    """Merged entities and the way from (article id, name as written) to a merged entity."""

    entities: list[Entity]
    article_count: list[int]
    _by_article: dict[tuple[str, str], int] = field(default_factory=dict)
    _by_name: dict[str, int] = field(default_factory=dict)

    def resolve(self, article_id: str, name: str) -> int | None:
        """The merged entity a name refers to: the article's own entity first, then any alias."""
        key = name_key(name)
        found = self._by_article.get((article_id, key))
        return found if found is not None else self._by_name.get(key)

    def canonical(self, article_id: str, name: str) -> str:
        index = self.resolve(article_id, name)
        return name if index is None else self.entities[index].name


def merge_entities(summaries: list[ArticleSummary]) -> EntityIndex:
    """Union entities that share a folded name or alias; deterministic in input order."""
    items: list[tuple[str, Entity]] = [(s.article.id, e) for s in summaries for e in s.entities]
    merged: list[tuple[Entity, set[str], list[int]]] = []
    for members in group_entities([entity for _, entity in items], _keys):
        merged.append(
            (merged_entity([items[i][1] for i in members]), {items[i][0] for i in members}, members)
        )
    merged.sort(key=lambda m: (-len(m[1]), m[2][0]))

    index = EntityIndex(entities=[m[0] for m in merged], article_count=[len(m[1]) for m in merged])
    for position, (entity, _, members) in enumerate(merged):
        for i in members:
            article_id, source = items[i]
            for name in source.names():
                index._by_article.setdefault((article_id, name_key(name)), position)
        for name in entity.names():
            index._by_name.setdefault(name_key(name), position)
    return index
