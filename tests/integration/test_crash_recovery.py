"""A crashed run blocks no later run (issue 20, point 3): a run killed with SIGKILL during the
warehouse step is failed and its concurrency slot freed before the next run starts; the
warehouse step tries again while another process holds the DuckDB file; the instance has
Dagster's run monitoring on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import dagster as dg
import duckdb
import yaml

from assets.partitions import WAREHOUSE_POOL
from assets.warehouse_assets import warehouse
from pipelines.recovery import WORKER_TAG, worker_alive, worker_tag
from pipelines.resources import HomeResource
from pipelines.run import INSTANCE_MARKER, INSTANCE_YAML, prepare_instance
from pipelines.sensors import inbox_sensor
from rendement.core.home import Home
from tests.support.homes import copy_home, hold_warehouse, restored_env

RUN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pipelines.run import run_pipeline
    from rendement.core.home import Home
    result = run_pipeline(Home(Path(sys.argv[1])), progress=lambda s: print(s, flush=True))
    print("klaar", result.success, result.run_id, flush=True)
    """
)


def _start_run(home: Home) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RUN, str(home.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )


def _instance(home: Home) -> dg.DagsterInstance:
    with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
        os.environ["DAGSTER_HOME"] = str(home.dagster)
        return dg.DagsterInstance.get()


def test_a_run_killed_in_the_warehouse_step_does_not_block_the_next_run(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    killed = _kill_in_warehouse_step(home)  # left behind: a run that looks as if it runs
    instance = _instance(home)
    assert worker_alive(killed.tags[WORKER_TAG]) is False
    assert killed.run_id in _slot_holders(instance)

    started = time.monotonic()
    second = _start_run(home)
    out, _ = second.communicate(timeout=300)  # before: it waited at the warehouse step
    assert second.returncode == 0 and "klaar True" in out, out
    elapsed = time.monotonic() - started
    dead = instance.get_run_by_id(killed.run_id)
    assert dead.status == dg.DagsterRunStatus.FAILURE
    failure = instance.all_logs(killed.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert "bestaat niet meer" in failure[-1].message
    assert killed.run_id not in _slot_holders(instance)
    print(f"next run after the kill: {elapsed:.1f} s")


def test_the_inbox_sensor_fails_a_dead_run_on_its_next_tick(demo_home, tmp_path):
    """Under `dagster dev` the sensor, not a new `rendement demo`, is what notices first."""
    home = copy_home(demo_home, tmp_path / "home")
    killed = _kill_in_warehouse_step(home)
    instance = _instance(home)
    assert killed.run_id in _slot_holders(instance)
    context = dg.build_sensor_context(
        instance=instance, resources={"home": HomeResource(root=str(home.root))}
    )
    inbox_sensor(context)
    assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE
    assert killed.run_id not in _slot_holders(instance)


def _slot_holders(instance: dg.DagsterInstance) -> set[str]:
    return instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).active_run_ids


def _kill_in_warehouse_step(home: Home) -> dg.DagsterRun:
    run = _start_run(home)
    for line in run.stdout:
        if line.strip() == "warehouse":
            os.kill(run.pid, signal.SIGKILL)
            break
    run.wait(30)
    assert run.returncode == -signal.SIGKILL, "killed in the warehouse step, not finished"
    (killed,) = [r for r in _instance(home).get_runs() if r.status == dg.DagsterRunStatus.STARTED]
    return killed


# The daemon's run monitoring with short intervals (a config written by hand is kept).
MONITORED = (
    INSTANCE_YAML.replace(INSTANCE_MARKER, "# test")
    .replace("poll_interval_seconds: 30", "poll_interval_seconds: 1")
    .replace("free_slots_after_run_end_seconds: 60", "free_slots_after_run_end_seconds: 1")
)


def test_dagsters_run_monitoring_in_the_daemon_fails_a_dead_run_and_frees_its_slot(
    demo_home, tmp_path
):
    """Dagster's own guard, for a run `pipelines.recovery` cannot judge (another machine's):
    the daemon fails it once it exceeds its maximum run time and frees its slot."""
    home = copy_home(demo_home, tmp_path / "home")
    (home.dagster / "dagster.yaml").write_text(MONITORED, "utf-8")
    killed = _kill_in_warehouse_step(home)
    instance = _instance(home)
    assert instance.run_monitoring_enabled
    assert killed.run_id in _slot_holders(instance)
    instance.add_run_tags(killed.run_id, {WORKER_TAG: "elders:1:1", "dagster/max_runtime": "1"})
    daemon = subprocess.Popen(
        ["dagster-daemon", "run", "-w", os.path.join(os.getcwd(), "workspace.yaml")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={
            **os.environ,
            "PYTHONPATH": os.getcwd(),
            "DAGSTER_HOME": str(home.dagster),
            "RENDEMENT_HOME": str(home.root),
        },
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            run = instance.get_run_by_id(killed.run_id)
            if run.status == dg.DagsterRunStatus.FAILURE and killed.run_id not in _slot_holders(
                instance
            ):
                break
            time.sleep(2)
        took = 240 - (deadline - time.monotonic())
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait(10)
    assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE
    assert killed.run_id not in _slot_holders(instance)
    print(f"daemon failed the dead run and freed its slot in {took:.0f} s")


def test_the_warehouse_step_tries_again_while_the_file_is_busy(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    holder = hold_warehouse(home.warehouse, 2.5)
    try:
        # the file is really busy: a second writer is refused
        try:
            duckdb.connect(str(home.warehouse)).close()
            busy = False
        except duckdb.IOException:
            busy = True
        assert busy
        with restored_env("RENDEMENT_HOME"):
            result = dg.materialize(
                [warehouse],
                resources={"home": HomeResource(root=str(home.root))},
                instance=dg.DagsterInstance.ephemeral(),
            )
    finally:
        holder.kill()
        holder.wait()
    assert result.success
    retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retries, "the first attempt met the busy file and was retried"


def test_the_instance_has_run_monitoring_and_an_old_config_is_brought_up_to_date(tmp_path):
    home = Home(tmp_path / "home").ensure()
    config = home.dagster / "dagster.yaml"
    old = INSTANCE_YAML.split("run_monitoring:")[0] + "telemetry:\n  enabled: false\n"
    config.write_text(old, "utf-8")
    with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
        instance = prepare_instance(home)
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] == 60
    assert yaml.safe_load(config.read_text("utf-8"))["run_monitoring"]["enabled"] is True
    own = "# mijn eigen instantie\ntelemetry:\n  enabled: false\n"
    config.write_text(own, "utf-8")
    with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
        prepare_instance(home)
    assert config.read_text("utf-8") == own  # a config written by hand is left alone


def test_a_worker_tag_names_a_living_process_only_while_it_lives():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        tag = worker_tag(child.pid)
        assert worker_alive(tag) is True
    finally:
        child.kill()
        child.wait()
    assert worker_alive(tag) is False
    assert worker_alive(f"{worker_tag()}") is True
    assert worker_alive("elders:1:1") is None  # another machine's run is not judged here
