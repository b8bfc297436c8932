"""Shared fixtures: one small demo sector processed by the real pipeline, reused by many tests;
and the markers `unit`, `integration`, `browser`, given by the folder a test module is in
(tests/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rendement.core.home import Home
from tests.support.homes import DEMO_ORGS, DEMO_SEED, restored_env

TESTS = Path(__file__).resolve().parent
FOLDER_MARKERS = ("unit", "integration", "browser")


def pytest_collection_modifyitems(config, items):
    """Mark every test by its folder: tests/unit → `unit`, tests/integration → `integration`,
    tests/browser → `browser`, so `pytest -m unit` selects exactly the fast folder."""
    for item in items:
        path = Path(str(item.path)).resolve()
        if not path.is_relative_to(TESTS):
            continue
        folder = path.relative_to(TESTS).parts[0]
        if folder in FOLDER_MARKERS:
            item.add_marker(getattr(pytest.mark, folder))


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Home:
    """A data home after `rendement demo --orgs 8` (real Dagster run, real DuckDB file)."""
    from rendement.cli.main import main

    root = tmp_path_factory.mktemp("demo-home")
    with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
        code = main(
            ["demo", "--orgs", str(DEMO_ORGS), "--seed", str(DEMO_SEED), "--home", str(root)]
        )
    assert code == 0
    return Home(Path(root).resolve())


@pytest.fixture(scope="session")
def demo_sector(tmp_path_factory) -> Home:
    """A data home after `rendement demo` with its defaults (40 organisations, seed 7): the
    sector the MKBA audit recomputes and the calibration section of docs/mkba.md is
    generated from (`rendement.docsgen.kalibratie`)."""
    from rendement.docsgen.kalibratie import run_demo

    return run_demo(tmp_path_factory.mktemp("demo-sector"))
