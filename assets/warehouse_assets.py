"""The DuckDB warehouse, brought up to date from the lake in one step by one writer."""

from collections.abc import Iterator

import dagster as dg

from assets import versions
from assets.checks import output_check_results, output_check_specs
from assets.intake_assets import accepted_tables
from assets.mkba_assets import project_mkba
from assets.partitions import WAREHOUSE_POOL
from pipelines.resources import HomeResource
from rendement.core import audit
from rendement.core.registry import Registry
from rendement.core.versions import digest, frame_version
from rendement.core.warehouse import connect, load_lake, loaded_version, replace_frame
from rendement.intake.delivery import delivery_status_all_years
from rendement.reports.deliveries import write_delivery_page

WAREHOUSE = "warehouse"  # the group
# The asset's name, as `schemas/outputs.py` names the writer of its tables (their checks).
WAREHOUSE_ASSET = "warehouse"
# DuckDB allows one read-write process per file: while another process holds the file (an
# analyst's open connection, a step that has not let go yet) opening it fails at once. Try again
# after 1, 2, 4, 8 and 16 s (with jitter) before the step fails: about half a minute in all.
WAREHOUSE_RETRY = dg.RetryPolicy(
    max_retries=5, delay=1, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


@dg.asset(
    group_name=WAREHOUSE,
    kinds={"duckdb"},
    deps=[accepted_tables, project_mkba],
    pool=WAREHOUSE_POOL,
    code_version=versions.WAREHOUSE,
    retry_policy=WAREHOUSE_RETRY,
    check_specs=output_check_specs(WAREHOUSE_ASSET),
    description="De tabellen in DuckDB: canoniek.* (aangenomen rijen), quarantaine.rijen "
    "(afgekeurde rijen met regel en melding), intake.audit en intake.leveringen (elke levering "
    "en haar uitkomst), mkba.* (projectuitkomsten) en intake.leveringsstatus (per verslagjaar: "
    "wie leverde, wie niet, wie werd geweigerd). In één stap bijgewerkt uit de Parquet-lake: "
    "alleen de rijen van organisaties waarvan bestanden veranderden.",
)
def warehouse(
    context: dg.AssetExecutionContext, home: HomeResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Warehouse tables in DuckDB: canoniek.* (accepted rows), quarantaine.rijen (rejected rows
    with rule and message), intake.audit and intake.leveringen (every upload and its outcome),
    mkba.* (project results), intake.leveringsstatus (per reporting year: which organisations
    delivered, which did not, which were refused). Brought up to date from the Parquet lake in
    one step: only the rows of organisations whose lake files changed since the last load.
    Then the checks of its output tables (mkba.*), on the same connection.
    Readers open its copy (`read_copy_assets`), made once the run's writers are done."""
    h = home.home()
    log = audit.read(h.audit_log)
    counts = load_lake(h.warehouse, h.lake, log)
    status = delivery_status_all_years(Registry.load(h.registry).organisations(), log)
    if status.height:
        write_delivery_page(h, int(status["jaar"].max()), status)
    with connect(h.warehouse) as con:
        counts["intake.leveringsstatus"] = replace_frame(con, "intake.leveringsstatus", status)
        yield dg.MaterializeResult(
            data_version=dg.DataVersion(
                digest(loaded_version(con), frame_version(log), frame_version(status))
            ),
            metadata={
                **{k: dg.MetadataValue.int(v) for k, v in counts.items()},
                "pad": dg.MetadataValue.path(str(h.warehouse)),
            },
        )
        yield from output_check_results(con, WAREHOUSE_ASSET)
