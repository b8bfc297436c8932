"""The blocking checks of the output tables (assets/checks.py, from schemas/outputs.py) on real
materialisations of the demo home: they pass on the pipeline's own tables, and a corrupted
table fails its check with the failing rows in the metadata and blocks what comes after: the
benchmark, and the read copy readers open (they keep the previous run's)."""

from __future__ import annotations

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets import benchmark_assets, read_copy_assets, warehouse_assets
from assets.checks import check_table
from pipelines.resources import HomeResource, ParametersResource
from schemas.outputs import OUTPUTS, check_name
from tests.support.homes import copy_home

pytestmark = pytest.mark.integration


# The demo home has these already; the warehouse and everything after it run again.
UPSTREAM = {"uploads", "accepted_tables", "project_mkba"}


def _materialize(home) -> dg.ExecuteInProcessResult:
    """warehouse, the benchmark assets (each with the checks of its tables) and the read
    copy, as the job runs them."""
    assets = [
        a
        for a in dg.load_assets_from_modules([warehouse_assets, benchmark_assets, read_copy_assets])
        if a.key.path[-1] not in UPSTREAM
    ]
    return dg.materialize(
        assets,
        resources={
            "home": HomeResource(root=str(home.root)),
            "parameters": ParametersResource(),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _evaluations(result) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_every_output_table_passes_its_check(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    result = _materialize(home)
    assert result.success
    found = _evaluations(result)
    assert set(found) == {check_name(t) for t in OUTPUTS}
    failed = {name: e.metadata for name, e in found.items() if not e.passed}
    assert not failed
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        rows = con.sql("SELECT count(*) FROM mkba.project").fetchall()[0][0]
    assert found["mkba_project"].metadata["rijen"].value == rows > 0
    assert found["mkba_project"].metadata["fouten"].value == 0
    # the checks passed: readers get this run's warehouse
    assert home.warehouse_read.read_bytes() == home.warehouse.read_bytes()


def test_a_corrupted_table_fails_its_check_with_the_rows_and_blocks_the_benchmark(
    demo_home, tmp_path
):
    home = copy_home(demo_home, tmp_path / "home")
    # an MKBA result in the lake that breaks two invariants in two rows of one organisation
    path = home.lake / "mkba" / "project" / "ORG002.parquet"
    project = pl.read_parquet(path)
    row = pl.int_range(pl.len())
    copy_before = home.warehouse_read.read_bytes()
    project.with_columns(
        pl.when(row == 0).then(pl.col("ncw") + 100.0).otherwise(pl.col("ncw")).alias("ncw"),
        pl.when(row == 1).then(pl.lit("half")).otherwise(pl.col("status")).alias("status"),
    ).write_parquet(path)

    result = _materialize(home)
    found = _evaluations(result)
    check = found["mkba_project"]
    assert not check.passed
    meta = {k: v.value for k, v in check.metadata.items()}
    assert meta["fouten"] == 2
    assert "ncw_is_baten_min_kosten" in meta["regels"] and "isin" in meta["regels"]
    examples = meta["voorbeelden"].splitlines()
    assert examples[0].startswith("| rij | organisatie_id | project_id | jaar |")
    assert sum("ORG002" in line for line in examples) == 2
    assert any("ncw_is_baten_min_kosten" in line for line in examples)
    assert any("| half |" in line for line in examples)
    # the other tables still pass; the benchmark after the blocking check did not run
    assert all(e.passed for name, e in found.items() if name.startswith("mkba_") and e is not check)
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert "warehouse" in materialized and "sector_benchmark" not in materialized
    # nor was the warehouse that failed its check copied for readers
    assert "warehouse_read_copy" not in materialized
    assert home.warehouse_read.read_bytes() == copy_before
    assert home.warehouse.read_bytes() != copy_before

    # the check function on the DuckDB file itself: a suppressed benchmark cell with a value
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute(
            "UPDATE benchmark.cellen SET waarde = 3 WHERE rowid = "
            "(SELECT min(rowid) FROM benchmark.cellen WHERE status = 'onderdrukt')"
        )
        cells = check_table(con, "benchmark.cellen")
        ok = check_table(con, "prive.positie")
    assert ok.passed
    assert not cells.passed and cells.metadata["fouten"].value == 1
    assert "waarde_alleen_als_gepubliceerd" in cells.metadata["voorbeelden"].value
    assert "onderdrukt" in cells.metadata["voorbeelden"].value
