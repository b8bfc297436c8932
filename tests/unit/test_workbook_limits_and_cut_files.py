"""Issue 20 points 1 and 2 on small files: a CSV cut off mid-row is refused naming its last line
(a complete last line without a line end is fine), and a workbook's cost is measured before it
is read (`sources.workbook_limits`): sheets, columns and the cells the reader would lay out."""

from __future__ import annotations

import io
import zipfile

import pytest

from sources import UnreadableFile, read_upload
from sources.workbook_limits import MAX_COLUMNS, MAX_SHEETS, WorkbookCost, check_workbook
from tests.support.service import PROJECT_CSV, wide_sheet_bomb, workbook_of_sheets

HEAD = (
    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main"><sheetData>'
)
TAIL = b"</sheetData></worksheet>"


def _project_rows(n: int) -> bytes:
    rows = [
        f"P{i};Maatjes {i};ouderen_eenzaamheid;maatjesproject;goed_beschreven;01-01-2025;;GM0363"
        for i in range(1, n + 1)
    ]
    return ("\n".join([PROJECT_CSV.decode().split("\n")[0], *rows])).encode()


def test_csv_cut_off_mid_row_is_refused_naming_the_line(tmp_path):
    whole = _project_rows(6)  # no line end after the last row: still complete
    path = tmp_path / "project_2025.csv"
    path.write_bytes(whole)
    assert read_upload(path).tables["project"].height == 6
    path.write_bytes(whole[: whole.rfind(b";GM0363")])  # the last row loses its last field
    with pytest.raises(UnreadableFile) as refused:
        read_upload(path)
    assert refused.value.code == "afgebroken_bestand"
    assert "project_2025.csv houdt midden in regel 7 op" in refused.value.message
    assert "7 van de 8 kolommen" in refused.value.message


def test_csv_cut_inside_a_quoted_field_is_refused(tmp_path):
    path = tmp_path / "project_2025.csv"
    path.write_bytes(_project_rows(3) + b'\nP9;"Maatjes met een lange')
    with pytest.raises(UnreadableFile) as refused:
        read_upload(path)
    assert refused.value.code == "afgebroken_bestand" and "regel 5" in refused.value.message


def _sheet(rows: list[bytes]) -> bytes:
    return HEAD + b"".join(rows) + TAIL


def _cost(sheets: list[bytes], chunk: int | None = None) -> WorkbookCost:
    cost = WorkbookCost("proef.xlsx")
    for xml in sheets:
        cost.start_sheet()
        step = chunk or len(xml)
        for i in range(0, len(xml), step):
            cost.feed(xml[i : i + step])
        cost.end_sheet()
    return cost


def test_cells_are_counted_as_the_reader_lays_them_out_in_any_chunking():
    rows = [
        f'<row r="{r}"><c r="B{r}"><v>1</v></c><c r="E{r}" t="s"><v>2</v></c></row>'.encode()
        for r in range(3, 103)
    ]
    xml = _sheet(rows)
    whole = _cost([xml])
    assert (whole.sheets, whole.cells) == (1, 100 * 4)  # rows 3..102 x columns B..E
    assert _cost([xml], chunk=7).cells == whole.cells
    # cells without references count on from the row's start
    implicit = _sheet([b"<row>" + b"<c><v>1</v></c>" * 12 + b"</row>"] * 10)
    assert _cost([implicit], chunk=5).cells == 10 * 12


def test_wide_far_and_many_sheets_are_refused():
    wide = _sheet([b"<row>" + b"<c><v>1</v></c>" * (MAX_COLUMNS + 1) + b"</row>"])
    with pytest.raises(UnreadableFile, match="meer dan 1.000 kolommen"):
        _cost([wide])
    # two cells far apart: the reader would build the whole block between them
    far = _sheet([b'<row r="1"><c r="A1"><v>1</v></c></row>',
                  b'<row r="900000"><c r="ZZ900000"><v>1</v></c></row>'])  # fmt: skip
    with pytest.raises(UnreadableFile, match="cellen") as refused:
        _cost([far])
    assert refused.value.code == "werkmap_te_groot"
    small = _sheet([b'<row r="1"><c r="A1"><v>1</v></c></row>'])
    assert _cost([small] * MAX_SHEETS).sheets == MAX_SHEETS
    with pytest.raises(UnreadableFile, match="werkbladen"):
        _cost([small] * (MAX_SHEETS + 1))


def test_the_issue_workbook_is_refused_by_the_reader_itself(tmp_path):
    bomb = wide_sheet_bomb(20)
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf, pytest.raises(UnreadableFile):
        check_workbook("bom.xlsx", zf)
    path = tmp_path / "traject_2025.xlsx"
    path.write_bytes(bomb)
    with pytest.raises(UnreadableFile) as refused:
        read_upload(path)
    assert refused.value.code == "werkmap_te_groot"
    # a workbook within the limits is read as before
    ok = workbook_of_sheets([_sheet([b'<row r="1"><c r="A1"><v>1</v></c></row>'])])
    with zipfile.ZipFile(io.BytesIO(ok)) as zf:
        assert check_workbook("ok.xlsx", zf).cells == 1
