"""Intake judges a batch of organisations in rounds (`accept_orgs`: the k-th upload of every
organisation together, `schemas.rounds`), and stores exactly what accepting each organisation
on its own stores: the same outcomes, accepted and rejected rows, validation reports and audit
entries, also when uploads are refused, partly rejected, or held by the re-upload rule, and
when organisations deliver different numbers of files."""

from __future__ import annotations

import dataclasses
import json

import polars as pl

from rendement.core import audit
from rendement.core.home import Home
from rendement.demo import generate_sector, write_exports
from rendement.intake.accept import accept_org, accept_orgs, receive_org
from tests.support.homes import copy_home


def _sector(root) -> tuple[Home, list]:
    """Four organisations' exports received and staged (a round per file)."""
    home = Home(root).ensure()
    demos = list(generate_sector(orgs=4, seed=11))
    for org in demos:
        write_exports(org, home.inbox)
    for org in demos:
        receive_org(home, org.organisatie_id)
    return home, demos


def _later_deliveries(home: Home, demos: list) -> None:
    """Deliveries after the first that go wrong, received and staged: trajectories of a
    project nobody delivered (rejected rows), a year cut in half (held for confirmation), one
    organisation only delivering again."""
    first, second = demos[0], demos[1]
    year = max(first.tables)
    traject = first.tables[year]["traject"]
    unknown = traject.with_columns(
        pl.when(pl.int_range(pl.len()) % 4 == 0)
        .then(pl.lit("GEEN_PROJECT"))
        .otherwise(pl.col("project_id"))
        .alias("project_id")
    )
    write_exports(dataclasses.replace(first, tables={year: {"traject": unknown}}), home.inbox)
    year2 = max(second.tables)
    half = second.tables[year2]["traject"].head(second.tables[year2]["traject"].height // 2)
    write_exports(dataclasses.replace(second, tables={year2: {"traject": half}}), home.inbox)
    for org in (first, second):
        receive_org(home, org.organisatie_id)


def _stored(home: Home) -> dict:
    """Everything acceptance writes, by path: lake files as frames, reports and JSON as text."""
    out = {}
    for path in sorted(home.lake.rglob("*")):
        if path.suffix == ".parquet":
            out[str(path.relative_to(home.root))] = pl.read_parquet(path)
        elif path.suffix == ".json":
            out[str(path.relative_to(home.root))] = path.read_text("utf-8")
    for path in sorted(home.validation.rglob("*.*")):
        out[str(path.relative_to(home.root))] = path.read_text("utf-8")
    return out


def _audit(home: Home) -> dict[str, list]:
    """Per organisation its audit entries in order, without their time."""
    log = audit.read(home.audit_log).drop("tijdstip")
    return {
        org: [json.dumps(r, sort_keys=True, default=str) for r in part.iter_rows(named=True)]
        for (org,), part in log.partition_by("organisatie_id", as_dict=True).items()
    }


def _assert_same(batch_home: Home, alone_home: Home, orgs: list[str]) -> set[str]:
    """Accept the staged uploads in rounds in one home and one organisation at a time in the
    other; what both store must be the same. Returns the statuses seen."""
    together = accept_orgs(batch_home, orgs)
    alone = [accept_org(alone_home, org) for org in orgs]
    assert [[dataclasses.asdict(o) for o in per] for per in together] == [
        [dataclasses.asdict(o) for o in per] for per in alone
    ]
    batch, single = _stored(batch_home), _stored(alone_home)
    assert batch.keys() == single.keys()
    for key, value in batch.items():
        if isinstance(value, pl.DataFrame):
            assert value.equals(single[key]), key
        else:
            assert value == single[key], key
    assert _audit(batch_home) == _audit(alone_home)
    return {o.status for per in together for o in per}


def test_a_batch_in_rounds_stores_what_each_organisation_alone_stores(tmp_path):
    home, demos = _sector(tmp_path / "batch")
    orgs = [org.organisatie_id for org in demos]
    alone_home = copy_home(home, tmp_path / "alone")
    first = _assert_same(home, alone_home, orgs)
    assert "geaccepteerd" in first

    for h in (home, alone_home):
        _later_deliveries(h, demos)
    later = _assert_same(home, alone_home, orgs)
    assert {"deels_geaccepteerd", "wacht_op_bevestiging"} <= later
