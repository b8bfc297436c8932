"""Sector benchmarks and the published aggregates, with disclosure control (thin: the logic is
rendement.benchmark; every published table is an entry of
`rendement.benchmark.published.PUBLISHED_TABLES`, computed by the same function here and in a
release).

Not partitioned by year: the job `verwerk_leveringen` runs the whole graph over a range of
organisation partitions, and one asset job cannot also run year partitions; the years are
found in the data, not known in advance; and a year a release closed is carried over, not
computed, so a run computes the open years only (usually one or two)."""

from collections.abc import Iterator
from dataclasses import replace

import dagster as dg
import polars as pl

from assets import versions
from assets.checks import output_check_results, output_check_specs
from assets.partitions import WAREHOUSE_POOL
from assets.warehouse_assets import warehouse
from pipelines.resources import HomeResource, ParametersResource
from rendement.benchmark.bootstrap_memo import BootstrapMemo
from rendement.benchmark.cells import cost_reference, write_cost_reference
from rendement.benchmark.cells_memo import CellsMemo
from rendement.benchmark.disclosure import DisclosureRules
from rendement.benchmark.published import (
    PUBLISHED_TABLES,
    Frozen,
    PublishedTable,
    Sector,
    benchmark_cells,
    countable_projects,
    read_sector,
)
from rendement.benchmark.releases import load_frozen
from rendement.core.lake import Lake
from rendement.core.versions import digest, frame_version
from rendement.core.warehouse import connect, ensure_schemas, replace_frame

BENCHMARK = "benchmark"  # the group
# The asset's name, as `schemas/outputs.py` names the writer of its tables (their checks).
BENCHMARK_ASSET = "sector_benchmark"


def _closed_years(frozen: Frozen | None) -> str:
    return ", ".join(str(y) for y in sorted(frozen.closed)) if frozen is not None else ""


@dg.asset(
    group_name=BENCHMARK,
    kinds={"polars", "duckdb"},
    deps=[warehouse],
    pool=WAREHOUSE_POOL,
    code_version=versions.BENCHMARK,
    check_specs=output_check_specs(BENCHMARK_ASSET),
    description="Anonieme sectorcijfers per domein, interventie en regio per jaar, alleen uit "
    "de projectuitkomsten van organisaties. Elke cel heeft haar publicatiestatus: cellen met te "
    "weinig organisaties, een dominante organisatie of kleine aantallen worden onderdrukt, met "
    "aanvullende onderdrukking waar een totaal ze zou verraden. De eigen positie van "
    "organisaties gaat naar prive.positie, nooit naar de gepubliceerde tabellen; de "
    "rendementsfactor per domein en interventie (Σ baten / Σ kosten, met Monte Carlo-interval "
    "en schakelwaarden) naar benchmark.rendementsfactor. Jaren uit een release worden "
    "ongewijzigd overgenomen.",
)
def sector_benchmark(
    context: dg.AssetExecutionContext, home: HomeResource, parameters: ParametersResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Anonymised sector benchmarks per domain, intervention type and region per year, from the
    organisations' project results only. Every cell carries its disclosure status; cells with
    too few organisations, a dominant organisation or small counts are suppressed, with
    complementary suppression where a margin would reveal them. Organisations' own positions
    go to prive.positie, never to the published tables. The rendementsfactor of every domain
    and intervention (Σ baten / Σ kosten, with its Monte Carlo interval and switching values)
    goes to benchmark.rendementsfactor, published where the group's cost cell is. Years
    published in a release are carried over from it. One connection reads, writes and checks
    the tables (the step is the warehouse's one writer)."""
    h = home.home()
    with connect(h.warehouse) as con:
        projects = con.sql("SELECT * FROM mkba.project").pl()
        outcomes = con.sql("SELECT * FROM mkba.uitkomst").pl()
        kosten = con.sql("SELECT * FROM mkba.kosten").pl()
        every_organisation = projects["organisatie_id"].n_unique()
        projects = countable_projects(h, projects)
        blocked = every_organisation - projects["organisatie_id"].n_unique()
        rules = DisclosureRules()
        # Years published in a release are closed: their figures are carried over verbatim, so a
        # late upload can never change (or be read off from) a published figure.
        frozen = load_frozen(h)
        lake = Lake(h.lake)
        memo = CellsMemo.load(lake)
        bench = benchmark_cells(projects, rules, frozen, memo)
        memo.save(lake)
        sector = Sector(projects, bench.cells, rules, parameters.load(), outcomes, kosten)
        # the published tables without an asset of their own: benchmark.cellen and
        # benchmark.rendementsfactor
        published = {
            t.table: t.compute(sector, frozen) for t in PUBLISHED_TABLES if t.asset is None
        }
        ensure_schemas(con)
        for name, frame in published.items():
            replace_frame(con, name, frame)
        replace_frame(con, "benchmark.regels", pl.DataFrame([rules.as_dict()]))
        replace_frame(con, "prive.positie", bench.positie)
        # intake's reference for the warning kosten_per_deelnemer_laag (a file in the lake: intake
        # never opens the warehouse)
        reference = cost_reference(projects, rules)
        write_cost_reference(h.lake, reference)
        status = bench.cells.group_by("status").len().sort("status")
        context.log.info(f"benchmarkcellen: {dict(status.iter_rows())}")
        written = [*published.values(), bench.positie, reference]
        yield dg.MaterializeResult(
            data_version=dg.DataVersion(digest(*(frame_version(f) for f in written))),
            metadata={
                "cellen": bench.cells.height,
                **{f"status_{s}": n for s, n in status.iter_rows()},
                "organisaties_buiten_benchmark": blocked,
                "referentie_interventies": reference.height,
                "vastgestelde_jaren": _closed_years(frozen),
                "jaren_berekend": memo.done,
                "jaren_overgenomen": memo.reused,
            },
        )
        yield from output_check_results(con, BENCHMARK_ASSET)


def published_table_asset(table: PublishedTable) -> dg.AssetsDefinition:
    """The asset of a published table computed after the cells: it reads the sector as
    `sector_benchmark` left it, computes the table's open years (closed years carried over
    from the release), replaces the warehouse table and checks it, on one connection."""

    @dg.asset(
        name=table.asset,
        group_name=BENCHMARK,
        kinds={"polars", "duckdb"},
        deps=[sector_benchmark],
        pool=WAREHOUSE_POOL,
        code_version=versions.BENCHMARK,
        check_specs=output_check_specs(table.asset),
        description=f"{table.table}: {table.description}",
    )
    def _asset(
        context: dg.AssetExecutionContext, home: HomeResource, parameters: ParametersResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        h = home.home()
        lake = Lake(h.lake)
        memo = BootstrapMemo.load(lake) if table.bootstrap else None
        with connect(h.warehouse) as con:
            sector = replace(read_sector(con, h, parameters.load(), table.reads), bootstrap=memo)
            frozen = load_frozen(h)
            frame = table.compute(sector, frozen)
            kept = {}
            if memo is not None:  # how many cells were bootstrapped, and how many kept
                memo.save(lake)
                kept = {"bootstrap_berekend": memo.done, "bootstrap_overgenomen": memo.reused}
            replace_frame(con, table.table, frame)
            status = frame.group_by("status").len().sort("status")
            context.log.info(f"{table.table}: {dict(status.iter_rows())}")
            yield dg.MaterializeResult(
                data_version=dg.DataVersion(frame_version(frame)),
                metadata={
                    "rijen": frame.height,
                    **{f"status_{s}": n for s, n in status.iter_rows()},
                    "vastgestelde_jaren": _closed_years(frozen),
                    **kept,
                },
            )
            yield from output_check_results(con, table.asset)

    return _asset


# One asset per published table computed after the cells (`PublishedTable.asset`):
# sector_stakeholders (benchmark.baathebbers) and sector_intervals (benchmark.intervallen).
# A list, so that the Definitions load every one of them.
published_assets = [published_table_asset(t) for t in PUBLISHED_TABLES if t.asset]
