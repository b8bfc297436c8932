"""The Dagster Definitions: merges the assets (with their checks, one per output table, from
schemas/outputs.py), jobs, sensors and schedules (nothing else here)."""

import warnings

import dagster as dg

from assets import (
    benchmark_assets,
    intake_assets,
    mkba_assets,
    read_copy_assets,
    report_assets,
    warehouse_assets,
)
from pipelines.jobs import process_job
from pipelines.resources import build_resources
from pipelines.schedules import schedules
from pipelines.sensors import inbox_sensor

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

defs = dg.Definitions(
    assets=dg.load_assets_from_modules(
        [
            intake_assets,
            mkba_assets,
            warehouse_assets,
            benchmark_assets,
            read_copy_assets,
            report_assets,
        ]
    ),
    jobs=[process_job],
    sensors=[inbox_sensor],
    schedules=schedules,
    resources=build_resources(),
)
