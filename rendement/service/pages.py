"""The Dutch HTML pages of the service: the upload form, the receipt and the error page.

Plain HTML forms, no scripts: an office worker with a browser and a token can deliver a file.
Built on the shared page shell (`rendement.reports.page`); each body is a template in
`rendement/service/templates/` (with its style, `form_style.html`), so every value that came
from a request is escaped by the template engine.
"""

from __future__ import annotations

import datetime as dt

from rendement.core.formatting import nl_datetime, nl_number
from rendement.core.templates import render
from rendement.reports.page import page

VERDICTS = {
    "geaccepteerd": ("ok", "Wordt naar verwachting helemaal aangenomen"),
    "deels_geaccepteerd": ("let", "Wordt naar verwachting aangenomen, met afgekeurde rijen"),
    "geweigerd": ("fout", "Wordt naar verwachting geweigerd"),
}


def upload_form(max_bytes: int) -> str:
    mb = max_bytes / (1024 * 1024)
    limit = f"{mb:.0f} MB" if mb >= 1 else f"{max_bytes // 1024} kB"
    body = render("rendement.service", "upload_form.html", limit=limit)
    return page("Bestand aanleveren", body, root="", subtitle="Sociaal Werk werkt! — uploadservice")


def _size(n: int | None) -> str:
    if n is None:
        return ""
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{nl_number(n / 1024, 1)} kB"
    return f"{nl_number(n / (1024 * 1024), 1)} MB"


def receipt_page(receipt: dict) -> str:
    duplicate = receipt.get("status") == "al_ontvangen"
    check = receipt.get("voorcontrole") or {}
    css, label = VERDICTS.get(check.get("oordeel"), ("", "Voorcontrole niet uitgevoerd"))
    rows = [
        ("Organisatie", "text", receipt.get("organisatie_id")),
        ("Uw bestand", "text", receipt.get("origineel")),
        (
            ("Opgeslagen als", "text", "niet opnieuw opgeslagen")
            if duplicate
            else ("Opgeslagen als", "code", receipt.get("bestand"))
        ),
        ("Controlegetal (SHA-256)", "code", receipt.get("checksum")),
        ("Grootte", "text", _size(receipt.get("grootte_bytes"))),
    ]
    if not duplicate:
        dialect = receipt.get("dialect") or {}
        rows += [
            ("Ontvangen op", "text", _when(receipt.get("ontvangen_op"))),
            ("Formaat", "text", (receipt.get("formaat") or "").upper()),
            ("Herkend systeem", "text", receipt.get("systeem") or "onbekend"),
            ("Verslagjaar", "text", receipt.get("periode") or "onbekend"),
            ("Bestandsopmaak", "text", _dialect_text(dialect)),
            ("Voorcontrole", "verdict", label),
        ]
    body = render(
        "rendement.service",
        "receipt.html",
        melding=receipt.get("melding"),
        rows=rows,
        css=css,
        problems=check.get("problemen") or [],
    )
    title = "Dit bestand was al ontvangen" if duplicate else "Ontvangen"
    return page(title, body, root="", subtitle="Ontvangstbewijs")


def _when(iso: str | None) -> str:
    """ISO time in UTC as Dutch readers write it: 28-11-2026 12:18 (UTC)."""
    if not iso:
        return ""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return nl_datetime(moment, seconds=True) + " (UTC)"


def _dialect_text(dialect: dict) -> str:
    parts = []
    enc = dialect.get("encoding") or dialect.get("codering")
    if enc:
        parts.append(f"tekenset {enc}")
    delim = dialect.get("delimiter_naam") or dialect.get("scheidingsteken")
    if delim:
        parts.append(f"scheidingsteken {'tab' if delim == chr(9) else delim}")
    if dialect.get("date_format"):
        parts.append(f"datums {dialect['date_format']}")
    if dialect.get("decimal"):
        parts.append(f"decimaalteken '{dialect['decimal']}'")
    return ", ".join(parts) or "—"


def error_page(status: int, message: str) -> str:
    body = render("rendement.service", "error.html", message=message, status=int(status))
    return page("Niet gelukt", body, root="", subtitle="Sociaal Werk werkt! — uploadservice")
