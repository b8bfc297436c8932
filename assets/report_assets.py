"""The published HTML reports (thin: report building is rendement.reports)."""

import dagster as dg

from assets import versions
from assets.benchmark_assets import published_assets, sector_benchmark
from pipelines.resources import HomeResource, ParametersResource
from rendement.benchmark.releases import list_releases
from rendement.reports import build_site
from rendement.reports.public import build_public

REPORTS = "rapporten"


@dg.asset(
    group_name=REPORTS,
    kinds={"html"},
    deps=[sector_benchmark, *published_assets],
    code_version=versions.REPORTS,
    description="De werkversie van de site (Nederlands), gelezen uit de gepubliceerde tabellen: "
    "het jaaroverzicht, de vergelijking van interventies, de verantwoording van elke "
    "parameter, een index en het eigen rapport van elke organisatie (site/org/<code>/). Jaren "
    "zonder release heten voorlopig. Releases (site/releases/<jaar>/) worden hier nooit "
    "opnieuw gemaakt, alleen byte voor byte teruggezet; de opdracht publiceer_release maakt ze. "
    "De pagina van een organisatie wordt alleen opnieuw gemaakt als iets wat erop staat "
    "veranderde.",
)
def reports(
    context: dg.AssetExecutionContext, home: HomeResource, parameters: ParametersResource
) -> dg.MaterializeResult:
    """The working site (great-tables, Dutch), read from the published tables the benchmark
    assets wrote (it computes no statistic): the sector overview per year, the intervention
    comparison, the verantwoording of every parameter, an index, and each organisation's
    private report under site/org/<id>/. Years not yet released are marked provisional.
    Published releases (site/releases/<jaar>/) are never rebuilt here, only restored byte for
    byte from their frozen copy; they are made by the job `publiceer_release`. What may be
    published goes to openbaar/ (the releases' pages and an index, nothing else); site/ itself
    is never published, organisations see their own pages through the portal.

    An organisation's page is rendered only when something it shows changed (its own results,
    the published sector figures, the parameter set, the date, the report code), so a
    re-upload renders its own page and the sector pages."""
    h = home.home()
    pages = build_site(h, parameters.load())
    public = build_public(h)
    releases = [m["release"] for m in list_releases(h)]
    return dg.MaterializeResult(
        data_version=dg.DataVersion(pages.version),
        metadata={
            "paginas": len(pages),
            "organisatiepaginas_gemaakt": len(pages.rendered),
            "organisatiepaginas_ongewijzigd": len(pages.unchanged),
            "sectortabellen_gemaakt": pages.tables_rendered,
            "sectortabellen_hergebruikt": pages.tables_kept,
            "releases": ", ".join(releases),
            "index": dg.MetadataValue.path(str(h.site / "index.html")),
            "openbaar": dg.MetadataValue.path(str(h.public)),
            "openbare_bestanden": len(public),
        },
    )
