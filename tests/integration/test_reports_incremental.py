"""The reports stage renders only what changed, and fast, without changing a byte of output.

* After one organisation's data changes, only its page is rendered again; every other
  organisation's page is left alone (same bytes, same file: not rewritten).
* What every organisation page shows of the sector (a release) and the report code are part of
  every page's fingerprint: a change there renders every page again. The date is not: a new
  day alone renders no organisation page (each says the day it was made).
* A build in the process pool writes the same bytes as a build in one process.
* A table renders to the same HTML every time (fixed ids, great-tables' public API only), and
  the bootstrap medians equal numpy's nanmedian.

Works on copies of the session's demo home (8 organisations with client registrations and 6 without).
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import numpy as np
import polars as pl
import pytest

from rendement.benchmark.aggregates import _bootstrap_medians
from rendement.mkba import load_parameters
from rendement.release.publish import publish_release
from rendement.reports import build_site, org_pages
from rendement.reports.tables import gt_html
from tests.support.homes import DEMO_ALL_ORGS, copy_home, forget_organisation_pages

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def params():
    return load_parameters()


@pytest.fixture
def home(demo_home, tmp_path, params):
    """A copy of the demo home with its site built once on `TODAY` (every organisation page
    current and made that day: the demo's pages carry the day the demo ran, and a new day
    alone renders none of them, so their fingerprints go first)."""
    h = copy_home(demo_home, tmp_path / "home")
    forget_organisation_pages(h)
    build_site(h, params, today=TODAY)
    return h


def org_files(home) -> dict[str, tuple[bytes, int, int]]:
    """{organisation: (page bytes, mtime_ns, inode)} of every organisation page."""
    out = {}
    for page in sorted(home.site.glob("org/*/index.html")):
        st = page.stat()
        out[page.parent.name] = (page.read_bytes(), st.st_mtime_ns, st.st_ino)
    return out


def card_files(home) -> dict[str, dict[str, tuple[int, int]]]:
    """{organisation: {file: (mtime_ns, inode)}} of its Impactkaarten, its Excel workbook and
    its page's kept parts: what only its own inputs change."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for folder in sorted(home.site.glob("org/*")):
        files = [
            *folder.glob("impactkaart/*.html"),
            folder / org_pages.RESULTS_FILE,
            folder / org_pages.OWN_PART_FILE,
            folder / org_pages.UPLOADS_PART_FILE,
        ]
        out[folder.name] = {
            str(f.relative_to(folder)): (f.stat().st_mtime_ns, f.stat().st_ino) for f in files
        }
    return out


def organisations(home) -> list[str]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        rows = con.execute("SELECT DISTINCT organisatie_id FROM mkba.project ORDER BY 1").fetchall()
    return [r for (r,) in rows]


def test_an_unchanged_site_renders_no_organisation_page(home, params):
    before = org_files(home)
    assert len(before) == DEMO_ALL_ORGS
    pages = build_site(home, params, today=TODAY)
    assert pages.rendered == []
    assert len(pages.unchanged) == DEMO_ALL_ORGS
    assert org_files(home) == before
    # the returned list still names every page of the site
    assert {p.parent.name for p in pages if p.name == "index.html" and "org" in p.parts} == set(
        before
    )


def test_one_organisations_change_renders_only_its_page(home, params):
    before = org_files(home)
    cards_before = card_files(home)
    changed = organisations(home)[2]
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute(
            "UPDATE mkba.project SET kosten = kosten * 1.5 WHERE organisatie_id = ?", [changed]
        )
    pages = build_site(home, params, today=TODAY)
    after = org_files(home)
    assert [p.parent.name for p in pages.rendered] == [changed]
    assert after[changed][0] != before[changed][0]  # its cost figures changed
    for org, state in before.items():
        if org != changed:
            assert after[org] == state, f"{org} was rewritten"  # bytes, mtime and inode
    # its own figures are on its Impactkaarten and in its workbook: those are written again
    cards_after = card_files(home)
    assert len(cards_before[changed]) > 1
    for name, state in cards_before[changed].items():
        assert cards_after[changed][name] != state, f"{name} of {changed} was not written"


def test_whole_period_and_switching_values_are_part_of_the_fingerprint(home, params):
    """The organisation page shows mkba.project_looptijd and mkba.schakelwaarden: a change in
    either renders that organisation's page again, and only that one."""
    before = org_files(home)
    a, b = organisations(home)[:2]
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute(
            "UPDATE mkba.project_looptijd SET kosten = kosten * 2 WHERE organisatie_id = ?", [a]
        )
        con.execute(
            "UPDATE mkba.schakelwaarden SET deadweight_bij_bkr_1 = 0.5 WHERE organisatie_id = ?",
            [b],
        )
    pages = build_site(home, params, today=TODAY)
    assert sorted(p.parent.name for p in pages.rendered) == sorted([a, b])
    after = org_files(home)
    assert after[a][0] != before[a][0] and after[b][0] != before[b][0]
    assert b"50\xc2\xa0%" in after[b][0]  # the new switching value, 50 %


def test_a_new_position_among_the_sector_renders_the_page_not_the_cards(home, params):
    """prive.positie moves with every other organisation's results: it is on the page, not on
    the Impactkaarten or in the workbook, so a change renders the page alone."""
    before = org_files(home)
    cards_before = card_files(home)
    with duckdb.connect(str(home.warehouse)) as con:
        org = con.execute(
            "SELECT organisatie_id FROM prive.positie WHERE bkr_percentiel IS NOT NULL "
            "ORDER BY 1 LIMIT 1"
        ).fetchone()[0]
        con.execute("UPDATE prive.positie SET bkr_percentiel = 99 WHERE organisatie_id = ?", [org])
    pages = build_site(home, params, today=TODAY)
    assert [p.parent.name for p in pages.rendered] == [org]
    after = org_files(home)
    assert after[org][0] != before[org][0]
    assert "99e" in after[org][0].decode("utf-8")
    assert card_files(home) == cards_before


def test_a_provisional_median_renders_the_pages_of_its_domain_only(home, params):
    """Open years' sector medians are on the organisation pages (voorlopig): a change in one
    domain's cells renders the pages of the organisations with projects in that domain, and
    no other page."""
    before = org_files(home)
    cards_before = card_files(home)
    with duckdb.connect(str(home.warehouse)) as con:
        # the domain with a published median that the fewest organisations work in
        domain, year = con.execute(
            "SELECT c.domein, max(c.jaar) FROM benchmark.cellen c JOIN mkba.project p "
            "ON p.domein = c.domein WHERE c.tabel = 'domein' AND c.maat = 'bkr' "
            "AND c.statistiek = 'mediaan' AND c.status = 'gepubliceerd' AND c.basis = 'gemeten' "
            "GROUP BY c.domein "
            "ORDER BY count(DISTINCT p.organisatie_id), c.domein LIMIT 1"
        ).fetchone()
        con.execute(
            "UPDATE benchmark.cellen SET waarde = 7.654 WHERE tabel = 'domein' AND maat = 'bkr' "
            "AND statistiek = 'mediaan' AND domein = ? AND jaar = ? AND basis = 'gemeten'",
            [domain, year],
        )
        active = [
            org
            for (org,) in con.execute(
                "SELECT DISTINCT organisatie_id FROM mkba.project WHERE domein = ? ORDER BY 1",
                [domain],
            ).fetchall()
        ]
        # the measured median is shown to organisations with measured project-years there;
        # reference-based ones are compared with their own kind (docs/benchmarks.md)
        measured = [
            org
            for (org,) in con.execute(
                "SELECT DISTINCT organisatie_id FROM mkba.project WHERE domein = ? "
                "AND basis = 'gemeten' ORDER BY 1",
                [domain],
            ).fetchall()
        ]
    assert 0 < len(measured) <= len(active) < len(before)
    pages = build_site(home, params, today=TODAY)
    assert sorted(p.parent.name for p in pages.rendered) == active
    after = org_files(home)
    for org in measured:
        assert b'7,65 <span class="concept"' in after[org][0], org
    for org in set(before) - set(active):
        assert after[org] == before[org], f"{org} was rewritten"
    # the cards, the workbook and the page's own part show no sector figure: a median renders
    # the rest of the page only, to the bytes a whole render gives
    assert card_files(home) == cards_before
    for org in active:
        (home.org_site(org) / org_pages.FINGERPRINT_FILE).unlink()
    whole = build_site(home, params, today=TODAY)
    assert sorted(p.parent.name for p in whole.rendered) == active
    assert card_files(home) != cards_before  # rendered whole this time
    again = org_files(home)
    assert {org: again[org][0] for org in active} == {org: after[org][0] for org in active}


def test_a_new_validation_report_or_a_missing_fingerprint_renders_that_page(home, params):
    a, b, c = organisations(home)[:3]
    folder = home.org_validation(a)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "0123456789abcdef.html").write_text("<p>rapport</p>", "utf-8")
    (home.org_site(b) / org_pages.FINGERPRINT_FILE).unlink()
    page_c = (home.org_site(c) / org_pages.PAGE_FILE).read_bytes()
    (home.org_site(c) / org_pages.OWN_PART_FILE).unlink()  # a page's own part went missing
    pages = build_site(home, params, today=TODAY)
    assert sorted(p.parent.name for p in pages.rendered) == sorted([a, b, c])
    assert (home.org_site(c) / org_pages.OWN_PART_FILE).is_file()
    assert (home.org_site(c) / org_pages.PAGE_FILE).read_bytes() == page_c


def test_a_release_renders_every_organisation_page(home, params):
    before = org_files(home)
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        years = [y for (y,) in con.execute("SELECT DISTINCT jaar FROM mkba.project").fetchall()]
    year = max(y for y in years if y < dt.date.today().year)
    assert publish_release(home, year, params).created
    pages = build_site(home, params, today=TODAY)
    after = org_files(home)
    assert sorted(p.parent.name for p in pages.rendered) == sorted(before)
    # the sector's published figures now appear on the organisation pages
    changed = [org for org in before if after[org][0] != before[org][0]]
    assert changed, "no organisation page shows the released figures"


def test_a_new_day_renders_no_organisation_page_and_the_report_code_renders_all(
    home, params, monkeypatch
):
    """A page says the day it was made; a new day alone changes nothing it shows, so the first
    run of a day renders no organisation page, card or workbook (at 540 organisations it would
    be ≈ 50 s before a re-upload's own page). The shared pages carry the new day."""
    pages_before, cards_before = org_files(home), card_files(home)
    tomorrow = TODAY + dt.timedelta(days=1)
    pages = build_site(home, params, today=tomorrow)
    assert pages.rendered == [] and len(pages.unchanged) == DEMO_ALL_ORGS
    assert org_files(home) == pages_before and card_files(home) == cards_before
    some_page = next(iter(pages_before.values()))[0].decode()
    assert f"Gemaakt op {TODAY:%d-%m-%Y}." in some_page
    assert f"Gemaakt op {tomorrow:%d-%m-%Y}." in (home.site / "index.html").read_text()
    monkeypatch.setattr(org_pages, "code_version", lambda: "andere code")
    assert len(build_site(home, params, today=tomorrow).rendered) == DEMO_ALL_ORGS


def test_a_pooled_build_writes_the_same_bytes_as_one_process(
    demo_home, tmp_path, params, monkeypatch
):
    pools = []
    real = org_pages.per_organisation

    def recording(fn, org_ids):
        pools.append(list(org_ids))
        return real(fn, org_ids)

    monkeypatch.setattr(org_pages, "per_organisation", recording)
    monkeypatch.setattr(org_pages, "POOL_MIN_SECONDS", 0.5)  # less than the demo's pages
    built = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("RENDEMENT_WORKERS", workers)
        h = copy_home(demo_home, tmp_path / f"home-{workers}")
        for page in h.site.glob("org/*/index.html"):  # as in a fresh site
            page.unlink()
        pages = build_site(h, params, today=TODAY)
        assert len(pages.rendered) == DEMO_ALL_ORGS
        built[workers] = {
            p.relative_to(h.site).as_posix(): p.read_bytes()
            for p in sorted(h.site.rglob("*"))
            if p.is_file()
        }
    assert len(pools) == 1 and len(pools[0]) == DEMO_ALL_ORGS  # only the second build used the pool
    assert built["1"] == built["2"]


# ------------------------------------------------------------------------------ units


def _tables() -> list[tuple[str, pl.DataFrame, dict]]:
    """Tables that go through every path of the replaced great-tables functions: raw and
    escaped text, groups and stub, missing values, and columns that are not text."""
    text = pl.DataFrame(
        {
            "jaar": ["2025", "2025", "2024"],
            "project": ["P1 · <b>Buurt</b> & co", "P2", None],
            "bedrag": ["€\u00a01.234", None, "<span class='sym'>x</span>"],
            "noot": ["a < b", "", "“quote”"],
        }
    )
    mixed = pl.DataFrame(
        {
            "naam": ["een", "twee", None, "vier"],
            "aantal": [1, None, 3, 4],
            "waarde": [1.5, float("nan"), None, -0.0],
            "vlag": [True, False, None, True],
            "lijst": [["a", "b"], [], None, ["c"]],
            "datum": [dt.date(2025, 1, 1), None, dt.date(2024, 12, 31), dt.date(2025, 6, 30)],
        }
    )
    return [
        (
            "t-tekst",
            text,
            dict(
                stub="project",
                group="jaar",
                raw=["bedrag"],
                right=["bedrag", "bedrag"],
                center=["noot"],
                labels={"bedrag": "Bedrag <€>", "noot": "Noot"},
                spanners=[("Geld & zo", ["bedrag", "noot"])],
            ),
        ),
        ("t-verborgen", text, dict(hide=["noot"], subtitle="Sub <x>", width=None)),
        ("t-gemengd", mixed, dict(title="Gemengd", notes=["noot <i>"], raw=["naam"])),
        ("t-leeg", text.clear(), dict(title="Leeg")),
    ]


def test_a_table_renders_to_the_same_html_every_time():
    for table_id, frame, options in _tables():
        first, second = (gt_html(frame, table_id, **options) for _ in range(2))
        assert first == second, table_id
        assert f'id="{table_id}"' in first


def test_bootstrap_medians_equal_the_median_of_each_drawn_sample():
    rng = np.random.default_rng(5)
    for _ in range(300):
        orgs = int(rng.integers(2, 40))
        per_org = [
            np.round(rng.lognormal(0.0, 1.0, int(rng.integers(1, 10))), int(rng.integers(0, 3)))
            for _ in range(orgs)
        ]
        if rng.random() < 0.3:  # one organisation holds most values: medians off the middle
            per_org[0] = np.full(60, 3.0)
        values = np.concatenate(per_org)
        owner = np.repeat(np.arange(orgs), [len(v) for v in per_org])
        order = np.argsort(values, kind="stable")
        picks = rng.integers(0, orgs, size=(100, orgs))
        counts = np.stack([np.bincount(p, minlength=orgs) for p in picks])
        expected = np.array([np.median(np.concatenate([per_org[o] for o in p])) for p in picks])
        got = _bootstrap_medians(values[order], owner[order], counts)
        assert np.array_equal(got, expected), orgs
        assert not any(math.isnan(v) for v in got)
