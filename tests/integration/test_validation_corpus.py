"""The pandera step of validation over the whole rule corpus: a table gets hits
(`schemas.validate.row_checks`) exactly where pandera's own `validate(lazy=True)` on a freshly
built schema finds failure cases, for one broken cell per rule (`ROW_CASES`) and for mutations
the corpus lacks. A corpus run takes about 10 s: not in the fast unit set."""

from __future__ import annotations

import pandera.errors
import polars as pl

from schemas.tables import schema_for
from schemas.validate import prepare, row_checks
from tests.support.validation import MUTATIONS, PERIOD, ROW_CASES, TODAY, broken, upload


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
