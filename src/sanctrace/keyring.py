"""Secret keys kept outside the database, so that write access to the database alone can neither
forge an audit record (the chain's MAC key) nor read a webhook secret (the sealing key).

Keys come from ``SANCTRACE_SECRET_KEY`` (one secret, or several separated by commas, the last
one current: for servers), else from a key file: ``SANCTRACE_KEY_FILE``, or ``sanctrace.key``
beside a SQLite store (``$SANCTRACE_HOME/sanctrace.key`` for PostgreSQL). The file is created on
first use with mode 0600 and refused when group or others may read it. Each key has an id; a
rotation adds a new current key and keeps the old ones, so old records still verify. Every use
gets its own subkey (HKDF-SHA256 with a distinct label), never the key itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sanctrace.errors import SanctraceError

if TYPE_CHECKING:
    from sanctrace.store import Store

ENV_KEY = "SANCTRACE_SECRET_KEY"
ENV_FILE = "SANCTRACE_KEY_FILE"
KEY_FILE_NAME = "sanctrace.key"
FORMAT = "sanctrace-keyring"
#: Secrets given in the environment must be at least this long (a key file's are 32 bytes).
MIN_ENV_SECRET = 32
#: Subkey labels: one per use, so a key used for one can never stand in for the other.
AUDIT_LABEL = "audit-mac"
SECRETS_LABEL = "stored-secrets"
#: Prefix of a sealed (encrypted) secret: ``enc1:<key id>:<Fernet token>:<last 4 chars>``.
SEALED_PREFIX = "enc1:"


class KeyringError(SanctraceError):
    """The keyring is missing, unreadable, too open, or lacks a key that is needed."""


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes
    created: str | None = None


def key_id(secret: bytes) -> str:
    """A short public name for a key, derived from it (so an environment key needs no id)."""
    return hashlib.sha256(b"sanctrace-key-id\x00" + secret).hexdigest()[:12]


@lru_cache(maxsize=64)
def _derive(secret: bytes, label: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"sanctrace/{label}".encode())
    return hkdf.derive(secret)


@dataclass(frozen=True)
class Keyring:
    """The keys of one store: the current one signs and seals, every one still verifies."""

    keys: tuple[Key, ...]
    current_id: str
    source: str
    _by_id: dict[str, Key] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({k.id: k for k in self.keys})

    def get(self, kid: str) -> Key | None:
        return self._by_id.get(kid)

    @property
    def current(self) -> Key:
        return self._by_id[self.current_id]

    @property
    def first_created(self) -> str | None:
        """When the oldest key with a known creation time was made (key files only)."""
        stamps = [k.created for k in self.keys if k.created]
        return min(stamps) if stamps else None

    def subkey(self, kid: str, label: str) -> bytes:
        key = self.get(kid)
        if key is None:
            raise KeyringError(f"key {kid} is not in the keyring ({self.source})")
        return _derive(key.secret, label)

    def mac(self, label: str, message: str, kid: str | None = None) -> tuple[str, str]:
        """(key id, hex HMAC-SHA256 of ``message`` under that key's ``label`` subkey)."""
        kid = kid or self.current_id
        digest = hmac.new(self.subkey(kid, label), message.encode("utf-8"), hashlib.sha256)
        return kid, digest.hexdigest()

    def mac_fault(self, label: str, message: str, kid: str, mac: str) -> str | None:
        """Why ``mac`` is not the MAC of ``message`` under key ``kid``, or None."""
        if self.get(kid) is None:
            return (
                f"it is signed with key {kid}, which is not in the keyring ({self.source}): "
                "a removed key, the wrong keyring, or a forged record"
            )
        if not hmac.compare_digest(self.mac(label, message, kid)[1], str(mac)):
            return f"its MAC does not match under key {kid} (it was forged or edited)"
        return None

    def seal(self, plaintext: str) -> str:
        """``plaintext`` encrypted under the current key's secrets subkey, with its key id."""
        kid = self.current_id
        token = _fernet(self.subkey(kid, SECRETS_LABEL)).encrypt(plaintext.encode("utf-8"))
        return f"{SEALED_PREFIX}{kid}:{token.decode('ascii')}:{plaintext[-4:]}"

    def unseal(self, stored: str) -> str:
        """The plaintext of a sealed secret; a legacy plain-text secret is returned as is."""
        if not is_sealed(stored):
            return stored
        kid, token, _ = stored[len(SEALED_PREFIX) :].split(":", 2)
        if self.get(kid) is None:
            raise KeyringError(
                f"a stored secret is sealed with key {kid}, which is not in the keyring "
                f"({self.source})"
            )
        try:
            return _fernet(self.subkey(kid, SECRETS_LABEL)).decrypt(token).decode("utf-8")
        except InvalidToken:
            raise KeyringError(
                f"a stored secret sealed with key {kid} does not decrypt (it was altered)"
            ) from None


def _fernet(subkey: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(subkey))


def is_sealed(stored: str | None) -> bool:
    return stored is not None and stored.startswith(SEALED_PREFIX)


def sealed_hint(stored: str) -> str:
    """What may be shown of a sealed secret: ``****`` and its last four characters."""
    return "****" + stored[len(SEALED_PREFIX) :].split(":", 2)[2]


# -- loading --------------------------------------------------------------------------------


def from_env(value: str) -> Keyring:
    """Keys from the environment: secrets separated by commas, the last one current."""
    keys = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        if len(part) < MIN_ENV_SECRET:
            raise KeyringError(
                f"{ENV_KEY}: each key must be at least {MIN_ENV_SECRET} characters; make one "
                "with `sanctrace keyring generate`"
            )
        secret = part.encode("utf-8")
        keys.append(Key(key_id(secret), secret))
    if not keys:
        raise KeyringError(f"{ENV_KEY} is set but holds no key")
    return Keyring(tuple(keys), keys[-1].id, ENV_KEY)


def key_file_for(store: Store) -> Path:
    """The key file of ``store``: ``SANCTRACE_KEY_FILE`` if set, else the store's own."""
    explicit = os.environ.get(ENV_FILE)
    return Path(explicit).expanduser() if explicit else store.key_path


def read_file(path: Path) -> Keyring:
    """Load a key file, refusing one that group or others may read or write."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise KeyringError(f"key file {path} does not exist") from None
    except OSError as exc:
        raise KeyringError(f"cannot read key file {path}: {exc.strerror or exc}") from None
    if os.name == "posix" and info.st_mode & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        raise KeyringError(
            f"key file {path} is open to group or others (mode {mode:04o}): anyone who can "
            f"read it can forge audit records; run: chmod 600 {path}"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"its format is not {FORMAT!r}")
        keys = tuple(
            Key(str(k["id"]), base64.urlsafe_b64decode(k["key"]), k.get("created"))
            for k in data["keys"]
        )
        current = str(data["current"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyringError(f"key file {path} is not a sanctrace keyring: {exc}") from None
    for key in keys:
        if key_id(key.secret) != key.id:
            raise KeyringError(f"key file {path}: key {key.id} does not match its id")
    if current not in {k.id for k in keys}:
        raise KeyringError(f"key file {path}: the current key {current} is not among its keys")
    return Keyring(keys, current, str(path))


def _document(keys: tuple[Key, ...], current: str) -> str:
    return json.dumps(
        {
            "format": FORMAT,
            "version": 1,
            "current": current,
            "keys": [
                {
                    "id": k.id,
                    "key": base64.urlsafe_b64encode(k.secret).decode("ascii"),
                    "created": k.created,
                }
                for k in keys
            ],
        },
        indent=1,
    )


def new_key() -> Key:
    secret = secrets.token_bytes(32)
    return Key(key_id(secret), secret, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def _write_private(path: Path, text: str, *, replace: bool) -> bool:
    """Write ``text`` to ``path`` with mode 0600, whole or not at all. Without ``replace``, an
    existing file wins (another process created it first) and False is returned."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        if tmp.exists():
            tmp.unlink()


def load(path: Path, *, create: bool) -> Keyring | None:
    """The keyring from the environment, else from ``path`` (created when ``create``)."""
    env = os.environ.get(ENV_KEY)
    if env:
        return from_env(env)
    if not path.exists():
        if not create:
            return None
        key = new_key()
        try:
            _write_private(path, _document((key,), key.id), replace=False)
        except OSError as exc:
            raise KeyringError(f"cannot create key file {path}: {exc.strerror or exc}") from None
    return read_file(path)


def for_store(store: Store, *, create: bool = True) -> Keyring | None:
    """The keyring of ``store``, loaded once per store connection."""
    cached: Keyring | None = getattr(store, "_keyring", None)
    if cached is not None:
        return cached
    ring = load(key_file_for(store), create=create)
    if ring is not None:
        store._keyring = ring
    return ring


def require(store: Store) -> Keyring:
    ring = for_store(store, create=True)
    assert ring is not None
    return ring


def rotate(path: Path) -> tuple[Key, Keyring]:
    """Add a new current key to the key file (created if absent); the old keys stay."""
    if os.environ.get(ENV_KEY):
        raise KeyringError(
            f"the keys come from {ENV_KEY}: rotate by adding a new key at its end, after a "
            "comma (make one with `sanctrace keyring generate`); keep the old ones"
        )
    ring = load(path, create=True)
    assert ring is not None
    key = new_key()
    keys = (*ring.keys, key)
    try:
        _write_private(path, _document(keys, key.id), replace=True)
    except OSError as exc:
        raise KeyringError(f"cannot write key file {path}: {exc.strerror or exc}") from None
    return key, read_file(path)


# -- stored secrets -------------------------------------------------------------------------


def seal(store: Store, plaintext: str) -> str:
    return require(store).seal(plaintext)


def reveal(store: Store, stored: Any) -> str | None:
    """The plaintext of a stored secret (sealed, or legacy plain text), for signing only."""
    if stored is None:
        return None
    text = str(stored)
    return require(store).unseal(text) if is_sealed(text) else text


def migrate_sink_secrets(store: Store) -> int:
    """Seal the plain-text webhook secrets an older version stored; returns how many."""
    rows = store._rows(
        "SELECT name, secret FROM alert_sinks WHERE secret IS NOT NULL AND secret NOT LIKE ?",
        (SEALED_PREFIX + "%",),
    )
    if not rows:
        return 0
    ring = require(store)
    with store._transaction():
        for name, secret in rows:
            store._rows(
                "UPDATE alert_sinks SET secret = ? WHERE name = ? AND secret = ?",
                (ring.seal(str(secret)), name, secret),
            )
    return len(rows)
