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
                            "melding"}, ...]}       # the first MAX_EXAMPLES, by file and row
        ]
      }

  Rules are ordered by severity (bestand, fout, waarschuwing), then by catalogue order.
- `report_html` — a self-contained page (no scripts, no external links): the verdict, the
  counts per table and, per rule, its count and first examples as great-tables tables with
  fixed ids. Every text from the upload is escaped. An upload without any finding (almost
  every file: 8,790 reports per sector rebuild) gets the same page without great-tables: its
  only table, the counts, is written directly (same id, same look), because setting up
  great-tables cost more than the rest of the validation of a small clean file.
- `report_text` — what the command line prints.

Client identifiers never appear: validation already masks the pseudonym column, and every text
here is scrubbed once more of anything shaped like a pseudonym (32 hexadecimal characters).
"""

from __future__ import annotations

import html
import re

import polars as pl
from great_tables import GT

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
    summary["fouten"] = findings.filter(pl.col("ernst").is_in([FOUT, BESTAND])).height
    summary["waarschuwingen"] = findings.filter(pl.col("ernst") == WAARSCHUWING).height
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
            "regels": _rules(outcome),
        }
    )


def _verdict(report: dict) -> str:
    s = report["samenvatting"]
    if report["bestand_afgekeurd"]:
        return "Uw aanlevering is niet aangenomen. Er is niets van opgeslagen."
    if s["afgekeurd"] or s["niet_gelezen"]:
        n = s["afgekeurd"] + s["niet_gelezen"]
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
) -> str:
    """The report as plain text, as the command line prints it."""
    report = report_json(
        outcome,
        organisatie_id=organisatie_id,
        bestand=bestand,
        checksum=checksum,
        system=system,
        dialect=dialect,
    )
    lines = [
        f"Controle van {report['bestand']} (organisatie {report['organisatie_id']})",
        _verdict(report),
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
            f"  [{_SEVERITY_LABEL.get(r['ernst'], r['ernst'])}] {r['titel']} "
            f"({r['regel']}): {r['aantal']} keer"
        )
        for ex in r["voorbeelden"][:3]:
            where = ex["bestand"] or ex["tabel"] or ""
            if ex["rij"] is not None:
                where += f" rij {ex['rij']}"
            if ex["kolom"]:
                where += f", kolom {ex['kolom']}"
            expected = f" (verwacht: {ex['verwacht']})" if ex["verwacht"] else ""
            lines.append(f"      {where}: {ex['melding']}{expected}")
        lines.append(f"      Wat te doen: {r['wat_te_doen']}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# HTML

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 72rem; color: #1d1d1b; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; font-size: 1.25rem; }
h3 { font-size: 1.05rem; margin-bottom: .25rem; }
.meta { color: #555; font-size: .9rem; }
.oordeel { padding: .75rem 1rem; border-radius: .4rem; font-weight: 600; }
.oordeel.geweigerd { background: #fde8e8; border: 1px solid #c81e1e; }
.oordeel.deels_geaccepteerd { background: #fff6e0; border: 1px solid #b7791f; }
.oordeel.geaccepteerd { background: #e6f4ea; border: 1px solid #2f7d32; }
.ernst { display: inline-block; font-size: .8rem; padding: .05rem .45rem; border-radius: .3rem;
         margin-right: .4rem; }
.ernst.bestand { background: #c81e1e; color: #fff; }
.ernst.fout { background: #b7791f; color: #fff; }
.ernst.waarschuwing { background: #e2e8f0; color: #1d1d1b; }
section.regel { margin-bottom: 1.5rem; }
.actie { margin: .25rem 0 .5rem; }
"""

# The counts table of a report without findings, written without great-tables: the look of
# great-tables' default style (its borders, padding and font), for this one table only.
_PLAIN_TABLE_CSS = """
#validatie-tabellen { padding: 10px 0; overflow-x: auto; }
#validatie-tabellen table { border-collapse: collapse; color: #333333; font-size: 16px;
  line-height: normal; background-color: #FFFFFF; border-top: 2px solid #A8A8A8;
  border-bottom: 2px solid #A8A8A8; }
#validatie-tabellen th { font-weight: normal; vertical-align: bottom; padding: 5px;
  border-bottom: 2px solid #D3D3D3; }
#validatie-tabellen td { padding: 8px 5px; border-top: 1px solid #D3D3D3;
  vertical-align: middle; }
#validatie-tabellen .links { text-align: left; }
#validatie-tabellen .rechts { text-align: right; font-variant-numeric: tabular-nums; }
"""
_COUNT_LABELS = {
    "tabel": "Tabel",
    "rijen": "Rijen",
    "geaccepteerd": "Aangenomen",
    "afgekeurd": "Afgekeurd",
    "niet_gelezen": "Niet te lezen",
    "opgeslagen": "Opgeslagen",
    "waarschuwingen": "Waarschuwingen",
}


def _n(count: int, one: str, more: str) -> str:
    return f"{count} {one if count == 1 else more}"


def _esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _counts_table(report: dict) -> str:
    numbers = [*_COUNT_KEYS, "waarschuwingen"]
    # numbers written here as `fmt_integer` in locale nl writes them (12.345), aligned right
    # as great-tables aligns numbers: the same cells without its per-table locale set-up
    rows = [[t, *(_integer_nl(c[k]) for k in numbers)] for t, c in report["tabellen"].items()]
    if not rows:
        return "<p>Er zijn geen tabellen aangeleverd.</p>"
    return _table_html(("tabellen", len(rows)), _counts_gt, rows)


def _counts_gt(cells: list[list[str]], note: str | None) -> str:
    numbers = [*_COUNT_KEYS, "waarschuwingen"]
    df = pl.DataFrame(cells, schema=["tabel", *numbers], orient="row")
    gt = (
        GT(df, id="validatie-tabellen", locale="nl")
        .cols_label(**_COUNT_LABELS)
        .cols_align(align="right", columns=numbers)
        .tab_options(table_margin_left="0px")
    )
    return gt.as_raw_html()


# --- great-tables tables as templates
#
# A report with findings has great-tables tables (the counts and, per rule, its examples):
# ≈ 7 ms each to set up and render, most of a report's cost. Their HTML depends on the cells
# only where each cell's text is written (escaped with `html.escape`, as great-tables escapes
# text cells; all cells here are text), so each table shape (its id, rows and whether it has a
# source note) is rendered once with a marker in every cell and in the note, and later tables
# of that shape are that HTML with the markers replaced by the escaped texts: byte for byte
# what great-tables writes (`tests/test_validation_fast_report.py` compares the two).

_MARK = "\x00{}\x00"  # never in a cell: readers and validation hand over no NUL characters
_MARKED = re.compile("\x00(\\d+)\x00")
_templates: dict[tuple, str | None] = {}
_TEMPLATES_MAX = 1024


def _table_html(shape: tuple, render, cells: list[list[str]], note: str | None = None) -> str:
    """`render(cells, note)` (a great-tables table of text cells), from a template per shape.

    `shape` must determine everything of the table except the cell and note texts. Rendered
    directly when a cell holds a NUL character, or when a marker does not come out exactly once
    in the template (then great-tables did something else with a cell than escape it).
    """
    values = [v for row in cells for v in row]
    if note is not None:
        values.append(note)
    if any("\x00" in v for v in values):
        return render(cells, note)
    key = (shape, len(cells[0]) if cells else 0, note is not None)
    template = _templates.get(key, "")
    if template == "":
        width = len(cells[0]) if cells else 0
        marked = [[_MARK.format(r * width + c) for c in range(width)] for r in range(len(cells))]
        html_text = render(marked, None if note is None else _MARK.format(len(values) - 1))
        found = [int(m) for m in _MARKED.findall(html_text)]
        template = html_text if sorted(found) == list(range(len(values))) else None
        if len(_templates) >= _TEMPLATES_MAX:
            _templates.clear()
        _templates[key] = template
    if template is None:
        return render(cells, note)
    escaped = [html.escape(v) for v in values]
    return _MARKED.sub(lambda m: escaped[int(m.group(1))], template)


def _integer_nl(n: int) -> str:
    """An integer as great-tables' `fmt_integer` writes it in locale nl: 12.345."""
    return f"{n:,}".replace(",", ".").replace("-", "\u2212")


def _plain_counts_table(report: dict) -> str:
    """The counts per table as plain HTML: the report of an upload without findings."""
    if not report["tabellen"]:
        return "<p>Er zijn geen tabellen aangeleverd.</p>"
    head = "".join(
        f'<th scope="col" class="{"links" if k == "tabel" else "rechts"}">{_esc(label)}</th>'
        for k, label in _COUNT_LABELS.items()
    )
    rows = []
    for table, c in report["tabellen"].items():
        cells = "".join(
            f'<td class="rechts">{_integer_nl(c[k])}</td>' for k in _COUNT_LABELS if k != "tabel"
        )
        rows.append(f'<tr><td class="links">{_esc(table)}</td>{cells}</tr>')
    return (
        f'<div id="validatie-tabellen"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


_EXAMPLE_LABELS = {
    "bestand": "Bestand",
    "rij": "Rij in Excel",
    "kolom": "Kolom",
    "waarde": "Waarde",
    "verwacht": "Verwacht",
    "melding": "Melding",
}


def _examples_table(r: dict) -> str:
    cells = [
        [
            ex["bestand"] or "",
            # as fmt_integer(use_seps=False) and sub_missing("–") write it, aligned right
            "–" if ex["rij"] is None else _integer_nl(ex["rij"]).replace(".", ""),
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
    table_id = f"validatie-{r['regel']}"

    def render(cells: list[list[str]], note: str | None) -> str:
        return _examples_gt(table_id, cells, note)

    return _table_html(("voorbeelden", table_id, len(cells)), render, cells, note)


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
    css = _CSS + _PLAIN_TABLE_CSS if plain else _CSS
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Controle van {_esc(report['bestand'])}</title>",
        f"<style>{css}</style></head><body>",
        "<h1>Controle van uw aanlevering</h1>",
        '<p class="meta">'
        f"Bestand: <strong>{_esc(report['bestand'])}</strong> · "
        f"Organisatie: {_esc(report['organisatie_id'])} · "
        f"Systeem: {_esc(report['systeem'] or 'onbekend')} · "
        f"Kenmerk: {_esc((report['checksum'] or '')[:16])} · "
        f"Regelversie: {_esc(report['regelversie'])}</p>",
        f'<p class="oordeel {_esc(report["status"])}">{_esc(_verdict(report))}</p>',
    ]
    if report["redenen"]:
        parts.append("<h2>Waarom niet aangenomen</h2><ul>")
        parts.extend(f"<li>{_esc(reason)}</li>" for reason in report["redenen"])
        parts.append("</ul>")
    parts.append("<h2>Overzicht per tabel</h2>")
    parts.append(_plain_counts_table(report) if plain else _counts_table(report))
    parts.append("<h2>Problemen per regel</h2>")
    if not report["regels"]:
        parts.append("<p>Geen problemen gevonden.</p>")
    for r in report["regels"]:
        label = _SEVERITY_LABEL.get(r["ernst"], r["ernst"])
        times = "1 keer" if r["aantal"] == 1 else f"{r['aantal']:,} keer".replace(",", ".")
        parts.append(
            f'<section class="regel" id="regel-{_esc(r["regel"])}">'
            f'<h3><span class="ernst {_esc(r["ernst"])}">{_esc(label)}</span>'
            f"{_esc(r['titel'])} <small>({times}, regel {_esc(r['regel'])})</small></h3>"
            f'<p class="actie">Wat te doen: {_esc(r["wat_te_doen"])}</p>'
        )
        parts.append(_examples_table(r))
        parts.append("</section>")
    parts.append("</body></html>")
    return _scrub("\n".join(parts))
