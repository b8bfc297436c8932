"""The pool that runs per-organisation work: results in order, one polars thread per worker
(the workers already fill the cores), the caller's environment left as it was."""

from __future__ import annotations

import os

import pytest

from rendement.core import lake


def polars_threads(org: str) -> tuple[str, int, int]:
    """Runs in a worker: which organisation, the worker's polars thread pool, its process id."""
    import polars as pl

    return org, pl.thread_pool_size(), os.getpid()


def test_workers_run_polars_on_one_thread_and_keep_the_order(monkeypatch):
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    monkeypatch.setenv(lake.WORKERS_ENV, "2")
    orgs = [f"ORG{i:03d}" for i in range(6)]
    results = lake.per_organisation(polars_threads, orgs)
    assert [org for org, _, _ in results] == orgs
    assert {threads for _, threads, _ in results} == {1}
    assert os.getpid() not in {pid for _, _, pid in results}, "ran in a pool, not in the caller"
    assert "POLARS_MAX_THREADS" not in os.environ, "the caller's environment is restored"


def test_a_users_polars_setting_wins(monkeypatch):
    monkeypatch.setenv("POLARS_MAX_THREADS", "2")
    monkeypatch.setenv(lake.WORKERS_ENV, "2")
    results = lake.per_organisation(polars_threads, ["A", "B", "C", "D"])
    assert {threads for _, threads, _ in results} == {2}


def failing(org: str) -> str:
    if org == "C":
        raise ValueError("kapot")
    return org


def test_the_first_error_reaches_the_caller(monkeypatch):
    monkeypatch.setenv(lake.WORKERS_ENV, "2")
    with pytest.raises(ValueError, match="kapot"):
        lake.per_organisation(failing, ["A", "B", "C", "D"])
