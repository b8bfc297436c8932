"""Organisations' proposals for a deviating parameter value, and the analysts' decisions
(`RENDEMENT_HOME/parameters/voorstellen.json`).

An organisation proposes in the portal (a local unit price, a duration, a correction) with a
justification and a source; an analyst accepts or rejects it. Accepted proposals are the
organisation's own deviations next to the analysts' file `afwijkingen.csv`, both validated the
same way by `rendement.mkba.overrides` before the MKBA uses them. The file is a `JsonStore`
(owner-only, replaced whole under a lock), so the service and a command never lose each
other's change. People are named by their account id (`g-...`), never by their e-mail address.

    {"versie": 1,
     "voorstellen": {"v-1a2b3c4d5e": {
         "organisatie_id": "ORG001", "project_id": "P1" | null,
         "parameter": "uitkomsten.schulden_gestabiliseerd.duur", "waarde": 3.0, "tekst": "3",
         "toelichting": "...", "bron": "...", "status": "ingediend",
         "ingediend_door": "g-...", "ingediend_op": "2026-...Z",
         "besloten_door": "g-..." | null, "besloten_op": "..." | null, "reden": "..." | null}}}
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from rendement.core.jsonstore import JsonStore

SUBMITTED = "ingediend"
ACCEPTED = "aanvaard"
REJECTED = "afgewezen"
SUPERSEDED = "vervangen"  # an accepted proposal replaced by a later accepted one
STATUS_LABELS = {
    SUBMITTED: "Wacht op beoordeling",
    ACCEPTED: "Aanvaard",
    REJECTED: "Afgewezen",
    SUPERSEDED: "Vervangen door een later voorstel",
}
MAX_TEXT = 2000  # justification, source and reason: characters kept


class ProposalError(ValueError):
    """A refused change of the proposals, with a Dutch message."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class ProposalStore(JsonStore):
    COLLECTIONS = ("voorstellen",)
    ERROR = ProposalError
    NOUN = "de voorstellen"

    def propose(
        self,
        *,
        organisatie_id: str,
        project_id: str | None,
        parameter: str,
        waarde: float,
        tekst: str,
        toelichting: str,
        bron: str,
        door: str,
    ) -> str:
        """Record a new proposal (validated by the caller); returns its id."""
        ident = f"v-{secrets.token_hex(5)}"
        self.data["voorstellen"][ident] = {
            "organisatie_id": organisatie_id,
            "project_id": project_id or None,
            "parameter": parameter,
            "waarde": float(waarde),
            "tekst": tekst[:100],
            "toelichting": toelichting.strip()[:MAX_TEXT],
            "bron": bron.strip()[:MAX_TEXT],
            "status": SUBMITTED,
            "ingediend_door": door,
            "ingediend_op": _now(),
            "besloten_door": None,
            "besloten_op": None,
            "reden": None,
        }
        return ident

    def get(self, ident: str) -> dict | None:
        found = self.data["voorstellen"].get(ident)
        return {"id": ident, **found} if found is not None else None

    def decide(self, ident: str, *, accept: bool, door: str, reden: str = "") -> dict:
        """Accept or reject a proposal that waits; accepting one replaces an earlier accepted
        proposal for the same organisation, project and parameter."""
        found = self.data["voorstellen"].get(ident)
        if found is None:
            raise ProposalError("Dit voorstel bestaat niet.")
        if found["status"] != SUBMITTED:
            raise ProposalError(
                f"Over dit voorstel is al besloten ({STATUS_LABELS[found['status']].lower()})."
            )
        if not accept and not reden.strip():
            raise ProposalError("Geef de organisatie een reden waarom het voorstel is afgewezen.")
        if accept:
            key = (found["organisatie_id"], found["project_id"], found["parameter"])
            for other in self.data["voorstellen"].values():
                same = (other["organisatie_id"], other["project_id"], other["parameter"])
                if other["status"] == ACCEPTED and same == key:
                    other["status"] = SUPERSEDED
        found.update(
            status=ACCEPTED if accept else REJECTED,
            besloten_door=door,
            besloten_op=_now(),
            reden=reden.strip()[:MAX_TEXT] or None,
        )
        return {"id": ident, **found}

    def all(self) -> list[dict]:
        """Every proposal, newest first."""
        items = [{"id": k, **v} for k, v in self.data["voorstellen"].items()]
        return sorted(items, key=lambda p: (p["ingediend_op"], p["id"]), reverse=True)

    def of(self, organisatie_id: str) -> list[dict]:
        return [p for p in self.all() if p["organisatie_id"] == organisatie_id]

    def with_status(self, status: str) -> list[dict]:
        return [p for p in self.all() if p["status"] == status]
