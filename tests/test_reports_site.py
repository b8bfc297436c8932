"""The published site in real headless Chromium: every page renders without errors or network
fetches, the figures on the pages are the figures in DuckDB, organisation reports hold only
their own organisation, and uploaded text cannot become markup.

Works on a copy of the session's demo home (8 organisations) with one release published.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import polars as pl
import pytest

from rendement.mkba import load_parameters
from rendement.release import publish_release
from rendement.reports import build_site
from rendement.reports.page import page as page_shell
from rendement.reports.tables import gt_html
from rendement.reports.verantwoording import markdown_html
from schemas.vocabulary import DOMAINS, INTERVENTIONS
from tests.test_reports_browser import (
    Browser,
    assert_tables_render,
    copy_home,
    parse_nl,
    table_rows,
)

DOMAIN_LABELS = {**{v: k for k, v in DOMAINS.items()}, "Hele sector": "totaal"}


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
    assert len([n for n in names if n.startswith("org/")]) == 8
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
        "SELECT * FROM benchmark.cellen WHERE tabel = 'domein' AND jaar = ?",
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
        "SELECT * FROM benchmark.cellen WHERE tabel = 'interventie' AND jaar = ?",
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
            # links stay inside the organisation's own folder
            for link in re.findall(r'href="([^"#]+)"', html):
                target = (path.parent / link).resolve()
                assert target.is_relative_to(path.parent.resolve()), (org, link)
        finally:
            page.close()


def test_organisation_report_links_its_validation_reports(site_home):
    uploads = q(site_home, "SELECT organisatie_id, checksum FROM intake.leveringen")
    org = uploads["organisatie_id"][0]
    html = (site_home.org_site(org) / "index.html").read_text("utf-8")
    for checksum in uploads.filter(pl.col("organisatie_id") == org)["checksum"]:
        if (site_home.org_site(org) / "validatie" / f"{checksum[:16]}.html").exists():
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
    assert "<h2>Kop &lt;i&gt;</h2>" in md


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
    assert "A (2,00) ligt hoger dan B (1,00)" in text
    assert "C" in text and "ligt hoger dan C" not in text  # A and C overlap
    assert "te weinig" in verdict([apart[0]], "verbetering", nl_ratio)
    evil = [est("<b>x</b>", 2.0, 1.6, 2.4), est("y", 1.0, 0.8, 1.3)]
    assert "<b>" not in verdict(evil, "verbetering", nl_ratio)
