"""The pandera step of validation (`schemas.validate.row_checks`): pandera's public
`validate(lazy=True)` once per table, on a schema built once per table and upload context.

* A table has hits exactly when pandera finds failure cases in it: over the whole rule corpus
  in `tests/integration/test_validation_corpus.py` (about 10 s, so not in the fast set).
* The cached schemas differ per date (the reporting year is a column of the rows), and the
  cache never mixes them up.
"""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.tables import MODELS
from schemas.validate import batch_schema
from tests.support.validation import MUTATIONS, PERIOD, TODAY, run, upload


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


def test_the_schema_of_a_day_is_built_once():
    """One schema per table and day serves every reporting year (the year is a column)."""
    other = dt.date(2024, 6, 1)
    for table in MODELS:
        assert batch_schema(table, TODAY) is batch_schema(table, TODAY)
        assert batch_schema(table, TODAY) is not batch_schema(table, other)
