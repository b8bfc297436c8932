"""The municipality -> province table behind the regional benchmark cells."""

from __future__ import annotations

import csv

import polars as pl

from rendement.benchmark.regions import (
    GEMEENTEN_CSV,
    PROVINCES,
    REGIONS,
    UNKNOWN,
    municipalities,
    province_of,
    with_region,
)


def test_table_has_the_agreed_columns_and_real_looking_codes():
    with GEMEENTEN_CSV.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == ["gemeente_code", "gemeente", "provincie"]
    table = municipalities()
    assert table.height >= 40
    assert table["gemeente_code"].str.contains(r"^GM\d{4}$").all()
    assert table["gemeente_code"].n_unique() == table.height
    assert set(table["provincie"]) == set(PROVINCES)  # every province has a municipality
    assert len(PROVINCES) == 12 and REGIONS == (*PROVINCES, UNKNOWN)


def test_known_codes():
    assert province_of("GM0363") == "Noord-Holland"  # Amsterdam
    assert province_of("GM0599") == "Zuid-Holland"  # Rotterdam
    assert province_of("GM0344") == "Utrecht"
    assert province_of("GM0014") == "Groningen"
    assert province_of("GM0935") == "Limburg"  # Maastricht


def test_unknown_or_missing_codes_are_onbekend():
    assert province_of(None) == UNKNOWN
    assert province_of("GM9999") == UNKNOWN
    frame = pl.DataFrame({"gemeente_code": ["GM0080", None, "GM9999", "GM0772"]})
    out = with_region(frame)
    assert out["regio"].to_list() == ["Fryslân", UNKNOWN, UNKNOWN, "Noord-Brabant"]
    assert out.columns == ["gemeente_code", "regio"]  # row order and columns kept
