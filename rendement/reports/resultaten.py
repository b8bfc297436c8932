"""An organisation's own results as an Excel file (`site/org/<ORG>/resultaten.xlsx`), written
with its report in the same render job (`org_pages.render_one`), so it changes exactly when the
report does.

One sheet per warehouse table the report reads (the organisation's own rows only): the whole
period, the years, the outcomes, the switching values, the labour-market effects and the
expected MKBA of its plans, with the warehouse's column names, and a sheet `Toelichting` with
each column's Dutch description from `schemas/outputs.py`.

Safe against formula injection: text goes in with `write_string` only (never `write`, which
turns `=...` into a formula), the workbook is told not to convert strings into formulas,
numbers or links, and text that a spreadsheet would read as a formula when someone edits the
cell (starting with = + - @, a tab or a carriage return) is marked literal with Excel's own
quote prefix (`'`), so the value itself stays exactly what was uploaded.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import xlsxwriter

from rendement.core.files import write_atomic
from rendement.core.formatting import nl_date
from rendement.reports.data import Warehouse
from schemas.outputs import columns, schema

FILE = "resultaten.xlsx"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    name: str
    table: str  # the warehouse table (its columns and descriptions)
    field: str  # the `Warehouse` field it is read from
    about: str


SHEETS = (
    Sheet(
        "Hele looptijd",
        "mkba.project_looptijd",
        "looptijd",
        "per project over de hele looptijd, verdisconteerd naar het eerste jaar",
    ),
    Sheet("Per jaar", "mkba.project", "projects", "per project en jaar"),
    Sheet("Uitkomsten", "mkba.uitkomst", "outcomes", "per project, jaar, uitkomst en baathebber"),
    Sheet(
        "Schakelwaarden",
        "mkba.schakelwaarden",
        "schakelwaarden",
        "per project en jaar: waarbij de rendementsfactor 1 wordt",
    ),
    Sheet(
        "Arbeidsmarkt",
        "mkba.arbeidsmarkt",
        "arbeidsmarkt",
        "per project en jaar: naar betaald werk en vermeden zorg in uren en fte (niet "
        "opnieuw in de baten)",
    ),
    Sheet(
        "Ramingen",
        "mkba.raming",
        "raming",
        "per plan (project en jaar): de verwachte MKBA, een raming vooraf en geen resultaat; "
        "nooit in sectorcijfers",
    ),
)


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula (or a DDE command) when it is typed?"""
    return text.startswith(FORMULA_STARTS)


def _rows(wh: Warehouse, sheet: Sheet, org: str) -> pl.DataFrame:
    frame = getattr(wh, sheet.field)
    wanted = columns(sheet.table)
    if not frame.height or "organisatie_id" not in frame.columns:
        return pl.DataFrame(schema={c: pl.String for c in wanted})
    own = frame.filter(pl.col("organisatie_id") == org)
    present = [c for c in wanted if c in own.columns]
    keys = [c for c in ("project_id", "jaar", "uitkomst", "baathebber") if c in present]
    return own.select(present).sort(keys) if keys else own.select(present)


def workbook_bytes(org: str, org_name: str, wh: Warehouse, generated: dt.date) -> bytes:
    """The organisation's results as XLSX bytes (the same bytes for the same rows and date)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    moment = dt.datetime.combine(generated, dt.time())
    book.set_properties({"title": f"Resultaten {org_name}", "created": moment})
    bold = book.add_format({"bold": True})
    literal = book.add_format({"quote_prefix": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    def text(ws, r: int, c: int, value: str, fmt=None) -> None:
        ws.write_string(r, c, value, literal if is_formula_like(value) else fmt)

    about = book.add_worksheet("Toelichting")
    about.set_column(0, 0, 26)
    about.set_column(1, 1, 28)
    about.set_column(2, 2, 90)
    text(about, 0, 0, f"Resultaten van {org_name} ({org})", bold)
    text(about, 1, 0, f"Gemaakt op {nl_date(generated)} uit de MKBA van de sector sociaal werk.")
    text(
        about,
        2,
        0,
        "Bedragen in euro's van het prijsjaar; fracties als getal (0,25 = 25 %). "
        "Lege cellen: zie de kolom reden.",
    )
    r = 4
    for c, head in enumerate(("Blad", "Kolom", "Betekenis")):
        text(about, r, c, head, bold)
    for sheet in SHEETS:
        r += 1
        text(about, r, 0, sheet.name, bold)
        text(about, r, 2, sheet.about)
        for name, col in schema(sheet.table).columns.items():
            r += 1
            text(about, r, 1, name)
            text(about, r, 2, col.description or "", wrap)

    for sheet in SHEETS:
        frame = _rows(wh, sheet, org)
        ws = book.add_worksheet(sheet.name)
        for c, name in enumerate(frame.columns):
            text(ws, 0, c, name, bold)
            ws.set_column(c, c, max(10, min(40, len(name) + 2)))
        ws.freeze_panes(1, 0)
        for i, row in enumerate(frame.iter_rows(), start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(i, c, value)
                elif isinstance(value, int | float):
                    if math.isfinite(value):
                        ws.write_number(i, c, value)
                else:
                    text(ws, i, c, str(value))
    book.close()
    return buffer.getvalue()


def write_results(folder: Path, org: str, org_name: str, wh: Warehouse, generated: dt.date) -> Path:
    path = folder / FILE
    write_atomic(path, workbook_bytes(org, org_name, wh, generated))
    return path
