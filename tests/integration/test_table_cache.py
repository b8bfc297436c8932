"""The shared pages' tables are kept between site builds (`rendement.reports.table_cache`): a
build renders only the tables whose frame or options changed and reads the rest back, and its
pages are byte for byte what a build without kept tables makes, also after the figures moved.
The kept tables live in the site version (`site/.tabellen/`), which holds exactly the tables
the last build used."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest

from rendement.mkba import load_parameters
from rendement.reports import build_site
from rendement.reports.table_cache import TABLE_CACHE
from tests.support.homes import copy_home

pytestmark = pytest.mark.integration

TODAY = dt.date(2026, 11, 28)
SHARED = ("index.html", "sector.html", "vergelijking.html", "verantwoording.html")


def shared_pages(home) -> dict[str, bytes]:
    site = home.site
    names = [*SHARED, *(p.name for p in sorted(site.glob("sector-*.html")))]
    return {name: (site / name).read_bytes() for name in names}


def build_without_kept_tables(home):
    shutil.rmtree(home.site / TABLE_CACHE, ignore_errors=True)
    return build_site(home, load_parameters(), today=TODAY)


def test_kept_tables_give_the_same_pages_and_only_moved_tables_are_rendered(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    first = build_without_kept_tables(home)
    # each distinct table rendered once (a page may show a table another one shows too)
    assert first.tables_rendered > 20
    tables = first.tables_rendered + first.tables_kept
    pages = shared_pages(home)
    assert len(list((home.site / TABLE_CACHE).iterdir())) == first.tables_rendered

    again = build_site(home, load_parameters(), today=TODAY)
    assert (again.tables_rendered, again.tables_kept) == (0, tables)
    assert shared_pages(home) == pages

    # the figures of one domain in the latest year move (a re-upload would do the same)
    with duckdb.connect(str(home.warehouse)) as con:
        year, domain = con.execute(
            "SELECT max(jaar), min(domein) FROM benchmark.cellen WHERE status = 'gepubliceerd'"
        ).fetchone()
        con.execute(
            "UPDATE benchmark.cellen SET waarde = waarde * 1.5 + 1 "
            "WHERE status = 'gepubliceerd' AND jaar = ? AND domein = ?",
            [year, domain],
        )
    moved = build_site(home, load_parameters(), today=TODAY)
    assert 0 < moved.tables_rendered < first.tables_rendered  # only what moved
    assert moved.tables_kept > 0
    after = shared_pages(home)
    assert after["sector.html"] != pages["sector.html"]
    # nothing kept is stale: the same pages as a build that renders every table
    whole = build_without_kept_tables(home)
    assert shared_pages(home) == after
    # the site holds the tables of its last build, no more
    assert len(list((home.site / TABLE_CACHE).iterdir())) == whole.tables_rendered
