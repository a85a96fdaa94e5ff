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


def countries_agree(a: Entity, b: Entity) -> bool | None:
    ca, cb = countries(a), countries(b)
    if not ca or not cb:
        return None
    return bool(ca & cb)


def identifier_conflict(a: Entity, b: Entity) -> str | None:
    """A kind of identifier a party holds only one of, present on both with no value shared:
    "imo 9187629 / 9233707"."""
    ka, kb = identifier_keys(a), identifier_keys(b)
    for kind in sorted(SINGLE_VALUED):
        va = {v for k, v in ka if k == kind}
        vb = {v for k, v in kb if k == kind}
        if va and vb and not va & vb:
            return f"{kind} {'/'.join(sorted(va))} against {'/'.join(sorted(vb))}"
    return None


def conflict(a: Entity, b: Entity) -> str | None:
    """Why two records cannot be one party, or None."""
    if a.schema == "Person" and b.schema == "Person" and birth_dates_agree(a, b) is False:
        return f"birth dates {', '.join(a.birth_dates[:3])} against {', '.join(b.birth_dates[:3])}"
    if (a.schema == "Person") != (b.schema == "Person") and "LegalEntity" not in (
        a.schema,
        b.schema,
    ):
        return f"a {a.schema} and a {b.schema}"
    return identifier_conflict(a, b)
