"""What "owned or controlled by a listed person" means in each regime, as data.

The sources (docs/ownership.md quotes them):

- OFAC: Revised Guidance on Entities Owned by Persons Whose Property and Interests in Property
  Are Blocked (2014) and FAQs 398-402. 50% or more, owned directly or indirectly, individually
  or in aggregate by blocked persons; indirect ownership passes only through blocked entities
  and the whole stake of a blocked entity counts (not multiplied); control alone does not block
  (FAQ 402: exercise caution).
- EU: Council, Update of the EU Best Practices for the effective implementation of restrictive
  measures (3 July 2024; anticipated by recital 28 of Regulation (EU) 2024/1745), ownership and
  control: 50% or more of the proprietary rights (before 2024: more than 50%), the holdings of
  listed persons aggregated; or control (the right to appoint or remove a majority of the board,
  a majority of the votes, a dominant influence, de facto control).
- UK: The Russia (Sanctions) (EU Exit) Regulations 2019, regulation 7, and OFSI's General
  Guidance (ownership and control): more than 50% of the shares or voting rights, the right to
  appoint or remove a majority of the board, or affairs conducted in accordance with the
  listed person's wishes; holdings of different listed persons are not aggregated unless they
  hold jointly (a joint arrangement).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from sanctrace.errors import SanctraceError
from sanctrace.files import read_json_settings
from sanctrace.ownership.shares import number

#: Control kinds that make a company controlled where a regime counts control.
CONTROLLING = frozenset({"voting", "appointment", "management", "nominee", "trust"})


@dataclass(frozen=True)
class Ruleset:
    """One regime's ownership-and-control test."""

    name: str
    title: str
    #: datasets whose listings count; the first is the regime's own list
    lists: tuple[str, ...]
    threshold: Fraction = Fraction(50)
    #: True: more than the threshold; False: the threshold or more
    strict: bool = False
    #: whether holdings of different listed persons add up
    aggregate: bool = True
    #: whether a control edge (of ``control_types``) makes the company controlled
    control_counts: bool = False
    control_types: frozenset[str] = field(default=CONTROLLING)
    citation: str = ""

    @property
    def test(self) -> str:
        """The threshold in words: "50% or more", "more than 50%"."""
        value = f"{number(self.threshold)}%"
        return f"more than {value}" if self.strict else f"{value} or more"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "lists": list(self.lists),
            "threshold": float(self.threshold),
            "strict": self.strict,
            "aggregate": self.aggregate,
            "control_counts": self.control_counts,
            "control_types": sorted(self.control_types),
            "citation": self.citation,
        }


OFAC = Ruleset(
    name="ofac",
    title="OFAC 50 Percent Rule",
    lists=("us_ofac_sdn",),
    strict=False,
    aggregate=True,
    control_counts=False,
    citation="OFAC, Revised Guidance on Entities Owned by Blocked Persons (2014); FAQs 398-402",
)

EU = Ruleset(
    name="eu",
    title="EU ownership and control",
    lists=("eu_fsf", "un_sc_sanctions"),
    strict=False,
    aggregate=True,
    control_counts=True,
    citation="Council of the EU, Update of the EU Best Practices for the effective "
    "implementation of restrictive measures (3 July 2024), ownership and control",
)

UK = Ruleset(
    name="uk",
    title="UK ownership and control",
    lists=("gb_fcdo_sanctions", "gb_hmt_sanctions"),
    strict=True,
    aggregate=False,
    control_counts=True,
    citation="The Russia (Sanctions) (EU Exit) Regulations 2019, reg. 7; OFSI General Guidance, "
    "ownership and control",
)

BUILT_IN = {r.name: r for r in (OFAC, EU, UK)}


class RulesetError(SanctraceError):
    exit_code = 1


def ruleset_from_dict(data: dict[str, Any], origin: str = "") -> Ruleset:
    """A configured regime: ``{"name": "ch", "based_on": "eu", "lists": ["ch_seco"], ...}``."""
    where = f" in {origin}" if origin else ""
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise RulesetError(f'a ruleset{where} needs a "name"')
    base = BUILT_IN.get(str(data.get("based_on", "ofac")))
    if base is None:
        raise RulesetError(
            f"ruleset {data['name']!r}{where}: based_on must be one of {', '.join(BUILT_IN)}"
        )
    changes: dict[str, Any] = {"name": data["name"], "title": str(data.get("title", data["name"]))}
    try:
        if "lists" in data:
            changes["lists"] = tuple(str(x) for x in data["lists"])
        if "threshold" in data:
            changes["threshold"] = Fraction(str(data["threshold"]))
            if not 0 < changes["threshold"] <= 100:
                raise ValueError("threshold must be between 0 and 100")
        for flag in ("strict", "aggregate", "control_counts"):
            if flag in data:
                if not isinstance(data[flag], bool):
                    raise ValueError(f"{flag} must be true or false")
                changes[flag] = data[flag]
        if "control_types" in data:
            changes["control_types"] = frozenset(str(x) for x in data["control_types"])
        if "citation" in data:
            changes["citation"] = str(data["citation"])
    except (ValueError, TypeError, ZeroDivisionError) as exc:
        raise RulesetError(f"ruleset {data['name']!r}{where}: {exc}") from None
    return replace(base, **changes)


def load_rulesets(path: Path) -> dict[str, Ruleset]:
    """The built-in regimes and those a JSON file configures (a list of rulesets)."""
    data = read_json_settings(path, "rulesets")
    if not isinstance(data, list):
        raise RulesetError(f"{path}: expected a JSON list of rulesets")
    out = dict(BUILT_IN)
    for item in data:
        ruleset = ruleset_from_dict(item, str(path))
        out[ruleset.name] = ruleset
    return out
