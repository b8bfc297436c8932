"""The published site in real headless Chromium: every page renders without errors or network
fetches, the figures on the pages are the figures in DuckDB, organisation reports hold only
their own organisation, and uploaded text cannot become markup.

Works on a copy of the session's demo home (8 organisations with client registrations and 6 without) with one release published.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from rendement.mkba import load_parameters
from rendement.release.publish import publish_release
from rendement.reports import build_site
from rendement.reports.page import page as page_shell
from rendement.reports.tables import gt_html
from rendement.reports.verantwoording import markdown_html
from schemas.vocabulary import DOMAINS, INTERVENTIONS
from tests.support.benchmark_rows import SHOWN_SQL
from tests.support.browser import Browser, assert_tables_render, parse_nl, table_rows
from tests.support.homes import DEMO_ALL_ORGS, copy_home

DOMAIN_LABELS = {**{v: k for k, v in DOMAINS.items()}, "Hele sector": "totaal"}
DEFINITION_END = "wat elke geïnvesteerde euro de samenleving oplevert"


class BuiltSite:
    """A data home with its site built and one release published (`year`)."""

    def __init__(self, home, year: int):
        self.home, self.release_year = home, year

    def __getattr__(self, name):
        return getattr(self.home, name)


@pytest.fixture(scope="module")
def site_home(demo_home, tmp_path_factory):
    home = copy_home(demo_home, tmp_path_factory.mktemp("site") / "home")
    params = load_parameters()
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        years = [y for (y,) in con.execute("SELECT DISTINCT jaar FROM mkba.project").fetchall()]
    year = max(y for y in years if y < dt.date.today().year)
    result = publish_release(home, year, params)
    assert result.created
    build_site(home, params)
    return BuiltSite(home, year)


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


def q(home, sql: str, params=None) -> pl.DataFrame:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()


def _pages(home) -> list:
    site = home.site
    own = ("index.html", "sector.html", "vergelijking.html", "verantwoording.html")
    return sorted(
        [
            *(p for p in site.glob("*.html") if p.name in own or p.name.startswith("sector-")),
            *site.glob("org/*/index.html"),
            *site.glob("releases/*/*.html"),
        ]
    )


def test_every_page_renders_in_chromium(site_home, browser):
    pages = _pages(site_home)
    names = {p.relative_to(site_home.site).as_posix() for p in pages}
    year = site_home.release_year
    expected = {
        "index.html",
        "sector.html",
        "vergelijking.html",
        "verantwoording.html",
        f"releases/{year}/index.html",
        f"releases/{year}/sector.html",
        f"releases/{year}/vergelijking.html",
        f"releases/{year}/verantwoording.html",
    }
    assert expected <= names
    assert len([n for n in names if n.startswith("org/")]) == DEMO_ALL_ORGS
    for path in pages:
        rel = path.relative_to(site_home.site).as_posix()
        page, visit = browser.open(path, screenshot=rel.replace("/", "__").removesuffix(".html"))
        try:
            visit.assert_clean()
            assert assert_tables_render(page) >= 1
            html = path.read_text("utf-8")
            assert "googleapis" not in html and "@import" not in html
            assert not re.search(r"""(src|href)=["']https?:""", html), rel
            ids = re.findall(r'<div id="([^"]+)" style="padding-left:0px', html)
            assert len(ids) == len(set(ids)), f"duplicate table ids on {rel}"
            # the sector's word for the ratio, defined once on every page that uses it
            text = page.locator("main").inner_text()
            if "rendementsfactor" in text.lower():
                assert text.count(DEFINITION_END) == 1, rel
            if path.name not in ("index.html", "verantwoording.html"):  # (the method says
                # "rendementsfactor (baten-kostenverhouding, BKR)" once)
                assert "Baten/kosten" not in text and "baten-kostenverhouding" not in text, rel
        finally:
            page.close()


def test_links_between_pages_resolve(site_home):
    for path in _pages(site_home):
        for link in re.findall(r'href="([^"#]+)"', path.read_text("utf-8")):
            assert not link.startswith(("http:", "https:", "//")), (path, link)
            assert (path.parent / link).resolve().exists(), (path, link)


def test_release_pages_show_warehouse_figures(site_home, browser):
    year = site_home.release_year
    cells = q(
        site_home,
        f"SELECT * FROM benchmark.cellen WHERE tabel = 'domein' AND jaar = ? AND {SHOWN_SQL}",
        [year],
    )
    look = {(r["domein"], r["maat"], r["statistiek"]): r for r in cells.iter_rows(named=True)}
    page, visit = browser.open(site_home.site / "releases" / str(year) / "sector.html")
    try:
        visit.assert_clean()
        rows = table_rows(page, "sector-kerncijfers")
        assert {r["stub"] for r in rows} == set(DOMAIN_LABELS)
        checked = 0
        for row in rows:
            domain = DOMAIN_LABELS[row["stub"]]
            for maat, stat in [
                ("organisaties", "aantal"),
                ("projecten", "aantal"),
                ("deelnemers", "aantal"),
                ("fte", "som"),
                ("kosten", "som"),
                ("aandeel_verbeterd", "aandeel"),
                ("bkr", "mediaan"),
            ]:
                cell = look[(domain, maat, stat)]
                shown = row["cells"][maat]
                if cell["waarde"] is None:
                    assert shown == cell["symbool"], (domain, maat, shown)
                else:
                    assert parse_nl(shown) == pytest.approx(cell["waarde"], abs=1e-9), (
                        domain,
                        maat,
                        shown,
                    )
                    checked += 1
        assert checked >= 20

        # who gains: the sector total equals the welfare benefits in mkba.uitkomst
        total = q(
            site_home,
            """SELECT sum(u.pv) FROM mkba.uitkomst u JOIN mkba.project p USING
               (organisatie_id, project_id, jaar)
               WHERE u.jaar = ? AND NOT u.is_transfer AND u.gewaardeerd""",
            [year],
        ).item()
        stake = {r["stub"]: r["cells"] for r in table_rows(page, "sector-baathebbers")}
        assert parse_nl(stake["Totaal baten"]["totaal"]) == round(total)
        transfers = q(
            site_home, "SELECT sum(transfers) FROM mkba.project WHERE jaar = ?", [year]
        ).item()
        shifted = next(v for k, v in stake.items() if k.startswith("Overdrachten"))
        assert parse_nl(shifted["totaal"]) == round(transfers)

        # cards
        cards = page.locator("#sector-cards .card .num").all_inner_texts()
        assert parse_nl(cards[0]) == look[("totaal", "organisaties", "aantal")]["waarde"]
        assert parse_nl(cards[3]) == look[("totaal", "kosten", "som")]["waarde"]
    finally:
        page.close()


def test_comparison_counts_match_cells_and_order_is_alphabetical(site_home, browser):
    year = site_home.release_year
    cells = q(
        site_home,
        f"SELECT * FROM benchmark.cellen WHERE tabel = 'interventie' AND jaar = ? AND {SHOWN_SQL}",
        [year],
    )
    look = {
        (r["interventie"], r["maat"]): r
        for r in cells.iter_rows(named=True)
        if r["statistiek"] in ("aantal", "aandeel", "mediaan")
    }
    page, visit = browser.open(site_home.site / "releases" / str(year) / "vergelijking.html")
    try:
        visit.assert_clean()
        for domain, per in INTERVENTIONS.items():
            rows = table_rows(page, f"vergelijking-{domain}")
            labels = [r["stub"] for r in rows[1:]]
            assert labels == sorted(per.values())  # never ranked by result
            by_label = {v: k for k, v in per.items()}
            for row in rows[1:]:
                code = by_label[row["stub"]]
                for col, maat in [
                    ("organisaties", "organisaties"),
                    ("projecten", "projecten"),
                    ("aandeel", "aandeel_verbeterd"),
                    ("bkr", "bkr"),
                ]:
                    cell = look[(code, maat)]
                    shown = row["cells"][col]
                    if cell["waarde"] is None:
                        assert shown == cell["symbool"]
                    else:
                        assert parse_nl(shown) == pytest.approx(cell["waarde"])
        verdicts = page.locator("p.verdict").all_inner_texts()
        assert len(verdicts) >= len(INTERVENTIONS)
        for v in verdicts:
            assert "binnen de onzekerheid" in v or "te weinig interventies" in v or "hoger dan" in v
    finally:
        page.close()


def _org_texts(site_home) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    projects = q(site_home, "SELECT * FROM mkba.project")
    names = q(site_home, "SELECT organisatie_id, project_id, naam FROM canoniek.project")
    orgs = q(site_home, "SELECT organisatie_id, naam FROM canoniek.organisatie")
    return projects, names, orgs


def test_organisation_reports_show_own_figures_only(site_home, browser):
    projects, names, orgs = _org_texts(site_home)
    org_ids = sorted(projects["organisatie_id"].unique().to_list())
    for org in org_ids:
        path = site_home.org_site(org) / "index.html"
        page, visit = browser.open(path)
        try:
            visit.assert_clean()
            text = page.locator("body").inner_text()
            html = path.read_text("utf-8")
            own = projects.filter(pl.col("organisatie_id") == org)
            rows = table_rows(page, "org-projecten")
            assert len(rows) == own.height
            for row in rows:
                pid = row["stub"].split(" · ")[0]
                rec = own.filter(
                    (pl.col("project_id") == pid) & (pl.col("jaar") == int(row["group"]))
                ).row(0, named=True)
                assert parse_nl(row["cells"]["kosten"]) == round(rec["kosten"])
                assert parse_nl(row["cells"]["baten"]) == round(rec["baten"])
                assert parse_nl(row["cells"]["ncw"]) == round(rec["ncw"])
                if rec["bkr"] is None:  # no ratio: the cell says why
                    assert rec["reden"] and rec["reden"] in row["cells"]["bkr"]
                else:
                    assert parse_nl(row["cells"]["bkr"]) == pytest.approx(round(rec["bkr"], 2))
            # nothing of any other organisation
            own_names = set(names.filter(pl.col("organisatie_id") == org)["naam"].to_list())
            for other in org_ids:
                if other == org:
                    continue
                assert other not in html, (org, other)
                for name in names.filter(pl.col("organisatie_id") == other)["naam"].to_list():
                    if name not in own_names:
                        assert name not in text, (org, other, name)
                other_org_name = orgs.filter(pl.col("organisatie_id") == other)["naam"]
                if other_org_name.len():
                    assert other_org_name[0] not in text
                # another organisation's project figures: its costs and benefits together (one
                # amount alone can coincide with an unrelated figure of this organisation)
                for rec in projects.filter(pl.col("organisatie_id") == other).iter_rows(named=True):
                    pair = [
                        f"€\u00a0{round(rec[c]):,}".replace(",", ".") for c in ("kosten", "baten")
                    ]
                    assert not all(p in html for p in pair), (org, other, pair)
            # links stay inside the organisation's own folder, as a browser resolves them (its
            # validatie/ is a link to its own validation reports, Home.org_validation)
            for link in re.findall(r'href="([^"#]+)"', html):
                target = Path(os.path.normpath(path.parent / link))
                assert target.is_relative_to(path.parent), (org, link)
        finally:
            page.close()


def test_organisation_report_links_its_validation_reports(site_home):
    uploads = q(site_home, "SELECT organisatie_id, checksum FROM intake.leveringen")
    org = uploads["organisatie_id"][0]
    html = (site_home.org_site(org) / "index.html").read_text("utf-8")
    for checksum in uploads.filter(pl.col("organisatie_id") == org)["checksum"]:
        if (site_home.org_validation(org) / f"{checksum[:16]}.html").exists():
            assert f'href="validatie/{checksum[:16]}.html"' in html


def test_release_index_states_date_period_and_parameter_version(site_home):
    year = site_home.release_year
    html = (site_home.site / "releases" / str(year) / "index.html").read_text("utf-8")
    index = (site_home.site / "index.html").read_text("utf-8")
    version = load_parameters().version
    assert f"releases/{year}/index.html" in index
    for text in (version, "Vastgesteld op", "Gegevens aangenomen tot en met", str(year)):
        assert text in html
    assert "Verantwoording" in index and "vergelijking.html" in index


def test_pages_fit_a4_when_printed(site_home, browser):
    """In print, A4 minus margins is about 700 CSS pixels: no table may need more."""
    year = site_home.release_year
    org = sorted(p.parent.name for p in site_home.site.glob("org/*/index.html"))[0]
    for rel in (
        f"releases/{year}/sector.html",
        f"releases/{year}/vergelijking.html",
        f"releases/{year}/verantwoording.html",
        f"org/{org}/index.html",
    ):
        page, visit = browser.open(site_home.site / rel, width=700)
        try:
            page.emulate_media(media="print")
            too_wide = page.evaluate(
                """() => [...document.querySelectorAll('table.gt_table')]
                     .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
                     .map(t => t.parentElement.id)"""
            )
            assert not too_wide, (rel, too_wide)
            pdf = page.pdf(format="A4")
            assert pdf.startswith(b"%PDF")
        finally:
            page.close()


# ------------------------------------------------------------------------ escaping (units)


def test_table_text_is_escaped_and_only_raw_columns_pass_html():
    evil = "<script>alert(1)</script> **vet** [link](http://x)"
    df = pl.DataFrame({"naam": [evil], "waarde": ['<span class="sym">x</span>']})
    html = gt_html(df, "t-esc", raw=["waarde"], title=evil, notes=[evil])
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>vet</strong>" not in html and "<a href" not in html
    assert '<span class="sym">x</span>' in html  # our own markup in a raw column
    assert 'id="t-esc"' in html


def test_page_shell_escapes_title_and_markdown_escapes_text():
    doc = page_shell("<img src=x onerror=alert(1)>", "<p>body</p>", subtitle="<b>s</b>")
    assert "<img src=x" not in doc and "&lt;img src=x" in doc
    md = markdown_html("## Kop <i>\n\n- **<b>vet</b>** en `<code>`\n\ntekst <script>x</script>")
    assert "<script>" not in md and "<b>" not in md and "<i>" not in md
    assert "<strong>&lt;b&gt;vet&lt;/b&gt;</strong>" in md
    assert '<h2 id="kop-i">Kop &lt;i&gt;</h2>' in md


def test_verdict_names_only_differences_larger_than_the_uncertainty():
    from rendement.reports.comparison import Estimate, verdict
    from rendement.reports.tables import Cell, nl_ratio

    def est(label, point, low, high):
        return Estimate(
            label, Cell(point, "verhouding", "gepubliceerd", None, None), low, high, None, None
        )

    overlapping = [est("A", 1.2, 0.9, 1.5), est("B", 1.0, 0.8, 1.3), est("C", 1.4, 1.0, 1.9)]
    text = verdict(overlapping, "baten-kostenverhouding", nl_ratio)
    assert "binnen de onzekerheid" in text and "hoger dan" not in text
    apart = [est("A", 2.0, 1.6, 2.4), est("B", 1.0, 0.8, 1.3), est("C", 1.4, 1.0, 1.9)]
    text = verdict(apart, "baten-kostenverhouding", nl_ratio)
    assert "A (2,00) ligt hoger dan B." in text
    assert "C" not in text  # A and C overlap, and so do B and C
    wide = [est("A", 2.0, 1.6, 2.4), est("B", 1.0, 0.8, 1.3), est("C", 0.5, 0.3, 0.7)]
    text = verdict(wide, "verbetering", nl_ratio)
    assert "A (2,00) ligt hoger dan B en C; B (1,00) ligt hoger dan C." in text
    assert len(text) < 200
    assert "te weinig" in verdict([apart[0]], "verbetering", nl_ratio)
    evil = [est("<b>x</b>", 2.0, 1.6, 2.4), est("y", 1.0, 0.8, 1.3)]
    assert "<b>" not in verdict(evil, "verbetering", nl_ratio)


# ------------------------------------------------------------------------ issue 15 (MKBA)


def test_organisation_reports_lead_with_the_whole_period(site_home, browser):
    looptijd = q(site_home, "SELECT * FROM mkba.project_looptijd")
    schakel = q(site_home, "SELECT * FROM mkba.schakelwaarden")
    assert looptijd.height and schakel.height
    for org in sorted(looptijd["organisatie_id"].unique().to_list()):
        path = site_home.org_site(org) / "index.html"
        page, visit = browser.open(path)
        try:
            visit.assert_clean()
            headings = page.locator("main h2").all_inner_texts()
            assert headings[0] == "Uw projecten over de hele looptijd", (org, headings)
            text = page.locator("main").inner_text()
            assert text.count(DEFINITION_END) == 1, org  # defined once, where it first appears
            own = looptijd.filter(pl.col("organisatie_id") == org)
            rows = table_rows(page, "org-looptijd")
            assert len(rows) == own.height
            for row in rows:
                pid = row["stub"].split(" · ")[0]
                rec = own.filter(pl.col("project_id") == pid).row(0, named=True)
                cells = row["cells"]
                assert cells["periode"] in (
                    f"{rec['eerste_jaar']}–{rec['laatste_jaar']}",
                    str(rec["eerste_jaar"]),
                )
                assert parse_nl(cells["kosten"]) == round(rec["kosten"])
                assert parse_nl(cells["baten"]) == round(rec["baten"])
                assert parse_nl(cells["ncw"]) == round(rec["ncw"])
                if rec["bkr"] is None:
                    assert rec["reden"] in cells["bkr"]
                else:
                    assert parse_nl(cells["bkr"]) == pytest.approx(round(rec["bkr"], 2))
                    lo, hi = cells["interval"].split(" – ")
                    assert parse_nl(lo) == pytest.approx(round(rec["bkr_p05"], 2))
                    assert parse_nl(hi) == pytest.approx(round(rec["bkr_p95"], 2))
            # switching values: one row per project-year, in words
            sw = table_rows(page, "org-schakelwaarden")
            assert len(sw) == schakel.filter(pl.col("organisatie_id") == org).height
            for row in sw:
                for col in ("deadweight", "attributie"):
                    shown = row["cells"][col]
                    assert shown.startswith("blijft ") or "%" in shown or ": " in shown, shown
        finally:
            page.close()


def test_comparison_shows_the_published_group_rendementsfactor(site_home, browser):
    # the page shows the ratio over all project-years of a group (basis alle)
    factors = q(site_home, "SELECT * FROM benchmark.rendementsfactor WHERE basis = 'alle'")
    page, visit = browser.open(site_home.site / "vergelijking.html")
    try:
        visit.assert_clean()
        html = (site_home.site / "vergelijking.html").read_text("utf-8")
        shown_year = int(re.search(r"<h1>Interventies vergeleken, (\d{4})</h1>", html).group(1))
        rows_of_year = factors.filter(pl.col("jaar") == shown_year)
        if not rows_of_year.height:
            assert "rendementsfactor-ontbreekt" in html
            return
        checked = 0
        for domain, per in INTERVENTIONS.items():
            by_label = {"Heel het domein": None, **{v: k for k, v in per.items()}}
            for row in table_rows(page, f"vergelijking-{domain}-rendementsfactor"):
                code = by_label[row["stub"]]
                rec = rows_of_year.filter(
                    (pl.col("domein") == domain)
                    & (
                        pl.col("interventie").is_null()
                        if code is None
                        else pl.col("interventie") == code
                    )
                )
                cells = row["cells"]
                if not rec.height or rec["status"][0] != "gepubliceerd":
                    assert parse_nl(cells["bkr"]) is None  # a symbol, never a figure
                    continue
                r = rec.row(0, named=True)
                assert parse_nl(cells["bkr"]) == pytest.approx(round(r["bkr"], 2))
                assert cells["interval"] == (
                    f"{r['bkr_p05']:.2f} – {r['bkr_p95']:.2f}".replace(".", ",")
                )
                assert parse_nl(cells["organisaties"]) == r["organisaties"]
                checked += 1
        assert checked >= 1
        assert page.locator("main").inner_text().count(DEFINITION_END) == 1
    finally:
        page.close()


def test_an_incomplete_project_year_is_named_with_its_reason(demo_home, tmp_path, browser):
    """ORG013/P006/2024 in issue 15: participants, no costs. The engine marks such a year
    (tests/unit/test_mkba_status_period.py); here the warehouse holds one, as the engine writes it,
    and the report must say so in words and keep it out of the headline figures."""
    home = copy_home(demo_home, tmp_path / "home")
    params = load_parameters()
    p = q(home, "SELECT * FROM mkba.project")
    latest = p["jaar"].max()
    org = sorted(p["organisatie_id"].unique().to_list())[1]
    target = p.filter((pl.col("organisatie_id") == org) & (pl.col("jaar") == latest)).sort(
        "project_id"
    )
    pid = target["project_id"][0]
    reason = f"geen kosten over {latest} aangeleverd"
    nulls = ", ".join(
        f"{c} = NULL"
        for c in (
            "bkr",
            "bkr_p05",
            "bkr_p95",
            "bkr_laag",
            "bkr_hoog",
            "kosten_per_deelnemer",
            "ncw_per_deelnemer",
        )
    )
    key = [org, pid, latest]
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute(
            f"UPDATE mkba.project SET kosten = 0, ncw = baten, status = 'onvolledig', "
            f"reden = ?, {nulls} WHERE organisatie_id = ? AND project_id = ? AND jaar = ?",
            [reason, *key],
        )
        con.execute(
            "UPDATE mkba.schakelwaarden SET deadweight_bij_bkr_1 = NULL, "
            "attributie_bij_bkr_1 = NULL, eenheidswaarden_factor_bij_bkr_1 = NULL, reden = ? "
            "WHERE organisatie_id = ? AND project_id = ? AND jaar = ?",
            [reason, *key],
        )
        con.execute(
            "UPDATE mkba.project_looptijd SET status = 'onvolledig', reden = ?, bkr = NULL, "
            "bkr_p05 = NULL, bkr_p95 = NULL, bkr_laag = NULL, bkr_hoog = NULL "
            "WHERE organisatie_id = ? AND project_id = ?",
            [reason, org, pid],
        )
        # the benchmark compares an incomplete year with nothing: no position
        con.execute(
            "DELETE FROM prive.positie WHERE organisatie_id = ? AND project_id = ? AND jaar = ?",
            key,
        )
    build_site(home, params)
    page, visit = browser.open(
        home.org_site(org) / "index.html", screenshot="org-onvolledig-projectjaar"
    )
    try:
        visit.assert_clean()
        expected = f"onvolledig: {reason}"
        per_year = [
            r
            for r in table_rows(page, "org-projecten")
            if r["group"] == str(latest) and r["stub"].startswith(pid)
        ]
        assert per_year[0]["cells"]["bkr"] == expected
        whole = [r for r in table_rows(page, "org-looptijd") if r["stub"].startswith(pid)]
        assert whole[0]["cells"]["bkr"] == expected
        switch = [
            r
            for r in table_rows(page, "org-schakelwaarden")
            if r["group"] == str(latest) and r["stub"].startswith(pid)
        ]
        assert switch[0]["cells"]["bkr"] == expected
        # the headline cards: the other projects only, and the left-out one named
        rest = target.filter(pl.col("project_id") != pid)
        cards = page.locator("#org-cards .card .num").all_inner_texts()
        assert parse_nl(cards[2]) == round(rest["kosten"].sum())
        assert parse_nl(cards[5]) == pytest.approx(
            round(rest["baten"].sum() / rest["kosten"].sum(), 2)
        )
        note = page.locator("#org-cards-onvolledig").inner_text()
        assert "1 project is" in note and reason in note and pid in note
        position = [
            r
            for r in table_rows(page, "org-positie")
            if r["group"] == str(latest) and r["stub"].startswith(pid)
        ]
        assert position[0]["cells"]["bkr"] == expected
        assert position[0]["cells"]["pct"] == "onvolledig"
        # no ratio cell anywhere is a bare dash
        for table_id in ("org-projecten", "org-looptijd", "org-schakelwaarden", "org-positie"):
            for row in table_rows(page, table_id):
                assert row["cells"]["bkr"] not in ("", "–", "-"), (table_id, row)
    finally:
        page.close()


@pytest.mark.parametrize("released", [False, True], ids=["zonder-release", "met-release"])
def test_position_compares_with_provisional_or_released_medians(
    released, demo_home, site_home, browser
):
    """The organisation's position table: before a release the current sector medians, marked
    voorlopig, under the same disclosure rules (a suppressed cell shows its symbol); once a
    release exists the released medians, unmarked."""
    from rendement.benchmark.releases import load_frozen

    home = site_home.home if released else demo_home
    frozen = load_frozen(home)
    assert (frozen is not None) == released
    cells = frozen.published.cells if released else q(home, "SELECT * FROM benchmark.cellen")
    medians = cells.filter(
        (pl.col("maat") == "bkr") & (pl.col("statistiek") == "mediaan")
        & (pl.col("basis") == "gemeten")
        & pl.col("tabel").is_in(["domein", "interventie"])
    )  # fmt: skip
    shown = {"gepubliceerd": 0, "onderdrukt": 0}
    for org in ("ORG001", "ORG002", "ORG003"):
        positie = q(home, "SELECT * FROM prive.positie WHERE organisatie_id = ?", [org])
        page, visit = browser.open(home.org_site(org) / "index.html")
        try:
            visit.assert_clean()
            for row in table_rows(page, "org-positie"):
                year, pid = int(row["group"]), row["stub"].split(" · ")[0]
                mine = positie.filter((pl.col("project_id") == pid) & (pl.col("jaar") == year))
                for column, interventie in (("med_d", None), ("med_i", mine["interventie"][0])):
                    cell = medians.filter(
                        (pl.col("jaar") == year) & (pl.col("domein") == mine["domein"][0])
                        & (pl.col("interventie").eq_missing(interventie))
                    )  # fmt: skip
                    text = row["cells"][column]
                    status = "gepubliceerd" if cell["status"][0] == "gepubliceerd" else "onderdrukt"
                    shown[status] += 1
                    if status == "onderdrukt":
                        assert text == cell["symbool"][0], (org, pid, year, text)
                        continue
                    value, *label = text.split()
                    assert parse_nl(value) == pytest.approx(round(cell["waarde"][0], 2))
                    assert label == ([] if released else ["voorlopig"]), text
        finally:
            page.close()
    assert shown["gepubliceerd"] and shown["onderdrukt"]
