"""Work per organisation in a pool of processes, one pool for the stages of a run.

Organisations are independent (each call writes only its own files), and one organisation's
work is many small frames that polars cannot spread over the cores: so the per-organisation
stages (intake, validation, the MKBA, the report pages) run their calls in a pool of spawned
processes, one per core. Starting a worker costs ≈ 1–1.5 s (spawning, importing polars,
pandera and the project): paid once per stage, that was 5–7 s of a 50-second run of 150
organisations. A `Workers` pool is started at the first call that needs it and kept for the
next calls until its owner closes it; a Dagster run owns one for its steps
(`pipelines.resources.WorkersResource`), and `per_organisation` without one starts a pool for
that call only.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import TypeVar

T = TypeVar("T")

# Below this many organisations starting the workers costs more than it saves.
POOL_MIN_ORGANISATIONS = 4
WORKERS_ENV = "RENDEMENT_WORKERS"
# Each worker runs polars on one thread: the pool already has a process per core, and an
# organisation's frames are small (a few thousand rows), where polars' own threads only add
# hand-over costs and compete with the other workers for the same cores. A value set by the
# user wins.
WORKER_ENVIRONMENT = {"POLARS_MAX_THREADS": "1"}


def workers(n_tasks: int, processes: int | None = None) -> int:
    """Processes to use for `n_tasks` organisations: `processes` when given, else
    `RENDEMENT_WORKERS`, else the cores this process may run on; 1 (no pool) for small
    runs."""
    if n_tasks < POOL_MIN_ORGANISATIONS:
        return 1
    if processes is not None:
        return max(1, min(processes, n_tasks))
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if configured:
        return max(1, min(int(configured), n_tasks))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, n_tasks))


class Workers:
    """A pool of worker processes kept from one call to the next until `close`.

    It is started at the first call with enough organisations, with as many processes as
    that call can use, and started again (the old one closed) when a later call could use
    more, or when the environment the workers were started with has changed since (a worker
    keeps the environment it started with). A pool a worker died in is not reused."""

    def __init__(self, processes: int | None = None) -> None:
        self._processes = processes  # None: `workers` decides
        self._pool: ProcessPoolExecutor | None = None
        self._size = 0
        self._environment: dict[str, str | None] = {}

    def run(self, fn: Callable[[str], T], org_ids: Sequence[str]) -> list[T]:
        """`fn(org_id)` for every organisation, results in the order of `org_ids` (see
        `per_organisation`)."""
        n = workers(len(org_ids), self._processes)
        if n <= 1:
            return [fn(org) for org in org_ids]
        pool = self._pool_for(n)
        with _workers_without_main():  # workers start during submits
            futures = [pool.submit(fn, org) for org in org_ids]
        try:
            return [f.result() for f in futures]
        except BaseException as exc:
            for f in futures:
                f.cancel()
            concurrent.futures.wait(futures)  # the running calls finish first
            if isinstance(exc, BrokenProcessPool):
                self.close()
            raise

    def close(self) -> None:
        """Stop the workers (after their running calls); the next call starts new ones."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool, self._size = None, 0

    def _pool_for(self, n: int) -> ProcessPoolExecutor:
        environment = _worker_environment()
        if self._pool is not None and (n > self._size or environment != self._environment):
            self.close()
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn"))
            self._size, self._environment = n, environment
        return self._pool


def per_organisation(
    fn: Callable[[str], T], org_ids: Sequence[str], pool: Workers | None = None
) -> list[T]:
    """`fn(org_id)` for every organisation, results in the order of `org_ids`.

    In `pool` (kept for the caller's next calls), else in a pool of fresh (spawned) processes
    for this call alone, when `workers` says a pool pays; else in this process. `fn` must be a
    module-level function (or a `functools.partial` of one) and its arguments and result
    picklable; each call must touch only its own organisation's files (the audit log is
    appended under a lock). The first exception is raised here, after the running calls have
    finished.
    """
    if pool is not None:
        return pool.run(fn, org_ids)
    own = Workers()
    try:
        return own.run(fn, org_ids)
    finally:
        own.close()


def _worker_environment() -> dict[str, str | None]:
    """What a worker's environment depends on (`WORKER_ENVIRONMENT` or the user's value)."""
    return {key: os.environ.get(key) for key in WORKER_ENVIRONMENT}


@contextlib.contextmanager
def _workers_without_main() -> Iterator[None]:
    """Start spawned workers without re-running the caller's main script, with
    `WORKER_ENVIRONMENT` in their environment.

    A spawned process imports the parent's `__main__` again (to find functions defined there);
    in a script without an `if __name__ == "__main__"` guard that would run the script a second
    time in every worker. The functions run here live in modules, so the workers do not need
    `__main__`: hide it while they start. A spawned process copies the parent's environment
    when it starts, so the variables are set only while they start.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    added = {k: v for k, v in WORKER_ENVIRONMENT.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)
        if main is not None:
            sys.modules["__main__"] = main


__all__ = ["POOL_MIN_ORGANISATIONS", "WORKERS_ENV", "Workers", "per_organisation", "workers"]
