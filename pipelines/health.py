"""The Dagster part of the operator's health report (`rendement.service.health`): the last
successful run of the processing job, runs queued and running, and per organisation since
when its runs have failed (the first failure after its last success)."""

from __future__ import annotations

import datetime as dt
import os

import dagster as dg

from pipelines.jobs import PROCESS_JOB
from pipelines.sensors import ORGANISATION_TAG
from rendement.core.formatting import LOCAL_TIME
from rendement.core.home import Home
from rendement.service.health import RunProbe

RECENT_RUNS = 1000  # enough to see every organisation's latest runs at sector scale


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, tz=LOCAL_TIME).isoformat(timespec="seconds")


def run_status(instance: dg.DagsterInstance) -> dict:
    job = dg.RunsFilter(job_name=PROCESS_JOB)
    success = instance.get_run_records(
        filters=dg.RunsFilter(job_name=PROCESS_JOB, statuses=[dg.DagsterRunStatus.SUCCESS]),
        limit=1,
    )
    queued = instance.get_runs_count(
        dg.RunsFilter(job_name=PROCESS_JOB, statuses=[dg.DagsterRunStatus.QUEUED])
    )
    busy = instance.get_runs_count(
        dg.RunsFilter(
            job_name=PROCESS_JOB,
            statuses=[
                dg.DagsterRunStatus.NOT_STARTED,
                dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.STARTED,
            ],
        )
    )
    failing: dict[str, str] = {}
    settled: set[str] = set()
    # newest first: per organisation, the failures before (newer than) its latest success
    for record in instance.get_run_records(filters=job, limit=RECENT_RUNS):
        run = record.dagster_run
        org = run.tags.get(ORGANISATION_TAG)
        if org is None or org in settled or not run.is_finished:
            continue
        if run.status == dg.DagsterRunStatus.FAILURE:
            failing[org] = _iso(record.create_timestamp.timestamp())
        else:
            settled.add(org)
    last = success[0] if success else None
    return {
        "laatste_geslaagde_run": _iso(last.end_time) if last else None,
        "runs_wachtend": queued,
        "runs_bezig": busy,
        "mislukt_sinds": failing,
    }


def dagster_probe(home: Home) -> RunProbe | None:
    """A probe on the data home's Dagster instance, opened once on first use; None when the
    home has no instance configuration yet."""
    if not (home.dagster / "dagster.yaml").exists():
        return None
    opened: list[dg.DagsterInstance] = []

    def probe() -> dict:
        if not opened:
            os.environ["DAGSTER_HOME"] = str(home.dagster)
            opened.append(dg.DagsterInstance.get())
        return run_status(opened[0])

    return probe
