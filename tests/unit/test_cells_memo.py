"""`rendement.benchmark.cells_memo`: the benchmark cells of a year kept by the version of its
projects, read back as they were written; a run that used no year (every year closed by a
release) keeps none, and the next run starts from nothing rather than failing."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from rendement.benchmark.cells_memo import CellsMemo, year_version
from rendement.benchmark.disclosure import DisclosureRules
from rendement.core.lake import Lake

ROWS = pl.DataFrame({"organisatie_id": ["A", "B"], "jaar": [2025, 2025], "kosten": [1.0, 2.0]})
CELLS = pl.DataFrame(
    {"jaar": [2025], "maat": ["kosten"], "waarde": [None]}, schema_overrides={"waarde": pl.Float64}
)


def test_a_year_is_read_back_by_the_version_of_its_rows(tmp_path: Path):
    lake = Lake(tmp_path)
    rules = DisclosureRules()
    memo = CellsMemo.load(lake)
    assert memo.year(ROWS, rules, lambda: CELLS).equals(CELLS)
    memo.save(lake)
    again = CellsMemo.load(lake)
    kept = again.year(ROWS.reverse(), rules, lambda: pl.DataFrame())  # the same rows as a set
    assert kept.equals(CELLS) and (again.done, again.reused) == (0, 1)
    other = ROWS.with_columns(pl.col("kosten") * 2)
    assert year_version(other, rules) != year_version(ROWS, rules)


def test_a_run_that_used_no_year_keeps_none(tmp_path: Path):
    lake = Lake(tmp_path)
    CellsMemo.load(lake).save(lake)
    memo = CellsMemo.load(lake)
    assert memo.year(ROWS, DisclosureRules(), lambda: CELLS).equals(CELLS)
    assert memo.done == 1
