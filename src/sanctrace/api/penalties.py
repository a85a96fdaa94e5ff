"""Callers told to retry later, remembered until then (the gate answers those that come
back early; see :mod:`sanctrace.api.gate`)."""

from __future__ import annotations

import threading
import time


class Penalties:
    """Until when each caller (``key:ID`` or ``addr:HOST``) was told to stay away, and whether
    it came back early: only a caller that ignored one Retry-After is gated, so a client that
    honours it (and its cheap requests meanwhile) never meets the gate."""

    max_entries = 100_000

    def __init__(self) -> None:
        self._until: dict[str, tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def refuse(self, who: str, seconds: float, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._until) >= self.max_entries:
                self._until = {k: v for k, v in self._until.items() if v[0] > now}
                if len(self._until) >= self.max_entries:
                    self._until.clear()
            until, _ = self._until.get(who, (0.0, False))
            self._until[who] = (max(until, now + seconds), until > now)

    def remaining(self, who: str, now: float | None = None) -> float:
        """Seconds the caller is still gated for (0: not gated)."""
        entry = self._until.get(who)
        if entry is None or not entry[1]:
            return 0.0
        left = entry[0] - (time.monotonic() if now is None else now)
        return left if left > 0 else 0.0
