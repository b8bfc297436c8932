"""Who is asking: the bearer token checked against the organisation register.

The register is re-read whenever its file changes (a `rendement token revoke` takes effect on
the next request, without a restart). One argon2 verification per token and register version;
after that a SHA-256 of the token, kept in memory only, answers repeat requests quickly.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from rendement.core import tokens
from rendement.core.registry import Registry


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


class Authenticator:
    CACHE_MAX = 1024

    def __init__(self, registry_path: Path):
        self.path = registry_path
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._registry = Registry(registry_path)
        self._verified: dict[tuple[str, str, str], bytes] = {}

    def registry(self) -> Registry:
        try:
            st = os.stat(self.path)
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                self._registry = Registry.load(self.path) if stamp else Registry(self.path)
                self._stamp = stamp
                self._verified.clear()
            return self._registry

    def check(self, token: str | None) -> Principal | None:
        """The verified principal of a token, or None (blocking: argon2 on a cache miss)."""
        claimed = tokens.parse(token)
        if claimed is None:
            return None
        registry = self.registry()
        if claimed.kind == "organisatie":
            stored = registry.org_token_hash(claimed.ident)
        else:
            stored = registry.analyst_token_hash(claimed.ident)
        if stored is None:
            tokens.verify(None, token)  # same cost as a real check
            return None
        key = (claimed.kind, claimed.ident, stored)
        digest = hashlib.sha256(token.encode()).digest()
        with self._lock:
            known = self._verified.get(key)
        if known is not None and hmac.compare_digest(known, digest):
            return Principal(claimed.kind, claimed.ident)
        if not tokens.verify(stored, token):
            return None
        with self._lock:
            if len(self._verified) >= self.CACHE_MAX:
                self._verified.clear()
            self._verified[key] = digest
        return Principal(claimed.kind, claimed.ident)
