"""`rendement.core.lake.read_stacked`: the lake's files of one table as one frame, in the order
given, also when the files of different periods or organisations do not have the same columns
or types; with `columns`, only those (of those the files have)."""

from __future__ import annotations

import polars as pl

from rendement.core.lake import read_stacked


def test_files_stack_in_order_with_only_the_columns_asked_for(tmp_path):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pl.DataFrame({"org": ["A"], "n": [1], "x": ["x"]}).write_parquet(a)
    pl.DataFrame({"org": ["B"], "n": [2], "x": ["y"]}).write_parquet(b)
    assert read_stacked([b, a]).rows() == [("B", 2, "y"), ("A", 1, "x")]
    assert read_stacked([a, b], ["n", "org"]).rows() == [(1, "A"), (2, "B")]


def test_files_with_other_columns_or_types_still_stack(tmp_path):
    """An older file without a column, and one with another type: stacked file by file; a
    column asked for that no file has is left out, one that some have is null elsewhere."""
    old, new = tmp_path / "old.parquet", tmp_path / "new.parquet"
    pl.DataFrame({"org": ["A"], "n": [1]}).write_parquet(old)
    pl.DataFrame({"org": ["B"], "n": [2.5], "basis": ["gemeten"]}).write_parquet(new)
    both = read_stacked([old, new], ["org", "n", "basis", "nergens"])
    assert both.columns == ["org", "n", "basis"]
    assert both.rows() == [("A", 1.0, None), ("B", 2.5, "gemeten")]
    assert read_stacked([old], ["org", "basis"]).columns == ["org"]
