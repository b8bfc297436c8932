"""Data homes for tests: the size and seed of the session's demo sector (tests/conftest.py),
private copies of a home, environment variables restored after a run, and valid-looking BSNs."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from stdnum.nl import bsn as stdnum_bsn

from rendement.core.home import Home
from rendement.demo.profiles import OTHER_ORGANISATIONS

DEMO_ORGS = 8
DEMO_SEED = 11
# `rendement demo` adds the organisations without client registrations (ORG901 …)
DEMO_ALL_ORGS = DEMO_ORGS + len(OTHER_ORGANISATIONS)


def valid_bsns(n: int, seed: int = 1) -> list[str]:
    """`n` random numbers that pass the BSN 11-proef (seeded): BSNs as a screen must see them."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        candidate = f"{rng.randrange(10_000_000, 999_999_999):09d}"
        if stdnum_bsn.is_valid(candidate):
            out.append(candidate)
    return out


@contextmanager
def restored_env(*names: str):
    """Put the named environment variables back as they were (the CLI sets RENDEMENT_HOME,
    DAGSTER_HOME)."""
    saved = {k: os.environ.get(k) for k in names}
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def copy_home(source: Home, target: Path) -> Home:
    """A private copy of a data home (the session's demo home stays untouched), its links as
    links: they are relative (the site to its current version, each organisation's folder in
    it to its validation reports), so they point inside the copy."""
    shutil.copytree(source.root, target, symlinks=True)
    return Home(target.resolve())


def forget_organisation_pages(home: Home) -> None:
    """Make the next site build render every organisation page again (their fingerprints go):
    a new day alone renders none, so a test that builds on a fixed day starts here to have
    every page made on that day."""
    from rendement.reports.org_pages import FINGERPRINT_FILE

    for fingerprint in home.site.glob(f"org/*/{FINGERPRINT_FILE}"):
        fingerprint.unlink()


def hold_warehouse(path, seconds: float) -> subprocess.Popen:
    """Another process holding the DuckDB file open read-write for `seconds` (DuckDB allows one
    such process per file): returns once it holds it."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('vast', flush=True); time.sleep(float(sys.argv[2]))",
            str(path),
            str(seconds),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "vast"
    return holder
