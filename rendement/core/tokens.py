"""API tokens: how they look, how they are made, hashed and checked.

An organisation token is `<ORG>.<secret>`, an analyst token `analist.<sleutel>.<secret>`, where
the secret is 32 random bytes (URL-safe base64). The prefix says which single argon2 hash to try,
so a check costs one verification, never one per organisation. Only argon2id hashes are stored
(in the organisation register); the token itself is shown once when it is made.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ORG_ID = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
ANALYST_PREFIX = "analist"
_KEY_ID = re.compile(r"^[a-z0-9]{8}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
MAX_TOKEN_LENGTH = 128

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# A hash of a random secret, verified against when the prefix names nobody: unknown and known
# organisations then cost the same time, so response times do not tell which ids exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))


@dataclass(frozen=True)
class TokenId:
    """Who a token claims to be, read from its prefix (not yet verified)."""

    kind: str  # "organisatie" | "analist"
    ident: str  # organisation id or analyst key id


def valid_org_id(org_id: str) -> bool:
    return bool(ORG_ID.fullmatch(org_id or ""))


def new_org_token(org_id: str) -> str:
    if not valid_org_id(org_id):
        raise ValueError(f"ongeldige organisatiecode: {org_id!r}")
    return f"{org_id}.{secrets.token_urlsafe(32)}"


def new_analyst_key_id() -> str:
    return secrets.token_hex(4)


def new_analyst_token(key_id: str) -> str:
    return f"{ANALYST_PREFIX}.{key_id}.{secrets.token_urlsafe(32)}"


def parse(token: str | None) -> TokenId | None:
    """The claimed identity of a well-formed token; None for anything else."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    parts = token.split(".")
    if len(parts) == 3 and parts[0] == ANALYST_PREFIX:
        if _KEY_ID.fullmatch(parts[1]) and _SECRET.fullmatch(parts[2]):
            return TokenId("analist", parts[1])
        return None
    if len(parts) == 2 and valid_org_id(parts[0]) and _SECRET.fullmatch(parts[1]):
        return TokenId("organisatie", parts[0])
    return None


def hash_token(token: str) -> str:
    return _hasher.hash(token)


def verify(stored_hash: str | None, token: str) -> bool:
    """True when `token` matches `stored_hash`; a missing hash still costs one verification."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, token) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
