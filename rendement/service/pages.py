"""The Dutch HTML pages of the service: the upload form, the receipt and the error page.

Plain HTML forms, no scripts: an office worker with a browser and a token can deliver a file.
Every time on a page is Dutch local time (Europe/Amsterdam), from `local_time`.
Built on the shared page shell (`rendement.reports.page`); each body is a template in
`rendement/service/templates/` (with its style, `form_style.html`), so every value that came
from a request is escaped by the template engine.
"""

from __future__ import annotations

import datetime as dt

from rendement.core.formatting import nl_local_datetime, nl_number
from rendement.core.templates import render
from rendement.reports.page import page

VERDICTS = {
    "geaccepteerd": ("ok", "Wordt naar verwachting helemaal aangenomen"),
    "deels_geaccepteerd": ("let", "Wordt naar verwachting aangenomen, met afgekeurde rijen"),
    "geweigerd": ("fout", "Wordt naar verwachting geweigerd"),
    "duplicaat": ("ok", "Al eerder ontvangen; verandert niets"),
    "wacht_op_bevestiging": ("let", "Wacht naar verwachting op uw bevestiging"),
}


# The pages anyone may open: the token form and the sign-in page.
PUBLIC_NAV = (("/", "Aanleveren met token"), ("/inloggen", "Inloggen"))


def local_time(moment: dt.datetime | str | None, *, seconds: bool = False) -> str:
    """A moment (ISO text or datetime, UTC when it has no zone) in Dutch local time
    (`nl_local_datetime`); empty for none, unreadable text as it is."""
    if not moment:
        return ""
    try:
        return nl_local_datetime(moment, seconds=seconds)
    except ValueError:
        return str(moment)


def size_text(n: int | None) -> str:
    return _size(n)


def limit_text(max_bytes: int) -> str:
    mb = max_bytes / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 1 else f"{max_bytes // 1024} kB"


def upload_form(max_bytes: int, csrf: str = "") -> str:
    body = render("rendement.service", "upload_form.html", limit=limit_text(max_bytes), csrf=csrf)
    return page(
        "Bestand aanleveren",
        body,
        root="",
        subtitle="Sociaal Werk werkt! — uploadservice",
        home_href="/",
        nav=PUBLIC_NAV,
        current="/",
    )


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
        *([("Opgeslagen", "text", "niet opnieuw opgeslagen")] if duplicate else []),
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
    document = check.get("rapport") or {}
    own = {n: receipt.get("origineel") for n in (receipt.get("bestand"),) if n}
    body = render(
        "rendement.service",
        "receipt.html",
        melding=receipt.get("melding"),
        rows=rows,
        css=css,
        problems=_receipt_problems(check, document),
        regels=findings(document, own),
    )
    title = "Dit bestand was al ontvangen" if duplicate else "Ontvangen"
    return page(title, body, root="", subtitle="Ontvangstbewijs", home_href="/", nav=PUBLIC_NAV)


def _when(iso: str | None) -> str:
    """The receipt's time in Dutch local time: 28-11-2026 13:18:16."""
    return local_time(iso, seconds=True)


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


def _receipt_problems(check: dict, document: dict) -> list[str]:
    """The pre-flight's reasons on the receipt page; for a predicted hold, what the file would
    replace ("traject 2025: vervangt 738 rijen door 0")."""
    out = [str(r) for r in document.get("redenen") or []]
    if check.get("oordeel") == "geweigerd" and document.get("melding"):
        out.append(str(document["melding"]))
    if check.get("oordeel") == "wacht_op_bevestiging":
        out += [str(r) for r in check.get("vervangt") or []]
    return out


SEVERITY = {"bestand": "Bestand geweigerd", "fout": "Rij afgekeurd", "waarschuwing": "Waarschuwing"}


def findings(report: dict, names: dict[str, str] | None = None) -> list[dict]:
    """The report's rules with their first examples (row, column, value), names replaced by
    the organisation's own file names."""
    out = []
    for r in report.get("regels") or []:
        out.append(
            {
                "titel": r.get("titel") or r.get("regel"),
                "ernst": SEVERITY.get(r.get("ernst"), "Melding"),
                "css": {"bestand": "fout", "fout": "fout"}.get(r.get("ernst"), "let"),
                "aantal": int(r.get("aantal") or 0),
                "wat_te_doen": r.get("wat_te_doen"),
                "voorbeelden": [
                    {
                        "tabel": ex.get("tabel"),
                        "bestand": (names or {}).get(ex.get("bestand") or "", ex.get("bestand")),
                        "rij": ex.get("rij"),
                        "kolom": ex.get("kolom"),
                        "waarde": ex.get("waarde"),
                        "verwacht": ex.get("verwacht"),
                        "melding": ex.get("melding"),
                    }
                    for ex in r.get("voorbeelden") or []
                ],
            }
        )
    return out


def error_page(status: int, message: str, nav=None) -> str:
    """A refusal as a page; `nav` (href, label pairs) when a signed-in person sees it, else
    the public navigation and a way back to the token form."""
    portal = bool(nav)
    body = render(
        "rendement.service",
        "error.html",
        message=message,
        status=int(status),
        back=("/portaal", "Terug naar het portaal")
        if portal
        else ("/", "Terug naar het aanleverformulier"),
    )
    return page(
        "Niet gelukt",
        body,
        root="",
        subtitle="Sociaal Werk werkt! — uploadservice",
        home_href="/portaal" if portal else "/",
        nav=nav or PUBLIC_NAV,
    )
