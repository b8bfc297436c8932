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

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from rendement.core.files import write_atomic
from rendement.demo.generator import DEFAULT_YEARS, TABLES, OrgDemo, generate_sector
from rendement.demo.xlsx import workbook_bytes

SEPARATOR = ";"
LINE_END = "\r\n"
DATE_FORMAT = "%d-%m-%Y"


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
    `export_<jaar>.xlsx` per year. Returns the paths written, in writing order.
    """
    folder = Path(inbox) / org.organisatie_id
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for year in sorted(org.tables):
        tables = {name: org.tables[year][name] for name in TABLES}
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
