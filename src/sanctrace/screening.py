"""What every way of screening shares (one name on the command line, a whole file): reading the
country and birth date a user gives, choosing the list versions, explaining a result in one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sanctrace.errors import SanctraceError
from sanctrace.match import Match
from sanctrace.model.countries import to_code
from sanctrace.model.dates import parse_date
from sanctrace.store import VersionInfo


def country_code(value: str, label: str = "--country") -> str:
    """An ISO 3166-1 alpha-2 code for a country name or code, or a one-line error."""
    code = to_code(value)
    if code is None:
        raise SanctraceError(f"{label} {value!r} is not a country (use an ISO code such as RU)")
    return code


def birth_date(value: str, label: str = "--birth-date") -> str:
    """An ISO date prefix (YYYY, YYYY-MM or YYYY-MM-DD), or a one-line error."""
    parsed = parse_date(value)
    if not parsed:
        raise SanctraceError(f"{label} {value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return parsed


def explain(match: Match) -> str:
    """The token links of a result in one line: ``query ~ candidate (how similarity)``."""
    parts = []
    for link in match.explanation.get("tokens", []):
        sign = "=" if link["how"] == "exact" else "~"
        parts.append(
            f"{link['query']} {sign} {link['candidate']} ({link['how']} {link['similarity']:.2f})"
        )
    for feature in match.explanation.get("features", []):
        if feature["feature"] in ("name",):
            continue
        delta = feature.get("delta")
        parts.append(
            f"{feature['feature']} {delta:+.2f}" if isinstance(delta, float) else feature["feature"]
        )
    return "; ".join(parts)


def select_versions(
    versions: Sequence[VersionInfo], datasets: Iterable[str] | None
) -> list[VersionInfo]:
    """The active versions of the named datasets (all when none are named); an unknown
    dataset is an error naming the loaded ones."""
    wanted = list(datasets or [])
    if not wanted:
        return list(versions)
    known = {v.dataset for v in versions}
    unknown = [d for d in wanted if d not in known]
    if unknown:
        raise SanctraceError(
            f"dataset(s) not loaded: {', '.join(unknown)} (loaded: {', '.join(sorted(known))})"
        )
    return [v for v in versions if v.dataset in wanted]
