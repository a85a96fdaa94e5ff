"""A shipment's risk: the weights of its flags added up (each code counted once, the CHPL by
tier), capped at 100, and a level. The weights are data: ``--weights FILE`` replaces any of
them; docs/trade.md says why each is what it is."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sanctrace.errors import SanctraceError
from sanctrace.files import read_json_settings
from sanctrace.trade.model import Flag

WEIGHTS: dict[str, float] = {
    "party_listed": 70,
    "party_owned_by_listed": 60,
    "address_match_listed": 40,
    "destination_restricted": 25,
    "chpl:TIER_1": 35,
    "chpl:TIER_2": 30,
    "chpl:TIER_3_A": 25,
    "chpl:TIER_3_B": 25,
    "chpl:TIER_4_A": 20,
    "chpl:TIER_4_B": 20,
    "chpl": 25,
    "hs_description_mismatch": 20,
    "drone": 25,
    "hs_code_missing": 5,
    "transshipment_route": 15,
    "third_party_payer": 10,
    "new_company": 10,
    "value_anomaly": 10,
    "first_time_lane": 5,
}
#: Risk at or above which a shipment is "high", and "medium".
HIGH = 60
MEDIUM = 30


def load_weights(path: Path) -> dict[str, float]:
    """The default weights with those of a JSON object ``{"code": weight}`` in their place."""
    given = read_json_settings(path, "weights")
    if not isinstance(given, dict):
        raise SanctraceError(f"{path}: expected a JSON object of flag code -> weight")
    out = dict(WEIGHTS)
    for code, weight in given.items():
        if code not in WEIGHTS:
            raise SanctraceError(f"{path}: unknown flag code {code!r}; codes: {', '.join(WEIGHTS)}")
        if not isinstance(weight, int | float) or not 0 <= weight <= 100:
            raise SanctraceError(f"{path}: the weight of {code} must be a number from 0 to 100")
        out[code] = float(weight)
    return out


def weight_key(flag: Flag) -> str:
    if flag.code == "chpl" and flag.evidence.get("tier"):
        key = f"chpl:{flag.evidence['tier']}"
        return key if key in WEIGHTS else "chpl"
    return flag.code


def evidence(flags: Sequence[Flag], weights: Mapping[str, float] = WEIGHTS) -> float:
    """The weights of a shipment's flag codes added up, uncapped (a code counts once, at its
    highest weight): what ranks shipments that all reach a risk of 100."""
    best: dict[str, float] = {}
    for f in flags:
        w = weights.get(weight_key(f), weights.get(f.code, 0.0))
        best[f.code] = max(best.get(f.code, 0.0), w)
    return sum(best.values())


def risk(flags: Sequence[Flag], weights: Mapping[str, float] = WEIGHTS) -> tuple[float, str]:
    """(risk 0-100, level) of a shipment's flags."""
    total = min(100.0, evidence(flags, weights))
    return total, level_of(total)


def level_of(risk: float) -> str:
    return "high" if risk >= HIGH else "medium" if risk >= MEDIUM else "low"
