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
    """Copy the warehouse to its read copy in one rename, once per run, after every step that
    writes it. It was copied after each writing step (four per run), and the copy costs what
    the file weighs (≈ 0,5 s for the 530 MB of ten million trajectories), not what the run
    changed: a third of a re-upload's warehouse and benchmark time at that size. In the
    warehouse pool, so no writer of another run changes the file while it is copied."""
    path = publish_read_copy(home.home())
    if path is None:  # no warehouse yet: nothing to copy
        return dg.MaterializeResult(metadata={"megabytes": dg.MetadataValue.float(0.0)})
    return dg.MaterializeResult(
        metadata={
            "pad": dg.MetadataValue.path(str(path)),
            "megabytes": dg.MetadataValue.float(round(path.stat().st_size / 1e6, 1)),
        }
    )
