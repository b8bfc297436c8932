"""The published HTML reports (thin: report building is rendement.reports)."""

import dagster as dg

from assets.benchmark_assets import sector_benchmark
from pipelines.resources import HomeResource, ParametersResource
from rendement.reports import build_site

REPORTS = "rapporten"


@dg.asset(group_name=REPORTS, kinds={"html"}, deps=[sector_benchmark])
def reports(
    context: dg.AssetExecutionContext, home: HomeResource, parameters: ParametersResource
) -> dg.MaterializeResult:
    """Published HTML reports (great-tables, Dutch): the sector overview per domain, each
    organisation's private report, the intervention comparison, the verantwoording of every
    parameter, and an index page. Read from the warehouse only."""
    h = home.home()
    pages = build_site(h, parameters.load())
    return dg.MaterializeResult(
        metadata={
            "paginas": len(pages),
            "index": dg.MetadataValue.path(str(h.site / "index.html")),
        }
    )
