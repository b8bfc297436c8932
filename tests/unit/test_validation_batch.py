"""One validation pass over many files (`schemas.validate.prepare_uploads`): each table's pandera
schema runs once over the rows of all files, stacked with provenance columns, and every failure
goes back to its own file. Whatever an upload is validated with, it gets the same findings
(file, row, column, rule, message), the same rejected and accepted rows and the same verdict as
when it is validated alone; files of different reporting years share the pass.
"""

from __future__ import annotations

import polars as pl
import pytest

import schemas.validate as validate
from schemas.validate import prepare_uploads, validate_upload
from tests.support.validation import PERIOD, ROW_CASES, TODAY, as_delivery, corpus, upload


def _hits(prepared) -> pl.DataFrame:
    frames = [h for h in prepared.hits if h.height]
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames, how="diagonal_relaxed")


@pytest.fixture(scope="module")
def batch():
    """Every upload of the corpus and their one pass together."""
    uploads = corpus()
    return uploads, prepare_uploads(uploads, today=TODAY)


def test_one_pass_gives_every_file_its_own_row_hits(batch):
    uploads, together = batch
    assert len(together) == len(uploads)
    with_hits = 0
    for (tables, period), prepared in zip(uploads, together, strict=True):
        alone = prepare_uploads([(tables, period)], today=TODAY)[0]
        assert _hits(prepared).equals(_hits(alone))
        assert prepared.usable == alone.usable
        assert set(prepared.frames) == set(alone.frames)
        for table, frame in alone.frames.items():
            assert prepared.frames[table].equals(frame)
        with_hits += bool(_hits(alone).height)
    assert with_hits >= len(ROW_CASES)  # the comparison is not between empty sets


def test_each_table_is_checked_once_over_all_files(monkeypatch):
    calls: list[tuple[str, int]] = []
    original = validate._schema_hits

    def counted(table, stack, today):
        calls.append((table, stack.get_column(validate.UPLOAD).n_unique()))
        return original(table, stack, today)

    monkeypatch.setattr(validate, "_schema_hits", counted)
    prepare_uploads(corpus(), today=TODAY)
    tables = [t for t, _n in calls]
    assert len(tables) == len(set(tables))  # one pandera pass per table
    assert dict(calls)["traject"] > 10  # over the files of many uploads at once


@pytest.mark.parametrize(("half", "known"), [(0, None), (1, {})])
def test_findings_and_verdicts_are_those_of_file_by_file(batch, half, known):
    """Every fourth upload as the pre-flight sees them (`known` None), the next ones as intake
    does, each validated file by file and with its part of the one pass (the hits of all are
    compared above; a sample keeps this in the fast set)."""
    uploads, together = batch
    columns = ["tabel", "_bestand", "_rij", "kolom", "waarde", "regel", "ernst", "melding"]
    findings = 0
    for (tables, period), prepared in list(zip(uploads, together, strict=True))[half::4]:
        alone = validate_upload(tables, period=period, today=TODAY, known=known)
        mine = validate_upload(tables, period=period, today=TODAY, known=known, prepared=prepared)
        assert mine.findings.select(columns).equals(alone.findings.select(columns))
        assert mine.findings.equals(alone.findings)
        assert mine.rejected.equals(alone.rejected)
        assert mine.file_rejected == alone.file_rejected
        assert mine.file_reasons == alone.file_reasons
        assert mine.counts == alone.counts
        for table, rows in alone.accepted.items():
            assert mine.accepted[table].equals(rows)
        findings += alone.findings.height
        # every finding names this upload's own file (or none, for a whole table)
        named = mine.findings.get_column("_bestand").drop_nulls().unique().to_list()
        assert all("levering" in f for f in named), named
    assert findings > len(ROW_CASES) // 4


def test_a_file_of_another_year_fails_the_period_rules_only_there():
    same, other = as_delivery(upload(), 0), as_delivery(upload(), 1)
    prepared = prepare_uploads([(same, PERIOD), (other, PERIOD - 1)], today=TODAY)
    assert not _hits(prepared[0]).height
    regels = set(_hits(prepared[1]).get_column("regel").to_list())
    assert "buiten_periode" in regels
