"""The upload service asks Dagster for the run (rendement/service/trigger.py): a real Dagster
webserver on the home's instance (no daemon, so the runs it is asked for stay queued and can be
counted), the real service over HTTP, deliveries of several files per organisation arriving one
request at a time, interleaved."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import dagster as dg
import httpx
import pytest

from pipelines.resources import HomeResource
from pipelines.run import prepare_instance
from pipelines.sensors import inbox_sensor
from rendement.core.runs import FILES_TAG, ORGANISATION_TAG, ORGANISATIONS, PARTITION_TAG
from rendement.intake.accept import pending_uploads
from rendement.service.app import create_app
from rendement.service.trigger import RunTrigger
from rendement.service.uploads import Settings
from tests.support.service import LIMIT, LiveServer, make_world, project_csv

ROOT = Path(__file__).resolve().parents[2]
QUERY = "{ repositoriesOrError { __typename } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dagster_web(tmp_path):
    """`dagster-webserver` on the home's instance, with its code location loaded."""
    world = make_world(tmp_path / "home")
    instance = prepare_instance(world.home)
    instance.add_dynamic_partitions(ORGANISATIONS, ["ORG1"])  # ORG2 delivers for the first time
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DAGSTER_HOME": str(world.home.dagster)}
    env["RENDEMENT_HOME"] = str(world.home.root)
    log = (tmp_path / "webserver.log").open("wb")
    proc = subprocess.Popen(
        ["dagster-webserver", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, (tmp_path / "webserver.log").read_text()
            try:
                answer = httpx.post(f"{url}/graphql", json={"query": QUERY}, timeout=5).json()
                if answer["data"]["repositoriesOrError"]["__typename"] == "RepositoryConnection":
                    break
            except (httpx.HTTPError, KeyError, TypeError, ValueError):
                pass
            assert time.monotonic() < deadline, "the Dagster webserver did not come up"
            time.sleep(0.5)
        yield world, instance, url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def runs_per_org(instance: dg.DagsterInstance) -> dict[str, list[dg.DagsterRun]]:
    out: dict[str, list[dg.DagsterRun]] = {}
    for run in instance.get_runs():
        out.setdefault(run.tags[PARTITION_TAG], []).append(run)
    return out


def settle(instance: dg.DagsterInstance, expected: int, quiet: float = 3.0) -> None:
    """Wait until `expected` runs exist, then `quiet` seconds more (nothing else may come)."""
    deadline = time.monotonic() + 60
    while len(instance.get_runs()) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(quiet)


def test_a_delivery_of_several_files_is_one_run_per_organisation(dagster_web):
    world, instance, url = dagster_web
    app = create_app(world.home, Settings(max_upload_bytes=LIMIT), dagster_url=url)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:

        def upload(org: str, n: int) -> None:
            answer = client.post(
                "/api/uploads",
                headers={"Authorization": f"Bearer {world.tokens[org]}"},
                files={"bestand": (f"project_{2020 + n}.csv", project_csv(n))},
            )
            assert answer.status_code == 201, answer.text

        # three files of ORG1 and two of ORG2, one request each, interleaved
        for org, n in [("ORG1", 1), ("ORG2", 1), ("ORG1", 2), ("ORG2", 2), ("ORG1", 3)]:
            upload(org, n)
            time.sleep(0.2)
        settle(instance, expected=2)
        runs = runs_per_org(instance)
        assert sorted(runs) == ["ORG1", "ORG2"]
        assert [len(r) for r in runs.values()] == [1, 1]
        [first], [second] = runs["ORG1"], runs["ORG2"]
        assert first.tags[ORGANISATION_TAG] == "ORG1" and second.tags[ORGANISATION_TAG] == "ORG2"
        # the tag counts the files waiting when the run was asked for: one request may take
        # longer than the quiet period, and the files after it join the queued run
        assert 1 <= int(first.tags[FILES_TAG]) <= 3 and 1 <= int(second.tags[FILES_TAG]) <= 2
        assert [len(pending_uploads(world.home, o)) for o in ("ORG1", "ORG2")] == [3, 2]
        assert first.job_name == second.job_name == "verwerk_leveringen"
        assert first.status == dg.DagsterRunStatus.QUEUED  # no daemon here: nothing runs
        # the new organisation was made a partition by the service, as the sensor would
        assert instance.get_dynamic_partitions(ORGANISATIONS) == ["ORG1", "ORG2"]

        # a file more while ORG1's run waits: that run takes in the whole inbox, no new run
        upload("ORG1", 4)
        time.sleep(3)  # the quiet period, and the request it makes
        assert [len(r) for r in runs_per_org(instance).values()] == [1, 1]

    # and the sensor, as the safety net, starts nothing while these runs are queued
    context = dg.build_sensor_context(
        instance=instance, resources={"home": HomeResource(root=str(world.home.root))}
    )
    assert inbox_sensor(context).run_requests == []

    # an analyst accepted an organisation's own value: its run is due with no file waiting
    trigger = RunTrigger(world.home, url)
    assert trigger.request_run("ORG3") is None  # nothing waits and nothing is due
    run_id = trigger.request_run("ORG3", without_files=True)
    assert run_id and instance.get_run_by_id(run_id).tags[FILES_TAG] == "0"
    assert instance.get_run_by_id(run_id).tags[PARTITION_TAG] == "ORG3"


def test_without_dagster_the_upload_is_stored_and_left_to_the_sensor(tmp_path):
    world = make_world(tmp_path / "home")
    port = free_port()  # nothing listens here
    app = create_app(
        world.home, Settings(max_upload_bytes=LIMIT), dagster_url=f"http://127.0.0.1:{port}"
    )
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        answer = client.post(
            "/api/uploads",
            headers={"Authorization": f"Bearer {world.tokens['ORG1']}"},
            files={"bestand": ("project_2025.csv", project_csv(2))},
        )
        assert answer.status_code == 201
        time.sleep(2)  # the quiet period passes, the request to Dagster fails
        assert client.get("/gezond").status_code == 200
    assert [p.name for p in world.home.org_inbox("ORG1").iterdir() if p.suffix == ".csv"]
