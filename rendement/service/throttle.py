"""Slow-down after failed sign-ins, checked BEFORE any argon2 hash is computed.

Every password or token check costs an argon2 verification (about 50 ms of a core, on
purpose); without a limit anyone could guess at that rate and keep the service busy. A
failure is counted per client address, per account (the typed e-mail address, or the key of
an analyst token) and per organisation (all its people and its token together); while any of
them has too many failures in its window, further attempts are refused with 429 and a
`Retry-After`, without hashing. A correct password after the window has passed works again;
a successful sign-in clears the account's own counter (not the address's).

The counters live in memory (`limits`' moving window), per service process: a restart forgets
them, and with several worker processes each counts for itself (the default is one).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

Key = tuple[
    str, str
]  # (kind, value): ("adres", "10.0.0.1"), ("account", ...), ("organisatie", ...)


@dataclass(frozen=True)
class ThrottleLimits:
    """Failures allowed per window, in `limits` notation (documented in docs/uploadservice.md)."""

    adres: str = "20 per 15 minutes"
    account: str = "5 per 15 minutes"
    organisatie: str = "30 per 15 minutes"


class FailureThrottle:
    def __init__(self, limits: ThrottleLimits | None = None):
        limits = limits or ThrottleLimits()
        self._items = {
            kind: parse(getattr(limits, kind)) for kind in ("adres", "account", "organisatie")
        }
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def _known(self, keys: Iterable[Key]) -> list[Key]:
        return [(kind, value) for kind, value in keys if kind in self._items and value]

    def wait(self, keys: Iterable[Key]) -> int | None:
        """Seconds until the next attempt may be checked, or None when it may be now."""
        longest = None
        for kind, value in self._known(keys):
            item = self._items[kind]
            if not self._limiter.test(item, kind, value):
                reset = self._limiter.get_window_stats(item, kind, value).reset_time
                seconds = max(1, int(reset - time.time()) + 1)
                longest = max(longest or 0, seconds)
        return longest

    def failed(self, keys: Iterable[Key]) -> None:
        for kind, value in self._known(keys):
            self._limiter.hit(self._items[kind], kind, value)

    def succeeded(self, keys: Iterable[Key]) -> None:
        for kind, value in self._known(keys):
            if kind == "account":
                self._limiter.clear(self._items[kind], kind, value)
