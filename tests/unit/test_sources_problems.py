"""Row-level problems: bad values become null and a problem row; nothing raises."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from sources import PROBLEM_SCHEMA, read_upload
from tests.support.sources import REGAS, REGICARE, load_fixture, render_csv, render_xlsx

TRAJECT_HEADER = "traject_id;project_id;client_id;startdatum;einddatum;reden_einde;leeftijdsklasse"


def _read(tmp_path, name: str, text: str, encoding: str = "utf-8", **kwargs):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return read_upload(path, **kwargs)


def _problem(result, kolom: str) -> dict:
    rows = result.problems.filter(pl.col("kolom") == kolom).to_dicts()
    assert len(rows) == 1, result.problems
    return rows[0]


def test_problem_frame_has_the_documented_columns(tmp_path):
    result = read_upload(REGAS.path)
    assert result.problems.schema == pl.Schema(PROBLEM_SCHEMA)


def test_impossible_date_becomes_null_and_a_problem(tmp_path):
    text = f"{TRAJECT_HEADER}\nT1;P1;C1;01-02-2024;;;18-26\nT2;P1;C2;31-02-2024;;;18-26\n"
    result = _read(tmp_path, "traject.csv", text)
    df = result.tables["traject"]
    assert df["startdatum"].to_list() == [dt.date(2024, 2, 1), None]
    p = _problem(result, "startdatum")
    assert p["tabel"] == "traject" and p["_rij"] == 3 and p["regel"] == "datum_onleesbaar"
    assert p["waarde"] == "31-02-2024" and "31-02-2024" in p["melding"]


def test_unreadable_numbers(tmp_path):
    text = (
        "project_id;jaar;fte_betaald;uren_betaald;vrijwilligers;uren_vrijwilligers\n"
        "P1;2024;0,8;abc;2,5;10\n"
    )
    result = _read(tmp_path, "inzet.csv", text)
    row = result.tables["inzet"].row(0, named=True)
    assert row["fte_betaald"] == 0.8
    assert row["uren_betaald"] is None and row["vrijwilligers"] is None
    assert _problem(result, "uren_betaald")["regel"] == "getal_onleesbaar"
    vrijw = _problem(result, "vrijwilligers")
    assert vrijw["regel"] == "getal_onleesbaar" and "geheel getal" in vrijw["melding"]
    assert vrijw["_rij"] == 2


def test_required_value_missing(tmp_path):
    text = f"{TRAJECT_HEADER}\nT1;;C1;01-02-2024;;;18-26\n"
    result = _read(tmp_path, "traject.csv", text)
    p = _problem(result, "project_id")
    assert p["regel"] == "verplicht_leeg" and p["waarde"] is None
    assert result.tables["traject"]["project_id"].to_list() == [None]


def test_client_id_never_shown_in_a_problem(tmp_path):
    text = "traject_id;project_id;client_id;startdatum;leeftijdsklasse\nT1;P1;;nooit;18-26\n"
    result = _read(tmp_path, "traject.csv", text)
    assert _problem(result, "client_id")["regel"] == "verplicht_leeg"
    logical = load_fixture(REGICARE)
    col = logical.header.index("geboortedatum")
    logical.rows[0][col] = "31-13-1941"  # written as text: not a date
    path = tmp_path / "rc.csv"
    path.write_bytes(render_csv(logical))
    result = read_upload(path)
    p = _problem(result, "geboortedatum")
    assert p["regel"] == "datum_onleesbaar" and p["waarde"] == "(verborgen)"
    assert "31-13-1941" not in p["melding"]


def test_contract_codes_normalised_but_unknown_kept_for_validation(tmp_path):
    text = (
        f"{TRAJECT_HEADER};gemeente_code\n"
        "T1;P1;C1;01-02-2024;01-03-2024;Afgerond volgens plan;18-26;363\n"
        "T2;P1;C2;01-02-2024;01-03-2024;VOORTIJDIG;18-26;gm0599\n"
        "T3;P1;C3;01-02-2024;01-03-2024;weggelopen;18-26;Utrecht\n"
    )
    result = _read(tmp_path, "traject.csv", text)
    df = result.tables["traject"]
    assert df["reden_einde"].to_list() == ["afgerond", "voortijdig", "weggelopen"]
    assert df["gemeente_code"].to_list() == ["GM0363", "GM0599", "Utrecht"]
    assert result.problems.is_empty()


def test_vendor_code_unknown_is_a_problem(tmp_path):
    logical = load_fixture(REGICARE)
    col = logical.header.index("groepering")
    logical.rows[0][col] = "Breiclub"
    path = tmp_path / "rc.csv"
    path.write_bytes(render_csv(logical, title=True))
    result = read_upload(path)
    p = _problem(result, "groepering")
    assert p["regel"] == "code_onbekend" and p["waarde"] == "Breiclub" and p["_rij"] == 4
    assert p["tabel"] == "project"
    project = result.tables["project"].filter(pl.col("project_id") == "A101")
    # the other rows of the activity still name a known groepering: first known one wins
    assert project["interventie"].to_list() == ["ontmoetingsgroep"]


def test_age_band_is_age_at_start(tmp_path):
    logical = load_fixture(REGICARE)
    birth = logical.header.index("geboortedatum")
    start = logical.header.index("startDatum")
    logical.rows[0][start] = dt.date(2024, 5, 12)
    logical.rows[0][birth] = dt.date(1949, 5, 12)  # 75 on the day itself
    logical.rows[1][birth] = dt.date(1949, 5, 13)  # activity starts 08-01-2024: still 74
    path = tmp_path / "rc.csv"
    path.write_bytes(render_csv(logical))
    df = read_upload(path).tables["traject"].filter(pl.col("project_id") == "A101")
    bands = dict(zip(df["client_id"], df["leeftijdsklasse"], strict=True))
    assert bands["50012"] == "75-84"  # 75 on 12-05-2024, the day of the start
    assert bands["50013"] == "65-74"  # turns 75 on 13-05-2024, after the start


def test_birth_date_after_start_is_a_problem(tmp_path):
    logical = load_fixture(REGICARE)
    birth = logical.header.index("geboortedatum")
    logical.rows[5][birth] = dt.date(2030, 1, 1)
    path = tmp_path / "rc.csv"
    path.write_bytes(render_csv(logical))
    result = read_upload(path)
    p = result.problems.filter(pl.col("regel") == "leeftijd_onmogelijk").to_dicts()
    assert len(p) == 1 and p[0]["waarde"] == "(verborgen)" and p[0]["tabel"] == "traject"
    assert result.problems.filter(pl.col("regel") == "verplicht_leeg")["kolom"].to_list() == [
        "leeftijdsklasse"
    ]


def test_regas_pivot(tmp_path):
    df = read_upload(REGAS.path).tables["traject"].sort("traject_id")
    rows = {r["traject_id"]: r for r in df.to_dicts()}
    assert rows["D24-001"]["startdatum"] == dt.date(2024, 1, 15)
    assert rows["D24-001"]["einddatum"] == dt.date(2024, 9, 30)
    assert rows["D24-001"]["reden_einde"] == "afgerond"
    assert rows["D24-002"]["einddatum"] is None and rows["D24-002"]["reden_einde"] is None
    assert rows["D24-003"]["einddatum"] == dt.date(2024, 12, 20)  # closed by an afsluiting
    assert rows["D24-003"]["reden_einde"] == "voortijdig"
    assert rows["D24-004"]["reden_einde"] == "doorverwezen"
    assert rows["D24-001"]["gemeente_code"] == "GM0344"
    assert rows["D24-002"]["gemeente_code"] == "GM0518"  # Den Haag
    assert rows["D24-004"]["gemeente_code"] is None  # Bunnik: not in the table, no guess
    assert rows["D24-001"]["_rij"] == 2 and rows["D24-004"]["_rij"] == 13


def test_regas_dossier_without_aanmelding(tmp_path):
    text = (
        "Dossiernummer;Cliëntnummer;Stap;Datum stap;Product;Reden afsluiting;Geboortedatum\n"
        "D9;77;Intake;05-02-2024;Schuldhulp;;01-01-1980\n"
        "D9;77;Evaluatie;05-06-2024;Schuldhulp;Doelen behaald;01-01-1980\n"
    )
    result = _read(tmp_path, "regas.csv", text)
    assert result.tables["traject"]["startdatum"].to_list() == [None]
    traject = result.problems.filter(
        (pl.col("kolom") == "startdatum") & (pl.col("tabel") == "traject")
    )
    assert traject["regel"].to_list() == ["verplicht_leeg"]
    assert "stap aanmelding" in traject["melding"][0]


def test_regas_unknown_step(tmp_path):
    text = (
        "Dossiernummer;Cliëntnummer;Stap;Datum stap;Product\n"
        "D9;77;Aanmelding;05-02-2024;Schuldhulp\n"
        "D9;77;Koffie drinken;06-02-2024;Schuldhulp\n"
    )
    result = _read(tmp_path, "regas.csv", text)
    p = _problem(result, "Stap")
    assert p["regel"] == "code_onbekend" and p["_rij"] == 3 and "aanmelding" in p["melding"]


def test_row_numbers_count_title_and_empty_rows(tmp_path):
    text = (
        "Export trajecten\r\n\r\n"
        f"{TRAJECT_HEADER}\r\n"
        "T1;P1;C1;01-02-2024;;;18-26\r\n"
        "\r\n"
        ";;;;;;\r\n"
        'T2;P1;"C2";xx-02-2024;;;18-26\r\n'
        "\r\n\r\n"
    )
    result = _read(tmp_path, "traject.csv", text)
    assert result.tables["traject"]["_rij"].to_list() == [4, 7]
    assert _problem(result, "startdatum")["_rij"] == 7
    assert result.dialect.header_row == 3 and result.dialect.title_rows == 1
    assert result.dialect.empty_rows == 4


def test_row_numbers_in_a_sheet_that_starts_lower(tmp_path):
    import xlsxwriter

    path = tmp_path / "export.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("traject")
    header = TRAJECT_HEADER.split(";")
    for c, h in enumerate(header):
        ws.write_string(4, c + 1, h)  # header in row 5, starting in column B
    for c, v in enumerate(["T1", "P1", "C1", "01-02-2024", "", "", "18-26"]):
        if v:
            ws.write_string(5, c + 1, v)
    wb.close()
    result = read_upload(path)
    assert result.dialect.header_row == 5
    assert result.tables["traject"]["_rij"].to_list() == [6]


def test_period_from_file_name_else_from_the_data(tmp_path):
    logical = load_fixture(REGAS)
    for name, want in [("regas_2023.csv", 2023), ("export-2025-01-03.csv", 2025), ("x.csv", 2024)]:
        path = tmp_path / name
        path.write_bytes(render_csv(logical))
        assert read_upload(path).period == want


def test_period_from_year_column(tmp_path):
    text = "project_id;jaar;kostensoort;bedrag\nP1;2023;personeel;10\nP1;2023;overhead;5\n"
    assert _read(tmp_path, "kosten.csv", text).period == 2023


def test_numbers_in_a_workbook_typed_as_dutch_text(tmp_path):
    """Mixed: numeric cells and text cells such as '1.234,50' in one workbook."""
    import xlsxwriter

    path = tmp_path / "kosten.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("kosten")
    ws.write_row(0, 0, ["project_id", "jaar", "kostensoort", "bedrag"])
    ws.write_row(1, 0, ["P1", 2024, "personeel", 1234.5])
    ws.write_row(2, 0, ["P1", 2024, "overhead", "1.234,50"])
    wb.close()
    result = read_upload(path)
    assert result.tables["kosten"]["bedrag"].to_list() == [1234.5, 1234.5]


@pytest.mark.parametrize("date_mode", ["cell", "serial", "text"])
def test_regicare_xlsx_problems_carry_excel_rows(tmp_path, date_mode):
    logical = load_fixture(REGICARE)
    logical.rows[2][logical.header.index("persoonID")] = None
    path = tmp_path / "rc.xlsx"
    path.write_bytes(render_xlsx({"Blad1": logical}, date_mode=date_mode, title=True))
    p = _problem(read_upload(path), "persoonID")
    assert p["regel"] == "verplicht_leeg" and p["_rij"] == 6


def test_a_year_in_a_date_column_is_not_an_excel_serial(tmp_path):
    text = f"{TRAJECT_HEADER}\nT1;P1;C1;2024;;;18-26\nT2;P1;C2;45352;;;18-26\nT3;P1;C3;45352.75;;;18-26\n"
    result = _read(tmp_path, "traject.csv", text)
    assert result.tables["traject"]["startdatum"].to_list() == [
        None,
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 1),
    ]
    assert _problem(result, "startdatum")["waarde"] == "2024"
