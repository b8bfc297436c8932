"""Municipality -> province lookup for the regional benchmark cells.

The table `rendement/data/gemeenten.csv` (columns `gemeente_code,gemeente,provincie`) holds the
CBS codes (``GM`` + four digits) of a subset of larger municipalities with their province. A code
that is not in the table, or a missing code, maps to the region ``"onbekend"``: the regional
benchmark then counts the project in its own cell "onbekend" instead of guessing a province.

The twelve provinces are a fixed list (`PROVINCES`), so the set of regional cells is the same in
every release whatever municipalities the data happens to contain.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

GEMEENTEN_CSV = Path(__file__).resolve().parents[1] / "data" / "gemeenten.csv"

UNKNOWN = "onbekend"

# The twelve provinces, in the CBS order (north to south). Fryslân in its official spelling.
PROVINCES: tuple[str, ...] = (
    "Groningen",
    "Fryslân",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
)

# Every region a regional cell can have: the provinces plus "onbekend".
REGIONS: tuple[str, ...] = (*PROVINCES, UNKNOWN)

_SCHEMA = {"gemeente_code": pl.String, "gemeente": pl.String, "provincie": pl.String}


@cache
def _load(path: str) -> pl.DataFrame:
    frame = pl.read_csv(path, schema=_SCHEMA, encoding="utf8")
    bad = frame.filter(~pl.col("provincie").is_in(PROVINCES))
    if bad.height:
        raise ValueError(f"{path}: unknown provinces {bad['provincie'].unique().to_list()}")
    if frame["gemeente_code"].is_duplicated().any():
        raise ValueError(f"{path}: duplicate gemeente_code")
    if not frame["gemeente_code"].str.contains(r"^GM\d{4}$").all():
        raise ValueError(f"{path}: gemeente_code must look like GM0363")
    return frame


def municipalities(path: str | Path = GEMEENTEN_CSV) -> pl.DataFrame:
    """The municipality table: gemeente_code, gemeente, provincie (one row per municipality)."""
    return _load(str(path))


def province_of(gemeente_code: str | None) -> str:
    """Province of one CBS municipality code; ``"onbekend"`` if missing or not in the table."""
    if gemeente_code is None:
        return UNKNOWN
    hit = municipalities().filter(pl.col("gemeente_code") == gemeente_code)
    return hit["provincie"][0] if hit.height else UNKNOWN


def with_region(
    frame: pl.DataFrame, code_column: str = "gemeente_code", region_column: str = "regio"
) -> pl.DataFrame:
    """Add `region_column` (province or ``"onbekend"``) looked up from `code_column`."""
    lookup = municipalities().select(
        pl.col("gemeente_code").alias(code_column), pl.col("provincie").alias(region_column)
    )
    if region_column in frame.columns:
        frame = frame.drop(region_column)
    joined = frame.join(lookup, on=code_column, how="left", maintain_order="left")
    return joined.with_columns(pl.col(region_column).fill_null(UNKNOWN))
