"""The deviations part of an organisation's report: every own parameter value that applied,
next to the standard value, with its justification, source and who accepted it when (Dutch
local time); and every deviation that was refused, with why, so the organisation can correct
it. Read from the records the MKBA stage writes per organisation
(`rendement.mkba.overrides.records`, lake `mkba/afwijkingen/<ORG>.parquet`)."""

from __future__ import annotations

import polars as pl

from rendement.core.formatting import DASH, nl_euro, nl_local_datetime, nl_number, nl_percent
from rendement.core.templates import Markup, escape, render
from rendement.mkba.bounds import base_path, kind_of
from rendement.mkba.overrides import APPLIED, FROM_FILE, REFUSED
from rendement.reports.tables import gt_markup
from rendement.reports.words import project_label

CORRECTIONS = ("deadweight", "displacement", "attributie", "drop_off")


def value_text(parameter: str, value: float | None) -> str:
    """A parameter value in its own unit (fraction as a percentage, years, euros)."""
    if value is None:
        return DASH
    kind = kind_of(parameter) if parameter else ""
    if kind in CORRECTIONS:
        return nl_percent(value, 1)
    if kind == "duur":
        return f"{nl_number(value)} jaar"
    if kind == "factor":
        return nl_number(value, 2)
    return nl_euro(value, 0 if abs(value) >= 100 else 2)


def _project(project_id: str | None, names: dict[str, str]) -> str:
    if not project_id:
        return "Alle projecten"
    return project_label(project_id, names)


def accepted_by(row: dict) -> str:
    """Who accepted a deviation, and when: an analyst's account id (never an e-mail address)
    for a proposal, the sector office for a line of the analysts' file (which has no time)."""
    if row["herkomst"] == FROM_FILE:
        return "Sectorbureau (afwijkingenbestand)"
    when = nl_local_datetime(row["aanvaard_op"]) if row.get("aanvaard_op") else ""
    who = f"analist {row['aanvaard_door']}" if row.get("aanvaard_door") else "analist"
    return f"{who}, {when}" if when else who


def applied_table(records: pl.DataFrame, names: dict[str, str]) -> Markup:
    rows = []
    applied = records.filter(pl.col("status") == APPLIED)
    for r in applied.sort("parameter", "project_id", nulls_last=False).iter_rows(named=True):
        rows.append(
            {
                "project": _project(r["project_id"], names),
                "parameter": r["parameter"],
                "standaard": escape(value_text(r["parameter"], r["waarde_standaard"])),
                "eigen": escape(value_text(r["parameter"], r["waarde"])),
                "toelichting": r["toelichting"] or "",
                "bron": r["bron"] or DASH,
                "aanvaard": accepted_by(r),
            }
        )
    if not rows:
        return Markup()
    return gt_markup(
        pl.DataFrame(rows),
        "org-afwijkingen",
        labels={
            "project": "Project",
            "parameter": "Parameter",
            "standaard": "Standaard",
            "eigen": "Uw waarde",
            "toelichting": "Uw toelichting",
            "bron": "Bron",
            "aanvaard": "Aanvaard door",
        },
        raw=["standaard", "eigen"],
        right=["standaard", "eigen"],
        title="Afwijkende parameters",
        subtitle="Door uw organisatie opgegeven, met toelichting en bron, en door het "
        "sectorbureau aanvaard",
    )


def refused_part(records: pl.DataFrame, names: dict[str, str]) -> Markup:
    refused = records.filter(pl.col("status") == REFUSED)
    if not refused.height:
        return Markup()
    items = [
        {
            "plaats": r["plaats"],
            "kolom": r["kolom"],
            "project": _project(r["project_id"], names),
            "parameter": base_path(r["parameter"] or "")[0] or DASH,
            "tekst": r["tekst"] or "",
            "melding": r["melding"],
        }
        for r in refused.sort("plaats").iter_rows(named=True)
    ]
    return render("rendement.reports", "deviations.html", items=items)


def has_deviations(records: pl.DataFrame) -> bool:
    return bool(records.height) and "status" in records.columns


def has_applied(records: pl.DataFrame) -> bool:
    return has_deviations(records) and bool(records.filter(pl.col("status") == APPLIED).height)
