"""What reading a workbook will cost, measured before it is read, and the limits on it.

The zip's shape says little about the work: a 58 KB workbook of twenty 1 MiB sheets, each one
row of 70.000 numeric cells, passes every zip-bomb rule and keeps the reader busy for minutes
with gigabytes of memory (the reader builds a table as wide as the widest row, and a dense
block from the first to the last cell of a sheet). So the sheet XML is scanned first, as a
stream, for what the reader would build, and refused above these limits (docs/validatie.md,
"Grenzen aan werkmappen"):

    at most MAX_SHEETS worksheets;
    at most MAX_COLUMNS columns per worksheet (from its first to its last used column);
    at most MAX_CELLS cells in all, counted as the reader lays them out: per worksheet the
    block from its first to its last used row times its used columns.

The scan stops as soon as a limit is passed, so a bomb costs a fraction of a second. The same
`WorkbookCost` is fed by the upload service while it checks the zip (`rendement.service.sniff`)
and used by the reader itself (`sources.rawfile`) for files that reach the inbox another way.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from sources.errors import UnreadableFile

MAX_SHEETS = 30
MAX_COLUMNS = 1_000
MAX_CELLS = 3_000_000
CHUNK = 1 << 20

MAX_ROW_XML = 16 * CHUNK  # one row's XML longer than this is refused unread

# Scanned with C-speed searches (bytes.count, simple patterns) over whole blocks of rows, never
# cell by cell in Python: a sheet of 1,5 million cells is measured in about a second.
_PREFIX = re.compile(rb"<([A-Za-z_][\w.-]*:)?sheetData[\s>/]")
_NUMBERED = r'<{p}row r="([0-9]{{1,8}})"'
_LETTERS = r'<{p}c r="([A-Z]{{1,4}})'
_ANY_LETTERS = r'<{p}c\s[^>]*?\br="([A-Z]{{1,4}})'


def is_sheet_part(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _nl(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@dataclass
class _Sheet:
    prefix: bytes = b""  # the namespace prefix of the sheet's tags ("x:"), usually none
    last_seen_row: int = 0  # the last row number seen (rows without a number count on)
    first_row: int = 0
    last_row: int = 0
    first_col: int = 0
    last_col: int = 0

    @property
    def area(self) -> int:
        if not self.last_row:
            return 0
        return (self.last_row - self.first_row + 1) * (self.last_col - self.first_col + 1)

    def row_end(self) -> bytes:
        return b"</" + self.prefix + b"row>"

    def _count(self, block: bytes, tag: bytes) -> int:
        p = b"<" + self.prefix + tag
        return block.count(p + b" ") + block.count(p + b">") + block.count(p + b"/")

    def add_rows(self, block: bytes) -> None:
        """A block of whole rows: widen the used range by its rows and columns."""
        p = re.escape(self.prefix.decode("ascii"))
        n_rows = self._count(block, b"row")
        numbers = [int(n) for n in re.findall(_NUMBERED.format(p=p).encode(), block)]
        if len(numbers) < n_rows:  # rows without a number: count on, conservatively
            numbers.append(max([self.last_seen_row, *numbers]) + n_rows)
        if numbers:
            self.last_seen_row = max(numbers[-1], self.last_seen_row)
        cells = self._count(block, b"c")
        if not cells:
            return
        referenced = re.findall(_LETTERS.format(p=p).encode(), block)
        if len(referenced) < cells:
            referenced = re.findall(_ANY_LETTERS.format(p=p).encode(), block)
        columns = [_column(c) for c in set(referenced)]
        if len(referenced) < cells:  # cells without a reference count on from the last one
            widest = max(self._count(row, b"c") for row in block.split(self.row_end()))
            columns += [1, max(columns, default=0) + widest]
        rows = numbers or [max(self.last_seen_row, 1)]
        lo_r, hi_r, lo_c, hi_c = min(rows), max(rows), min(columns), max(columns)
        if not self.last_row:
            self.first_row, self.last_row, self.first_col, self.last_col = lo_r, hi_r, lo_c, hi_c
        else:
            self.first_row, self.last_row = min(self.first_row, lo_r), max(self.last_row, hi_r)
            self.first_col, self.last_col = min(self.first_col, lo_c), max(self.last_col, hi_c)


class WorkbookCost:
    """Scans worksheet parts chunk by chunk; raises `UnreadableFile('werkmap_te_groot')` the
    moment the workbook passes a limit."""

    def __init__(self, name: str = "", *, max_sheets=MAX_SHEETS, max_columns=MAX_COLUMNS,
                 max_cells=MAX_CELLS):  # fmt: skip
        self.name = name
        self.max_sheets, self.max_columns, self.max_cells = max_sheets, max_columns, max_cells
        self.sheets = 0
        self.cells = 0  # cells laid out in finished sheets
        self._sheet: _Sheet | None = None
        self._rest = b""

    # --- feeding ---------------------------------------------------------------------------
    def start_sheet(self) -> None:
        self.end_sheet()
        self.sheets += 1
        if self.sheets > self.max_sheets:
            self._refuse(
                f"heeft meer dan {_nl(self.max_sheets)} werkbladen; zoveel worden er niet "
                "gelezen. Lever alleen de werkbladen met de tabellen aan."
            )
        self._sheet = _Sheet()
        self._started = False

    def feed(self, data: bytes) -> None:
        """The next bytes of the current worksheet's XML: measured per block of whole rows."""
        sheet = self._sheet
        text = self._rest + data
        if not self._started:
            found = _PREFIX.search(text)
            if found is None:
                self._rest = text
                if len(text) > MAX_ROW_XML:
                    self._refuse(f"bevat op werkblad {self.sheets} geen tabel (sheetData)")
                return
            sheet.prefix = found.group(1) or b""
            self._started = True
        end = text.rfind(sheet.row_end())
        if end < 0:
            self._rest = text
            if len(text) > MAX_ROW_XML:
                self._too_wide()
            return
        end += len(sheet.row_end())
        self._rest = text[end:]
        self._measure(text[:end])

    def _measure(self, block: bytes) -> None:
        sheet = self._sheet
        sheet.add_rows(block)
        if sheet.last_col - sheet.first_col + 1 > self.max_columns:
            self._too_wide()
        if self.cells + sheet.area > self.max_cells:
            self._too_many_cells()

    def _too_wide(self) -> None:
        self._refuse(
            f"heeft op werkblad {self.sheets} meer dan {_nl(self.max_columns)} kolommen; "
            "zoveel worden er niet gelezen. Haal de lege of overbodige kolommen weg of "
            "lever de tabel als CSV aan."
        )

    def end_sheet(self) -> None:
        if self._sheet is not None:
            if self._rest and self._started:
                self._measure(self._rest)
            self.cells += self._sheet.area
            self._sheet = None
            self._rest = b""
            if self.cells > self.max_cells:
                self._too_many_cells()

    # --- refusing --------------------------------------------------------------------------
    def _too_many_cells(self) -> None:
        self._refuse(
            f"beslaat meer dan {_nl(self.max_cells)} cellen (rijen maal kolommen van de gebruikte "
            "bereiken); zoveel worden er niet gelezen. Lever grote tabellen als CSV aan of "
            "splits de werkmap per jaar."
        )

    def _refuse(self, what: str) -> None:
        name = f"De werkmap {self.name}" if self.name else "De werkmap"
        raise UnreadableFile("werkmap_te_groot", f"{name} {what}")


def check_workbook(name: str, zf: zipfile.ZipFile) -> WorkbookCost:
    """Scan every worksheet of an open workbook; raises `UnreadableFile` above a limit."""
    cost = WorkbookCost(name)
    for info in zf.infolist():
        if not is_sheet_part(info.filename):
            continue
        cost.start_sheet()
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                cost.feed(chunk)
        cost.end_sheet()
    return cost
