"""Published numbers are computed once, in the asset graph: every published table has an asset
that writes it to the warehouse, computed by the function of its entry in
`rendement.benchmark.published.PUBLISHED_TABLES`; the site only reads them.

Works on the session's demo home (8 organisations) and a copy of it.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from rendement.benchmark.aggregates import interval_cells, stakeholder_cells
from rendement.benchmark.bootstrap_memo import BootstrapMemo
from rendement.benchmark.published import PUBLISHED_TABLES, sector_projects
from rendement.core.lake import Lake
from rendement.mkba import load_parameters
from rendement.release.publish import publish_release
from rendement.reports import build_site
from tests.support.homes import copy_home


def q(home, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.sql(sql).pl()


def test_every_published_table_has_its_asset_and_the_site_comes_after_it():
    import dagster as dg

    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    reports = graph.get(dg.AssetKey("reports"))
    for table in PUBLISHED_TABLES:
        writer = dg.AssetKey(table.asset or "sector_benchmark")
        assert graph.has(writer), table.name
        assert writer in reports.parent_keys, table.name


def test_the_aggregates_in_the_warehouse_are_the_functions_results(demo_home):
    params = load_parameters()
    projects = sector_projects(demo_home, q(demo_home, "SELECT * FROM mkba.project"))
    outcomes = q(demo_home, "SELECT * FROM mkba.uitkomst")
    years = sorted(q(demo_home, "SELECT DISTINCT jaar FROM benchmark.cellen")["jaar"].to_list())
    stakeholders = q(demo_home, "SELECT * FROM benchmark.baathebbers")
    intervals = q(demo_home, "SELECT * FROM benchmark.intervallen")
    assert stakeholders.height and intervals.height
    assert sorted(stakeholders["jaar"].unique().to_list()) == years
    assert stakeholders.equals(
        stakeholder_cells(projects, outcomes, years, list(params.baathebbers))
    )
    assert intervals.equals(interval_cells(projects, years))


def test_the_site_reads_the_aggregates_and_keeps_no_cache(demo_home, tmp_path):
    """An interval changed in the warehouse changes the comparison page, and changed back
    gives the same page again: the site shows the table as it is, computes none, and keeps no
    copy of its own (the former cache site/.cijfers)."""
    home = copy_home(demo_home, tmp_path / "home")
    params = load_parameters()
    today = dt.date(2026, 3, 2)
    page = home.site / "vergelijking.html"
    build_site(home, params, today=today)
    assert not (home.site / ".cijfers").exists()
    before = page.read_bytes()
    latest = q(home, "SELECT max(jaar) AS j FROM benchmark.cellen")["j"][0]
    where = (
        "status = 'gepubliceerd' AND maat = 'aandeel_verbeterd' AND tabel = 'domein' "
        f"AND domein <> 'totaal' AND jaar = {latest}"
    )
    assert q(home, f"SELECT * FROM benchmark.intervallen WHERE {where}").height, "none shown"
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute(f"UPDATE benchmark.intervallen SET boven = boven + 0.1 WHERE {where}")
    build_site(home, params, today=today)
    assert page.read_bytes() != before
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute(f"UPDATE benchmark.intervallen SET boven = boven - 0.1 WHERE {where}")
    build_site(home, params, today=today)
    assert page.read_bytes() == before


def test_a_release_without_late_uploads_publishes_the_warehouse_tables(demo_home, tmp_path):
    """One implementation: the release computes its tables with the assets' functions, so
    with nothing left out by its peildatum its files hold exactly the warehouse's rows of its
    years, in the same order."""
    home = copy_home(demo_home, tmp_path / "home")
    years = q(home, "SELECT DISTINCT jaar FROM mkba.project")["jaar"].to_list()
    year = max(y for y in years if y < dt.date.today().year)
    release = publish_release(home, year, load_parameters())
    assert release.manifest["buiten_release"]["projectjaren_na_peildatum"] == 0
    for table in PUBLISHED_TABLES:
        stored = pl.read_parquet(release.folder / table.file)
        current = table.typed(q(home, f"SELECT * FROM {table.table}"))
        assert stored.height, table.name
        assert stored.equals(current.filter(pl.col("jaar") <= year)), table.name


def test_bootstrap_intervals_kept_between_runs_are_those_a_fresh_bootstrap_gives(
    demo_home, tmp_path
):
    """`sector_intervals` keeps the median intervals of its last run by the version of their
    cells' values (`rendement.benchmark.bootstrap_memo`): the table is the same as without,
    and after one organisation's ratios change in one domain and year only the cells those
    are in are bootstrapped again."""
    projects = sector_projects(demo_home, q(demo_home, "SELECT * FROM mkba.project"))
    years = sorted(q(demo_home, "SELECT DISTINCT jaar FROM benchmark.cellen")["jaar"].to_list())
    lake = Lake(tmp_path / "lake")
    fresh = interval_cells(projects, years)
    memo = BootstrapMemo.load(lake)  # none yet
    assert interval_cells(projects, years, memo=memo).equals(fresh)
    assert memo.done == len(memo.used) > 1 and memo.reused == 0
    memo.save(lake)

    kept = BootstrapMemo.load(lake)
    assert interval_cells(projects, years, memo=kept).equals(fresh)
    assert kept.done == 0 and kept.used == memo.used
    kept.save(lake)

    # one organisation's ratios in one domain and one year, as a re-upload changes them
    org, domain, year = (
        projects.filter(pl.col("bkr").is_not_null())
        .sort("jaar", "organisatie_id", "domein", descending=[True, False, False])
        .select("organisatie_id", "domein", "jaar")
        .row(0)
    )
    mine = (
        (pl.col("organisatie_id") == org) & (pl.col("domein") == domain) & (pl.col("jaar") == year)
    )
    changed = projects.with_columns(
        pl.when(mine).then(pl.col("bkr") * 1.25 + 0.1).otherwise(pl.col("bkr")).alias("bkr")
    )
    after = BootstrapMemo.load(lake)
    assert interval_cells(changed, years, memo=after).equals(interval_cells(changed, years))
    assert 0 < after.done < len(after.used)
