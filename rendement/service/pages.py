"""The Dutch HTML pages of the service: the upload form, the receipt and the error page.

Plain HTML forms, no scripts: an office worker with a browser and a token can deliver a file.
Built on the shared page shell; every value that came from a request is escaped.
"""

from __future__ import annotations

import datetime as dt

from rendement.core.formatting import nl_datetime
from rendement.reports.page import esc, page

FORM_CSS = """
<style>
form.upload { display: grid; gap: 14px; max-width: 560px; margin: 18px 0; }
form.upload label { font-weight: 600; display: block; margin-bottom: 4px; }
form.upload input[type=password], form.upload input[type=file] { width: 100%; padding: 8px;
  border: 1px solid var(--line); border-radius: 6px; font: inherit; }
form.upload button { justify-self: start; padding: 9px 20px; border: 0; border-radius: 6px;
  background: var(--accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
.hint { color: var(--muted); font-size: .9rem; margin: 4px 0 0; }
table.bon { border-collapse: collapse; margin: 12px 0; }
table.bon th { text-align: left; padding: 6px 16px 6px 0; color: var(--muted); font-weight: 500;
  vertical-align: top; white-space: nowrap; }
table.bon td { padding: 6px 0; }
code { font-size: .85rem; word-break: break-all; }
.ok { color: #0b6e4f; } .let { color: #9a5b00; } .fout { color: #a4262c; }
</style>
"""

VERDICTS = {
    "geaccepteerd": ("ok", "Wordt naar verwachting helemaal aangenomen"),
    "deels_afgekeurd": ("let", "Wordt naar verwachting aangenomen, met afgekeurde rijen"),
    "geweigerd": ("fout", "Wordt naar verwachting geweigerd"),
}


def upload_form(max_bytes: int) -> str:
    mb = max_bytes / (1024 * 1024)
    limit = f"{mb:.0f} MB" if mb >= 1 else f"{max_bytes // 1024} kB"
    body = f"""{FORM_CSS}
<p>Lever hier een export uit uw registratiesysteem aan: een CSV-bestand (puntkomma's) of een
Excel-werkmap (.xlsx), hoogstens {esc(limit)}. Zet het verslagjaar in de bestandsnaam,
bijvoorbeeld <code>traject_2025.csv</code>. U krijgt meteen een ontvangstbewijs met de uitkomst
van de voorcontrole; de verwerking zelf volgt daarna.</p>
<form class="upload" method="post" action="/uploaden" enctype="multipart/form-data">
  <div>
    <label for="token">Uw token</label>
    <input id="token" name="token" type="password" autocomplete="off" required>
    <p class="hint">Het token heeft u van het sectorbureau gekregen; het begint met de code van
    uw organisatie.</p>
  </div>
  <div>
    <label for="bestand">Bestand</label>
    <input id="bestand" name="bestand" type="file" accept=".csv,.txt,.xlsx" required>
  </div>
  <button type="submit">Versturen</button>
</form>
<p class="hint">Automatisch aanleveren kan ook, bijvoorbeeld met <code>curl</code>; zie de
handleiding van de uploadservice.</p>
"""
    return page("Bestand aanleveren", body, root="", subtitle="Sociaal Werk werkt! — uploadservice")


def _size(n: int | None) -> str:
    if n is None:
        return ""
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} kB".replace(".", ",")
    return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")


def receipt_page(receipt: dict) -> str:
    duplicate = receipt.get("status") == "al_ontvangen"
    check = receipt.get("voorcontrole") or {}
    css, label = VERDICTS.get(check.get("oordeel"), ("", "Voorcontrole niet uitgevoerd"))
    rows = [
        ("Organisatie", esc(receipt.get("organisatie_id"))),
        ("Uw bestand", esc(receipt.get("origineel"))),
        (
            "Opgeslagen als",
            f"<code>{esc(receipt.get('bestand'))}</code>"
            if not duplicate
            else "niet opnieuw opgeslagen",
        ),
        ("Controlegetal (SHA-256)", f"<code>{esc(receipt.get('checksum'))}</code>"),
        ("Grootte", esc(_size(receipt.get("grootte_bytes")))),
    ]
    if not duplicate:
        dialect = receipt.get("dialect") or {}
        rows += [
            ("Ontvangen op", esc(_when(receipt.get("ontvangen_op")))),
            ("Formaat", esc((receipt.get("formaat") or "").upper())),
            ("Herkend systeem", esc(receipt.get("systeem") or "onbekend")),
            ("Verslagjaar", esc(receipt.get("periode") or "onbekend")),
            ("Bestandsopmaak", esc(_dialect_text(dialect))),
            ("Voorcontrole", f'<strong class="{css}">{esc(label)}</strong>'),
        ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    found = check.get("problemen") or []
    issues = ""
    if found:
        items = "".join(f"<li>{esc(p)}</li>" for p in found)
        issues = f'<h2>Wat de voorcontrole vond</h2><ul class="problemen">{items}</ul>'
    title = "Dit bestand was al ontvangen" if duplicate else "Ontvangen"
    body = f"""{FORM_CSS}
<p class="melding">{esc(receipt.get("melding"))}</p>
<table class="bon">{table}</table>
{issues}
<p><a href="/">Nog een bestand aanleveren</a></p>
"""
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
    body = f"""{FORM_CSS}
<p class="fout"><strong>{esc(message)}</strong></p>
<p class="meta">Foutcode {int(status)}.</p>
<p><a href="/">Terug naar het aanleverformulier</a></p>
"""
    return page("Niet gelukt", body, root="", subtitle="Sociaal Werk werkt! — uploadservice")
