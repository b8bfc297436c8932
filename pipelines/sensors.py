"""The inbox sensor: a new upload adds its organisation as a partition and requests one run.

The run key is the organisation plus the upload's SHA-256, so an upload is processed once
however often the sensor ticks. The cursor stays empty: the inbox only holds files that have not
been taken in yet (intake moves them to the archive), so the sensor's work is bounded by what is
waiting, not by history.
"""

import dagster as dg

from assets.partitions import ORGANISATIONS
from pipelines.jobs import process_job
from pipelines.resources import HomeResource
from rendement.intake.accept import is_known, organisations_in_inbox, pending_uploads, sha256_file


@dg.sensor(
    job=process_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING
)
def inbox_sensor(context: dg.SensorEvaluationContext, home: HomeResource) -> dg.SensorResult:
    """Watches RENDEMENT_HOME/inbox/<organisatie>/ for new exports."""
    h = home.home()
    known = set(context.instance.get_dynamic_partitions(ORGANISATIONS))
    new_orgs, runs = [], []
    for org in organisations_in_inbox(h):
        if org not in known:
            new_orgs.append(org)
        for path in pending_uploads(h, org):
            checksum = sha256_file(path)
            runs.append(
                dg.RunRequest(
                    run_key=f"{org}:{checksum}",
                    partition_key=org,
                    tags={
                        "rendement/checksum": checksum,
                        "rendement/duplicaat": str(is_known(h, org, checksum)),
                    },
                )
            )
    return dg.SensorResult(
        run_requests=runs,
        dynamic_partitions_requests=[
            dg.DynamicPartitionsDefinition(name=ORGANISATIONS).build_add_request(new_orgs)
        ]
        if new_orgs
        else [],
    )
