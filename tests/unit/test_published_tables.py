"""The published tables' functions (rendement.benchmark.published): open years computed, closed
years carried over from the release verbatim, whatever arrives later for them; every entry of
the registry has a warehouse table, a release file and its columns from the output models."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl

from rendement.benchmark.disclosure import DisclosureRules
from rendement.benchmark.published import (
    CELLS,
    INTERVALS,
    PUBLISHED_TABLES,
    STAKEHOLDERS,
    Frozen,
    Sector,
    benchmark_cells,
    interval_table,
    open_years,
    stakeholder_table,
)
from schemas.outputs import OUTPUTS, polars_schema
from tests.support.benchmark_rows import base_sector, frame, project

PARAMS = SimpleNamespace(baathebbers=("gemeente", "deelnemer"))
RULES = DisclosureRules()


def outcomes_for(projects: pl.DataFrame) -> pl.DataFrame:
    """mkba.uitkomst rows: every project's benefits to two stakeholders."""
    rows = [
        {
            "organisatie_id": r["organisatie_id"],
            "project_id": r["project_id"],
            "jaar": r["jaar"],
            "baathebber": who,
            "pv": r["baten"] * share,
            "is_transfer": False,
            "gewaardeerd": True,
        }
        for r in projects.iter_rows(named=True)
        for who, share in (("gemeente", 0.6), ("deelnemer", 0.4))
    ]
    return pl.DataFrame(rows)


def tables(projects: pl.DataFrame, frozen: Frozen | None) -> dict[str, pl.DataFrame]:
    cells = benchmark_cells(projects, RULES, frozen).cells
    sector = Sector(projects, cells, RULES, PARAMS, outcomes=outcomes_for(projects))
    return {
        CELLS: cells,
        STAKEHOLDERS: stakeholder_table(sector, frozen),
        INTERVALS: interval_table(sector, frozen),
    }


def test_closed_years_are_carried_over_and_open_years_computed():
    sector = frame(base_sector(jaar=2023, orgs=7) + base_sector(jaar=2024, orgs=7))
    first = tables(sector, None)
    assert all(t["jaar"].unique().sort().to_list() == [2023, 2024] for t in first.values())
    closed = {name: t.filter(pl.col("jaar") == 2023) for name, t in first.items()}
    frozen = Frozen(closed, {2023: "2023"}, {2023: RULES.as_dict()}, RULES, [])
    assert open_years(first[CELLS], frozen) == [2024]

    # a late organisation for the closed year, with large figures
    late = frame(
        [
            project("LATE", f"L{i}", jaar=2023, kosten=900_000.0, bkr=9.0, deelnemers=400)
            for i in range(3)
        ]
    )
    later = tables(pl.concat([sector, late]), frozen)
    for name, table in later.items():
        assert table.filter(pl.col("jaar") == 2023).equals(closed[name]), name
        fresh = first[name].filter(pl.col("jaar") == 2024)
        assert table.filter(pl.col("jaar") == 2024).equals(fresh), name
    # ...while without the release the late organisation would have changed the closed year
    unfrozen = tables(pl.concat([sector, late]), None)
    assert not unfrozen[STAKEHOLDERS].filter(pl.col("jaar") == 2023).equals(closed[STAKEHOLDERS])


def test_every_published_table_is_declared_once():
    names = [t.name for t in PUBLISHED_TABLES]
    assert len(set(names)) == len(names)
    for table in PUBLISHED_TABLES:
        assert table.file == f"{table.name}.parquet"
        assert table.table in OUTPUTS, table.table
        assert table.columns == polars_schema(table.table), table.table
        # its own asset, or written with the cells by sector_benchmark
        assert OUTPUTS[table.table].asset == (table.asset or "sector_benchmark")
