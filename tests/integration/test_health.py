"""Health and alarms (issue 21, point 4): `/gezond/details` for analysts reports the last
successful run, runs waiting, inbox age and disk space; `rendement status --alarm` exits 1 when
a delivery has waited or failed for a day (for a systemd timer), 0 when all is well."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import dagster as dg
import httpx

from pipelines.health import dagster_probe, run_status
from pipelines.instance import write_instance_config
from pipelines.jobs import PROCESS_JOB
from pipelines.sensors import ORGANISATION_TAG
from rendement.core.home import Home
from rendement.service.app import create_app
from rendement.service.health import alarms, snapshot
from rendement.service.uploads import Settings
from tests.support.homes import restored_env
from tests.support.service import LiveServer, make_world


@dg.op
def works() -> None:
    pass


@dg.op
def breaks():
    raise RuntimeError("kapot")


@dg.job(name=PROCESS_JOB)
def good():
    works()


@dg.job(name=PROCESS_JOB)
def bad():
    breaks()


def _wait(home: Home, org: str, hours: float, name: str = "kosten_2025.csv") -> None:
    path = home.org_inbox(org) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("project_id;jaar;kostensoort;bedrag\n", "utf-8")
    old = time.time() - hours * 3600
    os.utime(path, (old, old))


def _run(job, instance, org: str) -> dg.DagsterRun:
    result = job.execute_in_process(
        instance=instance, tags={ORGANISATION_TAG: org}, raise_on_error=False
    )
    return instance.get_run_by_id(result.run_id)


def test_runs_of_the_instance_give_last_success_and_failing_organisations(tmp_path):
    with dg.instance_for_test() as instance:
        _run(good, instance, "ORG1")
        _run(bad, instance, "ORG1")  # failing since this one
        _run(bad, instance, "ORG1")
        _run(bad, instance, "ORG2")
        _run(good, instance, "ORG2")  # recovered
        ok = _run(good, instance, "ORG3")
        status = run_status(instance)
        # the older of ORG1's two failures (records come newest first)
        first_failure = instance.get_run_records(
            filters=dg.RunsFilter(tags={ORGANISATION_TAG: "ORG1"}), limit=2
        )[-1]
    assert list(status["mislukt_sinds"]) == ["ORG1"]
    since = dt.datetime.fromisoformat(status["mislukt_sinds"]["ORG1"])
    assert abs(since.timestamp() - first_failure.create_timestamp.timestamp()) < 1
    assert status["laatste_geslaagde_run"] is not None and ok.status == dg.DagsterRunStatus.SUCCESS
    assert status["runs_wachtend"] == 0 and status["runs_bezig"] == 0

    home = Home(tmp_path / "home").ensure()
    now = dt.datetime.now(dt.UTC)
    soon = snapshot(home, lambda: status, now=now)
    assert alarms(soon) == []  # failing for minutes, not a day
    later = snapshot(home, lambda: status, now=now + dt.timedelta(hours=25))
    [message] = alarms(later)
    assert message.startswith("ORG1: de verwerking mislukt al 25")


def test_inbox_age_and_disk_space_raise_alarms(tmp_path):
    home = Home(tmp_path / "home").ensure()
    _wait(home, "ORG1", 30)
    _wait(home, "ORG1", 2, "project_2025.csv")
    _wait(home, "ORG2", 3)
    report = snapshot(home)
    ages = {w["organisatie_id"]: w for w in report["inbox"]["organisaties"]}
    assert ages["ORG1"]["bestanden"] == 2 and 29.9 < ages["ORG1"]["wacht_uren"] < 30.2
    assert 2.9 < ages["ORG2"]["wacht_uren"] < 3.2
    assert report["inbox"]["oudste_wacht_uren"] == ages["ORG1"]["wacht_uren"]
    assert report["schijf"]["totaal_bytes"] > report["schijf"]["vrij_bytes"] > 0
    [waiting] = alarms(report)
    assert waiting.startswith("ORG1: 2 bestand(en) wachten al 30")
    assert len(alarms(report, limit_hours=2.5)) == 2
    assert any("Schijf bijna vol" in m for m in alarms(report, min_free_fraction=1.0))
    broken = snapshot(home, lambda: 1 / 0)
    assert "fout" in broken["runs"] and any("Runs onbekend" in m for m in alarms(broken))


def test_the_details_endpoint_is_for_analysts(tmp_path):
    world = make_world(tmp_path / "home")
    _wait(world.home, "ORG1", 26)
    with dg.instance_for_test() as instance:
        _run(good, instance, "ORG2")
        app = create_app(world.home, Settings(), runs=lambda: run_status(instance))
        with LiveServer(app) as live, httpx.Client(base_url=live.url, timeout=30) as client:
            assert client.get("/gezond").json() == {"status": "ok"}
            assert client.get("/gezond/details").status_code == 401
            org = {"Authorization": f"Bearer {world.tokens['ORG1']}"}
            assert client.get("/gezond/details", headers=org).status_code == 403
            analyst = {"Authorization": f"Bearer {world.tokens['analist']}"}
            answer = client.get("/gezond/details", headers=analyst)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "alarm" and body["alarmen"][0].startswith("ORG1: 1 bestand(en)")
    assert body["runs"]["laatste_geslaagde_run"] and body["runs"]["runs_wachtend"] == 0
    assert body["inbox"]["organisaties"][0]["organisatie_id"] == "ORG1"
    assert body["schijf"]["vrij_bytes"] > 0


def _status(home: Home, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    env.pop("DAGSTER_HOME", None)
    return subprocess.run(
        [sys.executable, "-m", "rendement.cli.main", "status", "--home", str(home.root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_status_alarm_exits_one_when_a_delivery_waited_a_day(tmp_path):
    home = Home(tmp_path / "home").ensure()
    write_instance_config(home.dagster, {})
    with restored_env("DAGSTER_HOME"):
        assert dagster_probe(home)()["laatste_geslaagde_run"] is None  # a real, empty instance
    _wait(home, "ORG1", 3)
    calm = _status(home, "--alarm")
    assert calm.returncode == 0, calm.stderr
    assert "Laatste geslaagde run:  geen" in calm.stdout and "ALARM" not in calm.stderr
    _wait(home, "ORG2", 25)
    alarm = _status(home, "--alarm")
    assert alarm.returncode == 1
    assert "ALARM: ORG2: 1 bestand(en) wachten al 25" in alarm.stderr
    assert _status(home).returncode == 0  # without --alarm: only shown
    assert _status(home, "--alarm", "--uren", "48").returncode == 0
