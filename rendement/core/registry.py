"""The organisation register (`RENDEMENT_HOME/organisaties.json`): who may upload, with which token.

One JSON document, owner-only (0600), always replaced whole (temp file in the same folder, fsync,
rename) under an exclusive lock, so a reader never sees half a file and two CLI commands never
lose each other's change. It holds organisation ids and names and argon2 hashes of API tokens,
never a token itself:

    {"versie": 1,
     "organisaties": {"ORG001": {"naam": "...", "aangemaakt": "...",
                                 "token": {"hash": "$argon2id$...", "aangemaakt": "...",
                                           "ingetrokken": null}}},
     "analisten": {"1a2b3c4d": {"omschrijving": "...", "hash": "...", "aangemaakt": "...",
                                "ingetrokken": null}}}

Each organisation has at most one working token: a new one replaces the old one at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rendement.core import tokens
from rendement.core.jsonstore import JsonStore

VERSION = JsonStore.VERSION


class RegistryError(ValueError):
    """A refused change, with a Dutch message for the command line."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class Registry(JsonStore):
    COLLECTIONS = ("organisaties", "analisten")
    ERROR = RegistryError
    NOUN = "het register"

    # --- organisations --------------------------------------------------------------------
    def organisations(self) -> dict[str, str]:
        """Organisation id -> name, sorted by id."""
        return {k: v.get("naam", "") for k, v in sorted(self.data["organisaties"].items())}

    def has(self, org_id: str) -> bool:
        return org_id in self.data["organisaties"]

    def add(self, org_id: str, naam: str) -> None:
        if not tokens.valid_org_id(org_id):
            raise RegistryError(
                f"Ongeldige organisatiecode '{org_id}': gebruik 2 tot 32 tekens, hoofdletters, "
                "cijfers, '-' of '_', beginnend met een letter of cijfer (bijv. ORG001)."
            )
        if self.has(org_id):
            raise RegistryError(f"Organisatie {org_id} staat al in het register.")
        naam = (naam or "").strip()
        if not naam:
            raise RegistryError("Geef de naam van de organisatie op (--naam).")
        self.data["organisaties"][org_id] = {"naam": naam, "aangemaakt": _now(), "token": None}

    def _org(self, org_id: str) -> dict:
        try:
            return self.data["organisaties"][org_id]
        except KeyError:
            raise RegistryError(
                f"Organisatie {org_id} staat niet in het register; voeg haar eerst toe met "
                f"'rendement org add {org_id} --naam \"...\"'."
            ) from None

    def issue_org_token(self, org_id: str) -> tuple[str, bool]:
        """A new token for the organisation (replacing any old one); (token, replaced_old)."""
        org = self._org(org_id)
        replaced = bool(org.get("token") and org["token"].get("hash"))
        token = tokens.new_org_token(org_id)
        org["token"] = {"hash": tokens.hash_token(token), "aangemaakt": _now(), "ingetrokken": None}
        return token, replaced

    def revoke_org_token(self, org_id: str) -> bool:
        """Withdraw the organisation's token; False when it had none."""
        org = self._org(org_id)
        entry = org.get("token")
        if not entry or not entry.get("hash"):
            return False
        org["token"] = {**entry, "hash": None, "ingetrokken": _now()}
        return True

    def org_token_hash(self, org_id: str) -> str | None:
        entry = self.data["organisaties"].get(org_id, {}).get("token") or {}
        return entry.get("hash")

    # --- analysts -------------------------------------------------------------------------
    def issue_analyst_token(self, omschrijving: str = "") -> tuple[str, str]:
        """A new analyst token; (key id, token). Analyst tokens sit beside each other."""
        key_id = tokens.new_analyst_key_id()
        while key_id in self.data["analisten"]:
            key_id = tokens.new_analyst_key_id()
        token = tokens.new_analyst_token(key_id)
        self.data["analisten"][key_id] = {
            "omschrijving": omschrijving.strip(),
            "hash": tokens.hash_token(token),
            "aangemaakt": _now(),
            "ingetrokken": None,
        }
        return key_id, token

    def revoke_analyst_token(self, key_id: str) -> bool:
        entry = self.data["analisten"].get(key_id)
        if entry is None:
            raise RegistryError(f"Analistensleutel {key_id} bestaat niet.")
        if not entry.get("hash"):
            return False
        entry.update(hash=None, ingetrokken=_now())
        return True

    def analyst_token_hash(self, key_id: str) -> str | None:
        return (self.data["analisten"].get(key_id) or {}).get("hash")

    def analysts(self) -> dict[str, dict]:
        """Key id -> description, created, revoked (never the hash)."""
        return {
            k: {
                "omschrijving": v.get("omschrijving", ""),
                "aangemaakt": v.get("aangemaakt"),
                "ingetrokken": v.get("ingetrokken"),
            }
            for k, v in sorted(self.data["analisten"].items())
        }
