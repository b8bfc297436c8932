"""The portal in real headless Chromium, as an office worker uses it: sign in, deliver a file
with a broken row, read the receipt (row, column, value), see the status become "verwerkt"
after the pipeline's intake ran, open the report, sign out; and what must not work: another
organisation's pages by URL, a form without its CSRF token, guessing passwords.

The screenshots are the ones in docs/uploadservice.md (docs/img/portal-*.png)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rendement.intake.accept import accept_org, receive_org
from tests.support.service import (
    PASSWORD,
    SECRET_MARKER,
    add_person,
    make_world,
    serve,
    visible,
)

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
# The screenshots in docs/uploadservice.md are made by this test when asked for
# (`RENDEMENT_SCHERMAFBEELDINGEN=1 pytest tests/browser/test_portal.py`); otherwise they go to a
# temporary folder, so an ordinary test run leaves the checkout clean.
SCREENSHOTS_ENV = "RENDEMENT_SCHERMAFBEELDINGEN"
_SCRATCH = Path(tempfile.gettempdir()) / "rendement-schermafbeeldingen"
BROKEN = (
    "project_id;naam;domein;interventie;erkenning;startdatum;einddatum;gemeente_code\n"
    "P1;Maatjes Noord;ouderen_eenzaamheid;maatjesproject;goed_beschreven;01-01-2025;;GM0363\n"
    "P2;Buurtkamer Oost;ouderen_eenzaamheid;maatjesproject;goed_beschreven;31-02-2025;;GM0363\n"
)


def _shot(page, name: str) -> None:
    folder = DOCS_IMG if os.environ.get(SCREENSHOTS_ENV) == "1" else _SCRATCH
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"portal-{name}.png"), full_page=True)
    assert (folder / f"portal-{name}.png").stat().st_size > 1000


def _sign_in(page, base: str, email: str, password: str = PASSWORD):
    page.goto(base + "/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Inloggen").click()
    return nav.value


def test_a_person_delivers_sees_the_receipt_and_the_status_and_signs_out(tmp_path, chromium):
    world = make_world(tmp_path / "home")
    home = world.home
    add_person(home, "jan@welzijn-noord.nl", "ORG1")
    add_person(home, "ana@sectorbureau.nl")
    export = tmp_path / "project_2025.csv"
    export.write_text(BROKEN, "utf-8")
    with serve(world) as live:
        context = chromium.new_context(viewport={"width": 1100, "height": 800}, locale="nl-NL")
        page = context.new_page()
        foreign, errors = [], []
        page.on("request", lambda r: None if r.url.startswith(live.url) else foreign.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "console",  # the refusals below are meant; anything else is an error
            lambda m: (
                None
                if m.type != "error" or m.text.startswith("Failed to load resource")
                else errors.append(m.text)
            ),
        )

        page.goto(live.url + "/portaal")
        assert page.url == live.url + "/inloggen" and page.title() == "Inloggen"
        _shot(page, "inloggen")
        assert _sign_in(page, live.url, "jan@welzijn-noord.nl").status == 200
        assert page.url == live.url + "/portaal/ORG1/"
        assert page.get_by_role("heading", level=1).inner_text() == "Welzijn Noord"
        assert "Aangemeld als jan@welzijn-noord.nl" in page.locator(".aangemeld").inner_text()

        # deliver a file with a broken row
        page.get_by_role("link", name="Aanleveren", exact=True).click()
        page.get_by_label("Bestand").set_input_files(str(export))
        with page.expect_navigation():
            page.get_by_role("button", name="Versturen").click()
        assert page.title() == "project_2025.csv"
        main = page.locator("main").inner_text()
        assert "Uw bestand is ontvangen" in main and "Ontvangen" in main
        examples = page.locator("table.voorbeelden").first
        row = examples.locator("tbody tr").first.locator("td").all_inner_texts()
        assert row[:5] == ["project_2025.csv", "project", "3", "startdatum", "31-02-2025"]
        assert "Wat te doen:" in main
        [stored] = visible(home, "ORG1")
        assert stored not in page.content()  # the organisation's own name, not the stored one
        _shot(page, "ontvangstbewijs")
        receipt_url = page.url

        # the pipeline's intake takes the file in (what the sensor's run does)
        [received] = receive_org(home, "ORG1")
        assert received.status == "ontvangen"
        page.reload()
        assert page.locator("[data-status]").first.inner_text() == "In verwerking"
        [accepted] = accept_org(home, "ORG1")
        assert accepted.status == "deels_geaccepteerd"
        page.reload()
        assert page.locator("[data-status]").first.inner_text() == "Verwerkt"
        text = page.locator("main").inner_text()
        assert "Uitkomst van de verwerking" in text and "sommige rijen zijn afgekeurd" in text
        processed = page.locator("table.voorbeelden").first.locator("tbody tr").first
        assert processed.locator("td").all_inner_texts()[2:5] == ["3", "startdatum", "31-02-2025"]
        per_table = page.locator("#per-tabel tbody tr").first.locator("td").all_inner_texts()
        assert per_table[:4] == ["project", "2", "1", "1"]
        _shot(page, "levering-verwerkt")
        with page.expect_response(lambda r: r.url.endswith(".json")) as answer:
            page.get_by_role("link", name="als JSON-bestand").click()
        assert answer.value.status == 200 and answer.value.json()["status"] == "deels_geaccepteerd"
        page.goto(receipt_url)

        page.get_by_role("link", name="Aanleveringen", exact=True).click()
        listed = page.locator("table.lijst tbody tr").first
        assert listed.locator("td").first.inner_text() == "project_2025.csv"
        assert listed.locator("[data-status]").get_attribute("data-status") == "verwerkt"
        _shot(page, "aanleveringen")
        page.get_by_role("link", name="Overzicht", exact=True).click()
        assert page.get_by_role("link", name="Het rapport van Welzijn Noord").is_visible()
        _shot(page, "overzicht")

        # the report, from the organisation's own folder only
        with page.expect_navigation():  # read the report, not the page before it
            page.get_by_role("link", name="Rapport", exact=True).click()
        assert "eigen rapport ORG1" in page.locator("body").inner_text()
        for url in ("/portaal/ORG2/", "/portaal/ORG2/rapport/index.html",
                    "/portaal/ORG2/rapport/validatie/abcdef0123456789.json"):  # fmt: skip
            answer = page.goto(live.url + url)
            assert answer.status == 403, url
            assert SECRET_MARKER not in page.content()
            assert (
                "alleen de pagina's van uw eigen organisatie" in page.locator("main").inner_text()
            )
        _shot(page, "geen-toegang")

        # a form without its CSRF token is refused, and nothing is stored
        page.goto(live.url + "/portaal/ORG1/aanleveren")
        page.evaluate("document.querySelector('form.upload input[name=csrftoken]').remove()")
        page.get_by_label("Bestand").set_input_files(str(tmp_path / "project_2025.csv"))
        with page.expect_navigation() as nav:
            page.get_by_role("button", name="Versturen").click()
        assert nav.value.status == 403
        assert "formulier is verlopen" in page.locator("main").inner_text()
        assert visible(home, "ORG1") == []  # the first one was taken in; nothing new

        # sign out; the portal is closed again
        page.goto(receipt_url)
        with page.expect_navigation():
            page.get_by_role("button", name="Afmelden").click()
        assert page.url == live.url + "/inloggen?afgemeld=1"
        assert "U bent afgemeld." in page.locator("main").inner_text()
        page.goto(live.url + "/portaal/ORG1/leveringen")
        assert page.url == live.url + "/inloggen"

        # an analyst sees the delivery overview
        _sign_in(page, live.url, "ana@sectorbureau.nl")
        assert page.url == live.url + "/portaal/leveringen"
        assert "Welzijn Noord" in page.locator("table.lijst").inner_text()
        _shot(page, "analist-leveringen")
        with page.expect_navigation():
            page.get_by_role("button", name="Afmelden").click()

        # guessing passwords: five wrong ones, then even the right one waits
        for _ in range(5):
            assert (
                _sign_in(page, live.url, "jan@welzijn-noord.nl", "geraden wachtwoord").status == 401
            )
            assert "klopt niet" in page.locator("main").inner_text()
        assert _sign_in(page, live.url, "jan@welzijn-noord.nl").status == 429
        assert "Te veel mislukte pogingen" in page.locator("main").inner_text()
        _shot(page, "geblokkeerd")
        assert not foreign and not errors, (foreign, errors)
        context.close()
