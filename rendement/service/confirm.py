"""Confirming a held re-upload (`rendement.intake.hold`): the organisation says that the file may
replace what it delivered before. Used by the API (`POST /api/uploads/{kenmerk}/bevestigen`)
and by the portal's button on the delivery page; both end here.

An upload can be confirmed while intake holds it (staged, `wacht_op_bevestiging`), and also
before intake has taken it in when the pre-flight on its receipt already predicted the hold:
then intake accepts it at once. Anything else has nothing to confirm (409).
"""

from __future__ import annotations

import re

from rendement.core.home import Home
from rendement.core.receipts import load_receipt
from rendement.intake import hold
from rendement.service.errors import ServiceError, not_found
from rendement.service.uploads import uploads_overview

KENMERK = re.compile(r"^[0-9a-f]{16}$")
NOT_YET_VALIDATED = ("wacht_op_verwerking", "in_behandeling", hold.WAITING)


def pending_hold(home: Home, org: str, kenmerk: str) -> dict | None:
    """The held (or predicted held) upload with this kenmerk: checksum, what it would replace
    (`vervangt`: the rule's findings as dicts) and whether it is confirmed; None otherwise."""
    if not KENMERK.fullmatch(kenmerk or ""):
        return None
    for checksum, info in hold.held_staging(home.lake, org).items():
        if checksum.startswith(kenmerk):
            return _found(home, org, checksum, info.get("vervangt") or [])
    receipt = load_receipt(home, org, kenmerk) or {}
    check = receipt.get("voorcontrole") or {}
    if check.get("oordeel") != hold.WAITING:
        return None
    row = next((r for r in uploads_overview(home, org) if r["checksum"][:16] == kenmerk), None)
    if row is not None and row["status"] not in NOT_YET_VALIDATED:
        return None  # intake has judged it since (against the lake as it then was)
    replaced = (check.get("rapport") or {}).get("vervangt") or []
    return _found(home, org, receipt["checksum"], replaced)


def _found(home: Home, org: str, checksum: str, replaced: list[dict]) -> dict:
    held = [r for r in replaced if r.get("vasthouden")]
    return {
        "checksum": checksum,
        "vervangt": [r["tekst"] for r in held],
        "bevestigd": hold.is_confirmed(home.lake, org, checksum),
    }


def confirm(home: Home, org: str, kenmerk: str, *, by: str) -> dict:
    """Record the confirmation; the answer for the API (the request's audit line, written by
    the service's middleware, carries the checksum and the outcome)."""
    found = pending_hold(home, org, kenmerk)
    if found is None:
        if not KENMERK.fullmatch(kenmerk or ""):
            raise not_found("Deze aanlevering bestaat niet (of hoort niet bij uw organisatie).")
        raise ServiceError(
            409,
            "niets_te_bevestigen",
            "Deze aanlevering wacht niet op een bevestiging: er is niets te bevestigen.",
        )
    what = "; ".join(found["vervangt"])
    answer = {
        "organisatie_id": org,
        "kenmerk": kenmerk,
        "checksum": found["checksum"],
        "vervangt": found["vervangt"],
    }
    if found["bevestigd"]:
        return {
            **answer,
            "status": "al_bevestigd",
            "melding": "Deze aanlevering was al bevestigd; zij wordt bij de volgende verwerking "
            "aangenomen.",
        }
    hold.confirm(home.lake, org, found["checksum"], by=by)
    return {
        **answer,
        "status": "bevestigd",
        "melding": f"Bevestigd. Bij de volgende verwerking (meestal binnen enkele minuten) "
        f"vervangt dit bestand de eerder aangenomen gegevens ({what}).",
    }
