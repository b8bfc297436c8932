"""Dagster on PostgreSQL (issue 21, point 2): with RENDEMENT_DAGSTER_PG_URL set the instance
keeps runs, events and schedules in a real PostgreSQL server and queues runs one at a time; an
upload through the upload service reaches an updated report through the real `dagster-daemon`
(its sensor, its run queue, its run launcher) without anyone starting a run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import dagster as dg
import duckdb
import httpx
import yaml
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage

from pipelines.instance import INSTANCE_YAML, PG_URL_ENV, POSTGRES_YAML, write_instance_config
from pipelines.jobs import PROCESS_JOB
from pipelines.sensors import ORGANISATION_TAG
from rendement.core.registry import Registry
from rendement.demo import generate_sector, write_exports
from rendement.service.app import create_app
from rendement.service.uploads import Settings
from tests.support.homes import DEMO_ORGS, DEMO_SEED, copy_home, restored_env
from tests.support.postgres import postgres_server
from tests.support.service import LiveServer

ORG = "ORG001"


def _doubled_costs(tmp_path) -> bytes:
    """ORG001's 2025 cost export of the demo sector with every amount doubled."""
    org = next(iter(generate_sector(orgs=DEMO_ORGS, seed=DEMO_SEED)))
    write_exports(org, tmp_path / "export")
    lines = (tmp_path / "export" / ORG / "kosten_2025.csv").read_text("utf-8").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        *rest, amount = line.split(";")
        if amount:  # an empty amount (a demo organisation's gap) stays empty
            amount = f"{float(amount.replace(',', '.')) * 2:.2f}".replace(".", ",")
        out.append(";".join([*rest, amount]))
    return ("\n".join(out) + "\n").encode("utf-8")


def _costs_2025(home) -> float:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        (total,) = con.execute(
            "SELECT sum(kosten) FROM mkba.project WHERE organisatie_id = ? AND jaar = 2025", [ORG]
        ).fetchone()
    return total


def test_without_the_url_the_instance_stays_sqlite(tmp_path):
    assert write_instance_config(tmp_path, {}) is True
    assert (tmp_path / "dagster.yaml").read_text("utf-8") == INSTANCE_YAML
    assert "postgres" not in yaml.safe_load(INSTANCE_YAML).get("storage", {})


def test_an_upload_reaches_an_updated_report_through_the_daemon_on_postgres(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    shutil.rmtree(home.dagster)  # the demo's SQLite instance; the year starts on PostgreSQL
    with Registry.edit(home.registry) as registry:
        token, _ = registry.issue_org_token(ORG)
    before_costs = _costs_2025(home)
    before_page = (home.site / "org" / ORG / "index.html").read_bytes()
    upload = _doubled_costs(tmp_path)

    with postgres_server() as url, restored_env("RENDEMENT_HOME", "DAGSTER_HOME", PG_URL_ENV):
        os.environ.update(
            {"RENDEMENT_HOME": str(home.root), "DAGSTER_HOME": str(home.dagster), PG_URL_ENV: url}
        )
        assert write_instance_config(home.dagster) is True
        assert (home.dagster / "dagster.yaml").read_text("utf-8") == POSTGRES_YAML
        assert url not in POSTGRES_YAML  # the password stays in the environment
        instance = dg.DagsterInstance.get()
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.run_coordinator, dg.QueuedRunCoordinator)
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1

        with LiveServer(create_app(home, Settings(preflight=False))) as live:
            answer = httpx.post(
                f"{live.url}/api/uploads",
                headers={"Authorization": f"Bearer {token}"},
                files={"bestand": ("kosten_2025.csv", upload, "text/csv")},
                timeout=60,
            )
        assert answer.status_code == 201, answer.text

        started = time.monotonic()
        daemon = subprocess.Popen(
            ["dagster-daemon", "run", "-w", os.path.join(os.getcwd(), "workspace.yaml")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.getcwd()},
            start_new_session=True,
        )
        try:
            run = _wait_for_finished_run(instance, deadline=started + 420)
        finally:
            os.killpg(daemon.pid, signal.SIGTERM)
            try:
                daemon.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
                daemon.wait(10)
        took = time.monotonic() - started
        assert run.status == dg.DagsterRunStatus.SUCCESS, run.status
        assert run.tags[ORGANISATION_TAG] == ORG and run.tags["dagster/partition"] == ORG
        # the run went through the queue: its enqueued event is in PostgreSQL
        enqueued = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.PIPELINE_ENQUEUED)
        assert enqueued
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=PROCESS_JOB))
        assert [r.run_id for r in runs] == [run.run_id]  # one delivery, one run

    assert _costs_2025(home) > 1.9 * before_costs
    assert (home.site / "org" / ORG / "index.html").read_bytes() != before_page
    assert not list(home.org_inbox(ORG).glob("*.csv"))
    print(f"upload to updated report through dagster-daemon on PostgreSQL: {took:.0f} s")


def _wait_for_finished_run(instance: dg.DagsterInstance, deadline: float) -> dg.DagsterRun:
    while time.monotonic() < deadline:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=PROCESS_JOB))
        if runs and runs[0].is_finished:
            return runs[0]
        time.sleep(1)
    events = [
        (e.timestamp, e.dagster_event_type, e.step_key)
        for r in runs
        for e in instance.all_logs(r.run_id)
        if e.dagster_event_type is not None
    ]
    raise AssertionError(
        f"no finished run in time: {[(r.run_id, r.status) for r in runs]} {events}"
    )
