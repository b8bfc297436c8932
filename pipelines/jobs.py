"""Jobs. One job covers the whole graph: run it for one organisation (a re-upload) or for a
range of organisations (the full sector, as one run).

The job runs its steps in the run's own process (`in_process_executor`), under `dagster dev`
and the daemon as in `run_pipeline`. Dagster's default multiprocess executor starts a fresh
Python process per step, which imports the whole project again (polars, pandera, DuckDB,
great-tables: ≈ 3 s of imports, ≈ 8 s per step at a load of 11 on 2 cores) for each of the 12
steps, most of them a second of work or less in a re-upload; the steps are a chain (the
warehouse pool admits one writer), so those processes bought no parallelism: a re-upload's run
took 127 s under `dagster dev`, 10–13 s in-process (docs/performance.md). The parallel work is per organisation, inside the partitioned steps
(`rendement.core.workers.per_organisation`), in one pool of worker processes per run (the
resource `workers`, `pipelines.resources.WorkersResource`). On more machines, another executor is a setting
(docs/performance.md, "Beyond one machine").
"""

import dagster as dg

from rendement.core.runs import PROCESS_JOB

process_job = dg.define_asset_job(
    PROCESS_JOB,
    selection=dg.AssetSelection.all(),
    description="Inname, validatie, MKBA, warehouse, benchmark en rapporten.",
    executor_def=dg.in_process_executor,
)
