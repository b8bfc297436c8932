"""Sector benchmarks with disclosure control (thin: logic in rendement.benchmark.cells)."""

import dagster as dg
import polars as pl

from assets.partitions import WAREHOUSE_POOL
from assets.warehouse_assets import warehouse
from pipelines.resources import HomeResource, ParametersResource
from rendement.benchmark.cells import build_benchmarks, cost_reference, write_cost_reference
from rendement.benchmark.disclosure import DisclosureRules
from rendement.core.lake import Lake
from rendement.core.warehouse import connect, ensure_schemas, replace_frame
from rendement.mkba.aggregate import group_ratios, published_ratios
from rendement.release.publish import load_frozen

BENCHMARK = "benchmark"


@dg.asset(group_name=BENCHMARK, kinds={"polars", "duckdb"}, deps=[warehouse], pool=WAREHOUSE_POOL)
def sector_benchmark(
    context: dg.AssetExecutionContext, home: HomeResource, parameters: ParametersResource
) -> dg.MaterializeResult:
    """Anonymised sector benchmarks per domain, intervention type and region per year, from the
    organisations' project results only. Every cell carries its disclosure status; cells with
    too few organisations, a dominant organisation or small counts are suppressed, with
    complementary suppression where a margin would reveal them. Organisations' own positions
    go to prive.positie, never to the published tables. The rendementsfactor of every domain
    and intervention (Σ baten / Σ kosten, with its Monte Carlo interval and switching values)
    goes to benchmark.rendementsfactor, published where the group's cost cell is."""
    h = home.home()
    lake = Lake(h.lake)
    with connect(h.warehouse, read_only=True) as con:
        projects = con.sql("SELECT * FROM mkba.project").pl()
        outcomes = con.sql("SELECT * FROM mkba.uitkomst").pl()
        kosten = con.sql("SELECT * FROM mkba.kosten").pl()
    blocked = [
        org for org in projects["organisatie_id"].unique() if lake.status(org).get("geblokkeerd")
    ]
    projects = projects.filter(~pl.col("organisatie_id").is_in(blocked))
    rules = DisclosureRules()
    # Years published in a release are closed: their cells are carried over verbatim, so a late
    # upload can never change (or be read off from) a published figure.
    frozen = load_frozen(h)
    vastgesteld = frozen.published.cells if frozen is not None else None
    bench = build_benchmarks(projects, rules, vastgesteld=vastgesteld)
    closed = frozenset(frozen.published.closed) if frozen is not None else frozenset()
    ratios = published_ratios(
        group_ratios(projects, outcomes, kosten, parameters.load()), bench.cells, closed
    )
    if frozen is not None:  # closed years: the release's figures, like the cells
        ratios = pl.concat([frozen.factors, ratios]).sort(
            "tabel", "jaar", "domein", "interventie", nulls_last=True
        )
    with connect(h.warehouse) as con:
        ensure_schemas(con)
        replace_frame(con, "benchmark.cellen", bench.cells)
        replace_frame(con, "benchmark.regels", pl.DataFrame([rules.as_dict()]))
        replace_frame(con, "prive.positie", bench.positie)
        replace_frame(con, "benchmark.rendementsfactor", ratios)
    # intake's reference for the warning kosten_per_deelnemer_laag (a file in the lake: intake
    # never opens the warehouse)
    reference = cost_reference(projects, rules)
    write_cost_reference(h.lake, reference)
    status = bench.cells.group_by("status").len().sort("status")
    context.log.info(f"benchmarkcellen: {dict(status.iter_rows())}")
    return dg.MaterializeResult(
        metadata={
            "cellen": bench.cells.height,
            **{f"status_{s}": n for s, n in status.iter_rows()},
            "organisaties_buiten_benchmark": len(blocked),
            "referentie_interventies": reference.height,
            "vastgestelde_jaren": ", ".join(
                str(y) for y in sorted(vastgesteld["jaar"].unique().to_list())
            )
            if vastgesteld is not None
            else "",
        }
    )
