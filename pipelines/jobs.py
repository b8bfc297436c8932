"""Jobs. One job covers the whole graph: run it for one organisation (a re-upload) or for a
range of organisations (the full sector, as one run)."""

import dagster as dg

PROCESS_JOB = "verwerk_leveringen"

process_job = dg.define_asset_job(
    PROCESS_JOB,
    selection=dg.AssetSelection.all(),
    description="Inname, validatie, MKBA, warehouse, benchmark en rapporten.",
)
