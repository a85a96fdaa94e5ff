"""API keys for the HTTP API: named, with a role, stored hashed in the store.

A key reads ``st_<id>_<secret>``: the id finds the row, the secret is checked against its
stored SHA-256 in constant time. The secret itself is shown once, when the key is made, and
is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sanctrace import audit
from sanctrace.errors import NotFoundError, SanctraceError
from sanctrace.store import Store

#: Roles, least privileged first: each role may do what the ones before it may.
ROLES = ("screener", "analyst", "admin")
PREFIX = "st"
MAX_NAME = 100


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    role: str
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, required: str) -> bool:
        """True when this key's role is ``required`` or above it."""
        return ROLES.index(self.role) >= ROLES.index(required)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
            "active": self.active,
        }


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _key(row: tuple[Any, ...]) -> ApiKey:
    return ApiKey(id=row[0], name=row[1], role=row[2], created_at=row[3], revoked_at=row[4])


def check_role(role: str) -> str:
    if role not in ROLES:
        raise SanctraceError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return role


def create_key(store: Store, name: str, role: str) -> tuple[ApiKey, str]:
    """Make a key; returns it and the full secret key string (shown once, never stored)."""
    name = " ".join(name.split())
    if not name:
        raise SanctraceError("the key needs a name (who or what uses it)")
    if len(name) > MAX_NAME:
        raise SanctraceError(f"the key name is {len(name)} characters long; the limit is 100")
    check_role(role)
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(id=key_id, name=name, role=role, created_at=_now())
    with store._transaction():
        store._rows(
            "INSERT INTO api_keys (id, name, role, key_hash, created_at, revoked_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (key.id, key.name, key.role, _digest(secret), key.created_at, None),
        )
    _audit(store, "key-create", key)
    return key, f"{PREFIX}_{key_id}_{secret}"


def _audit(store: Store, kind: str, key: ApiKey) -> None:
    """Who may screen is part of the record: key events go to the audit trail too."""
    audit.append(
        store,
        caller="cli",
        kind=kind,
        request={"id": key.id, "name": key.name, "role": key.role},
        lists=None,
        results=None,
    )


def list_keys(store: Store) -> list[ApiKey]:
    rows = store._rows(
        "SELECT id, name, role, created_at, revoked_at FROM api_keys ORDER BY created_at, id"
    )
    return [_key(r) for r in rows]


def get_key(store: Store, key_id: str) -> ApiKey:
    rows = store._rows(
        "SELECT id, name, role, created_at, revoked_at FROM api_keys WHERE id = ?", (key_id,)
    )
    if not rows:
        raise NotFoundError(f"no API key with id {key_id!r} (see: sanctrace keys list)")
    return _key(rows[0])


def revoke_key(store: Store, key_id: str) -> ApiKey:
    """Revoke a key (a no-op for one already revoked); the row stays for the audit trail."""
    key = get_key(store, key_id)
    if key.active:
        with store._transaction():
            store._rows(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (_now(), key_id),
            )
        _audit(store, "key-revoke", key)
    return get_key(store, key_id)


def parse_key(presented: str) -> tuple[str, str] | None:
    """(id, secret) of a key string, or None when it is not one of ours."""
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def authenticate(store: Store, presented: str) -> ApiKey | None:
    """The key a client presented, revoked or not; None when it is unknown or wrong."""
    parsed = parse_key(presented)
    if parsed is None:
        return None
    key_id, secret = parsed
    rows = store._rows(
        "SELECT id, name, role, created_at, revoked_at, key_hash FROM api_keys WHERE id = ?",
        (key_id,),
    )
    if not rows:
        # Compare anyway, so that an unknown id takes as long as a wrong secret.
        hmac.compare_digest(_digest(secret), "0" * 64)
        return None
    if not hmac.compare_digest(_digest(secret), rows[0][5]):
        return None
    return _key(rows[0][:5])
