"""One parser for text typed by a person (`schemas.parsing`): the readers, validation and the
override file read the same text as the same date or number."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from rendement.mkba.overrides import read_overrides
from schemas.parsing import parse_date, parse_number
from schemas.validate import prepare

DATES = {
    "03-02-2025": dt.date(2025, 2, 3),
    "3/2/2025": dt.date(2025, 2, 3),
    "03.02.2025": dt.date(2025, 2, 3),
    "2025-02-03": dt.date(2025, 2, 3),
    "2025-02-03 14:30": dt.date(2025, 2, 3),
    "45691": dt.date(2025, 2, 3),
    "31-02-2025": None,
    "01-01-1850": None,
    "gisteren": None,
}
NUMBERS = {"12,5": 12.5, "1.234,50": 1234.5, "€ 1.234": 1234.0, "7": 7.0, "0,35": 0.35, "x": None}


def test_dates():
    got = pl.DataFrame({"t": list(DATES)}).select(parse_date(pl.col("t")).alias("d"))["d"].to_list()
    assert got == list(DATES.values())


def test_dutch_numbers():
    got = (
        pl.DataFrame({"t": list(NUMBERS)})
        .select(parse_number(pl.col("t")).alias("n"))["n"]
        .to_list()
    )
    assert got == list(NUMBERS.values())


def test_validation_reads_untyped_text_with_the_same_parser():
    frame = pl.DataFrame(
        {
            "organisatie_id": ["ORG001", "ORG001"],
            "project_id": ["P1", "P2"],
            "jaar": ["2025", "2025"],
            "kostensoort": ["personeel", "overig"],
            "bedrag": ["1.234,50", "€ 12"],
        }
    )
    prepared, _hits, usable = prepare("kosten", frame)
    assert usable
    assert prepared["bedrag"].to_list() == [1234.5, 12.0]
    assert prepared["jaar"].to_list() == [2025, 2025]


@pytest.mark.parametrize(
    ("written", "value"), [("0,35", 0.35), ("3", 3.0), ("1.5", 1.5), ("1.234,5", 1234.5)]
)
def test_override_values_are_read_like_export_numbers(tmp_path, written, value):
    path = tmp_path / "afwijkingen.csv"
    path.write_text(
        f"organisatie_id;project_id;parameter;waarde;toelichting\nORG001;;p.duur;{written};eigen\n",
        "utf-8",
    )
    assert read_overrides(path)["waarde"].to_list() == [value]
