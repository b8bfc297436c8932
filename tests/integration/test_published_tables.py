"""Published numbers are computed once, in the asset graph: every published table has an asset
that writes it to the warehouse, computed by the function of its entry in
`rendement.benchmark.published.PUBLISHED_TABLES`; the site only reads them.

Works on the session's demo home (8 organisations) and a copy of it.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg
import duckdb
import polars as pl

from assets.benchmark_assets import sector_benchmark
from pipelines.resources import HomeResource, ParametersResource
from rendement.benchmark import cells as cells_module
from rendement.benchmark.aggregates import interval_cells, stakeholder_cells
from rendement.benchmark.bootstrap_memo import BootstrapMemo
from rendement.benchmark.cells import build_benchmarks
from rendement.benchmark.cells_memo import CellsMemo
from rendement.benchmark.disclosure import DisclosureRules
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


def test_benchmark_cells_kept_between_runs_are_those_a_fresh_computation_gives(demo_home, tmp_path):
    """`sector_benchmark` keeps the cells of each open year by the version of that year's
    projects (`rendement.benchmark.cells_memo`): the cells are the same as without, and after
    one organisation's costs change in one year only that year is computed again. That rests
    on every relation between cells staying within one year: the cells of all years computed
    together are those of each year computed alone."""
    projects = q(demo_home, "SELECT * FROM mkba.project")
    rules = DisclosureRules()
    prepared = cells_module._prepare(projects)
    years = sorted(prepared["jaar"].unique().to_list())
    assert len(years) > 1
    together = cells_module._cells(prepared, years, rules)
    alone = pl.concat(
        [cells_module._cells(prepared.filter(pl.col("jaar") == y), [y], rules) for y in years]
    )
    assert cells_module._sorted_cells(together).equals(cells_module._sorted_cells(alone))

    lake = Lake(tmp_path / "lake")
    fresh = build_benchmarks(projects, rules).cells
    memo = CellsMemo.load(lake)  # none yet
    assert build_benchmarks(projects, rules, memo=memo).cells.equals(fresh)
    assert (memo.done, memo.reused) == (len(years), 0)
    memo.save(lake)
    kept = CellsMemo.load(lake)
    assert build_benchmarks(projects, rules, memo=kept).cells.equals(fresh)
    assert (kept.done, kept.reused) == (0, len(years))
    kept.save(lake)

    # one organisation's costs in the latest year, as a re-upload changes them
    org = projects.filter(pl.col("jaar") == years[-1])["organisatie_id"].min()
    mine = (pl.col("organisatie_id") == org) & (pl.col("jaar") == years[-1])
    changed = projects.with_columns(
        pl.when(mine).then(pl.col("kosten") * 3 + 1000).otherwise(pl.col("kosten")).alias("kosten")
    )
    after = CellsMemo.load(lake)
    moved = build_benchmarks(changed, rules, memo=after).cells
    assert moved.equals(build_benchmarks(changed, rules).cells)
    assert not moved.equals(fresh)
    assert (after.done, after.reused) == (1, len(years) - 1)


def test_the_benchmark_asset_takes_over_the_years_it_computed_before(demo_home, tmp_path):
    """The asset keeps the cells in the lake between runs: a second run with nothing changed
    computes no year and writes the same cells."""
    home = copy_home(demo_home, tmp_path / "home")
    memo = Lake(home.lake).cells_memo_path()
    assert memo.is_file(), "the demo run kept its years"
    memo.unlink()
    runs = []
    for _ in range(2):
        result = dg.materialize(
            [sector_benchmark],
            resources={
                "home": HomeResource(root=str(home.root)),
                "parameters": ParametersResource(),
            },
            instance=dg.DagsterInstance.ephemeral(),
        )
        meta = result.asset_materializations_for_node("sector_benchmark")[0].metadata
        runs.append((meta["jaren_berekend"].value, meta["jaren_overgenomen"].value))
        runs.append(q(home, "SELECT * FROM benchmark.cellen ORDER BY ALL"))
    years = q(home, "SELECT count(DISTINCT jaar) AS n FROM benchmark.cellen")["n"][0]
    assert runs[0] == (years, 0) and runs[2] == (0, years)
    assert runs[1].equals(runs[3])
