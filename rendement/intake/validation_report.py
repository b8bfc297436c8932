"""The validation report of one upload, for the office worker who repairs the export.

Three forms of the same content, built from a `schemas.validate.ValidationOutcome`:

- `report_json` — a stable dict (Dutch keys, Dutch messages) stored beside the upload and
  served by the upload service. Shape (version 1)::

      {
        "rapport": "validatie", "versie": 1, "regelversie": "2026.1",
        "organisatie_id": str, "bestand": str, "checksum": str,
        "systeem": str | None, "dialect": dict | None,
        "status": "geaccepteerd" | "deels_geaccepteerd" | "geweigerd",
        "bestand_afgekeurd": bool,
        "redenen": [str, ...],                      # why the upload was refused (Dutch)
        "samenvatting": {"rijen", "geaccepteerd", "afgekeurd", "niet_gelezen", "opgeslagen",
                         "fouten", "waarschuwingen"},   # ints, summed over tables
        "tabellen": {tabel: {"rijen", "geaccepteerd", "afgekeurd", "niet_gelezen",
                             "opgeslagen", "waarschuwingen"}},
        "regels": [                                 # one entry per rule that fired
          {"regel": code, "ernst": "bestand"|"fout"|"waarschuwing", "titel": str,
           "wat_te_doen": str, "aantal": int, "tabellen": [str, ...],
           "voorbeelden": [{"tabel", "bestand", "rij", "kolom", "waarde", "verwacht",
                            "melding", "blad"}, ...]}  # the first MAX_EXAMPLES, by file and
                                                    # row; blad: the sheet of a workbook
        ]
      }

  Rules are ordered by severity (bestand, fout, waarschuwing), then by catalogue order.
- `report_html` — a self-contained page (no scripts, no external links) from the Jinja2
  template `rendement/intake/templates/report.html` (autoescaped: every text from the upload
  is escaped): the verdict, the counts per table and, per rule, its count and first examples
  as great-tables tables with fixed ids (great-tables' public API). An upload without any
  finding (almost every file: 8,790 reports per sector rebuild) gets the same page without
  great-tables: its only table, the counts, comes from the template `counts.html` (same id,
  same look), because setting up great-tables costs more than the rest of the validation of a
  small clean file.
- `report_text` — what the command line prints.

Client identifiers never appear: validation already masks the pseudonym column, and every text
here is scrubbed once more of anything shaped like a pseudonym (32 hexadecimal characters).
"""

from __future__ import annotations

import re

import polars as pl
from great_tables import GT

from rendement.core.formatting import nl_number
from rendement.core.templates import Markup, render
from schemas import RULES_VERSION
from schemas.rules import BESTAND, FOUT, MASK, ORDER, WAARSCHUWING, rule

REPORT_VERSION = 1
MAX_EXAMPLES = 5
_PSEUDONYM = re.compile(r"\b[0-9a-fA-F]{32}\b")
_SEVERITY_ORDER = {BESTAND: 0, FOUT: 1, WAARSCHUWING: 2}
_SEVERITY_LABEL = {
    BESTAND: "Bestand geweigerd",
    FOUT: "Rij afgekeurd",
    WAARSCHUWING: "Waarschuwing",
}
_COUNT_KEYS = ("rijen", "geaccepteerd", "afgekeurd", "niet_gelezen", "opgeslagen")


def _scrub(value):
    if isinstance(value, str):
        return _PSEUDONYM.sub(MASK, value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def _status(outcome) -> str:
    if outcome.file_rejected:
        return "geweigerd"
    return "deels_geaccepteerd" if outcome.rejected.height else "geaccepteerd"


def _rules(outcome) -> list[dict]:
    findings = outcome.findings
    if findings.height == 0:
        return []
    out = []
    for (code,), group in findings.partition_by("regel", as_dict=True).items():
        the_rule = rule(code)
        ernst = group["ernst"][0]
        examples = group.sort(["_bestand", "_rij"], nulls_last=False).head(MAX_EXAMPLES)
        out.append(
            {
                "regel": code,
                "ernst": ernst,
                "titel": the_rule.titel,
                "wat_te_doen": the_rule.actie,
                "aantal": group.height,
                "tabellen": sorted({t for t in group["tabel"].to_list() if t is not None}),
                "voorbeelden": [
                    {
                        "tabel": row["tabel"],
                        "bestand": row["_bestand"],
                        "rij": row["_rij"],
                        "kolom": row["kolom"],
                        "waarde": row["waarde"],
                        "verwacht": row["verwacht"],
                        "melding": row["melding"],
                    }
                    for row in examples.iter_rows(named=True)
                ],
            }
        )
    out.sort(
        key=lambda r: (_SEVERITY_ORDER.get(r["ernst"], 3), ORDER.get(r["regel"], -1), r["regel"])
    )
    return out


def report_json(
    outcome,
    *,
    organisatie_id: str,
    bestand: str,
    checksum: str,
    system: str | None = None,
    dialect: dict | None = None,
) -> dict:
    """The report as a JSON-ready dict (see the module docstring for its shape)."""
    tables = {
        t: {k: int(c.get(k, 0)) for k in (*_COUNT_KEYS, "waarschuwingen")}
        for t, c in outcome.counts.items()
    }
    summary = {k: sum(c[k] for c in tables.values()) for k in _COUNT_KEYS}
    findings = outcome.findings
    summary["fouten"], summary["waarschuwingen"] = (
        findings.select(
            pl.col("ernst").is_in([FOUT, BESTAND]).sum().alias("f"),
            (pl.col("ernst") == WAARSCHUWING).sum().alias("w"),
        ).row(0)
        if findings.height
        else (0, 0)
    )
    rules = _rules(outcome)
    sheets = _sheet_of_table(dialect)
    for r in rules:
        for ex in r["voorbeelden"]:
            ex["blad"] = sheets.get(ex["tabel"])
    return _scrub(
        {
            "rapport": "validatie",
            "versie": REPORT_VERSION,
            "regelversie": RULES_VERSION,
            "organisatie_id": organisatie_id,
            "bestand": bestand,
            "checksum": checksum,
            "systeem": system,
            "dialect": dialect,
            "status": _status(outcome),
            "bestand_afgekeurd": bool(outcome.file_rejected),
            "redenen": list(outcome.file_reasons),
            "samenvatting": summary,
            "tabellen": tables,
            "regels": rules,
        }
    )


def _sheet_of_table(dialect: dict | None) -> dict[str, str]:
    """{table: the workbook sheet it was read from} (none for a CSV file, which is one sheet)."""
    if not dialect or dialect.get("format") == "csv":
        return {}
    out: dict[str, str] = {}
    for sheet, tables in (dialect.get("sheets") or {}).items():
        for table in str(tables).split(", "):
            out.setdefault(table, sheet)
    return out


def where(ex: dict) -> str:
    """Where an example is, as a person finds it: file, sheet (of a workbook), row, column."""
    text = ex.get("bestand") or ex.get("tabel") or ""
    if ex.get("blad"):
        text += f", blad {ex['blad']}"
    if ex.get("rij") is not None:
        text += f", rij {ex['rij']}"
    if ex.get("kolom"):
        text += f", kolom {ex['kolom']}"
    return text


def _verdict(report: dict, preview: bool = False) -> str:
    """The outcome in one sentence; `preview`: as the pre-flight check predicts it (nothing has
    been delivered yet), not as intake reports what happened."""
    s = report["samenvatting"]
    n = s["afgekeurd"] + s["niet_gelezen"]
    if preview:
        if report["bestand_afgekeurd"]:
            return "Dit bestand wordt niet aangenomen: er zou niets van worden opgeslagen."
        if n:
            return (
                f"Dit bestand wordt aangenomen, maar {n} {'rij wordt' if n == 1 else 'rijen worden'}"
                " afgekeurd. Verbeter die rijen voordat u het bestand aanlevert."
            )
        return "Dit bestand wordt helemaal aangenomen."
    if report["bestand_afgekeurd"]:
        return "Uw aanlevering is niet aangenomen. Er is niets van opgeslagen."
    if n:
        return (
            f"Uw aanlevering is aangenomen, maar {n} {'rij is' if n == 1 else 'rijen zijn'} "
            "afgekeurd. Verbeter die rijen en lever het bestand opnieuw aan."
        )
    return "Uw aanlevering is helemaal aangenomen."


# ------------------------------------------------------------------------------------------
# text


def report_text(
    outcome,
    *,
    organisatie_id: str,
    bestand: str,
    checksum: str,
    system: str | None = None,
    dialect: dict | None = None,
    heading: str | None = None,
) -> str:
    """The report as plain text, as the command line prints it. `heading`: the first line of
    a pre-flight check (`rendement.intake.preflight`), which then speaks of what would happen
    instead of what happened."""
    report = report_json(
        outcome,
        organisatie_id=organisatie_id,
        bestand=bestand,
        checksum=checksum,
        system=system,
        dialect=dialect,
    )
    lines = [
        heading or f"Controle van {report['bestand']} (organisatie {report['organisatie_id']})",
        _verdict(report, preview=heading is not None),
    ]
    for reason in report["redenen"]:
        lines.append(f"  - {reason}")
    lines.append("")
    lines.append("Per tabel:")
    for table, c in report["tabellen"].items():
        extra = f", {c['niet_gelezen']} niet te lezen" if c["niet_gelezen"] else ""
        warnings = (
            "1 waarschuwing"
            if c["waarschuwingen"] == 1
            else (f"{c['waarschuwingen']} waarschuwingen")
        )
        lines.append(
            f"  {table}: {_n(c['rijen'], 'rij', 'rijen')}, {c['geaccepteerd']} aangenomen, "
            f"{c['afgekeurd']} afgekeurd{extra}, {warnings}"
        )
    if report["regels"]:
        lines.append("")
        lines.append("Problemen:")
    for r in report["regels"]:
        lines.append(
            f"  [{_SEVERITY_LABEL.get(r['ernst'], r['ernst'])}] {r['titel']}: {r['aantal']} keer"
        )
        for ex in r["voorbeelden"][:3]:
            expected = f" (verwacht: {ex['verwacht']})" if ex["verwacht"] else ""
            lines.append(f"      {where(ex)}: {ex['melding']}{expected}")
        lines.append(f"      Wat te doen: {r['wat_te_doen']}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# HTML: the page and the plain counts table are Jinja2 templates (rendement/intake/templates/,
# autoescaped); the tables of a report with findings are great-tables tables.

_COUNT_LABELS = {
    "tabel": "Tabel",
    "rijen": "Rijen",
    "geaccepteerd": "Aangenomen",
    "afgekeurd": "Afgekeurd",
    "niet_gelezen": "Niet te lezen",
    "opgeslagen": "Opgeslagen",
    "waarschuwingen": "Waarschuwingen",
}
_NUMBERS = [*_COUNT_KEYS, "waarschuwingen"]


def _n(count: int, one: str, more: str) -> str:
    return f"{count} {one if count == 1 else more}"


def _count_rows(report: dict) -> list[tuple[str, list[str]]]:
    """Per table its name and counts, written as great-tables' `fmt_integer` writes them in
    locale nl (12.345)."""
    return [(t, [nl_number(c[k]) for k in _NUMBERS]) for t, c in report["tabellen"].items()]


def _plain_counts_table(report: dict) -> Markup:
    """The counts per table without great-tables: the report of an upload without findings
    (almost every file), where setting up great-tables would cost more than the validation."""
    return render(
        "rendement.intake",
        "counts.html",
        koppen=list(_COUNT_LABELS.items()),
        rijen=_count_rows(report),
    )


def _counts_table(report: dict) -> Markup:
    """The counts per table as a great-tables table: the report of an upload with findings."""
    rows = _count_rows(report)
    if not rows:
        return _plain_counts_table(report)
    cells = [[table, *numbers] for table, numbers in rows]
    return Markup(_counts_gt(cells))


def _counts_gt(cells: list[list[str]]) -> str:
    df = pl.DataFrame(cells, schema=["tabel", *_NUMBERS], orient="row")
    gt = (
        GT(df, id="validatie-tabellen", locale="nl")
        .cols_label(**_COUNT_LABELS)
        .cols_align(align="right", columns=_NUMBERS)
        .tab_options(table_margin_left="0px")
    )
    return gt.as_raw_html()


_EXAMPLE_LABELS = {
    "bestand": "Bestand",
    "rij": "Rij in Excel",
    "kolom": "Kolom",
    "waarde": "Waarde",
    "verwacht": "Verwacht",
    "melding": "Melding",
}


def _examples_table(r: dict) -> Markup:
    cells = [
        [
            (ex["bestand"] or "") + (f", blad {ex['blad']}" if ex.get("blad") else ""),
            # as fmt_integer(use_seps=False) and sub_missing("–") write it, aligned right
            "–" if ex["rij"] is None else nl_number(ex["rij"]).replace(".", ""),
            ex["kolom"] or "",
            ex["waarde"] or "",
            ex["verwacht"] or "",
            ex["melding"] or "",
        ]
        for ex in r["voorbeelden"]
    ]
    note = None
    if r["aantal"] > len(r["voorbeelden"]):
        note = (
            f"De eerste {len(r['voorbeelden'])} van {r['aantal']} meldingen; de volledige lijst "
            "staat in het JSON-rapport en in de quarantainetabel."
        )
    return Markup(_examples_gt(f"validatie-{r['regel']}", cells, note))


def _examples_gt(table_id: str, cells: list[list[str]], note: str | None) -> str:
    df = pl.DataFrame(cells, schema={name: pl.String for name in _EXAMPLE_LABELS}, orient="row")
    gt = (
        GT(df, id=table_id, locale="nl")
        .cols_label(**_EXAMPLE_LABELS)
        .cols_align(align="right", columns="rij")
        .tab_options(table_width="100%", table_margin_left="0px")
    )
    if note is not None:
        gt = gt.tab_source_note(note)
    return gt.as_raw_html()


def report_html(
    outcome,
    *,
    organisatie_id: str,
    bestand: str,
    checksum: str,
    system: str | None = None,
    dialect: dict | None = None,
) -> str:
    """The report as one self-contained HTML page (Dutch)."""
    report = report_json(
        outcome,
        organisatie_id=organisatie_id,
        bestand=bestand,
        checksum=checksum,
        system=system,
        dialect=dialect,
    )
    return render_report_html(report)


def render_report_html(report: dict) -> str:
    """The HTML page of a report made by `report_json` (intake writes both from one dict)."""
    plain = not report["regels"]
    rules = [
        {
            **r,
            "label": _SEVERITY_LABEL.get(r["ernst"], r["ernst"]),
            "keer": "1 keer" if r["aantal"] == 1 else f"{nl_number(r['aantal'])} keer",
            "tabel": _examples_table(r),
        }
        for r in report["regels"]
    ]
    page = render(
        "rendement.intake",
        "report.html",
        plain=plain,
        bestand=report["bestand"],
        organisatie_id=report["organisatie_id"],
        systeem=report["systeem"],
        kenmerk=(report["checksum"] or "")[:16],
        regelversie=report["regelversie"],
        status=report["status"],
        oordeel=_verdict(report),
        redenen=report["redenen"],
        tabellen=_plain_counts_table(report) if plain else _counts_table(report),
        regels=rules,
    )
    return _scrub(str(page))
