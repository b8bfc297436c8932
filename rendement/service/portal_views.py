"""What the portal pages show, as plain dicts for their templates: an organisation's deliveries
with a status per file, one delivery with its receipt and validation report, the analysts'
overview. Read from the audit log, the kept receipts (`uploads.save_receipt`) and the
validation reports intake wrote (`validatie/<ORG>/<kenmerk>.json`, `Home.org_validation`).

A delivery is named everywhere by the organisation's own file name and found by its `kenmerk`
(the first 16 hex digits of its SHA-256, as the validation report is named); times are Dutch
local time. The four statuses a person sees:

    ontvangen      waiting in the inbox
    in verwerking  taken in by the pipeline, not finished
    verwerkt       processed (all rows accepted, some rows refused, or already received before)
    geweigerd      refused as a whole
"""

from __future__ import annotations

import json
import re

from rendement.core import audit
from rendement.core.home import Home
from rendement.core.receipts import load_receipt
from rendement.core.registry import Registry
from rendement.intake.delivery import STATUS_LABELS, delivery_status, latest_year
from rendement.intake.hold import WAITING
from rendement.service.confirm import pending_hold
from rendement.service.pages import VERDICTS, findings, local_time, size_text
from rendement.service.uploads import uploads_overview

KENMERK = re.compile(r"^[0-9a-f]{16}$")
PORTAL_STATUS = {
    "wacht_op_verwerking": ("ontvangen", "Ontvangen", "let"),
    "in_behandeling": ("in_verwerking", "In verwerking", "let"),
    "geaccepteerd": ("verwerkt", "Verwerkt", "ok"),
    "deels_geaccepteerd": ("verwerkt", "Verwerkt", "ok"),
    "duplicaat": ("verwerkt", "Verwerkt", "ok"),
    "geweigerd": ("geweigerd", "Geweigerd", "fout"),
    WAITING: ("wacht_op_bevestiging", "Wacht op uw bevestiging", "let"),
}
EXPLAIN = {
    "wacht_op_verwerking": "Wacht op verwerking; dat gebeurt meestal binnen enkele minuten.",
    "in_behandeling": "Wordt nu verwerkt.",
    "geaccepteerd": "Alle rijen zijn aangenomen.",
    "deels_geaccepteerd": "Aangenomen, maar sommige rijen zijn afgekeurd: zie de details.",
    "duplicaat": "Dit bestand was al eerder ontvangen; er is niets veranderd.",
    "geweigerd": "Niet aangenomen: zie de details voor wat u moet verbeteren.",
    WAITING: "Zou veel eerder aangenomen gegevens vervangen; er is nog niets veranderd. "
    "Bevestig het hieronder, of lever het volledige bestand opnieuw aan.",
}
REPORT_STATUS = {
    "geaccepteerd": ("ok", "Helemaal aangenomen."),
    "deels_geaccepteerd": ("let", "Aangenomen; sommige rijen zijn afgekeurd."),
    "geweigerd": ("fout", "Niet aangenomen; er is niets van opgeslagen."),
}


def _row(org: str, r: dict) -> dict:
    code, label, css = PORTAL_STATUS.get(r["status"], ("in_verwerking", "In verwerking", "let"))
    kenmerk = r["checksum"][:16]
    return {
        "kenmerk": kenmerk,
        "bestand": r.get("origineel") or r["bestand"],
        "ontvangen": local_time(r.get("ontvangen_op")),
        "bijgewerkt": local_time(r.get("bijgewerkt_op")),
        "periode": r.get("periode"),
        "status": code,
        "status_label": label,
        "css": css,
        "toelichting": EXPLAIN.get(r["status"], ""),
        "href": f"/portaal/{org}/leveringen/{kenmerk}",
    }


def deliveries(home: Home, org: str) -> list[dict]:
    """Every delivery of one organisation, newest first."""
    return [_row(org, r) for r in uploads_overview(home, org)]


def _validation_report(home: Home, org: str, kenmerk: str) -> dict | None:
    path = home.org_validation(org) / f"{kenmerk}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text("utf-8"))


def delivery(home: Home, org: str, kenmerk: str) -> dict | None:
    """One delivery: its status, receipt and (once processed) validation report; None when
    this organisation has no delivery with this kenmerk."""
    if not KENMERK.fullmatch(kenmerk or ""):
        return None
    found = next((r for r in uploads_overview(home, org) if r["checksum"][:16] == kenmerk), None)
    receipt = load_receipt(home, org, kenmerk)
    if found is None and receipt is None:
        return None
    if found is None:
        found = {
            "checksum": receipt["checksum"],
            "bestand": receipt.get("bestand"),
            "origineel": receipt.get("origineel"),
            "ontvangen_op": receipt.get("ontvangen_op"),
            "status": "wacht_op_verwerking",
            "periode": receipt.get("periode"),
        }
    row = _row(org, found)
    own = row["bestand"]
    names = {n: own for n in (found.get("bestand"), (receipt or {}).get("bestand")) if n}
    out = {**row, "checksum": found["checksum"], "ontvangstbewijs": None, "rapport": None}
    if receipt is not None:
        check = receipt.get("voorcontrole") or {}
        document = check.get("rapport") or {}
        css, verdict = VERDICTS.get(check.get("oordeel"), ("", "Voorcontrole niet uitgevoerd"))
        verdict += "."
        out["ontvangstbewijs"] = {
            "ontvangen": local_time(receipt.get("ontvangen_op"), seconds=True),
            "grootte": size_text(receipt.get("grootte_bytes")),
            "formaat": (receipt.get("formaat") or "").upper(),
            "systeem": receipt.get("systeem") or "onbekend",
            "periode": receipt.get("periode") or "onbekend",
            "oordeel": verdict,
            "css": css,
            "redenen": [*(document.get("redenen") or []), *_refusal(document)],
            "regels": findings(document, names),
        }
    out["wacht"] = pending_hold(home, org, kenmerk)
    report = _validation_report(home, org, kenmerk)
    if report is not None:
        css, verdict = REPORT_STATUS.get(report.get("status"), ("", ""))
        summary = report.get("samenvatting") or {}
        out["rapport"] = {
            "oordeel": verdict,
            "css": css,
            "redenen": report.get("redenen") or [],
            "samenvatting": summary,
            "tabellen": report.get("tabellen") or {},
            "regels": findings(report, names),
            "json": f"/portaal/{org}/rapport/validatie/{kenmerk}.json",
        }
    return out


def _refusal(document: dict) -> list[str]:
    if document.get("oordeel") in ("geweigerd", WAITING) and document.get("melding"):
        return [str(document["melding"])]
    return []


def has_report(home: Home, org: str) -> bool:
    return (home.org_site(org) / "index.html").is_file()


def org_name(home: Home, org: str) -> str:
    return Registry.load(home.registry).organisations().get(org, "")


def overview(home: Home, year: int | None) -> tuple[int, list[dict]]:
    """The analysts' delivery overview of `year` (default: the latest delivered year)."""
    log = audit.read(home.audit_log)
    year = year or latest_year(log)
    frame = delivery_status(Registry.load(home.registry).organisations(), log, year)
    rows = [
        {
            **r,
            "status_label": STATUS_LABELS.get(r["status"], r["status"]),
            "naam": r.get("naam") or "(niet in het register)",
            "laatste": local_time(r.get("laatste_levering")),
        }
        for r in frame.iter_rows(named=True)
    ]
    return year, rows
