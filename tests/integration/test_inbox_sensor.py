"""The inbox sensor on a real Dagster instance: one run per organisation per tick, keyed on the
set of files waiting in its inbox (pipelines/sensors.py)."""

from __future__ import annotations

import os

import dagster as dg
import pytest

from pipelines.jobs import PROCESS_JOB
from pipelines.resources import HomeResource
from pipelines.sensors import FILES_TAG, ORGANISATION_TAG, inbox_sensor
from rendement.core.home import Home
from rendement.demo import generate_sector, write_exports
from rendement.intake.accept import receive_org

DELIVERY = ["organisatie", "project", "traject", "meting", "inzet", "kosten"]


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def deliver(home: Home, org: str, *tables: str, year: int = 2025) -> None:
    folder = home.org_inbox(org)
    folder.mkdir(parents=True, exist_ok=True)
    for table in tables:
        (folder / f"{table}_{year}.csv").write_text(f"{table};jaar\n{table};{year}\n", "utf-8")


def tick(instance, home: Home, cursor: str | None = None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"home": HomeResource(root=str(home.root))}
    )
    return inbox_sensor(context)


def test_a_six_file_delivery_starts_one_run_and_a_seventh_file_one_more(tmp_path, instance):
    home = Home(tmp_path / "home").ensure()
    deliver(home, "ORG1", *DELIVERY)

    first = tick(instance, home)
    [run] = first.run_requests
    assert run.partition_key == "ORG1" and run.run_key.startswith("ORG1:")
    assert run.tags[ORGANISATION_TAG] == "ORG1" and run.tags[FILES_TAG] == "6"
    [add] = first.dynamic_partitions_requests
    assert list(add.partition_keys) == ["ORG1"]
    instance.add_dynamic_partitions("organisaties", ["ORG1"])

    # the same files on the next tick: nothing
    second = tick(instance, home, first.cursor)
    assert second.run_requests == [] and not second.dynamic_partitions_requests
    assert second.cursor == first.cursor

    # a seventh file: one more run, for the new set
    deliver(home, "ORG1", "kosten", year=2024)
    third = tick(instance, home, second.cursor)
    [again] = third.run_requests
    assert again.partition_key == "ORG1" and again.tags[FILES_TAG] == "7"
    assert again.run_key != run.run_key
    assert tick(instance, home, third.cursor).run_requests == []


def test_one_run_per_organisation_and_a_taken_in_inbox_leaves_the_cursor(tmp_path, instance):
    home = Home(tmp_path / "home").ensure()
    for org in generate_sector(orgs=2, seed=5):
        write_exports(org, home.inbox)
    files = {o: len(os.listdir(home.org_inbox(o))) for o in ("ORG001", "ORG002")}
    assert min(files.values()) > 1

    first = tick(instance, home)
    assert sorted((r.partition_key, r.tags[FILES_TAG]) for r in first.run_requests) == [
        (org, str(n)) for org, n in sorted(files.items())
    ]
    [add] = first.dynamic_partitions_requests
    assert sorted(add.partition_keys) == ["ORG001", "ORG002"]
    assert len(first.cursor) < 200

    # the run of ORG001 takes its inbox in: the cursor forgets it, ORG002 stays as it was
    receive_org(home, "ORG001")
    instance.add_dynamic_partitions("organisaties", ["ORG001", "ORG002"])
    second = tick(instance, home, first.cursor)
    assert second.run_requests == [] and not second.dynamic_partitions_requests
    assert "ORG001" not in second.cursor and "ORG002" in second.cursor

    # the same file put back later is a new set (intake then calls it a duplicate)
    deliver(home, "ORG001", "project")
    [late] = tick(instance, home, second.cursor).run_requests
    assert late.partition_key == "ORG001" and late.tags[FILES_TAG] == "1"


def test_the_sensor_waits_while_a_run_for_the_organisation_is_in_flight(tmp_path, instance):
    home = Home(tmp_path / "home").ensure()
    deliver(home, "ORG1", *DELIVERY[:3])
    deliver(home, "ORG2", *DELIVERY[:2])

    @dg.op
    def noop():
        return None

    @dg.job(name=PROCESS_JOB)
    def stand_in():
        noop()

    queued = instance.create_run_for_job(stand_in, tags={ORGANISATION_TAG: "ORG1"})
    waiting = tick(instance, home)
    assert [r.partition_key for r in waiting.run_requests] == ["ORG2"]

    # the run ends without taking the inbox in: its files are requested on the next tick
    instance.report_run_failed(queued)
    [run] = tick(instance, home, waiting.cursor).run_requests
    assert run.partition_key == "ORG1" and run.tags[FILES_TAG] == "3"
