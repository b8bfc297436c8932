"""The warehouse's read copy (`warehouse-lezen.duckdb`), published once per run after the last
step that writes the warehouse (thin: the copy is `rendement.core.readcopy`)."""

import dagster as dg

from assets import versions
from assets.benchmark_assets import published_assets, sector_benchmark
from assets.partitions import WAREHOUSE_POOL
from assets.warehouse_assets import WAREHOUSE, WAREHOUSE_RETRY, warehouse
from pipelines.resources import HomeResource
from rendement.core.readcopy import publish_read_copy


@dg.asset(
    group_name=WAREHOUSE,
    kinds={"duckdb"},
    deps=[warehouse, sector_benchmark, *published_assets],
    pool=WAREHOUSE_POOL,
    code_version=versions.WAREHOUSE,
    retry_policy=WAREHOUSE_RETRY,
    description="De leeskopie warehouse-lezen.duckdb: wat analisten en de opdrachtregel lezen, "
    "zodat lezen nooit een run blokkeert. Eén keer per run gemaakt, nadat het "
    "warehouse en de sectorcijfers zijn bijgewerkt en hun controles geslaagd zijn: een lezer "
    "ziet altijd een afgeronde run, nooit een warehouse met nieuwe resultaten en oude "
    "sectorcijfers.",
)
def warehouse_read_copy(home: HomeResource) -> dg.MaterializeResult:
    """Publish the warehouse as its read copy in one rename, once per run, after every step
    that writes it (it was copied after each writing step, four per run). A whole copy costs
    what the file weighs, not what the run changed (≈ 1 s at ten million trajectories), so the
    copy published the time before is brought up to date in place when it can be
    (`rendement.core.readcopy`). In the warehouse pool, so no writer of another run changes
    the file meanwhile."""
    published = publish_read_copy(home.home(), versions.WAREHOUSE)
    if published is None:  # no warehouse yet: nothing to copy
        return dg.MaterializeResult(metadata={"megabytes": dg.MetadataValue.float(0.0)})
    update = published.update
    how = "bijgewerkt" if update is not None else f"gekopieerd ({published.copied_because})"
    return dg.MaterializeResult(
        metadata={
            "pad": dg.MetadataValue.path(str(published.path)),
            "megabytes": dg.MetadataValue.float(round(published.path.stat().st_size / 1e6, 1)),
            "leeskopie": dg.MetadataValue.text(how),
            "organisaties_bijgewerkt": dg.MetadataValue.int(
                len(update.organisations) if update is not None else 0
            ),
        }
    )
