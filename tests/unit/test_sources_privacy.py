"""No name, birth date, postcode or address leaves a reader; client ids only in client_id."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import yaml

from sources import read_upload
from sources.build import output_schema
from tests.support.sources import (
    CONTRACT_TABLES,
    REGAS,
    REGICARE,
    contract_fixture,
    load_fixture,
    render_xlsx,
)

IDENTIFYING_HEADERS = {
    "roepnaam", "achternaam", "geboortedatum", "postcode", "woonplaats", "locatie",
    "Geboortedatum", "Postcode", "Woonplaats",
}  # fmt: skip


def _personal_values(logical, columns) -> set[object]:
    out: set[object] = set()
    for name in columns:
        if name in logical.header:
            i = logical.header.index(name)
            out |= {row[i] for row in logical.rows if row[i] is not None}
    return out


def _all_cells(frame: pl.DataFrame) -> set[object]:
    cells: set[object] = set()
    for col in frame.columns:
        cells |= set(frame.get_column(col).drop_nulls().to_list())
    return cells


def _text_of(result) -> str:
    parts = [str(result.dialect.notes)]
    for frame in [*result.tables.values(), result.problems]:
        for col in frame.columns:
            if frame.schema[col] == pl.String:
                parts += frame.get_column(col).drop_nulls().to_list()
    return "\n".join(parts)


@pytest.mark.parametrize("fixture", [REGICARE, REGAS], ids=["regicare", "regas"])
@pytest.mark.parametrize("as_xlsx", [False, True], ids=["csv", "xlsx"])
def test_vendor_output_has_only_canonical_columns_and_no_personal_values(
    tmp_path, fixture, as_xlsx
):
    logical = load_fixture(fixture)
    path = fixture.path
    if as_xlsx:
        path = tmp_path / "export.xlsx"
        path.write_bytes(render_xlsx({"Blad1": logical}))
    result = read_upload(path)
    for table, frame in result.tables.items():
        assert frame.columns == [*output_schema(table), "_rij", "_bestand"]
        assert not set(frame.columns) & IDENTIFYING_HEADERS
    personal = _personal_values(logical, IDENTIFYING_HEADERS)
    assert personal, "the fixture should contain personal data to test with"
    text = _text_of(result)
    cells = set().union(*(_all_cells(f) for f in result.tables.values()))
    for value in personal:
        if isinstance(value, dt.date):
            assert value not in cells, value  # birth dates never appear as a date
        else:
            assert str(value) not in text, value


def test_raw_client_ids_only_in_the_client_id_column():
    for fixture, column in ((REGICARE, "persoonID"), (REGAS, "Cliëntnummer")):
        logical = load_fixture(fixture)
        ids = {str(v) for v in _personal_values(logical, {column})}
        result = read_upload(fixture.path)
        for table, frame in result.tables.items():
            for col in frame.columns:
                if col == "client_id" or frame.schema[col] != pl.String:
                    continue
                values = frame.get_column(col).drop_nulls().to_list()
                leaked = [v for v in values if any(i in v for i in ids)]
                assert not leaked, (table, col, leaked)


def test_contract_output_columns():
    for table in CONTRACT_TABLES:
        result = read_upload(contract_fixture(table).path)
        assert result.tables[table].columns == [*output_schema(table), "_rij", "_bestand"]
    traject = read_upload(contract_fixture("traject").path).tables["traject"]
    assert "client_id" in traject.columns and "client_pseudoniem" not in traject.columns


def test_extra_personal_columns_in_a_contract_file_are_dropped(tmp_path):
    text = (
        "traject_id;project_id;client_id;startdatum;leeftijdsklasse;naam_client;geboortedatum;"
        "postcode\nT1;P1;C1;01-02-2024;18-26;Truus de Wit;05-05-2001;1234 AB\n"
    )
    path = tmp_path / "traject.csv"
    path.write_text(text, encoding="utf-8")
    result = read_upload(path)
    text_out = _text_of(result)
    assert "Truus" not in text_out and "1234 AB" not in text_out
    assert dt.date(2001, 5, 5) not in _all_cells(result.tables["traject"])


def test_woonplaats_table_matches_the_municipality_list():
    """Every code in the shared woonplaats table is a known CBS municipality code."""
    from importlib import resources

    from rendement.benchmark.regions import municipalities

    raw = resources.files("sources").joinpath("mappings", "_woonplaatsen.yaml").read_text("utf-8")
    codes = set(yaml.safe_load(raw)["values"]["woonplaats"])
    known = set(municipalities()["gemeente_code"].to_list())
    assert codes <= known, codes - known
