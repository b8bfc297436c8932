"""Writing a demo organisation's tables the way its registration system exports them.

CSV as Dutch Excel saves it: `;` between fields, decimal comma, `dd-mm-jjjj` dates, CRLF line
ends, in the organisation's encoding (UTF-8, UTF-8 with BOM or Windows-1252); some systems put
a title row above the header or leave empty lines at the end. A few organisations deliver one
XLSX workbook per year with a sheet per table instead.

Every file is written under a hidden temporary name in the target folder and then renamed, so a
sensor watching the inbox sees either no file or the whole file. The same organisation gives
the same bytes on every run (zip entries carry a fixed timestamp, see `xlsx.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from rendement.core.files import write_atomic
from rendement.demo.generator import DEFAULT_YEARS, TABLES, OrgDemo, generate_sector
from rendement.demo.kinds import TEMPLATE_KINDS, template_rows
from rendement.demo.xlsx import workbook_bytes
from rendement.intake import sjabloon

SEPARATOR = ";"
LINE_END = "\r\n"
DATE_FORMAT = "%d-%m-%Y"
TEMPLATE_CREATED = dt.datetime(2026, 1, 5, 9, 0)  # fixed: the same bytes on every run
# the tables in writing order: the contract's, and the project sheet after the projects
CSV_ORDER: tuple[str, ...] = (*TABLES[:2], "projectopgave", *TABLES[2:])


def csv_text(frame: pl.DataFrame, *, title: str | None = None, blank_lines: int = 0) -> str:
    """One table as Dutch Excel writes it; `title` becomes a stray row above the header."""
    body = frame.write_csv(
        separator=SEPARATOR,
        line_terminator=LINE_END,
        decimal_comma=True,
        date_format=DATE_FORMAT,
        float_scientific=False,
    )
    if title is not None:
        # Excel pads a row to the width of the sheet's used range
        body = title + SEPARATOR * (frame.width - 1) + LINE_END + body
    return body + LINE_END * blank_lines


def title_row(org: OrgDemo, year: int) -> str:
    return f"Export {org.naam} — {year}"


def write_exports(org: OrgDemo, inbox: Path) -> list[Path]:
    """Write all export files of one organisation into `inbox/<organisatie_id>/`.

    CSV organisations: `<tabel>_<jaar>.csv` per table and year; XLSX organisations:
    `export_<jaar>.xlsx` per year. Organisations without client registrations
    (`kinds.py`): the filled-in Excel template `projectblad_<jaar>.xlsx`, or the attendance
    list `presentielijst_<jaar>.csv` (written first: the project CSV written after it, with
    the same projects, is the later delivery and holds their full rows) and the contract CSVs
    of the tables they have. Returns the paths written, in writing order.
    """
    folder = Path(inbox) / org.organisatie_id
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for year in sorted(org.tables):
        if org.kind in TEMPLATE_KINDS:
            data = sjabloon.workbook_bytes(
                year, template_rows(org.tables[year]), created=TEMPLATE_CREATED
            )
            written.append(write_atomic(folder / sjabloon.file_name(year), data))
            continue
        if year in org.attendance:
            title = f"Presentielijsten {org.naam} {year}" if org.titelregel else None
            text = csv_text(org.attendance[year], title=title)
            path = folder / f"presentielijst_{year}.csv"
            written.append(write_atomic(path, text.encode(org.encoding)))
        tables = {name: org.tables[year][name] for name in CSV_ORDER if name in org.tables[year]}
        if org.file_format == "xlsx":
            written.append(write_atomic(folder / f"export_{year}.xlsx", workbook_bytes(tables)))
            continue
        title = title_row(org, year) if org.titelregel else None
        for name, frame in tables.items():
            text = csv_text(frame, title=title, blank_lines=org.lege_regels)
            written.append(write_atomic(folder / f"{name}_{year}.csv", text.encode(org.encoding)))
    return written


@dataclass
class SectorWritten:
    """What `write_sector` wrote."""

    organisaties: int = 0
    trajecten: int = 0
    rijen: dict[str, int] = field(default_factory=dict)
    bestanden: int = 0
    bytes: int = 0


def write_sector(
    inbox: Path,
    orgs: int = 40,
    seed: int = 7,
    years: Iterable[int] = DEFAULT_YEARS,
    trajectories_per_org: int | None = None,
    **kwargs,
) -> SectorWritten:
    """Generate and write a whole demo sector, one organisation at a time."""
    summary = SectorWritten()
    for org in generate_sector(orgs, seed, tuple(years), trajectories_per_org, **kwargs):
        paths = write_exports(org, inbox)
        summary.organisaties += 1
        summary.trajecten += org.trajecten
        for tables in org.tables.values():
            for name, frame in tables.items():
                summary.rijen[name] = summary.rijen.get(name, 0) + frame.height
        summary.bestanden += len(paths)
        summary.bytes += sum(p.stat().st_size for p in paths)
    return summary
