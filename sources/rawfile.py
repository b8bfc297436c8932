"""From bytes to raw sheets: all cells as text, the header found, each row numbered as in Excel.

A CSV file gives one sheet, a workbook one per worksheet. Parsing is polars' (`read_csv` with
every column as String, `read_excel` with the calamine engine); this module only decides where
the header is and which Excel row each data row is (`_rij`: the header row counted, empty rows
counted, title rows counted).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from sources.dialect import (
    HEADER_SEARCH_ROWS,
    SNIFF_BYTES,
    Dialect,
    decode,
    looks_like_header,
    sniff_csv,
)
from sources.errors import UnreadableFile
from sources.workbook_limits import check_workbook

Score = Callable[[list[str]], int]


@dataclass
class RawSheet:
    """One table-shaped block of a file, every cell as stripped text (empty -> null)."""

    name: str  # the file name (CSV) or the sheet name (workbook)
    header: list[str] | None  # header cells as written; None when no header was found
    data: pl.DataFrame  # columns c0..c{n-1} (String) and _rij (Int64); empty rows dropped
    header_row: int | None  # Excel row number of the header
    title_rows: int = 0
    empty_rows: int = 0
    score: int = 0  # known column names in the header


def _tidy(frame: pl.DataFrame, first_row: int) -> tuple[pl.DataFrame, int]:
    """Strip cells, empty -> null, number rows from `first_row`, drop empty rows."""
    cols = list(frame.columns)
    rij = (pl.int_range(pl.len(), dtype=pl.Int64) + first_row).alias("_rij")
    if not cols:
        return frame.with_columns(rij), 0
    # one expression over all columns: polars plans it once instead of once per column
    frame = frame.select(pl.col(cols).cast(pl.String).str.strip_chars().replace("", None), rij)
    non_empty = frame.filter(pl.any_horizontal(pl.col(cols).is_not_null()))
    return non_empty, frame.height - non_empty.height


# --- CSV ------------------------------------------------------------------------------------


def read_csv_sheet(name: str, data: bytes, score: Score, dialect: Dialect) -> RawSheet:
    encoding, text = decode(data)
    dialect.encoding = encoding
    if not text.strip():
        raise UnreadableFile("leeg_bestand", "Het bestand is leeg.")
    reencode = encoding not in ("utf-8", "utf-8-bom")
    if "\n" not in text and "\r" in text:  # classic Mac line ends
        text = text.replace("\r", "\n")
        reencode = True
    dialect.line_ending = "crlf" if "\r\n" in text[:SNIFF_BYTES] else "lf"
    sample = text[:SNIFF_BYTES]
    if len(text) > SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    layout = sniff_csv(sample, score)
    dialect.delimiter = layout.delimiter
    dialect.quotechar = '"'
    _refuse_cut_off(name, text, layout.delimiter)

    if reencode:
        payload = text.encode("utf-8")
    else:  # polars reads the original bytes: no copy of a large file
        payload = data[3:] if encoding == "utf-8-bom" else data
    width = max(len(layout.header), 1)
    frame = pl.read_csv(
        io.BytesIO(payload),
        has_header=False,
        skip_lines=layout.header_end_line,
        separator=layout.delimiter,
        quote_char='"',
        schema={f"c{i}": pl.String for i in range(width)},
        truncate_ragged_lines=True,
        raise_if_empty=False,
        encoding="utf8-lossy",
        infer_schema=False,
    )
    header_row = layout.header_record + 1
    data_frame, empty = _tidy(frame, header_row + 1)
    header = layout.header if (layout.score > 0 or looks_like_header(layout.header)) else None
    return RawSheet(
        name=name,
        header=header,
        data=data_frame,
        header_row=header_row,
        title_rows=layout.title_rows,
        empty_rows=empty,
        score=layout.score,
    )


def _fields(line: str, delimiter: str) -> tuple[int, bool]:
    """(number of fields, whether a quoted field is left open) of one physical line."""
    open_quote = line.count('"') % 2 == 1
    return len(next(csv.reader([line], delimiter=delimiter, quotechar='"'), [])), open_quote


def _refuse_cut_off(name: str, text: str, delimiter: str) -> None:
    """A file cut off in the middle of a row (an interrupted export or transfer) is refused as
    a whole, naming its last line: its last line has no line end and fewer fields than the line
    before it (or an open quote). Read on, the row would be padded with empty cells and
    rejected or, worse, accepted incomplete, and the rest of the file would silently be
    missing. A last line without a line end but with all its fields is fine (many exports
    end that way)."""
    if not text or text.endswith(("\n", "\r")):
        return
    body = text.rstrip("\x1a")  # an old DOS end-of-file mark
    start = body.rfind("\n")
    if start < 0 or not body[start + 1 :].strip():
        return
    last = body[start + 1 :]
    before = body[:start].rstrip("\r")
    previous = before[before.rfind("\n") + 1 :]
    n_last, open_quote = _fields(last, delimiter)
    n_before, _ = _fields(previous, delimiter)
    if open_quote or n_last < n_before:
        line = body.count("\n") + 1
        raise UnreadableFile(
            "afgebroken_bestand",
            f"Het bestand {name} houdt midden in regel {line} op: die laatste regel heeft "
            f"{n_last} van de {n_before} kolommen en geen regeleinde. Waarschijnlijk is het "
            "bestand niet helemaal geëxporteerd of verstuurd; er is niets van aangenomen. "
            "Exporteer het opnieuw en lever het volledige bestand aan.",
        )


# --- workbooks ------------------------------------------------------------------------------

_FIRST_VALUE_CELL = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\br=\"[A-Z]+(\d+)\"[^>]*?(?<!/)>\s*"
    rb"(?:<(?:\w+:)?f\b[^>]*?/>\s*|<(?:\w+:)?f\b[^>]*>.*?</(?:\w+:)?f>\s*)?"
    rb"<(?:\w+:)?(?:v|is)\b",
    re.S,
)
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _xlsx_first_rows(data: bytes) -> dict[str, int]:
    """Sheet name -> Excel row of its first cell with a value.

    calamine starts a sheet at its first non-empty cell, so this is what turns calamine's row
    index back into the row number Excel shows. Sniffed from the sheet XML; any oddity gives
    an empty answer (row 1 assumed).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            wb = ElementTree.fromstring(z.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            targets = {
                r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG_REL}Relationship")
            }
            out: dict[str, int] = {}
            for sheet in wb.iter(f"{_NS_MAIN}sheet"):
                target = targets.get(sheet.get(f"{_NS_REL}id"), "")
                target = target.lstrip("/")
                part = target if target.startswith("xl/") else f"xl/{target}"
                row = _first_value_row(z, part)
                if row is not None:
                    out[sheet.get("name", "")] = row
            return out
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, ValueError):
        return {}


def _first_value_row(z: zipfile.ZipFile, part: str) -> int | None:
    try:
        fh = z.open(part)
    except KeyError:
        return None
    with fh:
        buffer = b""
        while True:
            chunk = fh.read(1 << 16)
            if not chunk:
                break
            buffer = buffer[-4096:] + chunk
            m = _FIRST_VALUE_CELL.search(buffer)
            if m:
                return int(m.group(1))
    return None


def read_workbook_sheets(name: str, data: bytes, score: Score, dialect: Dialect) -> list[RawSheet]:
    if dialect.format == "xlsx":  # what reading would cost, before anything is read
        with contextlib.suppress(zipfile.BadZipFile), zipfile.ZipFile(io.BytesIO(data)) as z:
            check_workbook(name, z)
    try:
        frames = pl.read_excel(
            io.BytesIO(data),
            sheet_id=0,
            engine="calamine",
            has_header=False,
            infer_schema_length=0,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except Exception as exc:  # calamine raises several types for broken files
        raise UnreadableFile(
            "kapot_xlsx",
            "Het Excel-bestand is niet te openen: het is beschadigd, niet volledig verstuurd of "
            "beveiligd met een wachtwoord. Sla het opnieuw op in Excel (zonder wachtwoord) of "
            "exporteer opnieuw uit uw registratiesysteem.",
        ) from exc
    if isinstance(frames, pl.DataFrame):
        frames = {"Blad1": frames}
    first_rows = _xlsx_first_rows(data) if dialect.format == "xlsx" else {}
    sheets = []
    for sheet_name, frame in frames.items():
        first_row = first_rows.get(sheet_name, 1)
        sheets.append(_workbook_sheet(sheet_name, frame, first_row, score))
    return sheets


def _workbook_sheet(sheet_name: str, frame: pl.DataFrame, first_row: int, score: Score) -> RawSheet:
    if frame.width == 0 or frame.height == 0:
        return RawSheet(
            sheet_name, None, pl.DataFrame({"_rij": []}, schema={"_rij": pl.Int64}), None
        )
    frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
    head = frame.head(HEADER_SEARCH_ROWS).with_columns(pl.all().cast(pl.String).str.strip_chars())
    rows = [["" if v is None else str(v) for v in row] for row in head.iter_rows()]
    scores = [score(r) for r in rows]
    top = max(scores) if scores else 0
    if top > 0:
        idx = scores.index(top)
        header: list[str] | None = rows[idx]
    else:
        idx = next((i for i, r in enumerate(rows) if looks_like_header(r)), 0)
        header = rows[idx] if looks_like_header(rows[idx]) else None
    header_row = first_row + idx
    body = frame.slice(idx + 1)
    data, empty = _tidy(body, header_row + 1)
    title_rows = sum(1 for r in rows[:idx] if any(r))
    return RawSheet(sheet_name, header, data, header_row, title_rows, empty, top)


# --- dispatch -------------------------------------------------------------------------------


def file_format(path: Path, data: bytes) -> str:
    """ "csv", "xlsx", "xls" or "ods" from the bytes (the file name only breaks ties)."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and b"spreadsheet" in z.read("mimetype"):
                    return "ods"
        except zipfile.BadZipFile:
            if path.suffix.lower() in {".xlsx", ".xlsm"}:
                return "xlsx"  # a truncated workbook: calamine will say it is broken
            raise UnreadableFile(
                "onbekend_formaat",
                "Dit is een beschadigd zip-bestand, geen CSV- of Excel-bestand.",
            ) from None
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            return "xlsx"
        raise UnreadableFile(
            "onbekend_formaat",
            "Dit is een zip-bestand. Lever de CSV-bestanden los aan, of één Excel-werkmap (.xlsx).",
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"  # old Excel, or an encrypted (password-protected) workbook
    return "csv"
