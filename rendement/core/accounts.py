"""The portal's personal accounts (`RENDEMENT_HOME/gebruikers.json`): people who sign in with a
browser, next to the API tokens of the organisation register (`rendement.core.registry`).

Kept apart from `organisaties.json` because its life is different: people come and go, set
and reset passwords, while an organisation's token is made once for a script. The file has the
same guarantees as the register: owner-only (0600), always replaced whole under an exclusive
lock, so two commands or a command and the service never lose each other's change.

    {"versie": 1,
     "gebruikers": {"g-1a2b3c4d5e": {
         "email": "jan@welzijn-noord.nl", "rol": "organisatie" | "analist",
         "organisatie_id": "ORG001" | null, "hash": "$argon2id$..." | null,
         "aangemaakt": "...", "wachtwoord_gezet": "..." | null, "ingetrokken": "..." | null,
         "sessie": 3,
         "link": {"hash": "<sha256 of the one-time code>", "verloopt": "..."} | null}}}

An account is made by an analyst (`rendement gebruiker add`) without a password: the command
prints a one-time link whose code is stored only as a SHA-256 (the code is 32 random bytes, so
a fast hash is enough); the person sets the password there, stored as an argon2id hash. Every
sign-in is checked against one hash, also for an unknown address (against a dummy hash), so the
time of an answer does not tell which addresses exist. `sessie` is a counter carried in the
session cookie: setting a password, signing out or withdrawing the account raises it, which
ends every session made before.

The audit log names an account by its id (`g-...`), never by its e-mail address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from rendement.core.jsonstore import JsonStore
from rendement.core.tokens import valid_org_id
from schemas.bsn import mask_value

VERSION = JsonStore.VERSION
ORGANISATION = "organisatie"
ANALYST = "analist"
LINK_HOURS = 72  # a one-time link works this long
MIN_PASSWORD = 12  # length only, no composition rules (NCSC and NIST advice)
MAX_PASSWORD = 256
MAX_EMAIL = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")

_hasher = PasswordHasher()  # argon2id, the library's recommended parameters
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))


class AccountError(ValueError):
    """A refused change, with a Dutch message for the person or the command line."""


@dataclass(frozen=True)
class Account:
    """One person: who they are for the portal (never the password hash)."""

    id: str
    email: str
    rol: str
    organisatie_id: str | None
    sessie: int
    active: bool  # a password is set and the account is not withdrawn

    @property
    def is_analyst(self) -> bool:
        return self.rol == ANALYST


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    """The address as stored and compared: trimmed, lower case; AccountError when it is not
    shaped like an e-mail address."""
    text = (email or "").strip().lower()
    if len(text) > MAX_EMAIL or not _EMAIL.fullmatch(text):
        raise AccountError(f"'{email}' is geen geldig e-mailadres.")
    return text


def check_password(password: str, email: str) -> None:
    """The password rules, in Dutch: long enough, not absurdly long, not the address."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Kies een wachtwoord van minstens {MIN_PASSWORD} tekens.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Kies een wachtwoord van hoogstens {MAX_PASSWORD} tekens.")
    if password.strip().lower() == email:
        raise AccountError("Uw wachtwoord mag niet uw e-mailadres zijn.")


def verify_hash(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; a missing hash still costs one verification."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass
class AccountStore(JsonStore):
    COLLECTIONS = ("gebruikers",)
    ERROR = AccountError
    NOUN = "de gebruikers"

    # --- looking up -----------------------------------------------------------------------
    def _entries(self) -> dict[str, dict]:
        return self.data["gebruikers"]

    @staticmethod
    def _account(ident: str, entry: dict) -> Account:
        return Account(
            id=ident,
            email=entry["email"],
            rol=entry["rol"],
            organisatie_id=entry.get("organisatie_id"),
            sessie=int(entry.get("sessie", 0)),
            active=bool(entry.get("hash")) and not entry.get("ingetrokken"),
        )

    def _id_of(self, email: str) -> str | None:
        return next((k for k, v in self._entries().items() if v["email"] == email), None)

    def find(self, email: str) -> Account | None:
        """The account with this address (any state), or None; never raises on bad input."""
        try:
            email = normalise_email(email)
        except AccountError:
            return None
        ident = self._id_of(email)
        return None if ident is None else self._account(ident, self._entries()[ident])

    def get(self, ident: str) -> Account | None:
        entry = self._entries().get(ident)
        return None if entry is None else self._account(ident, entry)

    def accounts(self) -> list[dict]:
        """Every account for a listing: id, address, role, organisation, state (no hashes)."""
        out = []
        for ident, e in sorted(self._entries().items(), key=lambda kv: kv[1]["email"]):
            state = (
                "ingetrokken"
                if e.get("ingetrokken")
                else ("actief" if e.get("hash") else "wacht op wachtwoord")
            )
            out.append(
                {
                    "id": ident,
                    "email": e["email"],
                    "rol": e["rol"],
                    "organisatie_id": e.get("organisatie_id"),
                    "status": state,
                }
            )
        return out

    # --- changes --------------------------------------------------------------------------
    def _new_id(self) -> str:
        """A random account id, unused, and none the audit log would mask: ten hex digits can
        hold nine decimal ones that pass the 11-proef (`g-941769525b`), which the log writes
        as `g-*****9525b`, and it would no longer say who signed in."""
        while True:
            ident = f"g-{secrets.token_hex(5)}"
            if ident not in self._entries() and mask_value(ident) == ident:
                return ident

    def add(
        self, email: str, *, organisatie_id: str | None = None, analyst: bool = False
    ) -> tuple[Account, str]:
        """A new account without a password; (account, one-time code for the link)."""
        email = normalise_email(email)
        if analyst == bool(organisatie_id):
            raise AccountError("Geef een organisatie (--organisatie ORG) óf --analist.")
        if organisatie_id and not valid_org_id(organisatie_id):
            raise AccountError(f"Ongeldige organisatiecode '{organisatie_id}'.")
        if (ident := self._id_of(email)) is not None:
            if not self._entries()[ident].get("ingetrokken"):
                raise AccountError(
                    f"{email} heeft al een account; maak zo nodig een nieuwe link met "
                    f"'rendement gebruiker reset {email}'."
                )
            del self._entries()[ident]  # a withdrawn account may be made anew
        ident = self._new_id()
        self._entries()[ident] = {
            "email": email,
            "rol": ANALYST if analyst else ORGANISATION,
            "organisatie_id": None if analyst else organisatie_id,
            "hash": None,
            "aangemaakt": _iso(_now()),
            "wachtwoord_gezet": None,
            "ingetrokken": None,
            "sessie": 0,
            "link": None,
        }
        return self._account(ident, self._entries()[ident]), self._new_link(ident)

    def _new_link(self, ident: str) -> str:
        code = secrets.token_urlsafe(32)
        self._entries()[ident]["link"] = {
            "hash": _code_hash(code),
            "verloopt": _iso(_now() + dt.timedelta(hours=LINK_HOURS)),
        }
        return code

    def _require(self, email: str) -> str:
        ident = self._id_of(normalise_email(email))
        if ident is None:
            raise AccountError(f"Er is geen account voor {email}.")
        return ident

    def reset(self, email: str) -> tuple[Account, str]:
        """A new one-time link for an existing account (the old password keeps working until
        the new one is set; an old link stops working)."""
        ident = self._require(email)
        entry = self._entries()[ident]
        if entry.get("ingetrokken"):
            raise AccountError(f"Het account van {entry['email']} is ingetrokken.")
        return self._account(ident, entry), self._new_link(ident)

    def revoke(self, email: str) -> bool:
        """Withdraw an account: no sign-in, every session ends; False when it already was."""
        entry = self._entries()[self._require(email)]
        if entry.get("ingetrokken"):
            return False
        entry.update(hash=None, link=None, ingetrokken=_iso(_now()))
        entry["sessie"] = int(entry.get("sessie", 0)) + 1
        return True

    def end_sessions(self, ident: str) -> None:
        """Make every session of this account invalid (sign-out)."""
        entry = self._entries().get(ident)
        if entry is not None:
            entry["sessie"] = int(entry.get("sessie", 0)) + 1

    def for_code(self, code: str | None, *, now: dt.datetime | None = None) -> Account | None:
        """The account whose one-time link carries `code`, while it is valid; else None."""
        if not code or len(code) > 128:
            return None
        wanted = _code_hash(code)
        moment = now or _now()
        for ident, entry in self._entries().items():
            link = entry.get("link") or {}
            if link.get("hash") and hmac.compare_digest(link["hash"], wanted):
                if entry.get("ingetrokken"):
                    return None
                if dt.datetime.fromisoformat(link["verloopt"]) < moment:
                    return None
                return self._account(ident, entry)
        return None

    def set_password(self, code: str, password: str, *, now: dt.datetime | None = None) -> Account:
        """Set the password through a one-time link; the link is used up and every earlier
        session ends. AccountError (Dutch) for an expired link or a password that breaks the
        rules."""
        account = self.for_code(code, now=now)
        if account is None:
            raise AccountError(
                "Deze link is verlopen of al gebruikt. Vraag het sectorbureau om een nieuwe."
            )
        check_password(password, account.email)
        entry = self._entries()[account.id]
        entry.update(hash=_hasher.hash(password), link=None, wachtwoord_gezet=_iso(_now()))
        entry["sessie"] = int(entry.get("sessie", 0)) + 1
        return self._account(account.id, entry)

    # --- signing in -----------------------------------------------------------------------
    def verify(self, email: str, password: str) -> Account | None:
        """The account when `password` is right for an active account; else None. Costs one
        argon2 verification whatever the address (unknown, withdrawn or without password)."""
        account = self.find(email)
        stored = None
        if account is not None and account.active:
            stored = self._entries()[account.id].get("hash")
        if len(password) > MAX_PASSWORD:
            password = password[:MAX_PASSWORD]
            stored = None  # never right, same cost
        return account if verify_hash(stored, password) else None


__all__ = [
    "ANALYST",
    "ORGANISATION",
    "Account",
    "AccountError",
    "AccountStore",
    "check_password",
    "normalise_email",
]
