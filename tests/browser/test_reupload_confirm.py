"""Issue 20 point 1 in real headless Chromium: a person delivers a header-only trajectory file
in the portal, the delivery page says it waits for confirmation and exactly what it would
replace, the confirm button (a form with its CSRF token) records the confirmation, and intake
then replaces the year."""

from __future__ import annotations

import polars as pl
from playwright.sync_api import sync_playwright

from rendement.core.formatting import nl_number
from rendement.core.lake import Lake
from rendement.intake import hold
from rendement.intake.accept import accept_org, receive_org
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.service import PASSWORD, add_person, delivered_world, serve


def test_a_person_confirms_a_reupload_that_would_empty_a_year(tmp_path):
    world, year, exports = delivered_world(tmp_path)
    home = world.home
    stored = Lake(home.lake).accepted_path("traject", "ORG1", year)
    before = pl.read_parquet(stored).height
    header_only = tmp_path / f"traject_{year}.csv"
    header_only.write_bytes((exports / f"traject_{year}.csv").read_bytes().split(b"\n", 1)[0])
    add_person(home, "jan@welzijn-noord.nl", "ORG1")
    with serve(world) as live, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="nl-NL").new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(live.url + "/inloggen")
        page.get_by_label("E-mailadres").fill("jan@welzijn-noord.nl")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Inloggen").click()

        page.goto(live.url + "/portaal/ORG1/aanleveren")
        page.get_by_label("Bestand").set_input_files(str(header_only))
        with page.expect_navigation():
            page.get_by_role("button", name="Versturen").click()
        section = page.locator("#bevestigen")
        what = f"traject {year}: vervangt {nl_number(before)} rijen door 0"
        assert what in section.inner_text()
        assert "Wacht naar verwachting op uw bevestiging" in page.locator("main").inner_text()
        kenmerk = page.url.rsplit("/", 1)[1].split("?")[0]
        [checksum] = [c for c in [*home.receipts.glob("ORG1/*.json")] if c.stem == kenmerk]
        with page.expect_navigation():
            section.get_by_role("button", name="Ja, vervang de eerdere gegevens").click()
        assert "U heeft dit bevestigd" in page.locator("#bevestigen").inner_text()
        assert "Bevestigd." in page.locator("main").inner_text()
        assert errors == []
        browser.close()
    assert pl.read_parquet(stored).height == before  # nothing changed until intake ran
    receive_org(home, "ORG1")
    [outcome] = accept_org(home, "ORG1")
    assert outcome.checksum.startswith(checksum.stem) and outcome.status == "geaccepteerd"
    assert pl.read_parquet(stored).height == 0
    assert hold.is_confirmed(home.lake, "ORG1", outcome.checksum)
