"""Readers never break the writer (issue 20, point 8): analysts, the CLI and the reports open
the read copy `warehouse-lezen.duckdb`, which the run replaces in one rename once its writers
are done (the asset `warehouse_read_copy`), so a connection held open during a real
materialisation of the warehouse asset and the copy neither makes a step fail nor wait for a
retry, and keeps answering afterwards."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
import duckdb
import polars as pl

from assets.read_copy_assets import warehouse_read_copy
from assets.warehouse_assets import warehouse
from pipelines.resources import HomeResource
from rendement.core import readcopy
from rendement.core.files import atomic_path
from rendement.core.lake import Lake
from rendement.core.readcopy import reading_path
from tests.support.homes import copy_home, restored_env
from tests.support.warehouse import all_tables

READER = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
    "q = 'SELECT count(*) FROM canoniek.traject'; print(con.execute(q).fetchone()[0], flush=True); "
    "sys.stdin.readline(); print(con.execute(q).fetchone()[0], flush=True)"
)


def _warehouse_and_read_copy(home) -> dg.ExecuteInProcessResult:
    """A real materialisation of the warehouse and its read copy, as a run makes them."""
    with restored_env("RENDEMENT_HOME"):
        result = dg.materialize(
            [warehouse, warehouse_read_copy],
            resources={"home": HomeResource(root=str(home.root))},
            instance=dg.DagsterInstance.ephemeral(),
        )
    assert result.success
    return result


def test_a_reader_holding_the_read_copy_open_does_not_block_the_warehouse_step(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    path = reading_path(home)
    assert path == home.warehouse_read and path.is_file(), "the demo run published a read copy"
    before = path.stat().st_ino
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        seen = int(reader.stdout.readline())  # the connection is open from here on
        result = _warehouse_and_read_copy(home)
        retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
        assert not retries, "the step never met the reader"
        out, _ = reader.communicate("verder\n", timeout=60)
    finally:
        reader.kill()
        reader.wait()
    assert reader.returncode == 0
    assert int(out) == seen, "the open connection kept reading its copy, whole"
    # a new copy was published in one rename, read-only, with what the warehouse holds
    assert path.stat().st_ino != before
    assert path.stat().st_mode & 0o777 == 0o444
    with duckdb.connect(str(home.warehouse), read_only=True) as live:
        rows = live.execute("SELECT count(*) FROM canoniek.traject").fetchone()[0]
    with duckdb.connect(str(path), read_only=True) as copy:
        assert copy.execute("SELECT count(*) FROM canoniek.traject").fetchone()[0] == rows


def test_after_a_run_the_read_copy_is_the_warehouse_with_its_sector_figures(demo_home):
    """The copy is made once per run, after the benchmark steps wrote: a reader sees the
    sector figures of the same run as the project results, table for table what the run left."""
    assert all_tables(demo_home.warehouse_read) == all_tables(demo_home.warehouse)
    with duckdb.connect(str(demo_home.warehouse_read), read_only=True) as copy:
        assert copy.execute("SELECT count(*) FROM benchmark.cellen").fetchone()[0] > 0


def _deliver_fewer_trajectories(home, org: str) -> None:
    """The organisation's accepted trajectories in the lake lose their last row: a new file
    (new inode), as intake writes one."""
    for path in sorted(Lake(home.lake).accepted_dir("traject").joinpath(org).glob("*.parquet")):
        frame = pl.read_parquet(path)
        with atomic_path(path) as tmp:
            frame.head(frame.height - 1).write_parquet(tmp)


def test_a_later_run_brings_the_previous_copy_up_to_date_in_place(demo_home, tmp_path, monkeypatch):
    """The copy published the time before, once a newer one replaced it, is brought up to date
    with the organisations whose lake files changed since, not copied whole; what readers then
    open is, table for table, the warehouse. (The demo's warehouse is below the size from
    which a copy is kept, so its copy has no recorded code version and is copied whole.)"""
    home = copy_home(demo_home, tmp_path / "home")
    # the demo's warehouse is small: copying it whole is cheaper, unless told otherwise
    monkeypatch.setattr(readcopy, "IN_PLACE_FROM_BYTES", 0)
    org = sorted(p.name for p in Lake(home.lake).accepted_dir("traject").iterdir())[0]
    published = []
    for _ in range(3):
        _deliver_fewer_trajectories(home, org)
        result = _warehouse_and_read_copy(home)
        meta = result.asset_materializations_for_node("warehouse_read_copy")[0].metadata
        published.append((meta["leeskopie"].value, meta["organisaties_bijgewerkt"].value))
    assert published == [
        ("gekopieerd (geen vorige kopie)", 0),
        ("gekopieerd (andere code)", 0),
        ("bijgewerkt", 1),
    ]
    assert all_tables(home.warehouse_read) == all_tables(home.warehouse)
    with duckdb.connect(str(home.warehouse_read), read_only=True) as copy:
        rows = copy.execute(
            "SELECT count(*) FROM canoniek.traject WHERE organisatie_id = ?", [org]
        ).fetchone()[0]
    with duckdb.connect(str(demo_home.warehouse_read), read_only=True) as before:
        assert (
            rows
            < before.execute(
                "SELECT count(*) FROM canoniek.traject WHERE organisatie_id = ?", [org]
            ).fetchone()[0]
        )
