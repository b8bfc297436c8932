"""Shared helpers for the reader tests: the shipped fixtures as data, and writers per dialect.

The fixture files in tests/fixtures/sources/ are the source of truth. `load_fixture` parses
one back into a header and typed rows (dates as `datetime.date`, numbers as float) with the
fixture's own known dialect, independent of the reader under test; `render_csv` and
`render_xlsx` write the same content in another dialect.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import xlsxwriter
from polars.testing import assert_frame_equal

from schemas.tables import polars_schema

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
CONTRACT_TABLES = ("organisatie", "project", "traject", "meting", "inzet", "kosten")
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass
class Fixture:
    """A shipped fixture file and how it is written."""

    path: Path
    encoding: str
    delimiter: str
    header_index: int  # 0-based record index of the header
    dates: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)  # decimal comma, thousands dot
    integers: set[str] = field(default_factory=set)


def contract_fixture(table: str) -> Fixture:
    schema = polars_schema(table)
    return Fixture(
        FIXTURES / "contract" / f"{table}.csv",
        "utf-8",
        ";",
        0,
        dates={c for c, t in schema.items() if t == pl.Date},
        numbers={c for c, t in schema.items() if t == pl.Float64},
        integers={c for c, t in schema.items() if t == pl.Int64},
    )


REGICARE = Fixture(
    FIXTURES / "regicare_activiteiten.csv",
    "cp1252",
    ";",
    2,
    dates={"startDatum", "eindDatum", "geboortedatum"},
)
REGAS = Fixture(
    FIXTURES / "regas_trajectstappen.csv",
    "utf-8-sig",
    ";",
    0,
    dates={"Datum stap", "Geboortedatum"},
)


@dataclass
class Logical:
    header: list[str]
    rows: list[list[object]]
    fixture: Fixture

    def kind(self, column: str) -> str:
        if column in self.fixture.dates:
            return "date"
        if column in self.fixture.numbers:
            return "number"
        if column in self.fixture.integers:
            return "integer"
        return "text"


def _parse(value: str, kind: str) -> object:
    if value == "":
        return None
    if kind == "date":
        return dt.datetime.strptime(value, "%d-%m-%Y").date()
    if kind == "number":
        return float(value.replace(".", "").replace(",", "."))
    if kind == "integer":
        return int(value)
    return value


def load_fixture(fixture: Fixture, text: str | None = None) -> Logical:
    if text is None:
        text = fixture.path.read_bytes().decode(fixture.encoding)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=fixture.delimiter))
    header = records[fixture.header_index]
    while header and header[-1] == "":
        header = header[:-1]
    logical = Logical(header, [], fixture)
    for cells in records[fixture.header_index + 1 :]:
        if not any(cells):
            continue
        cells = (cells + [""] * len(header))[: len(header)]
        logical.rows.append(
            [_parse(v, logical.kind(h)) for h, v in zip(header, cells, strict=True)]
        )
    return logical


# --- writing in a dialect -------------------------------------------------------------------

DATE_STYLES = {
    "dd-mm-jjjj": "%d-%m-%Y",
    "dd/mm/jjjj": "%d/%m/%Y",
    "jjjj-mm-dd": "%Y-%m-%d",
}


def format_number(value: float, style: str) -> str:
    """style: nl_thousands (1.234,5), nl (1234,5), en (1234.5), en_thousands (1,234.5)."""
    text = f"{value:,.10f}".rstrip("0").rstrip(".")  # 1,234.5 with every digit kept
    if style in ("nl", "en"):
        text = text.replace(",", "")
    if style.startswith("nl"):
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_cell(value: object, kind: str, date_style: str, number_style: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # a test wrote text on purpose
        return value
    if kind == "date":
        return value.strftime(DATE_STYLES[date_style])  # type: ignore[union-attr]
    if kind == "number":
        return format_number(float(value), number_style)  # type: ignore[arg-type]
    return str(value)


def render_csv(
    logical: Logical,
    *,
    encoding: str = "utf-8",
    delimiter: str = ";",
    date_style: str = "dd-mm-jjjj",
    number_style: str = "nl_thousands",
    title: bool = False,
    blank_lines: int = 0,
    empty_columns: int = 0,
    line_ending: str = "\r\n",
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_ending)
    pad = [""] * empty_columns
    if title:
        writer.writerow(["Export uit het registratiesysteem, aangemaakt op 02-01-2025"])
        writer.writerow([])
    writer.writerow(logical.header + pad)
    for row in logical.rows:
        writer.writerow(
            [
                format_cell(v, logical.kind(h), date_style, number_style)
                for h, v in zip(logical.header, row, strict=True)
            ]
            + pad
        )
    text = out.getvalue() + line_ending * blank_lines
    return text.encode(encoding)


def render_xlsx(
    sheets: dict[str, Logical],
    *,
    date_mode: str = "cell",
    title: bool = False,
    ids_as_numbers: bool = False,
) -> bytes:
    """date_mode: cell (a date cell), serial (a plain number), text (dd-mm-jjjj as text)."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = wb.add_format({"num_format": "dd-mm-yyyy"})
    for name, logical in sheets.items():
        ws = wb.add_worksheet(name)
        row0 = 0
        if title:
            ws.write_string(0, 0, f"Export {name}")
            row0 = 2
        for c, h in enumerate(logical.header):
            ws.write_string(row0, c, h)
        for r, row in enumerate(logical.rows, start=row0 + 1):
            for c, (h, v) in enumerate(zip(logical.header, row, strict=True)):
                kind = logical.kind(h)
                if v is None:
                    continue
                if isinstance(v, str) and kind != "text":
                    ws.write_string(r, c, v)
                elif kind == "date":
                    if date_mode == "cell":
                        ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date_format)
                    elif date_mode == "serial":
                        ws.write_number(r, c, (v - EXCEL_EPOCH).days)
                    else:
                        ws.write_string(r, c, v.strftime("%d-%m-%Y"))
                elif kind in ("number", "integer"):
                    ws.write_number(r, c, v)
                elif ids_as_numbers and isinstance(v, str) and v.isdigit() and v[0] != "0":
                    ws.write_number(r, c, int(v))
                else:
                    ws.write_string(r, c, str(v))
    wb.close()
    return buffer.getvalue()


def assert_same_tables(got: dict[str, pl.DataFrame], want: dict[str, pl.DataFrame]) -> None:
    """Canonical tables equal, ignoring the bookkeeping columns _rij and _bestand."""
    assert sorted(got) == sorted(want)
    for table in want:
        assert_frame_equal(
            got[table].drop("_rij", "_bestand"),
            want[table].drop("_rij", "_bestand"),
            check_exact=False,
            rel_tol=1e-12,
        )
