"""Detecting how a file was written: encoding, separator, header row, numbers and dates.

Nothing is assumed: every property is measured on the file itself and reported in `Dialect`
(for the audit log and the organisation's validation report). Only sniffing happens here, on
the first lines or on the distinct values of a column; the parsing itself is done by polars.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from schemas.parsing import DATE_FORMATS, EXCEL_SERIAL, TIME_SUFFIX
from sources.errors import UnreadableFile

DELIMITERS = (";", ",", "\t", "|")
DELIMITER_NAMES = {";": "puntkomma", ",": "komma", "\t": "tab", "|": "verticale streep"}
HEADER_SEARCH_ROWS = 50  # a header further down than this is not a header
SNIFF_BYTES = 256 * 1024


@dataclass
class Dialect:
    """How one upload was written, as detected. `as_dict()` is what gets reported."""

    format: str  # "csv", "xlsx", "xls", "ods"
    encoding: str | None = None  # "utf-8", "utf-8-bom", "windows-1252", "iso-8859-1", "utf-16"
    delimiter: str | None = None
    quotechar: str | None = None
    decimal: str | None = None  # "," or "."; None when the file has no numbers to read
    thousands: str | None = None  # ".", ",", " " or None
    date_format: str | None = None  # "dd-mm-jjjj", "dd/mm/jjjj", "jjjj-mm-dd", "excel-serieel", ...
    header_row: int | None = None  # 1-based row of the header as Excel shows it (first table)
    title_rows: int = 0  # non-empty rows above the header
    empty_rows: int = 0  # empty rows skipped (between or after the data)
    line_ending: str | None = None  # "crlf" or "lf"
    sheets: dict[str, str] = field(default_factory=dict)  # sheet/file -> table, or "genegeerd"
    ignored_columns: list[str] = field(default_factory=list)  # header cells not read
    notes: list[str] = field(default_factory=list)  # Dutch remarks for the report
    # table -> canonical column -> the column in the file it was read from, where the two
    # differ: messages name the organisation's own column, not ours
    kolommen: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = asdict(self)
        if self.delimiter is not None:
            data["delimiter_naam"] = DELIMITER_NAMES.get(self.delimiter, self.delimiter)
        return data


# --- names ----------------------------------------------------------------------------------


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_NOT_NAME_CHAR = re.compile(r"[^0-9a-z]")


def normalise_name(text: str | None) -> str:
    """Header matching key: no accents, lower case, only letters and digits.

    "Cliëntnummer", "clientnummer" and "Client nummer" all become "clientnummer". ASCII text
    (almost every cell) skips the Unicode decomposition, which leaves it unchanged anyway.
    """
    if text is None:
        return ""
    text = str(text)
    if not text.isascii():
        text = strip_accents(text)
    return _NOT_NAME_CHAR.sub("", text.lower())


def normalise_label(text: str | None) -> str:
    """Value matching key: no accents, lower case, words separated by one space."""
    if text is None:
        return ""
    return " ".join(re.split(r"[^0-9a-z+]+", strip_accents(str(text)).lower())).strip()


# --- encoding -------------------------------------------------------------------------------

BINARY_MAGIC = {
    b"%PDF": "een PDF-bestand",
    b"\x89PNG": "een afbeelding",
    b"\xff\xd8\xff": "een afbeelding",
    b"GIF8": "een afbeelding",
    b"\x1f\x8b": "een gecomprimeerd bestand",
    b"7z\xbc\xaf": "een gecomprimeerd bestand",
    b"Rar!": "een gecomprimeerd bestand",
}


def decode(data: bytes, *, final: bool = True) -> tuple[str, str]:
    """(encoding label, text). UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    The one encoding detection, for the reader (the whole file) and the upload service's type
    check (`final=False`: the first bytes of a longer file, which may end inside a character).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-bom", data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", data.decode("utf-16", errors="replace")
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without BOM: every other byte is zero for Latin text
        odd_zeros = head[1::2].count(b"\x00")
        even_zeros = head[0::2].count(b"\x00")
        if odd_zeros > len(head) // 3:
            return "utf-16-le", data.decode("utf-16-le", errors="replace")
        if even_zeros > len(head) // 3:
            return "utf-16-be", data.decode("utf-16-be", errors="replace")
    if b"\x00" in head:
        raise UnreadableFile(
            "onbekend_formaat",
            "Dit bestand is geen tekstbestand (CSV) en geen Excel-werkmap. Exporteer de gegevens "
            "uit uw registratiesysteem als CSV of als Excel-bestand (.xlsx).",
        )
    try:
        return "utf-8", codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError:
        pass
    try:
        return "windows-1252", data.decode("cp1252")
    except UnicodeDecodeError:
        return "iso-8859-1", data.decode("latin-1")


# --- separator and header -------------------------------------------------------------------


@dataclass
class CsvLayout:
    """Where the table starts in a CSV text."""

    delimiter: str
    header: list[str]  # header cells as written (stripped)
    header_record: int  # 0-based record index of the header (blank lines count as records)
    header_end_line: int  # physical lines up to and including the header record
    score: int  # recognised header names
    title_rows: int = 0  # non-empty records above the header


def _records(sample: str, delimiter: str) -> list[tuple[list[str], int]]:
    """(cells, physical line number after the record) for the records of a text sample."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, quotechar='"')
    out: list[tuple[list[str], int]] = []
    try:
        for cells in reader:
            out.append(([c.strip() for c in cells], reader.line_num))
            if len(out) >= HEADER_SEARCH_ROWS + 20:
                break
    except csv.Error:
        pass
    return out


def _width(cells: list[str]) -> int:
    """Number of cells up to the last non-empty one."""
    n = len(cells)
    while n and not cells[n - 1]:
        n -= 1
    return n


def sniff_csv(sample: str, score: Callable[[list[str]], int]) -> CsvLayout:
    """Choose the separator and header row that recognise the most known column names.

    `score(cells)` counts known column names among a row's cells. Ties are broken by how many
    of the following rows have as many cells as the header, then by the header's width.
    When no row scores, the choice is made on consistency alone (score 0).
    """
    best: tuple | None = None
    for delim in DELIMITERS:
        records = _records(sample, delim)
        if not records:
            continue
        scores = [score(cells) for cells, _ in records[:HEADER_SEARCH_ROWS]]
        top = max(scores) if scores else 0
        idx = scores.index(top) if top > 0 else _first_wide_row(records)
        header = records[idx][0]
        width = _width(header)
        following = [_width(c) for c, _ in records[idx + 1 :] if _width(c)]
        fitting = sum(1 for w in following if w <= width and (w > 1 or width == 1))
        consistent = fitting / len(following) if following else 1.0
        candidate = (top, consistent if width > 1 else 0.0, width)
        if best is None or candidate > best[0]:
            titles = sum(1 for cells, _ in records[:idx] if any(cells))
            best = (candidate, CsvLayout(delim, header, idx, records[idx][1], top, titles))
    if best is None:
        raise UnreadableFile("leeg_bestand", "Het bestand is leeg.")
    return best[1]


def _first_wide_row(records: list[tuple[list[str], int]]) -> int:
    for i, (cells, _) in enumerate(records[:HEADER_SEARCH_ROWS]):
        if _width(cells) > 1:
            return i
    return 0


def looks_like_header(cells: Iterable[str | None]) -> bool:
    """At least two filled cells, none of them a number or a date."""
    filled = [c for c in cells if c not in (None, "")]
    if len(filled) < 2:
        return False
    return not any(re.fullmatch(r"[\d\s.,:/\-+]+", str(c)) for c in filled)


# --- numbers --------------------------------------------------------------------------------

_NL_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_EN_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d*,\d+$")
_POINT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_SPACE_THOUSANDS = re.compile(r"^[+-]?\d{1,3}( \d{3})+([.,]\d+)?$")


def clean_number_text(value: str) -> str:
    return value.replace("€", "").replace("\u00a0", " ").replace("\u202f", " ").strip()


def detect_number_format(values: Iterable[str], default_decimal: str) -> tuple[str, str | None]:
    """(decimal separator, thousands separator) from the distinct values of number columns.

    Unambiguous evidence decides: both separators in one value, or a separator followed by
    other than three digits ("1,5", "0.25"). "1.234" alone is ambiguous and follows the
    evidence of the other values, else `default_decimal` (Dutch Excel writes a decimal comma).
    """
    votes: Counter[str] = Counter()
    thousands_seen: Counter[str] = Counter()
    for raw in values:
        v = clean_number_text(raw)
        if _SPACE_THOUSANDS.match(v):
            thousands_seen[" "] += 1
            v = v.replace(" ", "")
        if "," in v and "." in v:
            if v.rfind(",") > v.rfind("."):
                votes[","] += 1
                thousands_seen["."] += 1
            else:
                votes["."] += 1
                thousands_seen[","] += 1
        elif _COMMA_DECIMAL.match(v) and not _EN_THOUSANDS.match(v):
            votes[","] += 1
        elif _POINT_DECIMAL.match(v) and not _NL_THOUSANDS.match(v):
            votes["."] += 1
        elif _NL_THOUSANDS.match(v):
            thousands_seen["."] += 1
        elif _EN_THOUSANDS.match(v):
            thousands_seen[","] += 1
    if votes:
        decimal = "," if votes[","] >= votes["."] else "."
    elif thousands_seen:
        decimal = "," if thousands_seen["."] >= thousands_seen[","] else "."
    else:
        decimal = default_decimal
    other = "." if decimal == "," else ","
    if thousands_seen[other]:
        thousands: str | None = other
    elif thousands_seen[" "]:
        thousands = " "
    else:
        thousands = None
    return decimal, thousands


# --- dates ----------------------------------------------------------------------------------

_TIME_SUFFIX = re.compile(TIME_SUFFIX)
_EXCEL_SERIAL = re.compile(EXCEL_SERIAL)
_DATE_PATTERNS = [(label, re.compile(pattern)) for label, (pattern, _fmt) in DATE_FORMATS.items()]


def date_notation(value: str) -> tuple[str | None, bool]:
    """(notation, has a time part) of one value: a `DATE_FORMATS` label, "excel-serieel" or
    None (not a date we read). Called for every distinct value of every date column, so the
    patterns are compiled once."""
    timed = _TIME_SUFFIX.search(value) is not None
    bare = _TIME_SUFFIX.sub("", value) if timed else value
    if _EXCEL_SERIAL.match(bare):
        return "excel-serieel", timed
    for label, pattern in _DATE_PATTERNS:
        if pattern.match(bare):
            return label, timed
    return None, timed


def date_format_label(notation: str | None, timed: bool, file_format: str) -> str | None:
    """The notation as reported: a workbook's ISO date with a time is a date cell."""
    if file_format != "csv" and notation == "jjjj-mm-dd" and timed:
        return "excel-datumcel"
    return notation


def most_common_date_format(labels: Iterable[str | None]) -> str | None:
    """The most common reported notation (the first seen wins a tie)."""
    counts = Counter(label for label in labels if label is not None)
    if not counts:
        return None
    return counts.most_common(1)[0][0]
