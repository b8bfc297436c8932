"""Uploads judged in one round (`schemas.validate.validate_uploads`, `schemas.rounds`): the rules
between tables run once over all of them, stacked with the upload in every key. Each upload gets
exactly the verdict it gets when it is validated alone: the same findings (file, row, column,
rule, message), rejected rows, accepted rows, counts and refusal, whichever other uploads (with
the same project, trajectory and client ids, other reporting years, their own earlier data)
share the round.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from schemas.cross_table import CostNorm
from schemas.validate import Upload, prepare_uploads, validate_upload, validate_uploads
from tests.support.validation import (
    PERIOD,
    TODAY,
    as_delivery,
    corpus,
    set_cells,
    upload,
)

D = dt.date

# a sector reference far above the test upload's costs: every costed project is "too cheap"
NORM = CostNorm(
    fte=60_000.0,
    vrijwilliger=500.0,
    referentie=pl.DataFrame(
        {
            "interventie": ["maatjesproject", "schuldhulpverlening", "jongerencoaching"],
            "p10": [1e7, 1e7, 1e7],
        }
    ),
)


def _accepted_before() -> dict[str, pl.DataFrame]:
    """What an organisation accepted before: the clean upload, as intake stores it."""
    return validate_upload(upload(), period=PERIOD, today=TODAY, known={}).accepted


def _partial(tables: list[str], **changes) -> dict[str, pl.DataFrame]:
    base = upload()
    out = {t: base[t] for t in tables}
    for table, (rij, values) in changes.items():
        out[table] = set_cells(out[table], rij, **values)
    return out


def _cases() -> list[Upload]:
    """Clean and broken full uploads, half against earlier data, every third of another year;
    and partial uploads that lean on earlier data (or find none to lean on)."""
    before = _accepted_before()
    cases = [
        Upload(
            tables,
            period,
            known=before if n % 2 else {},
            column_names={"traject": {"client_pseudoniem": "Cliëntnummer"}} if n % 5 == 0 else None,
        )
        for n, (tables, period) in enumerate(corpus())
    ]
    partial = [
        ["traject"],
        ["meting"],
        ["kosten"],
        ["inzet"],
        ["projectopgave"],
        ["traject", "meting"],
        ["inzet", "kosten"],
        ["project", "traject"],
    ]
    for n, tables in enumerate(partial, start=len(cases)):
        for known in (before, {}):
            cases.append(Upload(as_delivery(_partial(tables), n), PERIOD, known=known))
    # the warnings between trajectories and measurements, in the upload and against before
    base = upload()
    client_t1 = base["traject"].get_column("client_pseudoniem")[0]
    same_client = {"client_pseudoniem": client_t1}  # T2 overlaps T1 in project P1
    ended = {"reden_einde": "afgerond", "einddatum": D(2024, 12, 1)}  # T2 has no T1
    for changes in (same_client, ended):
        cases.append(
            Upload(
                as_delivery(_partial(list(base), traject=(3, changes)), len(cases)),
                PERIOD,
                known=before,
            )
        )
        cases.append(
            Upload(
                as_delivery(_partial(["traject"], traject=(3, changes)), len(cases)),
                PERIOD,
                known=before,
            )
        )
    # a duplicated row and a duplicated key in one upload only: copies stay in their upload
    doubled = {**base, "traject": pl.concat([base["traject"], base["traject"].head(2)])}
    cases.append(Upload(as_delivery(doubled, len(cases)), PERIOD, known=before))
    return cases


def _comparable(outcome) -> tuple:
    return (
        outcome.findings,
        outcome.rejected,
        {t: df for t, df in sorted(outcome.accepted.items())},
        outcome.file_rejected,
        outcome.file_reasons,
        outcome.counts,
    )


def _assert_same(together, alone) -> None:
    a, b = _comparable(together), _comparable(alone)
    assert a[0].equals(b[0]), (a[0], b[0])
    assert a[1].equals(b[1])
    assert a[2].keys() == b[2].keys()
    for table in a[2]:
        assert a[2][table].equals(b[2][table]), table
    assert a[3:] == b[3:]


def test_each_upload_in_a_round_gets_its_verdict_alone():
    cases = _cases()
    # steps 1 and 2 once for all (their own equivalence: test_validation_batch.py)
    prepared = prepare_uploads([(c.tables, c.period) for c in cases], today=TODAY)
    cases = [dataclasses.replace(c, prepared=p) for c, p in zip(cases, prepared, strict=True)]
    together = validate_uploads(cases, today=TODAY, kostennorm=NORM)
    assert len(together) == len(cases)
    rules: set[str] = set()
    for case, outcome in zip(cases, together, strict=True):
        alone = validate_upload(
            case.tables,
            period=case.period,
            today=TODAY,
            known=case.known,
            kostennorm=NORM,
            column_names=case.column_names,
            prepared=case.prepared,
        )
        _assert_same(outcome, alone)
        rules |= set(alone.findings.get_column("regel").to_list())
    # the comparison covers the rules between tables, not only empty sets
    between = {
        "dubbele_rij",
        "project_onbekend",
        "traject_onbekend",
        "geen_kosten",
        "kosten_per_deelnemer_laag",
        "t1_zonder_t0",
        "afgerond_zonder_t1",
        "mogelijk_dubbele_client",
    }
    assert between <= rules, between - rules


def test_a_pre_flight_round_says_it_sees_only_its_files():
    cases = [Upload(upload(), PERIOD), Upload(_partial(["traject"]), PERIOD)]
    together = validate_uploads(cases, today=TODAY)
    for case, outcome in zip(cases, together, strict=True):
        _assert_same(outcome, validate_upload(case.tables, period=PERIOD, today=TODAY))


def test_a_round_does_not_mix_pre_flight_checks_with_deliveries():
    with pytest.raises(ValueError):
        validate_uploads(
            [Upload(upload(), PERIOD), Upload(upload(), PERIOD, known={})], today=TODAY
        )
