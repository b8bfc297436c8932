"""The project sheet form in real headless Chromium, as an office worker without client
registration uses it: sign in, open the project sheet from the navigation, correct a few
figures in Dutch notation, send, and land on the receipt; and a bad value, which brings the
form back with the Dutch rule text at the field, every typed value kept and nothing stored."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tests.support.projectblad import EMAIL, URL, opgave, process, sheet_world
from tests.support.service import PASSWORD, serve, visible
from tests.support.sjabloon import YEAR

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
# As in test_portal.py: the screenshot in docs/uploadservice.md is made when asked for
# (`RENDEMENT_SCHERMAFBEELDINGEN=1`), otherwise into a temporary folder.
SCREENSHOTS_ENV = "RENDEMENT_SCHERMAFBEELDINGEN"


def _shot(page, name: str) -> None:
    folder = DOCS_IMG if os.environ.get(SCREENSHOTS_ENV) == "1" else Path(tempfile.gettempdir())
    path = folder / f"portal-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000


def _signed_in(chromium, base: str):
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, locale="nl-NL")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/inloggen")
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()
    return page, errors


def _field(page, name: str):
    return page.locator(f'[name="{name}"]')


def test_a_person_corrects_the_sheet_and_sees_the_receipt(tmp_path, chromium):
    world, _ = sheet_world(tmp_path)
    with serve(world) as live:
        page, errors = _signed_in(chromium, live.url)
        page.get_by_role("link", name="Projectblad", exact=True).click()
        if page.title() != f"Projectblad {YEAR}":  # the page opens on last year
            page.get_by_role("link", name=str(YEAR), exact=True).click()
        assert page.title() == f"Projectblad {YEAR}"
        assert page.locator("fieldset legend").all_inner_texts() == [
            "P01 — Inloop Zuid",
            "P02 — Straatwerk Oost",
            "Nieuw project (niet verplicht)",
        ]
        assert _field(page, "p0.b0.contacten").input_value() == "1.800"
        _field(page, "p0.b0.bereikt").fill("1.250")
        _field(page, "p1.uren_vrijwilligers").fill("1.200,5")
        _field(page, "p1.b0.u0.uitkomst").select_option(label="Bereikte jongeren (12-26 jaar)")
        _field(page, "p1.b0.u0.aantal").fill("180")
        _field(page, "p1.b0.u0.vastgesteld").select_option("registratie")
        with page.expect_navigation():
            page.get_by_role("button", name="Versturen").click()
        assert page.title() == f"projectblad_{YEAR}_formulier.xlsx"
        main = page.locator("main").inner_text()
        assert "Uw bestand is ontvangen" in main and "Ontvangstbewijs" in main
        assert "Wordt naar verwachting helemaal aangenomen" in main
        assert page.locator("[data-status]").first.inner_text() == "Ontvangen"
        assert not errors
    assert len(visible(world.home, "ORG1")) == 1
    assert process(world) == ["geaccepteerd"]
    sheet = opgave(world)
    assert sheet[("P01", YEAR, "realisatie", None)] == 1250
    assert sheet[("P02", YEAR, "realisatie", "bereik_jongeren")] == 180


def test_a_bad_value_shows_the_dutch_error_at_the_field_and_nothing_is_lost(tmp_path, chromium):
    world, _ = sheet_world(tmp_path)
    before = opgave(world)
    with serve(world) as live:
        page, errors = _signed_in(chromium, live.url)
        page.goto(live.url + URL)
        _field(page, "p0.b0.bereikt").fill("1.300")  # a good correction
        _field(page, "p1.uren_vrijwilligers").fill("veel")  # not a number
        _field(page, "p0.b0.u1.uitkomst").select_option("betaald_werk")  # no count, no how
        with page.expect_navigation():
            page.get_by_role("button", name="Versturen").click()
        assert page.title() == f"Projectblad {YEAR}"
        _shot(page, "projectblad-fouten")
        assert "Het projectblad is niet aangeleverd" in page.locator("#fouten").inner_text()
        bad = _field(page, "p1.uren_vrijwilligers")
        assert bad.get_attribute("aria-invalid") == "true"
        message = page.locator("#" + bad.get_attribute("aria-describedby")).inner_text()
        assert "'veel' in kolom 'Uren vrijwilligers' is geen getal" in message
        assert "blad Inzet, rij 3, kolom Uren vrijwilligers" in message
        summary = page.locator("#fouten a[href='#p1-uren_vrijwilligers']")
        assert summary.inner_text().startswith("P02, inzet: 'veel' in kolom")
        count = page.locator("[id^='fout-p0-b0-u1-aantal']").inner_text()
        assert "Bij de uitkomst 'betaald_werk' van project P01" in count and "Aantal" in count
        # what was typed is still there
        assert bad.input_value() == "veel"
        assert _field(page, "p0.b0.bereikt").input_value() == "1.300"
        assert _field(page, "p0.b0.u1.uitkomst").input_value() == "betaald_werk"
        assert _field(page, "p0.b0.contacten").input_value() == "1.800"
        # nothing stored, nothing changed
        assert visible(world.home, "ORG1") == []
        assert opgave(world) == before

        # corrected, the same form goes through
        bad.fill("12,5")
        _field(page, "p0.b0.u1.aantal").fill("4")
        _field(page, "p0.b0.u1.vastgesteld").select_option("registratie")
        with page.expect_navigation():
            page.get_by_role("button", name="Versturen").click()
        assert "Uw bestand is ontvangen" in page.locator("main").inner_text()
        assert not errors
    assert process(world) == ["geaccepteerd"]
    after = opgave(world)
    assert after[("P01", YEAR, "realisatie", None)] == 1300
    assert after[("P01", YEAR, "realisatie", "betaald_werk")] == 4
    assert after[("P02", YEAR + 1, "raming", None)] == before[("P02", YEAR + 1, "raming", None)]
