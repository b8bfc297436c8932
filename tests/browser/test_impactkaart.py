"""The Impactkaart printed by real headless Chromium from a private copy of the session's demo
home (8 organisations): `rendement impactkaart` writes a one-page PDF with the project's code
and its rendementsfactor as DuckDB has it; every card of the demo fits on one A4 page; the
upload service hands an organisation the PDF of its own cards only; a rebuild prints nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from io import BytesIO

import duckdb
import httpx
import polars as pl
import pytest
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from rendement.core.formatting import nl_ratio
from rendement.core.registry import Registry
from rendement.mkba import load_parameters
from rendement.reports.impactkaart import FOLDER, page_name
from rendement.reports.pdf import page_count
from rendement.reports.site import build_site
from rendement.service.app import create_app
from rendement.service.uploads import Settings
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, Browser
from tests.support.homes import copy_home
from tests.support.service import PASSWORD, LiveServer, add_person


@pytest.fixture(scope="module")
def home(demo_home, tmp_path_factory):
    """A private copy: the service test issues tokens into its register."""
    return copy_home(demo_home, tmp_path_factory.mktemp("impactkaart") / "home")


def q(home, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.sql(sql).pl()


def fullest(home) -> dict:
    """The looptijd row of the project with the most outcomes and stakeholders (the fullest
    card, the one most likely to run onto a second page)."""
    busy = q(
        home,
        """SELECT organisatie_id, project_id,
                  count(DISTINCT uitkomst) + count(DISTINCT baathebber) AS n
           FROM mkba.uitkomst GROUP BY ALL ORDER BY n DESC, organisatie_id, project_id LIMIT 1""",
    ).row(0, named=True)
    return q(
        home,
        f"""SELECT * FROM mkba.project_looptijd WHERE organisatie_id = '{busy["organisatie_id"]}'
            AND project_id = '{busy["project_id"]}'""",
    ).row(0, named=True)


def pdf_text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return " ".join(text.replace("\u00a0", " ").split())


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rendement.cli.main", "impactkaart", *args],
        capture_output=True, text=True, timeout=180, env=dict(os.environ),
    )  # fmt: skip


def test_the_command_prints_a_one_page_pdf_with_the_project_and_its_ratio(home, tmp_path):
    row = fullest(home)
    org, project = row["organisatie_id"], row["project_id"]
    target = tmp_path / "kaart.pdf"
    done = cli(org, project, str(target), "--home", str(home.root))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(1 pagina)" in done.stdout
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 1 == len(PdfReader(BytesIO(pdf)).pages)
    text = pdf_text(pdf)
    assert project in text
    assert f"{nl_ratio(row['bkr'])} Rendementsfactor over {row['eerste_jaar']}" in text
    assert f"90 %-interval {nl_ratio(row['bkr_p05'])} – {nl_ratio(row['bkr_p95'])}" in text
    assert "Methode" in text and "verantwoording van de methode" in text


def test_the_command_says_in_dutch_what_is_wrong(home, tmp_path):
    done = cli("ORG001", "BESTAATNIET", str(tmp_path / "x.pdf"), "--home", str(home.root))
    assert done.returncode == 1
    assert "Er is geen Impactkaart van project BESTAATNIET van ORG001" in done.stderr
    assert not (tmp_path / "x.pdf").exists()
    done = cli("ORG001", "P001", str(tmp_path / "x.txt"), "--home", str(home.root))
    assert done.returncode == 2 and "eindigt niet op .pdf" in done.stderr
    done = cli("../ORG001", "P001", str(tmp_path / "x.pdf"), "--home", str(home.root))
    assert done.returncode == 1 and "geen organisatiecode" in done.stderr


def test_every_card_of_the_demo_fits_on_one_a4_page_and_names_no_other_organisation(home):
    projects = q(home, "SELECT organisatie_id, project_id FROM mkba.project_looptijd ORDER BY ALL")
    # the name an organisation delivered, else the register's (a template has no such sheet)
    names = Registry.load(home.registry).organisations()
    names |= dict(q(home, "SELECT organisatie_id, naam FROM canoniek.organisatie").iter_rows())
    browser = Browser()
    try:
        for org, project in projects.iter_rows():
            card = home.org_site(org) / FOLDER / page_name(project)
            page, visit = browser.open(
                card, screenshot="impactkaart" if (org, project) == ("ORG001", "P001") else None
            )
            visit.assert_clean()
            html = card.read_text("utf-8")
            assert names[org] in html
            for other, name in names.items():
                if other != org:
                    assert other not in html and name not in html, (org, project, other)
            page.emulate_media(media="print")
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
            assert page_count(pdf) == 1, (org, project)
            page.close()
    finally:
        browser.close()


def test_a_rebuild_prints_no_pdf(home):
    build_site(home, load_parameters())
    assert not list(home.site.rglob("*.pdf"))
    orgs = q(home, "SELECT DISTINCT organisatie_id FROM mkba.project")["organisatie_id"]
    for org in orgs:
        assert (home.org_site(org) / "resultaten.xlsx").is_file()


def test_the_service_hands_an_organisation_its_own_pdf_only(home):
    with Registry.edit(home.registry) as registry:
        tokens = {org: registry.issue_org_token(org)[0] for org in ("ORG001", "ORG002")}
    row = q(
        home, "SELECT * FROM mkba.project_looptijd WHERE organisatie_id = 'ORG001' LIMIT 1"
    ).row(0, named=True)
    project = row["project_id"]
    own = {"Authorization": f"Bearer {tokens['ORG001']}"}
    other = {"Authorization": f"Bearer {tokens['ORG002']}"}
    url = f"/api/rapporten/ORG001/impactkaart/{project}.pdf"
    with LiveServer(create_app(home, Settings())) as live:
        with httpx.Client(base_url=live.url, timeout=120) as client:
            r = client.get(url, headers=own)
            assert r.status_code == 200, r.text
            assert r.headers["content-type"] == "application/pdf"
            assert "attachment" in r.headers["content-disposition"]
            assert page_count(r.content) == 1
            assert project in pdf_text(r.content)
            assert client.get(url, headers=other).status_code == 403
            assert client.get(url).status_code == 401
            missing = client.get("/api/rapporten/ORG001/impactkaart/GEEN.pdf", headers=own)
            assert missing.status_code == 404 and "Impactkaart" in missing.json()["melding"]
            bad = client.get("/api/rapporten/ORG001/impactkaart/..%2Fx.pdf", headers=own)
            assert bad.status_code in (400, 404)
            # the card and the Excel file through the ordinary report route
            card = client.get(f"/api/rapporten/ORG001/impactkaart/{project}.html", headers=own)
            assert card.status_code == 200 and "Impactkaart" in card.text
            xlsx = client.get("/api/rapporten/ORG001/resultaten.xlsx", headers=own)
            assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
            assert (
                client.get("/api/rapporten/ORG001/resultaten.xlsx", headers=other).status_code
                == 403
            )
    log = home.audit_log.read_text("utf-8")
    assert '"impactkaart_pdf"' in log
    for token in tokens.values():
        assert token.rsplit(".", 1)[-1] not in log


def test_a_signed_in_person_downloads_the_pdf_from_the_card_in_the_portal(home):
    """In real Chromium: sign in, open the report, follow an Impactkaart, click "Download als
    pdf"; the same person cannot fetch another organisation's card or PDF by URL."""
    add_person(home, "kaart@welzijn.nl", "ORG001")
    own = q(home, "SELECT project_id FROM mkba.project_looptijd WHERE organisatie_id = 'ORG001'")
    other = q(home, "SELECT project_id FROM mkba.project_looptijd WHERE organisatie_id = 'ORG002'")
    project, foreign = own["project_id"][0], other["project_id"][0]
    with LiveServer(create_app(home, Settings())) as live, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(accept_downloads=True).new_page()
        page.goto(live.url + "/inloggen")
        page.get_by_label("E-mailadres").fill("kaart@welzijn.nl")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.goto(f"{live.url}/portaal/ORG001/rapport/index.html")
        page.locator(f'a[href="impactkaart/{page_name(project)}"]').first.click()
        assert project in page.content()
        with page.expect_download() as download:
            page.locator("#ik-pdf").click()
        pdf = download.value.path().read_bytes()
        assert pdf.startswith(b"%PDF") and page_count(pdf) == 1
        assert project in pdf_text(pdf)
        for url in (
            f"/portaal/ORG002/rapport/{FOLDER}/{page_name(foreign)}",
            f"/portaal/ORG002/rapport/{FOLDER}/{foreign}.pdf",
        ):
            assert page.goto(live.url + url).status == 403, url
        browser.close()
