"""Own values in real headless Chromium: an organisation proposes a value (a bad one first,
refused in Dutch), an analyst accepts it, and after the next run the organisation's report in
the portal shows it next to the standard value, with its source and who accepted it."""

from __future__ import annotations

from tests.support.browser import table_rows
from tests.support.homes import restored_env
from tests.support.service import PASSWORD, add_person, delivered_world, serve

DUUR = "uitkomsten.schulden_gestabiliseerd.duur"
SOURCE = "Eigen nazorgregistratie 2023-2025"


def _sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()


def _page(chromium, errors: list):
    context = chromium.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            None
            if m.type != "error" or m.text.startswith("Failed to load resource")
            else errors.append(m.text)
        ),
    )
    return page


def test_propose_accept_and_see_it_in_the_report(tmp_path, chromium):
    from pipelines.run import run_pipeline

    world, _year, _exports = delivered_world(tmp_path)
    home = world.home
    add_person(home, "jan@welzijn-noord.nl", "ORG1")
    analyst_id = add_person(home, "ana@sectorbureau.nl")
    errors: list[str] = []
    with serve(world) as live:
        org = _page(chromium, errors)
        _sign_in(org, live.url, "jan@welzijn-noord.nl")
        org.get_by_role("link", name="Eigen waarden", exact=True).click()
        assert org.title() == "Eigen waarden (afwijkingen)"
        option = org.locator(f'#parameter option[value="{DUUR}"]').inner_text()
        assert "standaard 2 jaar; toegestaan 1 tot en met 10" in option
        org.get_by_label("Parameter").select_option(DUUR)
        org.get_by_label("Uw waarde").fill("=1+1")
        org.get_by_label("Toelichting").fill("Wij volgen cliënten twee jaar met nazorg")
        org.get_by_label("Bron").fill(SOURCE)
        with org.expect_navigation():
            org.get_by_role("button", name="Voorstel versturen").click()
        assert "Waarde: '=1+1' is geen getal" in org.locator("#afwijking-fouten").inner_text()
        assert org.get_by_label("Toelichting").input_value().startswith("Wij volgen")
        org.get_by_label("Uw waarde").fill("3")
        with org.expect_navigation():
            org.get_by_role("button", name="Voorstel versturen").click()
        assert "Uw voorstel is verstuurd" in org.locator("#afwijking-melding").inner_text()
        status = org.locator("#afwijking-voorstellen [data-status]").first
        assert status.inner_text() == "Wacht op beoordeling"

        analyst = _page(chromium, errors)
        _sign_in(analyst, live.url, "ana@sectorbureau.nl")
        analyst.get_by_role("link", name="Afwijkingen", exact=True).click()
        row = analyst.locator("#afwijking-te-beoordelen tbody tr").first
        assert "ORG1" in row.inner_text() and SOURCE in row.inner_text()
        with analyst.expect_navigation():
            row.get_by_role("button", name="Aanvaarden").click()
        assert "Aanvaard" in analyst.locator("#afwijking-melding").inner_text()
        decided = analyst.locator("#afwijking-besloten tbody tr").first.inner_text()
        assert analyst_id in decided and "@" not in decided

        org.reload()
        assert org.locator("#afwijking-voorstellen [data-status]").first.inner_text() == "Aanvaard"

        # the organisation's next run (what an upload or the sector run starts)
        with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
            assert run_pipeline(home, progress=lambda _stage: None).success
        with org.expect_navigation():  # the report, loaded, before its table is read
            org.get_by_role("link", name="Rapport", exact=True).click()
        rows = table_rows(org, "org-afwijkingen")
        assert len(rows) == 1
        cells = rows[0]["cells"]
        assert cells["parameter"] == DUUR
        assert (cells["standaard"], cells["eigen"]) == ("2 jaar", "3 jaar")
        assert cells["bron"] == SOURCE
        assert cells["aanvaard"].startswith(f"analist {analyst_id}, ")
        assert errors == []
