"""Schedules: the annual release.

Once a year (default 1 March, 06:00 Europe/Amsterdam; override with the cron expression in
`RENDEMENT_RELEASE_CRON`) the job `publiceer_release` publishes the release of the past year
from everything accepted up to and including the day before, and refreshes the site index.
The job is an op job, not an asset: `verwerk_leveringen` (all assets) must never publish a
release as a side effect of an upload. Re-running it for a year that is already released
changes nothing.

A release computes its published tables (cells, stakeholders, intervals, rendementsfactor)
with the functions the benchmark assets call (`rendement.benchmark.published`), over its own
project set: the uploads accepted up to the peildatum. It cannot read them from the
warehouse, whose tables count every upload accepted so far (docs/benchmarks.md, "Releases").
"""

import datetime as dt
import os

import dagster as dg

from pipelines.resources import HomeResource, ParametersResource
from rendement.core.formatting import LOCAL_TIME
from rendement.release.publish import (
    publish_release,
    release_for_schedule,
    verify_release,
)
from rendement.reports import build_site

RELEASE_JOB = "publiceer_release"
DEFAULT_CRON = "0 6 1 3 *"
CRON_ENV = "RENDEMENT_RELEASE_CRON"


class ReleaseConfig(dg.Config):
    jaar: int
    peildatum: str  # jjjj-mm-dd: the last day whose uploads count


@dg.op(description="Publiceer de release van een verslagjaar en werk de site-index bij.")
def publish_release_op(
    context: dg.OpExecutionContext,
    config: ReleaseConfig,
    home: HomeResource,
    parameters: ParametersResource,
) -> None:
    h = home.home()
    params = parameters.load()
    result = publish_release(
        h, config.jaar, params, peildatum=dt.date.fromisoformat(config.peildatum)
    )
    problems = verify_release(h, result.release_id)
    if problems:
        raise RuntimeError(f"release {result.release_id} is beschadigd: {problems}")
    build_site(h, params)
    m = result.manifest
    context.log.info(
        f"release {result.release_id} {'gepubliceerd' if result.created else 'bestond al'}: "
        f"peildatum {m['peildatum']}, parameterset {m['parameterversie']}"
    )
    context.add_output_metadata(
        {
            "release": result.release_id,
            "nieuw": result.created,
            "peildatum": m["peildatum"],
            "parameterversie": m["parameterversie"],
            "index": dg.MetadataValue.path(str(result.site_folder / "index.html")),
        }
    )


@dg.job(name=RELEASE_JOB, description="Het jaaroverzicht vaststellen en publiceren (release).")
def release_job():
    publish_release_op()


def release_run_config(jaar: int, peildatum: dt.date) -> dict:
    return {
        "ops": {
            "publish_release_op": {"config": {"jaar": jaar, "peildatum": peildatum.isoformat()}}
        }
    }


def _cron() -> str:
    return os.environ.get(CRON_ENV, "").strip() or DEFAULT_CRON


@dg.schedule(
    job=release_job,
    cron_schedule=_cron(),
    execution_timezone=str(LOCAL_TIME),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Jaarlijkse release van het jaaroverzicht over het vorige jaar "
    f"(cron uit {CRON_ENV}, standaard '{DEFAULT_CRON}', Europe/Amsterdam).",
)
def annual_release(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    scheduled = context.scheduled_execution_time or dt.datetime.now(LOCAL_TIME)
    jaar, peildatum = release_for_schedule(scheduled)
    return dg.RunRequest(
        run_key=f"release-{jaar}",
        run_config=release_run_config(jaar, peildatum),
        tags={"rendement/release": str(jaar)},
    )


schedules: list = [annual_release]
