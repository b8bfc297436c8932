"""Organisations' own parameter overrides, each with a justification.

A CSV in the data home (`parameters/afwijkingen.csv`, Dutch Excel dialect) with columns
organisatie_id; project_id; parameter; waarde; toelichting. Overrides only ever change the
organisation's own report: sector benchmarks use the standard set. Values are read like the
numbers of an export (`schemas.parsing`, separators detected by `sources.dialect`).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from schemas.parsing import parse_number
from sources.dialect import detect_number_format

OVERRIDE_SCHEMA = {
    "organisatie_id": pl.String,
    "project_id": pl.String,
    "parameter": pl.String,
    "waarde": pl.Float64,
    "toelichting": pl.String,
}


def read_overrides(path: Path) -> pl.DataFrame:
    if not path.exists():
        return pl.DataFrame(schema=OVERRIDE_SCHEMA)
    df = pl.read_csv(path, separator=";", decimal_comma=True, infer_schema=False)
    missing = set(OVERRIDE_SCHEMA) - set(df.columns)
    if missing:
        raise ValueError(f"{path}: kolommen ontbreken: {', '.join(sorted(missing))}")
    empty_reason = df.filter(pl.col("toelichting").str.strip_chars().fill_null("") == "")
    if empty_reason.height:
        raise ValueError(f"{path}: elke afwijking heeft een toelichting nodig")
    # numbers read as in an export: the separators detected from the values, else Dutch
    values = df["waarde"].drop_nulls().unique().to_list()
    decimal, thousands = detect_number_format(values, default_decimal=",")
    return df.select(
        parse_number(pl.col(c), decimal, thousands) if t == pl.Float64 else pl.col(c).cast(t)
        for c, t in OVERRIDE_SCHEMA.items()
    )
