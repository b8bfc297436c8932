"""Hits: the first form of every problem validation finds, before it becomes a Dutch sentence.

A hit is one row: the table, the row position `IDX` in the table's frame (null for a problem
about the whole file or column), the column, the rule code and the extra fields its message
needs, as strings. `schemas.validate` (structure, pandera, policy) and `schemas.cross_table`
(rules between rows and tables) both produce them; `schemas.validate` joins them with their
rows and renders them at the end.
"""

from __future__ import annotations

import polars as pl

IDX = "__i"  # row position in the table's frame (= pandera's failure-case index)
OK = "__ok"  # still accepted after the rules run so far
COPY = "__kopie"  # an exact copy of an earlier row: left out, not rejected
HIT_SCHEMA = {"tabel": pl.String, IDX: pl.Int64, "kolom": pl.String, "regel": pl.String}


def hits(
    df: pl.DataFrame | pl.LazyFrame,
    table: str,
    kolom: str | pl.Expr,
    regel: str,
    **extra: pl.Expr | str,
) -> pl.DataFrame:
    """Hits for rows of `df` (which carries IDX): one per row, extra fields as strings."""
    kolom_expr = pl.lit(kolom) if isinstance(kolom, str) else kolom
    cols = [
        pl.lit(table).alias("tabel"),
        pl.col(IDX).cast(pl.Int64),
        kolom_expr.cast(pl.String).alias("kolom"),
        pl.lit(regel).alias("regel"),
    ]
    for name, value in extra.items():
        expr = pl.lit(value) if isinstance(value, str) else value
        cols.append(expr.cast(pl.String).alias(name))
    # in memory: left to choose ("auto"), polars 2 runs such a query of a few rows on its
    # streaming engine, at several times the cost
    return df.lazy().select(cols).collect(engine="in-memory")


def file_hit(
    table: str | None, bestand: str | None, kolom: str | None, regel: str, **extra: str
) -> pl.DataFrame:
    """A hit about a whole file or column (no row)."""
    data = {
        "tabel": [table],
        IDX: [None],
        "kolom": [kolom],
        "regel": [regel],
        "_bestand": [bestand],
        **{k: [v] for k, v in extra.items()},
    }
    schema = {**HIT_SCHEMA, "_bestand": pl.String, **{k: pl.String for k in extra}}
    return pl.DataFrame(data, schema=schema)
