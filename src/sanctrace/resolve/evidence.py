"""What two records' own fields say about being one party, beyond their names: birth dates,
countries, single-valued identifiers, listing dates. Pure functions of two entities."""

from __future__ import annotations

from sanctrace.model.entity import Entity
from sanctrace.resolve.keys import SINGLE_VALUED, identifier_keys

#: Birth years this far apart are two people (lists give a year or two of doubt, not more).
BIRTH_YEAR_SLACK = 1


def birth_years(entity: Entity) -> set[int]:
    return {int(d[:4]) for d in entity.birth_dates if d[:4].isdigit()}


def birth_dates_agree(a: Entity, b: Entity) -> bool | None:
    """True when a birth date of one is a birth date of the other (to the precision both give),
    False when every pair of years is more than a year apart, None when either has none."""
    if not a.birth_dates or not b.birth_dates:
        return None
    for x in a.birth_dates:
        for y in b.birth_dates:
            if x.startswith(y) or y.startswith(x):
                return True
    ya, yb = birth_years(a), birth_years(b)
    if ya and yb and min(abs(x - y) for x in ya for y in yb) > BIRTH_YEAR_SLACK:
        return False
    return None


def same_full_birth_date(a: Entity, b: Entity) -> bool:
    """A day-precise birth date on both: one person in tens of thousands shares it."""
    full_a = {d for d in a.birth_dates if len(d) == 10}
    return bool(full_a & {d for d in b.birth_dates if len(d) == 10})


def countries(entity: Entity) -> set[str]:
    found = {*entity.countries, *entity.nationalities, *entity.citizenships}
    found.update(a.country for a in entity.addresses if a.country)
    return {c for c in found if c}


class Facts:
    """A record's countries and single-valued identifiers, worked out once per record: the
    name pass decides millions of pairs among a million records."""

    def __init__(self) -> None:
        self._of: dict[str, tuple[Entity, frozenset[str], dict[str, frozenset[str]]]] = {}

    def _facts(self, entity: Entity) -> tuple[Entity, frozenset[str], dict[str, frozenset[str]]]:
        held = self._of.get(entity.id)
        if held is None or held[0] is not entity:
            single: dict[str, set[str]] = {}
            for kind, value in identifier_keys(entity):
                if kind in SINGLE_VALUED:
                    single.setdefault(kind, set()).add(value)
            held = (
                entity,
                frozenset(countries(entity)),
                {k: frozenset(v) for k, v in single.items()},
            )
            self._of[entity.id] = held
        return held

    def countries_agree(self, a: Entity, b: Entity) -> bool | None:
        ca, cb = self._facts(a)[1], self._facts(b)[1]
        if not ca or not cb:
            return None
        return bool(ca & cb)

    def identifier_conflict(self, a: Entity, b: Entity) -> str | None:
        """A kind of identifier a party holds only one of, present on both with no value
        shared: "imo 9187629 / 9233707"."""
        ka, kb = self._facts(a)[2], self._facts(b)[2]
        if not ka or not kb:
            return None
        for kind in sorted(ka.keys() & kb.keys()):
            va, vb = ka[kind], kb[kind]
            if not va & vb:
                return f"{kind} {'/'.join(sorted(va))} against {'/'.join(sorted(vb))}"
        return None

    def conflict(self, a: Entity, b: Entity) -> str | None:
        """Why two records cannot be one party, or None."""
        if a.schema == "Person" and b.schema == "Person" and birth_dates_agree(a, b) is False:
            return (
                f"birth dates {', '.join(a.birth_dates[:3])} against {', '.join(b.birth_dates[:3])}"
            )
        if (a.schema == "Person") != (b.schema == "Person") and "LegalEntity" not in (
            a.schema,
            b.schema,
        ):
            return f"a {a.schema} and a {b.schema}"
        return self.identifier_conflict(a, b)


def countries_agree(a: Entity, b: Entity) -> bool | None:
    return Facts().countries_agree(a, b)


def identifier_conflict(a: Entity, b: Entity) -> str | None:
    return Facts().identifier_conflict(a, b)


def conflict(a: Entity, b: Entity) -> str | None:
    """Why two records cannot be one party, or None."""
    return Facts().conflict(a, b)
