"""When several entities are one, and what the one is called: the single rule that a chunked
article (its chunks' entities) and a brief (its articles' entities) both follow.

Entities are one when they share a key (by default a folded name or alias) and their types
agree (or one is `other`), so a country called "Pyongyang" by metonymy is not merged with the
city. The merged entity is named by the name its members use most (ties: the longer, then the
first): the most used name is the one the sources agree on, where the longest would let one
source's formal or padded name ("Democratic People's Republic of Korea") win over what every
other calls it; every other name becomes an alias.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from eventbrief.models import Entity, EntityType, name_key


def name_keys(entity: Entity) -> set[str]:
    """An entity's folded name and aliases."""
    return {name_key(n) for n in entity.names()} - {""}


def types_agree(a: str, b: str) -> bool:
    return a == b or "other" in (a, b)


def group_entities(
    entities: Sequence[Entity], keys: Callable[[Entity], set[str]] = name_keys
) -> list[list[int]]:
    """The indices of the entities that are one, each group in input order, the groups in the
    order of their first member (deterministic)."""
    parent = list(range(len(entities)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    holders: dict[str, list[int]] = {}
    for i, entity in enumerate(entities):
        for key in keys(entity):
            for j in holders.get(key, []):
                if types_agree(entity.type, entities[j].type):
                    ri, rj = find(i), find(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
            holders.setdefault(key, []).append(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(entities)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def merged_entity(group: Sequence[Entity]) -> Entity:
    """The one entity a group is: the most used name (ties: longer, then first), every other
    name an alias, the most used type other than `other`, the first description."""
    counts = Counter(name_key(e.name) for e in group)
    first_form: dict[str, str] = {}
    for e in group:
        first_form.setdefault(name_key(e.name), e.name)
    order = list(first_form)
    best_key = max(counts, key=lambda k: (counts[k], len(k), -order.index(k)))
    name = first_form[best_key]
    aliases: list[str] = []
    keys = {best_key}
    for e in group:
        for alias in e.names():
            if name_key(alias) not in keys:
                keys.add(name_key(alias))
                aliases.append(alias)
    kinds: list[EntityType] = [e.type for e in group]
    types: Counter[EntityType] = Counter(k for k in kinds if k != "other") or Counter(kinds)
    entity_type = max(types, key=lambda t: (types[t], -kinds.index(t)))
    description = next((e.description for e in group if e.description), None)
    return Entity(name=name, type=entity_type, aliases=aliases, description=description)
