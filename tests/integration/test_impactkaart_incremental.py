"""The Impactkaarten and the Excel file follow their organisation page's fingerprint: rendered
in the same job, never on their own (works on copies of the session's demo home).

* An unchanged site rewrites no card and no Excel file.
* A change in one organisation's outcomes renders its cards again (with the new figure) and
  leaves every other organisation's files alone.
* A project without results any more loses its card.
* The public address of the method page is part of every fingerprint.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from rendement.mkba import load_parameters
from rendement.reports import build_site
from rendement.reports.impactkaart import FOLDER, PUBLIC_URL_ENV
from tests.support.homes import DEMO_ALL_ORGS, copy_home

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def params():
    return load_parameters()


@pytest.fixture
def home(demo_home, tmp_path, params, monkeypatch):
    monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
    h = copy_home(demo_home, tmp_path / "home")
    build_site(h, params, today=TODAY)
    return h


def files(home) -> dict[str, tuple[bytes, int, int]]:
    """{org/relative path: (bytes, mtime_ns, inode)} of every card and Excel file."""
    out = {}
    paths = [*home.site.glob(f"org/*/{FOLDER}/*.html"), *home.site.glob("org/*/resultaten.xlsx")]
    for path in sorted(paths):
        st = path.stat()
        out[path.relative_to(home.site / "org").as_posix()] = (
            path.read_bytes(),
            st.st_mtime_ns,
            st.st_ino,
        )
    return out


def test_an_unchanged_site_rewrites_no_card(home, params):
    before = files(home)
    assert len([k for k in before if k.endswith(".xlsx")]) == DEMO_ALL_ORGS
    assert len([k for k in before if f"/{FOLDER}/" in k]) >= 8
    assert build_site(home, params, today=TODAY).rendered == []
    assert files(home) == before


def test_one_organisations_outcomes_render_only_its_cards(home, params):
    before = files(home)
    with duckdb.connect(str(home.warehouse)) as con:
        org, project = con.execute(
            """SELECT organisatie_id, project_id FROM mkba.uitkomst
               WHERE gewaardeerd AND NOT is_transfer AND baathebber = 'client'
               GROUP BY ALL ORDER BY 1, 2 LIMIT 1"""
        ).fetchone()
        con.execute(
            "UPDATE mkba.uitkomst SET pv = pv * 3 WHERE organisatie_id = ? AND project_id = ?",
            [org, project],
        )
    pages = build_site(home, params, today=TODAY)
    assert [p.parent.name for p in pages.rendered] == [org]
    after = files(home)
    card = f"{org}/{FOLDER}/{project}.html"
    assert after[card][0] != before[card][0]
    assert f"{org}/resultaten.xlsx" in after
    for key, state in before.items():
        if not key.startswith(f"{org}/"):
            assert after[key] == state, f"{key} was rewritten"


def test_a_missing_excel_file_renders_its_organisation_again(home, params):
    org = sorted(p.name for p in home.site.glob("org/*"))[3]
    (home.org_site(org) / "resultaten.xlsx").unlink()
    pages = build_site(home, params, today=TODAY)
    assert [p.parent.name for p in pages.rendered] == [org]
    assert (home.org_site(org) / "resultaten.xlsx").is_file()


def test_a_project_without_results_loses_its_card(home, params):
    with duckdb.connect(str(home.warehouse)) as con:
        org, project = con.execute(
            "SELECT organisatie_id, project_id FROM mkba.project ORDER BY 1, 2 LIMIT 1"
        ).fetchone()
        for table in ("mkba.project", "mkba.project_looptijd", "mkba.uitkomst"):
            con.execute(
                f"DELETE FROM {table} WHERE organisatie_id = ? AND project_id = ?", [org, project]
            )
    card = home.org_site(org) / FOLDER / f"{project}.html"
    assert card.is_file()
    build_site(home, params, today=TODAY)
    assert not card.exists()
    assert list((home.org_site(org) / FOLDER).glob("*.html"))  # its other projects keep theirs
    index = (home.org_site(org) / "index.html").read_text("utf-8")
    assert f'href="{FOLDER}/{project}.html"' not in index


def test_the_public_address_of_the_method_renders_every_card(home, params, monkeypatch):
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://rendement.example.nl")
    pages = build_site(home, params, today=TODAY)
    assert len(pages.rendered) == DEMO_ALL_ORGS
    for path in home.site.glob(f"org/*/{FOLDER}/*.html"):
        assert 'href="https://rendement.example.nl/verantwoording.html"' in path.read_text("utf-8")
