"""Tell users how old the data they screen against is."""

from __future__ import annotations

from datetime import date

from sanctrace.store import VersionInfo

#: Data older than this many days gets a warning.
STALE_AFTER_DAYS = 30


def age_days(published: str | None, today: date) -> int | None:
    if not published:
        return None
    try:
        return (today - date.fromisoformat(published[:10])).days
    except ValueError:
        return None


def data_line(versions: list[VersionInfo]) -> str:
    """One line naming each dataset version used and the date of its data."""
    parts = [f"{v.dataset} {v.published or v.version}" for v in versions]
    return "Data: " + ("; ".join(parts) if parts else "no lists loaded")


def stale_warnings(versions: list[VersionInfo], today: date) -> list[str]:
    """One warning naming every list older than STALE_AFTER_DAYS, with the command to update."""
    stale = []
    for v in versions:
        age = age_days(v.published, today)
        if age is not None and age > STALE_AFTER_DAYS:
            stale.append((v, age))
    if not stale:
        return []
    if len(stale) == 1:
        v, age = stale[0]
        return [
            f"{v.dataset} data is from {v.published} ({age} days old); "
            f"update it with: sanctrace lists fetch {v.dataset}"
        ]
    listed = ", ".join(f"{v.dataset} {v.published} ({age} days)" for v, age in stale)
    return [
        f"{len(stale)} lists are more than {STALE_AFTER_DAYS} days old: {listed}; "
        "update them with: sanctrace lists fetch"
    ]
