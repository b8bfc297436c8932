"""The pandera step of validation (`schemas.validate.row_checks`): pandera's public
`validate(lazy=True)` once per table, on a schema built once per table and upload context.

* A table has hits exactly when pandera finds failure cases in it (the rule corpus of
  `tests/unit/test_validation_rules.py`, one broken cell per rule, and mutations the corpus
  lacks: NaN, nulls in every kind of column, dtypes that differ, missing optional columns).
* The cached schemas differ per reporting year and date, and the cache never mixes them up.
"""

from __future__ import annotations

import datetime as dt

import pandera.errors
import polars as pl
import pytest

from schemas.tables import MODELS, schema_for
from schemas.validate import prepare, row_checks, upload_schema
from tests.support.validation import PERIOD, ROW_CASES, TODAY, broken, run, upload


def _nan_score(tables):
    tables["meting"] = tables["meting"].with_columns(
        pl.when(pl.col("_rij") == 4).then(float("nan")).otherwise(pl.col("score")).alias("score")
    )
    return tables


def _null_float(tables):
    tables["inzet"] = tables["inzet"].with_columns(
        pl.when(pl.col("_rij") == 3)
        .then(None)
        .otherwise(pl.col("fte_betaald"))
        .alias("fte_betaald")
    )
    return tables


def _inf_score(tables):
    tables["meting"] = tables["meting"].with_columns(
        pl.when(pl.col("_rij") == 2).then(float("inf")).otherwise(pl.col("score")).alias("score")
    )
    return tables


def _null_every_cell(tables):
    """A row of nothing but empty cells in each table."""
    for table, df in tables.items():
        cols = [c for c in df.columns if not c.startswith("_")]
        tables[table] = df.with_columns(
            pl.when(pl.col("_rij") == 2).then(None).otherwise(pl.col(c)).alias(c) for c in cols
        )
    return tables


def _optional_columns_missing(tables):
    tables["project"] = tables["project"].drop("erkenning", "gemeente_code")
    tables["traject"] = tables["traject"].drop("gemeente_code")
    return tables


def _text_dates(tables):
    """A reader that left dates as text: prepare() casts them, then the checks run."""
    tables["traject"] = tables["traject"].with_columns(
        pl.col("startdatum").dt.strftime("%d-%m-%Y"), pl.col("einddatum").dt.strftime("%d-%m-%Y")
    )
    return tables


def _int_scores(tables):
    tables["meting"] = tables["meting"].with_columns(pl.col("score").cast(pl.Int64))
    return tables


def _empty_tables(tables):
    return {t: df.head(0) for t, df in tables.items()}


def _only_inzet_and_kosten(tables):
    return {"inzet": tables["inzet"], "kosten": tables["kosten"]}


def _empty_code_and_long_name(tables):
    tables["project"] = tables["project"].with_columns(
        pl.when(pl.col("_rij") == 2)
        .then(pl.lit(""))
        .otherwise(pl.col("project_id"))
        .alias("project_id"),
        pl.when(pl.col("_rij") == 3)
        .then(pl.lit("n" * 250))
        .otherwise(pl.col("naam"))
        .alias("naam"),
    )
    return tables


MUTATIONS = {
    "nan_score": _nan_score,
    "null_float": _null_float,
    "inf_score": _inf_score,
    "null_every_cell": _null_every_cell,
    "optional_columns_missing": _optional_columns_missing,
    "text_dates": _text_dates,
    "int_scores": _int_scores,
    "empty_tables": _empty_tables,
    "only_inzet_and_kosten": _only_inzet_and_kosten,
    "empty_code_and_long_name": _empty_code_and_long_name,
}


def _pandera_failures(table: str, frame: pl.DataFrame, period, today) -> pl.DataFrame | None:
    """pandera's failure cases on a freshly built schema, or None when it finds nothing."""
    try:
        schema_for(table, period=period, today=today).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return exc.failure_cases
    return None


def test_a_table_has_hits_exactly_where_pandera_fails():
    cases = [upload()] + [broken(t, r, **v) for t, r, v, _k, _g in ROW_CASES]
    cases += [f(upload()) for f in MUTATIONS.values()]
    for tables in cases:
        for table, df in tables.items():
            frame, _hits, usable = prepare(table, df)
            if not usable:
                continue
            hits = row_checks(table, frame, period=PERIOD, today=TODAY)
            failures = _pandera_failures(table, frame, PERIOD, TODAY)
            if failures is None:
                assert hits.height == 0, table
            else:
                assert hits.height == failures.unique(["column", "check", "index"]).height
                assert set(hits["__i"].to_list()) == set(failures["index"].to_list()), table


def test_a_clean_upload_has_no_findings():
    outcome = run(upload())
    assert outcome.findings.height == 0
    assert not outcome.file_rejected


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutations_are_validated_without_errors(name):
    outcome = run(MUTATIONS[name](upload()))
    assert outcome.counts


@pytest.mark.parametrize(
    ("period", "today"), [(PERIOD, TODAY), (2023, TODAY), (PERIOD, dt.date(2024, 6, 1))]
)
def test_context_checks_follow_the_upload(period, today):
    """Another year fails the period rule, an earlier today the future-date rule; the cached
    schemas must not mix them up, whatever was validated before."""
    for other in [(PERIOD, TODAY), (2023, TODAY), (PERIOD, dt.date(2024, 6, 1))]:
        run(upload(), period=other[0], today=other[1])
    outcome = run(upload(), period=period, today=today)
    assert (outcome.findings.height > 0) == ((period, today) != (PERIOD, TODAY))


def test_the_schema_of_an_upload_context_is_built_once():
    for table in MODELS:
        assert upload_schema(table, PERIOD, TODAY) is upload_schema(table, PERIOD, TODAY)
        assert upload_schema(table, PERIOD, TODAY) is not upload_schema(table, 2023, TODAY)
