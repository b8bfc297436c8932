"""Shared fixtures: one small demo sector processed by the real pipeline, reused by many tests."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from stdnum.nl import bsn as stdnum_bsn

from rendement.core.home import Home

DEMO_ORGS = 8
DEMO_SEED = 11


def valid_bsns(n: int, seed: int = 1) -> list[str]:
    """`n` random numbers that pass the BSN 11-proef (seeded): BSNs as a screen must see them."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        candidate = f"{rng.randrange(10_000_000, 999_999_999):09d}"
        if stdnum_bsn.is_valid(candidate):
            out.append(candidate)
    return out


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Home:
    """A data home after `rendement demo --orgs 8` (real Dagster run, real DuckDB file)."""
    from rendement.cli.main import main

    root = tmp_path_factory.mktemp("demo-home")
    saved = {k: os.environ.get(k) for k in ("RENDEMENT_HOME", "DAGSTER_HOME")}
    code = main(["demo", "--orgs", str(DEMO_ORGS), "--seed", str(DEMO_SEED), "--home", str(root)])
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    assert code == 0
    return Home(Path(root).resolve())


@pytest.fixture(scope="session")
def demo_sector(tmp_path_factory) -> Home:
    """A data home after `rendement demo` with its defaults (40 organisations, seed 7): the
    sector the MKBA audit recomputes and the calibration section of docs/mkba.md is
    generated from (`rendement.docsgen.kalibratie`)."""
    from rendement.docsgen.kalibratie import run_demo

    return run_demo(tmp_path_factory.mktemp("demo-sector"))
