"""The warehouse load commits a few organisations at a time (so that DuckDB never holds a
whole table's new rows in memory) and still never leaves a wrong table behind: a load that
stops half-way, in a full load or in a per-organisation update, is finished by the next load,
which then holds exactly what a fresh load of the lake gives."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from rendement.core import audit
from rendement.core import warehouse as wh
from tests.support.homes import copy_home
from tests.support.warehouse import assert_as_fresh_load

pytestmark = pytest.mark.integration


class Stopped(Exception):
    """The process stopping half-way (not a DuckDB error: nothing retries it)."""


def stop_after(monkeypatch, calls: int, target: str) -> None:
    """Let `calls` inserts into `target` through, then stop (each organisation its own chunk)."""
    monkeypatch.setattr(wh, "CHUNK_BYTES", 1)
    real = wh._insert
    done = []

    def insert(con, into, paths):
        if into == target:
            if len(done) == calls:
                raise Stopped
            done.append(paths)
        real(con, into, paths)

    monkeypatch.setattr(wh, "_insert", insert)


def recorded(path: Path, target: str) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            f"SELECT organisatie_id FROM {wh.LOADED} WHERE doel = ?", [target]
        ).fetchall()
    return {org for (org,) in rows}


@pytest.fixture
def home(demo_home, tmp_path):
    return copy_home(demo_home, tmp_path / "home")


def test_a_full_load_stopped_half_way_is_finished_by_the_next_load(home, tmp_path, monkeypatch):
    log = audit.read(home.audit_log)
    home.warehouse.unlink()
    with monkeypatch.context() as m:
        stop_after(m, 3, "canoniek.traject")
        with pytest.raises(Stopped):
            wh.load_lake(home.warehouse, home.lake, log)
    # three organisations' trajectories are in, committed, but none is recorded as loaded
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        orgs = con.execute("SELECT count(DISTINCT organisatie_id) FROM canoniek.traject").fetchone()
    assert orgs == (3,)
    assert recorded(home.warehouse, "canoniek.traject") == set()

    wh.load_lake(home.warehouse, home.lake, log)
    assert_as_fresh_load(home.warehouse, home.lake, home.audit_log, tmp_path)


def test_an_update_stopped_half_way_is_finished_by_the_next_load(home, tmp_path, monkeypatch):
    log = audit.read(home.audit_log)
    wh.load_lake(home.warehouse, home.lake, log)
    # three organisations deliver again: a trajectory less each in the lake
    folder = wh._source(home.lake, "canoniek.traject")[0]
    changed = sorted(p.name for p in folder.iterdir() if p.is_dir())[:3]
    for org in changed:
        path = max((folder / org).glob("*.parquet"))
        frame = pl.read_parquet(path)
        frame.slice(1).write_parquet(path)
    with monkeypatch.context() as m:
        stop_after(m, 1, "canoniek.traject")
        with pytest.raises(Stopped):
            wh.load_lake(home.warehouse, home.lake, log)
    # the organisations whose new rows are not all in are not recorded as loaded
    assert not set(changed) & recorded(home.warehouse, "canoniek.traject")

    wh.load_lake(home.warehouse, home.lake, log)
    assert_as_fresh_load(home.warehouse, home.lake, home.audit_log, tmp_path)
    assert recorded(home.warehouse, "canoniek.traject") >= set(changed)
