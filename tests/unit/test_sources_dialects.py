"""Every supported layout, written in every supported dialect, reads to identical tables."""

from __future__ import annotations

import itertools

import pytest

from sources import read_upload
from tests.support.sources import (
    CONTRACT_TABLES,
    REGAS,
    REGICARE,
    assert_same_tables,
    contract_fixture,
    load_fixture,
    render_csv,
    render_xlsx,
)

ENCODINGS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-bom",
    "cp1252": "windows-1252",
    "utf-16": "utf-16",
}
DELIMITERS = [";", ",", "\t"]
DATE_STYLES = ["dd-mm-jjjj", "dd/mm/jjjj", "jjjj-mm-dd"]
VENDORS = {"regicare": REGICARE, "regas": REGAS}


@pytest.fixture(scope="module")
def reference():
    """The shipped fixtures, read once: the tables every variant must reproduce."""
    out = {}
    for system, fixture in VENDORS.items():
        result = read_upload(fixture.path)
        assert result.system == system
        assert result.problems.is_empty(), result.problems
        out[system] = result.tables
    contract = {}
    for table in CONTRACT_TABLES:
        result = read_upload(contract_fixture(table).path)
        assert result.system == "contract"
        assert result.problems.is_empty(), result.problems
        contract.update(result.tables)
    out["contract"] = contract
    return out


def _csv_variants(with_numbers: bool):
    numbers = ["nl_thousands", "en"] if with_numbers else ["nl_thousands"]
    out = []
    for enc, delim, dates, num, messy in itertools.product(
        ("utf-8", "utf-8-sig", "cp1252"), DELIMITERS, DATE_STYLES, numbers, (False, True)
    ):
        sep = "tab" if delim == "\t" else delim
        name = f"{enc}-{sep}-{dates}-{num}-{'rommelig' if messy else 'schoon'}"
        out.append(pytest.param(enc, delim, dates, num, messy, id=name))
    return out


def _write_and_read(tmp_path, logical, name, **kwargs):
    path = tmp_path / name
    data = render_csv(logical, **kwargs)
    path.write_bytes(data)
    result = read_upload(path)
    if not data.isascii() and kwargs.get("encoding"):
        assert result.dialect.encoding == ENCODINGS.get(kwargs["encoding"], kwargs["encoding"])
    return result


def _messy(messy: bool) -> dict:
    if not messy:
        return {"line_ending": "\n"}
    return {"title": True, "blank_lines": 3, "empty_columns": 2, "line_ending": "\r\n"}


@pytest.mark.parametrize("system", list(VENDORS))
@pytest.mark.parametrize(
    ("encoding", "delimiter", "dates", "numbers", "messy"), _csv_variants(False)
)
def test_vendor_csv_in_every_dialect(
    tmp_path, reference, system, encoding, delimiter, dates, numbers, messy
):
    logical = load_fixture(VENDORS[system])
    result = _write_and_read(
        tmp_path,
        logical,
        f"{system}.csv",
        encoding=encoding,
        delimiter=delimiter,
        date_style=dates,
        number_style=numbers,
        **_messy(messy),
    )
    assert result.system == system
    assert result.problems.is_empty(), result.problems
    assert_same_tables(result.tables, reference[system])
    d = result.dialect
    assert d.format == "csv"
    assert d.delimiter == delimiter
    assert d.date_format == dates
    assert d.header_row == (3 if messy else 1)
    assert d.title_rows == (1 if messy else 0)
    assert d.line_ending == ("crlf" if messy else "lf")


@pytest.mark.parametrize(
    ("encoding", "delimiter", "dates", "numbers", "messy"), _csv_variants(True)
)
def test_contract_csv_in_every_dialect(
    tmp_path, reference, encoding, delimiter, dates, numbers, messy
):
    tables = {}
    for table in CONTRACT_TABLES:
        logical = load_fixture(contract_fixture(table))
        result = _write_and_read(
            tmp_path,
            logical,
            f"{table}.csv",
            encoding=encoding,
            delimiter=delimiter,
            date_style=dates,
            number_style=numbers,
            **_messy(messy),
        )
        assert result.system == "contract"
        assert list(result.tables) == [table]
        assert result.problems.is_empty(), result.problems
        assert result.dialect.delimiter == delimiter
        if table in ("inzet", "kosten", "meting"):
            assert result.dialect.decimal == ("," if numbers.startswith("nl") else ".")
        if table == "kosten":
            assert result.dialect.thousands == ("." if numbers == "nl_thousands" else None)
        tables.update(result.tables)
    assert_same_tables(tables, reference["contract"])


@pytest.mark.parametrize("numbers", ["nl", "en_thousands"])
def test_contract_numbers_without_or_with_english_thousands(tmp_path, reference, numbers):
    tables = {}
    for table in CONTRACT_TABLES:
        logical = load_fixture(contract_fixture(table))
        result = _write_and_read(
            tmp_path, logical, f"{table}.csv", delimiter=";", number_style=numbers
        )
        assert result.problems.is_empty(), result.problems
        tables.update(result.tables)
    assert_same_tables(tables, reference["contract"])


def test_utf16_tab_separated_as_excel_unicode_text(tmp_path, reference):
    """Excel's "Unicode-tekst" export: UTF-16 little endian with BOM, tab separated."""
    logical = load_fixture(REGAS)
    result = _write_and_read(tmp_path, logical, "regas.txt", encoding="utf-16", delimiter="\t")
    assert result.dialect.encoding == "utf-16"
    assert result.dialect.delimiter == "\t"
    assert_same_tables(result.tables, reference["regas"])


XLSX_VARIANTS = [
    pytest.param(
        mode,
        title,
        ids,
        id=f"{mode}-{'titel' if title else 'kop'}-{'getal_ids' if ids else 'tekst_ids'}",
    )
    for mode, title, ids in itertools.product(
        ("cell", "serial", "text"), (False, True), (False, True)
    )
]
EXPECTED_XLSX_DATE_FORMAT = {
    "cell": "excel-datumcel",
    "serial": "excel-serieel",
    "text": "dd-mm-jjjj",
}


@pytest.mark.parametrize(("date_mode", "title", "ids_as_numbers"), XLSX_VARIANTS)
@pytest.mark.parametrize("system", list(VENDORS))
def test_vendor_xlsx(tmp_path, reference, system, date_mode, title, ids_as_numbers):
    logical = load_fixture(VENDORS[system])
    path = tmp_path / f"{system}.xlsx"
    path.write_bytes(
        render_xlsx(
            {"Export": logical}, date_mode=date_mode, title=title, ids_as_numbers=ids_as_numbers
        )
    )
    result = read_upload(path)
    assert result.system == system
    assert result.problems.is_empty(), result.problems
    assert_same_tables(result.tables, reference[system])
    assert result.dialect.format == "xlsx"
    assert result.dialect.date_format == EXPECTED_XLSX_DATE_FORMAT[date_mode]
    assert result.dialect.header_row == (3 if title else 1)
    first = min(df["_rij"].min() for df in result.tables.values())
    assert first == (4 if title else 2)


@pytest.mark.parametrize(("date_mode", "title", "ids_as_numbers"), XLSX_VARIANTS)
def test_contract_xlsx_workbook_with_a_sheet_per_table(
    tmp_path, reference, date_mode, title, ids_as_numbers
):
    sheets = {table: load_fixture(contract_fixture(table)) for table in CONTRACT_TABLES}
    path = tmp_path / "export.xlsx"
    path.write_bytes(
        render_xlsx(sheets, date_mode=date_mode, title=title, ids_as_numbers=ids_as_numbers)
    )
    result = read_upload(path)
    assert result.system == "contract"
    assert result.problems.is_empty(), result.problems
    assert_same_tables(result.tables, reference["contract"])
    assert result.dialect.sheets == {t: t for t in CONTRACT_TABLES}
    assert result.dialect.decimal == "."


def test_classic_mac_line_endings(tmp_path, reference):
    logical = load_fixture(REGAS)
    path = tmp_path / "regas.csv"
    path.write_bytes(render_csv(logical, line_ending="\r", title=True))
    result = read_upload(path)
    assert_same_tables(result.tables, reference["regas"])
    assert result.dialect.header_row == 3
