"""The pool that runs per-organisation work: results in order, one polars thread per worker
(the workers already fill the cores), the caller's environment left as it was; a pool kept for
the stages of a run starts its workers once, and stops them when closed."""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator

import dagster as dg
import pytest

from pipelines.resources import WorkersResource
from rendement.core import workers


def polars_threads(org: str) -> tuple[str, int, int]:
    """Runs in a worker: which organisation, the worker's polars thread pool, its process id."""
    import polars as pl

    return org, pl.thread_pool_size(), os.getpid()


def meeting(barrier: threading.Barrier, org: str) -> tuple[str, int, int]:
    """Runs in a worker: waits until the other worker has a call too, so that every worker of
    a pool of two shows its process id (a quick worker would otherwise take all the calls)."""
    barrier.wait(timeout=60)
    return polars_threads(org)


@contextlib.contextmanager
def both_workers() -> Iterator[Callable[[str], tuple[str, int, int]]]:
    """A call that shows a pool of two workers: pairs of calls meet at a shared barrier."""
    with multiprocessing.get_context("spawn").Manager() as manager:
        yield functools.partial(meeting, manager.Barrier(2))


def test_workers_run_polars_on_one_thread_and_keep_the_order(monkeypatch):
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    monkeypatch.setenv(workers.WORKERS_ENV, "2")
    orgs = [f"ORG{i:03d}" for i in range(6)]
    results = workers.per_organisation(polars_threads, orgs)
    assert [org for org, _, _ in results] == orgs
    assert {threads for _, threads, _ in results} == {1}
    assert os.getpid() not in {pid for _, _, pid in results}, "ran in a pool, not in the caller"
    assert "POLARS_MAX_THREADS" not in os.environ, "the caller's environment is restored"


def test_a_users_polars_setting_wins(monkeypatch):
    monkeypatch.setenv("POLARS_MAX_THREADS", "2")
    monkeypatch.setenv(workers.WORKERS_ENV, "2")
    results = workers.per_organisation(polars_threads, ["A", "B", "C", "D"])
    assert {threads for _, threads, _ in results} == {2}


def failing(org: str) -> str:
    if org == "C":
        raise ValueError("kapot")
    return org


def test_the_first_error_reaches_the_caller(monkeypatch):
    monkeypatch.setenv(workers.WORKERS_ENV, "2")
    with pytest.raises(ValueError, match="kapot"):
        workers.per_organisation(failing, ["A", "B", "C", "D"])


def test_a_kept_pool_starts_its_workers_once_and_stops_them_when_closed(monkeypatch):
    monkeypatch.setenv(workers.WORKERS_ENV, "2")
    pool = workers.Workers()
    try:
        with both_workers() as call:
            first = workers.per_organisation(call, ["A", "B", "C", "D"], pool)
        # a failing call on the way does not cost the next stage its workers
        with pytest.raises(ValueError, match="kapot"):
            workers.per_organisation(failing, ["A", "B", "C", "D"], pool)
        with both_workers() as call:
            second = workers.per_organisation(call, ["E", "F", "G", "H"], pool)
        started = {pid for _, _, pid in first}
        assert len(started) == 2
        assert {pid for _, _, pid in second} == started, "the same workers, not new ones"
    finally:
        pool.close()
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # stopped and reaped


def test_a_kept_pool_restarts_when_the_workers_environment_changed(monkeypatch):
    monkeypatch.setenv(workers.WORKERS_ENV, "2")
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    pool = workers.Workers()
    try:
        before = workers.per_organisation(polars_threads, ["A", "B", "C", "D"], pool)
        monkeypatch.setenv("POLARS_MAX_THREADS", "2")
        after = workers.per_organisation(polars_threads, ["A", "B", "C", "D"], pool)
    finally:
        pool.close()
    assert {threads for _, threads, _ in before} == {1}
    assert {threads for _, threads, _ in after} == {2}
    assert not {pid for _, _, pid in before} & {pid for _, _, pid in after}


def _pids(pool: workers.Workers) -> str:
    with both_workers() as call:
        found = workers.per_organisation(call, ["A", "B", "C", "D"], pool)
    return ",".join(str(pid) for pid in sorted({pid for _, _, pid in found}))


@dg.asset
def first_step(workers: WorkersResource) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"pids": _pids(workers.pool())})


@dg.asset(deps=[first_step])
def second_step(workers: WorkersResource) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"pids": _pids(workers.pool())})


def test_the_steps_of_a_run_share_its_workers_and_the_run_stops_them(monkeypatch):
    monkeypatch.setenv(workers.WORKERS_ENV, "1")  # the run's own setting wins
    result = dg.materialize(
        [first_step, second_step],
        resources={"workers": WorkersResource(processes=2)},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    pids = [
        m.metadata["pids"].value
        for m in (e.materialization for e in result.get_asset_materialization_events())
    ]
    assert len(pids) == 2 and pids[0] == pids[1], pids  # started once for both steps
    assert len(pids[0].split(",")) == 2
    for pid in pids[0].split(","):
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)  # stopped when the run ended
