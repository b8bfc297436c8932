"""The inbox sensor: one run per organisation per tick, for the set of files waiting in its inbox
(and for held re-uploads the organisation has since confirmed, `rendement.intake.hold`).

A run takes in the organisation's whole inbox, so a delivery of six files needs one run, not
six. The run key is the organisation plus a digest of its waiting files (name, size and
modification time of each, sorted), so the same set never starts twice, and a file added later
makes a new set and one more run. A new organisation is added as a partition first.

While a run for the organisation is queued or running, the sensor waits: that run may still take
in files that arrived after it was requested, and what it leaves behind is the next set. The
cursor holds, per organisation with files waiting, the digest of the set last requested (run
keys alone would do under the daemon, which skips a key it has seen; the cursor makes a second
tick with the same files request nothing anywhere, also in `build_sensor_context`). It stays
small: intake moves files out of the inbox, and an organisation with an empty inbox leaves it.

Uploads through `rendement serve` do not wait for this tick: the service asks the webserver for
the run itself, with the same organisation tag (`rendement.service.trigger`), so this sensor
sees that run in flight and waits; it remains the path for files put in the inbox otherwise and
the safety net when the service could not reach Dagster.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg

from assets.partitions import ORGANISATIONS
from pipelines.jobs import process_job
from pipelines.recovery import fail_dead_runs
from pipelines.resources import HomeResource
from rendement.core.runs import FILES_TAG, ORGANISATION_TAG
from rendement.intake.accept import organisations_in_inbox, pending_uploads
from rendement.intake.hold import confirmed_waiting

IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def files_digest(files: list[Path]) -> str:
    """SHA-256 over the sorted (name, size, mtime in ns) of the waiting files: a new file, a
    changed one or the same file put back gives another digest; an unchanged inbox the same."""
    manifest = sorted((p.name, (s := p.stat()).st_size, s.st_mtime_ns) for p in files)
    return hashlib.sha256(json.dumps(manifest).encode()).hexdigest()


def run_in_flight(instance: dg.DagsterInstance, org: str) -> bool:
    """Is a run the sensor requested for this organisation queued or running?"""
    runs = instance.get_runs(
        filters=dg.RunsFilter(
            job_name=process_job.name, tags={ORGANISATION_TAG: org}, statuses=IN_FLIGHT
        ),
        limit=1,
    )
    return bool(runs)


@dg.sensor(
    job=process_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Kijkt elke 30 seconden in RENDEMENT_HOME/inbox/<organisatie>/ of er nieuwe "
    "bestanden wachten, en start dan één verwerking per organisatie voor alle wachtende "
    "bestanden samen. Dezelfde set bestanden start geen tweede verwerking.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, home: HomeResource) -> dg.SensorResult:
    """Watches RENDEMENT_HOME/inbox/<organisatie>/ for new exports."""
    h = home.home()
    fail_dead_runs(context.instance)  # a dead run is not "in flight" (`pipelines.recovery`)
    known = set(context.instance.get_dynamic_partitions(ORGANISATIONS))
    requested: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    cursor: dict[str, str] = {}
    new_orgs, runs = [], []
    confirmed = confirmed_waiting(h.lake)  # held re-uploads the organisation confirmed
    for org in sorted(set(organisations_in_inbox(h)) | set(confirmed)):
        files = pending_uploads(h, org)
        if not files and not confirmed.get(org):
            continue
        if org not in known:
            new_orgs.append(org)
        digest = files_digest(files)
        if confirmed.get(org):
            digest = hashlib.sha256((digest + ",".join(confirmed[org])).encode()).hexdigest()
        if requested.get(org) == digest or run_in_flight(context.instance, org):
            if org in requested:
                cursor[org] = requested[org]
            continue
        cursor[org] = digest
        runs.append(
            dg.RunRequest(
                run_key=f"{org}:{digest}",
                partition_key=org,
                tags={ORGANISATION_TAG: org, FILES_TAG: str(len(files))},
            )
        )
    return dg.SensorResult(
        run_requests=runs,
        cursor=json.dumps(cursor, sort_keys=True),
        dynamic_partitions_requests=[
            dg.DynamicPartitionsDefinition(name=ORGANISATIONS).build_add_request(new_orgs)
        ]
        if new_orgs
        else [],
    )
