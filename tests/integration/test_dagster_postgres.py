"""Dagster on PostgreSQL (issue 21, point 2): with RENDEMENT_DAGSTER_PG_URL set the instance
keeps runs, events and schedules in a real PostgreSQL server and queues runs one at a time; an
upload through the upload service (`rendement serve`) reaches an updated report through the real
`dagster-daemon` (its sensor, its run queue, its run launcher) without anyone starting a run,
and the Dagster UI (`dagster-webserver`) and `/gezond/details` see that run."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager

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
from tests.support.homes import DEMO_ORGS, DEMO_SEED, copy_home, restored_env
from tests.support.postgres import postgres_server

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
    """The three services as `deploy/systemd/` runs them (`rendement instantie` first), on one
    PostgreSQL-backed instance."""
    home = copy_home(demo_home, tmp_path / "home")
    shutil.rmtree(home.dagster)  # the demo's SQLite instance; the year starts on PostgreSQL
    with Registry.edit(home.registry) as registry:
        token, _ = registry.issue_org_token(ORG)
        _, analyst = registry.issue_analyst_token("beheer")
    before_costs = _costs_2025(home)
    before_page = (home.site / "org" / ORG / "index.html").read_bytes()
    upload = _doubled_costs(tmp_path)

    with (
        postgres_server() as url,
        restored_env("RENDEMENT_HOME", "DAGSTER_HOME", PG_URL_ENV),
        ExitStack() as services,
    ):
        os.environ.update(
            {"RENDEMENT_HOME": str(home.root), "DAGSTER_HOME": str(home.dagster), PG_URL_ENV: url}
        )
        env = {**os.environ, "PYTHONPATH": os.getcwd()}
        written = subprocess.run(
            [sys.executable, "-m", "rendement.cli.main", "instantie"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert written.returncode == 0 and "PostgreSQL" in written.stdout, written.stderr
        assert (home.dagster / "dagster.yaml").read_text("utf-8") == POSTGRES_YAML
        assert url not in POSTGRES_YAML  # the password stays in the environment
        instance = dg.DagsterInstance.get()
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.run_coordinator, dg.QueuedRunCoordinator)
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1

        upload_port, ui_port = _free_port(), _free_port()
        workspace = os.path.join(os.getcwd(), "workspace.yaml")
        serve = [sys.executable, "-m", "rendement.cli.main", "serve", "--port", str(upload_port)]
        services.enter_context(_service([*serve, "--zonder-voorcontrole"], env))
        services.enter_context(
            _service(
                ["dagster-webserver", "-h", "127.0.0.1", "-p", str(ui_port), "-w", workspace], env
            )
        )
        base = f"http://127.0.0.1:{upload_port}"
        _wait_for(f"{base}/gezond")
        answer = httpx.post(
            f"{base}/api/uploads",
            headers={"Authorization": f"Bearer {token}"},
            files={"bestand": ("kosten_2025.csv", upload, "text/csv")},
            timeout=60,
        )
        assert answer.status_code == 201, answer.text

        started = time.monotonic()
        services.enter_context(_service(["dagster-daemon", "run", "-w", workspace], env))
        run = _wait_for_finished_run(instance, deadline=started + 420)
        took = time.monotonic() - started
        assert run.status == dg.DagsterRunStatus.SUCCESS, run.status
        assert run.tags[ORGANISATION_TAG] == ORG and run.tags["dagster/partition"] == ORG
        # the run went through the queue: its enqueued event is in PostgreSQL
        enqueued = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.PIPELINE_ENQUEUED)
        assert enqueued
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=PROCESS_JOB))
        assert [r.run_id for r in runs] == [run.run_id]  # one delivery, one run

        # the operator's view reads the same instance: the upload service and the Dagster UI
        details = httpx.get(
            f"{base}/gezond/details", headers={"Authorization": f"Bearer {analyst}"}, timeout=60
        ).json()
        assert details["runs"]["laatste_geslaagde_run"] and details["runs"]["runs_wachtend"] == 0
        assert details["inbox"]["organisaties"] == [] and details["status"] == "ok"
        _wait_for(f"http://127.0.0.1:{ui_port}/server_info")
        query = "{ runsOrError { ... on Runs { results { runId status } } } }"
        seen = httpx.post(
            f"http://127.0.0.1:{ui_port}/graphql", json={"query": query}, timeout=60
        ).json()
        assert seen["data"]["runsOrError"]["results"] == [
            {"runId": run.run_id, "status": "SUCCESS"}
        ]

    assert _costs_2025(home) > 1.9 * before_costs
    assert (home.site / "org" / ORG / "index.html").read_bytes() != before_page
    assert not list(home.org_inbox(ORG).glob("*.csv"))
    print(f"upload to updated report through dagster-daemon on PostgreSQL: {took:.0f} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _service(argv: list[str], env: dict[str, str]):
    """A service process in its own session, stopped (its whole group) afterwards."""
    process = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def _wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer in time")
        time.sleep(0.5)


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
