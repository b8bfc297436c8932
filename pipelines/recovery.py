"""Runs whose process died: failed at once, their concurrency slots freed.

A run executed in-process (`rendement demo`, `pipelines.run.run_pipeline`) that is killed
(`kill -9`, a crash, the machine's OOM killer) stays STARTED in the instance and keeps its
slot in the `warehouse` pool: every later run then waits at the warehouse step, and the inbox
sensor waits for the "running" run of that organisation. Two guards:

- Dagster's run monitoring (the instance config `pipelines.run.INSTANCE_YAML`, run by the
  daemon of `dagster dev`): runs that do not start, do not cancel or run longer than
  `max_runtime_seconds` are failed, and the slots of a finished run are freed after
  `free_slots_after_run_end_seconds`. Dagster's default run launcher cannot see whether a run
  worker is alive, so for a dead run this takes up to the maximum run time.
- This module, for runs of this machine: every in-process run carries the tag `WORKER_TAG`
  (host, process id and the process's start time, so a reused process id is not mistaken for
  the run). `fail_dead_runs` fails every unfinished run whose process is gone and frees its
  slots; `run_pipeline` calls it before it starts a run and the inbox sensor on every tick,
  so a dead run never blocks the next one.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import dagster as dg

WORKER_TAG = "rendement/werker"
UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
MESSAGE = (
    "Deze run is afgebroken: het proces dat hem uitvoerde (proces {pid} op {host}) bestaat niet "
    "meer. De run is als mislukt gemarkeerd en zijn plaatsen in de wachtrij zijn vrijgegeven; "
    "start de pijplijn opnieuw."
)


def _start_time(pid: int) -> str | None:
    """The process's start time (clock ticks since boot, Linux), None when it does not exist.
    Where there is no /proc, "0" for a process that exists."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        text = stat.read_text()
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return "0"
    # the command name (field 2) may hold spaces; fields after its closing parenthesis
    return text.rsplit(")", 1)[1].split()[19]


def worker_tag(pid: int | None = None) -> str:
    """`host:pid:start time` of this (or the given) process."""
    pid = pid or os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or '0'}"


def worker_alive(tag: str) -> bool | None:
    """Is the process in a `worker_tag` still the one running? None: another machine's."""
    host, _, rest = tag.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    return _start_time(int(pid_text)) == started


def fail_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail every unfinished run of this machine whose process is gone and free its
    concurrency slots; returns their run ids."""
    failed = []
    records = instance.get_run_records(filters=dg.RunsFilter(statuses=UNFINISHED))
    for record in records:
        run = record.dagster_run
        tag = run.tags.get(WORKER_TAG)
        if tag is None or worker_alive(tag) is not False:
            continue
        host, pid = tag.split(":")[:2]
        instance.report_run_failed(run, MESSAGE.format(pid=pid, host=host))
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        failed.append(run.run_id)
    return failed


__all__ = ["MESSAGE", "WORKER_TAG", "fail_dead_runs", "worker_alive", "worker_tag"]
