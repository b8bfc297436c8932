"""An incomplete project-year (participants, no costs delivered) counts in no sector figure:
no benchmark cell, no position, no stakeholder or interval cell, no release table.

The incomplete row is built as the issue found it in the demo (ORG013/P006/2024: 65
participants, costs 0, benefits € 85.505): with a cost per participant of 0 it would move the
percentiles if it counted, so each test first shows that it would change the figure when
marked complete, and then that it changes nothing when marked incomplete.
"""

from __future__ import annotations

import polars as pl
import pytest

from rendement.benchmark.aggregates import interval_cells, stakeholder_cells
from rendement.benchmark.cells import build_benchmarks, positions
from rendement.mkba.status import complete_project_years
from tests.support.benchmark_rows import YEAR, base_sector, cell, frame, project


def incomplete(org: str, pid: str, status: str = "onvolledig", **kw) -> dict:
    """A project-year with participants and no costs, as mkba.project holds it."""
    row = project(org, pid, kosten=0.0, bkr=None, deelnemers=65, gemeten=40, verbeterd=30, **kw)
    baten = 85_505.0
    return {
        **row,
        "fte": 0.0,
        "vrijwilligers": 0,
        "baten": baten,
        "ncw": baten,
        "kosten_per_deelnemer": 0.0,  # what the engine wrote before the status existed
        "ncw_per_deelnemer": baten / 65,
        "status": status,
        "reden": None if status == "volledig" else f"geen kosten over {YEAR} aangeleverd",
    }


def sector_with(extra: list[dict]) -> pl.DataFrame:
    return frame(base_sector(orgs=6) + extra)


EXTRA = [
    incomplete("ORG00", "schuld-extra"),  # an organisation that has complete years too
    incomplete("ORG99", "enige"),  # an organisation whose only project-year is incomplete
]


def test_incomplete_project_years_change_no_published_cell():
    base = build_benchmarks(sector_with([])).cells
    with_incomplete = build_benchmarks(sector_with(EXTRA)).cells
    assert with_incomplete.equals(base)
    assert cell(base, "domein", "schulden_armoede", "organisaties", "aantal")["waarde"] == 6

    # the same rows counted as complete would have changed figures an analyst reads: a 7th
    # organisation, two more projects, and a P25 of the cost per participant that the 18
    # complete projects cannot carry (min_tail) published on the strength of two zeros
    counted = build_benchmarks(
        sector_with([incomplete(r["organisatie_id"], r["project_id"], "volledig") for r in EXTRA])
    ).cells
    assert cell(counted, "domein", "schulden_armoede", "organisaties", "aantal")["waarde"] == 7
    assert cell(counted, "domein", "totaal", "projecten", "aantal")["waarde"] == (
        cell(base, "domein", "totaal", "projecten", "aantal")["waarde"] + 2
    )
    p25 = ("domein", "schulden_armoede", "kosten_per_deelnemer", "p25")
    assert cell(base, *p25)["waarde"] is None
    assert cell(counted, *p25)["waarde"] is not None


def test_incomplete_project_year_gets_no_position():
    bench = build_benchmarks(sector_with(EXTRA))
    keys = set(bench.positie.select("organisatie_id", "project_id").rows())
    assert ("ORG00", "schuld-extra") not in keys
    assert bench.positie_for("ORG99").height == 0
    # the comparison group is the complete projects only: 6 organisations, 6 projects
    own = bench.positie.filter(
        (pl.col("organisatie_id") == "ORG00") & (pl.col("interventie") == "schuldhulpverlening")
    ).row(0, named=True)
    assert (own["vergelijking_organisaties"], own["vergelijking_projecten"]) == (6, 6)
    assert positions(sector_with(EXTRA)).equals(bench.positie)


def test_missing_or_unknown_status_is_refused():
    good = sector_with(EXTRA)
    with pytest.raises(ValueError, match="status"):
        build_benchmarks(good.drop("status"))
    with pytest.raises(ValueError, match="status"):
        build_benchmarks(good.with_columns(pl.lit("concept").alias("status")))
    with pytest.raises(ValueError, match="status"):
        complete_project_years(good.with_columns(pl.lit(None, pl.String).alias("status")))


def outcomes_for(projects: pl.DataFrame) -> pl.DataFrame:
    """mkba.uitkomst rows: every project's benefits to two stakeholders."""
    rows = []
    for r in projects.iter_rows(named=True):
        for who, share in (("gemeente", 0.6), ("deelnemer", 0.4)):
            rows.append(
                {
                    "organisatie_id": r["organisatie_id"],
                    "project_id": r["project_id"],
                    "jaar": r["jaar"],
                    "baathebber": who,
                    "pv": r["baten"] * share,
                    "is_transfer": False,
                    "gewaardeerd": True,
                }
            )
    return pl.DataFrame(rows)


def test_incomplete_project_years_change_no_stakeholder_or_interval_cell():
    base, extended = sector_with([]), sector_with(EXTRA)
    people = ["gemeente", "deelnemer"]
    assert stakeholder_cells(extended, outcomes_for(extended), [YEAR], people).equals(
        stakeholder_cells(base, outcomes_for(base), [YEAR], people)
    )
    assert interval_cells(extended, [YEAR]).equals(interval_cells(base, [YEAR]))
    # counted as complete, the benefits of the incomplete year would be in the table
    counted = sector_with(
        [incomplete(r["organisatie_id"], r["project_id"], "volledig") for r in EXTRA]
    )
    assert not stakeholder_cells(counted, outcomes_for(counted), [YEAR], people).equals(
        stakeholder_cells(base, outcomes_for(base), [YEAR], people)
    )


# --- on the demo sector (the session's `rendement demo` run; no extra run) ------------------


def test_demo_publishes_no_incomplete_project_year(demo_home):
    """The benchmark asset's tables hold complete project-years only, and on the demo's own
    figures an incomplete year changes no cell and gets no position."""
    import duckdb

    from rendement.benchmark.cells import REFERENCE_COLUMNS
    from rendement.benchmark.published import sector_projects
    from rendement.benchmark.releases import frozen_cells
    from rendement.core.lake import Lake

    with duckdb.connect(str(demo_home.warehouse), read_only=True) as con:
        projects = con.sql("SELECT * FROM mkba.project").pl()
        cells = con.sql("SELECT * FROM benchmark.cellen").pl()
        positie = con.sql("SELECT * FROM prive.positie").pl()
    assert set(projects["status"].unique().to_list()) <= {"volledig", "onvolledig"}
    incomplete = projects.filter(pl.col("status") == "onvolledig")
    keys = ["organisatie_id", "project_id", "jaar"]
    assert positie.join(incomplete.select(keys), on=keys, how="semi").height == 0
    bench = build_benchmarks(
        sector_projects(demo_home, projects), vastgesteld=frozen_cells(demo_home)
    )
    assert bench.cells.equals(cells.select(bench.cells.columns))

    # mark one complete project-year of the demo incomplete, as the engine writes it
    complete = projects.filter(pl.col("status") == "volledig")
    target = complete.sort("kosten_per_deelnemer").row(0, named=True)
    is_target = (
        (pl.col("organisatie_id") == target["organisatie_id"])
        & (pl.col("project_id") == target["project_id"])
        & (pl.col("jaar") == target["jaar"])
    )
    marked = complete.with_columns(
        pl.when(is_target).then(pl.lit("onvolledig")).otherwise(pl.col("status")).alias("status"),
        *(
            pl.when(is_target).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("bkr", "bkr_p05", "bkr_p95", "kosten_per_deelnemer", "ncw_per_deelnemer")
        ),
        pl.when(is_target).then(0.0).otherwise(pl.col("kosten")).alias("kosten"),
    )
    without = build_benchmarks(complete.filter(~is_target))
    with_marked = build_benchmarks(marked)
    assert with_marked.cells.equals(without.cells)
    assert with_marked.positie.equals(without.positie)
    assert (
        with_marked.positie.join(pl.DataFrame([target]).select(keys), on=keys, how="semi").height
        == 0
    )

    # the intake's reference is written by the same asset, from complete years only
    reference = pl.read_parquet(Lake(demo_home.lake).reference_path())
    assert reference.columns == list(REFERENCE_COLUMNS)
