"""The Dutch upload page in headless Chromium: fill in the token, choose a file, send, read the
receipt. Screenshots are kept under test-artifacts/."""

from __future__ import annotations

from pathlib import Path

from tests.support.service import PROJECT_CSV, make_world, serve, visible

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_upload_page_sends_a_file_and_shows_the_dutch_receipt(tmp_path, chromium):
    world = make_world(tmp_path / "home")
    export = tmp_path / "project_2025.csv"
    export.write_bytes(PROJECT_CSV)
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(world) as live:
        page = chromium.new_page()
        page.goto(live.url + "/")
        assert page.title() == "Bestand aanleveren"
        assert page.get_by_label("Uw token").is_visible()
        page.screenshot(path=str(ARTIFACTS / "uploadpagina-formulier.png"), full_page=True)
        page.get_by_label("Uw token").fill(world.tokens["ORG1"])
        page.get_by_label("Bestand").set_input_files(str(export))
        with page.expect_navigation():
            page.get_by_role("button", name="Versturen").click()
        assert page.title() == "Ontvangen"
        text = page.locator("main").inner_text()
        assert "Uw bestand is ontvangen en wacht op verwerking" in text
        assert "project_2025.csv" in text
        assert "Wordt naar verwachting helemaal aangenomen" in text
        assert "contract" in text and "2025" in text
        page.screenshot(path=str(ARTIFACTS / "uploadpagina-ontvangstbewijs.png"), full_page=True)
        # the same file again: already received, nothing new stored
        page.goto(live.url + "/")
        page.get_by_label("Uw token").fill(world.tokens["ORG1"])
        page.get_by_label("Bestand").set_input_files(str(export))
        with page.expect_navigation():
            page.get_by_role("button", name="Versturen").click()
        assert page.title() == "Dit bestand was al ontvangen"
        page.close()
    assert len(visible(world.home, "ORG1")) == 1
    assert world.tokens["ORG1"] not in world.home.audit_log.read_text("utf-8")


def test_upload_page_with_a_wrong_token_says_so_in_dutch(tmp_path, chromium):
    world = make_world(tmp_path / "home")
    export = tmp_path / "project_2025.csv"
    export.write_bytes(PROJECT_CSV)
    with serve(world) as live:
        page = chromium.new_page()
        page.goto(live.url + "/")
        page.get_by_label("Uw token").fill("ORG1.verkeerd")
        page.get_by_label("Bestand").set_input_files(str(export))
        with page.expect_navigation() as nav:
            page.get_by_role("button", name="Versturen").click()
        assert nav.value.status == 401
        assert page.title() == "Niet gelukt"
        assert "niet aangemeld" in page.locator("main").inner_text()
        page.screenshot(path=str(ARTIFACTS / "uploadpagina-fout-token.png"), full_page=True)
        page.close()
    assert world.home.inbox.exists()
    assert visible(world.home, "ORG1") == []
