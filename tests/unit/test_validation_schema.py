"""The one-query pre-check (`schemas.fastcheck`) must never change an outcome.

Every upload is validated twice: as it runs (clean tables recognised by one query, pandera
only when something may fail) and with the pre-check switched off (pandera's full
`validate(..., lazy=True)` for every table, as before the pre-check existed). The outcomes
must be identical: accepted rows, rejected rows (rule, column, row, value, message),
findings, warnings, counts and the file verdict. The cases are the rule corpus of
`tests/test_validation_rules.py` (one broken cell per rule) and mutations the corpus lacks
(NaN, nulls in every kind of column, dtypes that differ, missing optional columns).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from schemas import fastcheck
from schemas.tables import MODELS
from schemas.validate import row_checks
from tests.support.validation import PERIOD, ROW_CASES, TODAY, broken, run, upload


def _full_path(monkeypatch, tables, **kw):
    """The outcome with the pre-check off: pandera runs on every table."""
    with monkeypatch.context() as m:
        m.setattr(fastcheck, "passes", lambda checks, frame: False)
        return run(tables, **kw)


def assert_same_outcome(fast, full) -> None:
    assert fast.file_rejected == full.file_rejected
    assert fast.file_reasons == full.file_reasons
    assert fast.counts == full.counts
    assert_frame_equal(fast.findings, full.findings)
    assert_frame_equal(fast.rejected, full.rejected)
    assert fast.accepted.keys() == full.accepted.keys()
    for table in fast.accepted:
        assert_frame_equal(fast.accepted[table], full.accepted[table])


def _spy(monkeypatch) -> list[bool]:
    """Record each verdict of the pre-check during a run."""
    verdicts: list[bool] = []
    real = fastcheck.passes

    def spy(checks, frame):
        verdicts.append(real(checks, frame))
        return verdicts[-1]

    monkeypatch.setattr(fastcheck, "passes", spy)
    return verdicts


def test_clean_upload_takes_the_fast_path_and_matches_pandera(monkeypatch):
    full = _full_path(monkeypatch, upload())
    verdicts = _spy(monkeypatch)
    fast = run(upload())
    assert verdicts == [True] * len(upload())  # one query per table, pandera not needed
    assert_same_outcome(fast, full)
    assert fast.findings.height == 0


def test_every_table_schema_is_mirrored():
    """If a model gains a feature the pre-check does not mirror, it silently falls back to
    pandera for every file (correct, but slow): this test says so instead."""
    for table in MODELS:
        assert fastcheck.compiled(table, PERIOD, TODAY).exprs is not None, table
        assert fastcheck.compiled(table, None, None).exprs is not None, table


@pytest.mark.parametrize(
    ("table", "rij", "values", "kolom", "regel"),
    ROW_CASES,
    ids=[f"{c[4]}-{c[0]}-{c[3]}-{i}" for i, c in enumerate(ROW_CASES)],
)
def test_each_rule_of_the_corpus_gives_the_same_outcome(
    monkeypatch, table, rij, values, kolom, regel
):
    full = _full_path(monkeypatch, broken(table, rij, **values))
    verdicts = _spy(monkeypatch)
    fast = run(broken(table, rij, **values))
    assert_same_outcome(fast, full)
    assert any(fast.findings["regel"] == regel)
    if regel not in ("project_onbekend", "traject_onbekend"):  # rules between tables
        assert False in verdicts  # the broken table went to pandera


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


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutations_give_the_same_outcome(monkeypatch, name):
    full = _full_path(monkeypatch, MUTATIONS[name](upload()))
    fast = run(MUTATIONS[name](upload()))
    assert_same_outcome(fast, full)


@pytest.mark.parametrize(
    ("period", "today"), [(PERIOD, TODAY), (2023, TODAY), (PERIOD, dt.date(2024, 6, 1))]
)
def test_context_checks_follow_the_upload(monkeypatch, period, today):
    """The cached schemas differ per reporting year and date: another year fails the period
    rule, an earlier today the future-date rule; the cache must not mix them up."""
    full = _full_path(monkeypatch, upload(), period=period, today=today)
    fast = run(upload(), period=period, today=today)
    assert_same_outcome(fast, full)
    if (period, today) != (PERIOD, TODAY):
        assert fast.findings.height > 0


def test_pre_check_says_pass_only_when_pandera_finds_nothing():
    """Directly on row_checks: per table of every case, a pass means no hits from pandera."""
    cases = [upload()] + [broken(t, r, **v) for t, r, v, _k, _g in ROW_CASES]
    cases += [f(upload()) for f in MUTATIONS.values()]
    from schemas.validate import prepare

    for tables in cases:
        for table, df in tables.items():
            frame, _hits, usable = prepare(table, df)
            if not usable:
                continue
            checks = fastcheck.compiled(table, PERIOD, TODAY)
            try:
                checks.schema.validate(frame, lazy=True)
                pandera_clean = True
            except Exception:  # noqa: BLE001
                pandera_clean = False
            assert fastcheck.passes(checks, frame) == pandera_clean, table
            assert (row_checks(table, frame, period=PERIOD, today=TODAY).height == 0) == (
                pandera_clean
            )


def test_a_check_the_pre_check_cannot_trace_falls_back_to_pandera():
    import pandera.polars as pa

    schema = pa.DataFrameSchema({"x": pa.Column(int, pa.Check(lambda v: v > 0, element_wise=True))})
    assert fastcheck._compile(schema) is None


def test_large_tables_go_to_pandera_directly(monkeypatch):
    """Above MAX_ROWS the pre-check is skipped (pandera decides), with the same outcome."""
    full = _full_path(monkeypatch, broken("meting", 5, score=6.0))
    monkeypatch.setattr(fastcheck, "MAX_ROWS", 5)
    verdicts = _spy(monkeypatch)
    fast = run(broken("meting", 5, score=6.0))
    assert_same_outcome(fast, full)
    clean = [v for v, df in zip(verdicts, upload().values(), strict=True) if df.height <= 5]
    assert verdicts.count(True) == len(clean) and clean
