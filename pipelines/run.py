"""Run the pipeline in-process on a persistent Dagster instance in the data home.

Used by `rendement demo` and by the tests: the same job, assets and instance that
`dagster dev -w workspace.yaml` shows, so a run started here appears in the UI. All
organisations are processed in one run (a partition range), not one run per organisation.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Callable

import dagster as dg

from assets.partitions import ORGANISATIONS
from pipelines.events import batch_planned_events
from pipelines.instance import INSTANCE_MARKER, INSTANCE_YAML, write_instance_config
from pipelines.recovery import WORKER_TAG, fail_dead_runs, worker_tag
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.intake.accept import organisations_in_inbox

STEP_NAMES = {
    "uploads": "inname",
    "accepted_tables": "validatie",
    "project_mkba": "MKBA",
    "warehouse": "warehouse",
    "sector_benchmark": "benchmark",
    "sector_stakeholders": "baathebbers",
    "sector_intervals": "intervallen",
    "warehouse_read_copy": "leeskopie",
    "reports": "rapporten",
}


def step_name(step: str) -> str:
    """The Dutch name of a step for the CLI's progress (a stage's checks run in its step)."""
    return STEP_NAMES.get(step, step)


def prepare_instance(home: Home) -> dg.DagsterInstance:
    """Point DAGSTER_HOME and RENDEMENT_HOME at this home and open its instance."""
    home.ensure()
    os.environ["RENDEMENT_HOME"] = str(home.root)
    os.environ["DAGSTER_HOME"] = str(home.dagster)
    # SQLite, or PostgreSQL when RENDEMENT_DAGSTER_PG_URL is set (`pipelines.instance`)
    write_instance_config(home.dagster)
    return dg.DagsterInstance.get()


def _progress_logger(report: Callable[[str], None]) -> dg.LoggerDefinition:
    """A Dagster logger that only reports which stage starts, for a quiet CLI."""

    class _StepHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            event = getattr(record, "dagster_meta", {}).get("dagster_event")
            if event is not None and event.event_type_value == "STEP_START":
                report(step_name(event.step_key or ""))

    @dg.logger
    def progress(_init_context):
        log = logging.getLogger("rendement.progress")
        log.handlers = [_StepHandler()]
        log.setLevel(logging.DEBUG)
        log.propagate = False
        return log

    return progress


def run_pipeline(
    home: Home,
    *,
    organisations: list[str] | None = None,
    verbose: bool = False,
    progress: Callable[[str], None] | None = None,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    """Register organisations found in the inbox or lake and run the whole graph once.

    `organisations=None` processes every known organisation (the full sector) in one run.
    """
    from pipelines.definitions import defs
    from pipelines.jobs import PROCESS_JOB

    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    instance = instance or prepare_instance(home)
    fail_dead_runs(instance)  # a killed earlier run would hold the warehouse slot forever
    found = sorted(set(organisations_in_inbox(home)) | set(Lake(home.lake).organisations()))
    known = instance.get_dynamic_partitions(ORGANISATIONS)
    missing = [org for org in found if org not in known]
    if missing:
        instance.add_dynamic_partitions(ORGANISATIONS, missing)
    keys = instance.get_dynamic_partitions(ORGANISATIONS)
    if not keys:
        raise RuntimeError("Geen organisaties gevonden in de inbox of de opslag.")
    selected = organisations or keys
    positions = sorted(keys.index(org) for org in selected)
    if positions != list(range(positions[0], positions[-1] + 1)):
        raise ValueError("organisations must be consecutive partitions; run them one by one")
    tags = {
        "dagster/asset_partition_range_start": keys[positions[0]],
        "dagster/asset_partition_range_end": keys[positions[-1]],
    }
    loggers = {}
    if verbose:
        run_config = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    else:
        report = progress or (lambda stage: print(f"  · {stage}", file=sys.stderr))
        loggers = {"voortgang": _progress_logger(report)}
        run_config = {"loggers": {"voortgang": {}}}
    job = defs.resolve_job_def(PROCESS_JOB)
    if loggers:
        job = job.with_logger_defs(loggers)
    tags[WORKER_TAG] = worker_tag()  # so that a dead run is found (`pipelines.recovery`)
    batch_planned_events()  # a sector run: one planned event per asset (`pipelines.events`)
    return job.execute_in_process(instance=instance, tags=tags, run_config=run_config)


__all__ = ["INSTANCE_MARKER", "INSTANCE_YAML", "prepare_instance", "run_pipeline", "step_name"]
