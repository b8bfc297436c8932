"""Repeated keys screened once per table over a batch of files (issue 19).

`prepare_uploads` finds, in one query per table over the stacked files, the files in which a
key occurs more than once (`cross_table.uploads_with_repeated_keys`); only those go through
the rules on repeated keys (`duplicates`: copies and conflicting rows; `summed_costs`). Every
other file gets what those rules give a file without repeated keys. Here each upload is also
validated with those rules forced on every table, as before the screen: the same findings
(file, row, column, rule, message), rejected and accepted rows, counts and verdict.
"""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from schemas import cross_table
from schemas.tables import KEYS
from schemas.validate import prepare_uploads, validate_upload
from tests.support.validation import MUTATIONS, PERIOD, TODAY, as_delivery, set_cells, upload


def _with_copy(tables, table: str, **changed) -> dict[str, pl.DataFrame]:
    """`table` with its first row delivered once more as its last row (changed: a conflict)."""
    df = tables[table]
    extra = df.head(1).with_columns(
        pl.lit(df["_rij"].max() + 1).cast(df["_rij"].dtype).alias("_rij")
    )
    again = pl.concat([df, extra], how="vertical")
    if changed:
        again = set_cells(again, int(extra["_rij"][0]), **changed)
    return {**tables, table: again}


def _cases() -> list[tuple[dict[str, pl.DataFrame], set[str]]]:
    """Uploads and the tables in which a key repeats."""
    base = upload()
    cases = [
        (base, set()),
        (_with_copy(base, "traject"), {"traject"}),  # an exact copy
        (_with_copy(base, "project", naam="Andere naam"), {"project"}),  # a conflict
        (_with_copy(base, "meting"), {"meting"}),
        (_with_copy(base, "kosten", bedrag=12.5), {"kosten"}),  # summed, with a warning
        (
            _with_copy(_with_copy(base, "inzet"), "traject", leeftijdsklasse=None),
            {"inzet", "traject"},
        ),
    ]
    cases += [(f(upload()), None) for f in MUTATIONS.values()]  # whatever they repeat
    return [(as_delivery(tables, n), repeats) for n, (tables, repeats) in enumerate(cases)]


@pytest.fixture(scope="module")
def batch():
    cases = _cases()
    return cases, prepare_uploads([(tables, PERIOD) for tables, _r in cases], today=TODAY)


def test_the_files_with_repeated_keys_are_found_in_one_pass(batch):
    cases, prepared = batch
    for (tables, repeats), p in zip(cases, prepared, strict=True):
        alone = prepare_uploads([(tables, PERIOD)], today=TODAY)[0]
        assert p.repeated == alone.repeated  # the batch does not change a file's screen
        if repeats is not None:
            assert set(p.repeated) == repeats
        for table in p.repeated:  # each one found really repeats a key
            frame = p.frames[table]
            assert frame.select(KEYS[table]).is_duplicated().any()


def test_screened_files_get_the_findings_of_the_rules_on_every_table(batch):
    cases, prepared = batch
    findings = warnings = 0
    for (tables, _r), p in zip(cases, prepared, strict=True):
        every = dataclasses.replace(p, repeated=frozenset(t for t, ok in p.usable.items() if ok))
        for known in (None, {}):
            mine = validate_upload(tables, period=PERIOD, today=TODAY, known=known, prepared=p)
            old = validate_upload(tables, period=PERIOD, today=TODAY, known=known, prepared=every)
            assert mine.findings.equals(old.findings)
            assert mine.rejected.equals(old.rejected)
            assert (mine.file_rejected, mine.file_reasons) == (old.file_rejected, old.file_reasons)
            assert mine.counts == old.counts
            assert mine.accepted.keys() == old.accepted.keys()
            for table, rows in old.accepted.items():
                assert mine.accepted[table].equals(rows)
            findings += old.findings.height
            regels = set(old.findings.get_column("regel").to_list())
            warnings += bool(regels & {"dubbele_rij", "dubbele_sleutel", "kosten_opgeteld"})
    assert warnings >= 8  # the rules on repeated keys did fire in the comparison


def test_the_screen_per_upload_over_a_stack():
    stack = pl.DataFrame(
        {
            "project_id": ["P1", "P1", "P1", "P2", "P1", None, None],
            "jaar": [2024, 2024, 2024, 2024, 2025, 2024, 2024],
            "kostensoort": ["huur", "huur", "huur", "huur", "huur", None, None],
            "u": [0, 1, 1, 2, 2, 3, 3],
        }
    )
    # upload 0 has the key once; 1 twice; 2 two different keys; 3 an empty key twice
    assert cross_table.uploads_with_repeated_keys("kosten", stack, "u") == {1, 3}
