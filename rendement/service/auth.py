"""Who is asking: the bearer token checked against the organisation register, or the person
signed in to the portal (`Accounts`, the account store read the same way).

The register is re-read whenever its file changes (a `rendement token revoke` takes effect on
the next request, without a restart). One argon2 verification per token and register version;
after that a SHA-256 of the token, kept in memory only, answers repeat requests quickly. A
token that needs the argon2 check is first held against the failure throttle
(`rendement.service.throttle`): per client address and per organisation (or analyst key), so
guessing costs the guesser time, not the service.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from rendement.core import tokens
from rendement.core.accounts import Account, AccountStore
from rendement.core.registry import Registry
from rendement.service.errors import too_many
from rendement.service.throttle import FailureThrottle


@dataclass(frozen=True)
class Principal:
    kind: str  # "organisatie" | "analist"
    ident: str  # organisation id, or analyst key id


def bearer(authorization: str | None) -> str | None:
    """The token from an `Authorization: Bearer <token>` header, or None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def _stamp(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class Accounts:
    """The account store as last written, re-read when its file changes (so `rendement
    gebruiker revoke` ends a person's sessions on their next request)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._store = AccountStore(path)

    def store(self) -> AccountStore:
        stamp = _stamp(self.path)
        with self._lock:
            if stamp != self._stamp:
                self._store = AccountStore.load(self.path) if stamp else AccountStore(self.path)
                self._stamp = stamp
            return self._store

    def session_account(self, session: dict) -> Account | None:
        """The active account a session cookie names, while its session counter is current."""
        ident, counter = session.get("gebruiker"), session.get("sessie")
        if not isinstance(ident, str) or not isinstance(counter, int):
            return None
        account = self.store().get(ident)
        if account is None or not account.active or account.sessie != counter:
            return None
        return account


class Authenticator:
    CACHE_MAX = 1024

    def __init__(self, registry_path: Path, throttle: FailureThrottle | None = None):
        self.path = registry_path
        self.throttle = throttle or FailureThrottle()
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._registry = Registry(registry_path)
        self._verified: dict[tuple[str, str, str], bytes] = {}

    def registry(self) -> Registry:
        stamp = _stamp(self.path)
        with self._lock:
            if stamp != self._stamp:
                self._registry = Registry.load(self.path) if stamp else Registry(self.path)
                self._stamp = stamp
                self._verified.clear()
            return self._registry

    def check(self, token: str | None, client: str | None = None) -> Principal | None:
        """The verified principal of a token, or None (blocking: argon2 on a cache miss).
        Raises the 429 ServiceError, before hashing, while the client address or the claimed
        organisation (analyst key) has had too many failures."""
        claimed = tokens.parse(token)
        if claimed is None:
            return None
        registry = self.registry()
        if claimed.kind == "organisatie":
            stored = registry.org_token_hash(claimed.ident)
        else:
            stored = registry.analyst_token_hash(claimed.ident)
        digest = hashlib.sha256(token.encode()).digest()
        if stored is not None:
            key = (claimed.kind, claimed.ident, stored)
            with self._lock:
                known = self._verified.get(key)
            if known is not None and hmac.compare_digest(known, digest):
                return Principal(claimed.kind, claimed.ident)  # checked before: no hash
        keys = [("adres", client), ("organisatie", f"{claimed.kind}:{claimed.ident}")]
        if (wait := self.throttle.wait(keys)) is not None:
            raise too_many(wait)
        if stored is None:
            tokens.verify(None, token)  # same cost as a real check
            self.throttle.failed(keys)
            return None
        if not tokens.verify(stored, token):
            self.throttle.failed(keys)
            return None
        with self._lock:
            if len(self._verified) >= self.CACHE_MAX:
                self._verified.clear()
            self._verified[key] = digest
        return Principal(claimed.kind, claimed.ident)
