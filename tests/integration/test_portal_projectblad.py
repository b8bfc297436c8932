"""The project sheet form over real HTTP (uvicorn, httpx): a corrected sheet is delivered along
the upload's path (receipt, audit line with the account, inbox) and, after intake, is what
`canoniek.projectopgave` holds, while what the form does not show (an activity, next year's
plan) stays; an analyst only views; another organisation's sheet and a form without its CSRF
token are refused."""

from __future__ import annotations

import datetime as dt
import json

import httpx

from rendement.intake.accept import accept_org, receive_org
from tests.support.projectblad import (
    EMAIL,
    URL,
    form_fields,
    process,
    sheet_world,
    warehouse_rows,
)
from tests.support.service import add_person, audit_entries, serve, sign_in, visible
from tests.support.sjabloon import YEAR


def test_a_corrected_sheet_is_delivered_and_reaches_canoniek_projectopgave(tmp_path):
    world, person = sheet_world(tmp_path)
    home = world.home
    with serve(world) as live, httpx.Client(base_url=live.url, timeout=120) as browser:
        sign_in(browser, EMAIL)
        page = browser.get(URL)
        assert page.status_code == 200
        fields = form_fields(page.text)
        # prefilled from the lake, numbers in Dutch notation
        assert fields["p0.id"] == "P01" and fields["p1.id"] == "P02"
        assert fields["p0.b0.soort"] == "realisatie"
        assert (fields["p0.b0.bereikt"], fields["p0.b0.contacten"]) == ("120", "1.800")
        assert fields["p0.b0.u0.uitkomst"] == "eenzaamheid_welzijn"
        assert fields["p0.b0.u0.aantal"] == "30"
        assert (fields["p0.fte_betaald"], fields["p0.kosten_personeel"]) == ("0,6", "45.000")
        # sent unchanged: nothing to deliver
        same = browser.post(URL, data=fields)
        assert same.status_code == 200 and "Er is niets veranderd" in same.text
        assert visible(home, "ORG1") == []
        fields.update(
            {
                "p0.b0.bereikt": "1.250",
                "p1.b0.afgerond": "75",
                "p1.b0.u0.uitkomst": "bereik_jongeren",
                "p1.b0.u0.aantal": "200",
                "p1.b0.u0.vastgesteld": "registratie",
                "p0.kosten_materiaal": "2.500,50",
                "p1.fte_betaald": "2,25",
            }
        )
        r = browser.post(URL, data=fields)
        assert r.status_code == 303, r.text
        target = r.headers["location"]
        assert target.startswith("/portaal/ORG1/leveringen/") and target.endswith("?ontvangen=1")
        receipt = browser.get(target).text
        assert f"projectblad_{YEAR}_formulier.xlsx" in receipt and "Ontvangstbewijs" in receipt
        assert "Wordt naar verwachting helemaal aangenomen" in receipt
        # until intake ran, the form says a delivery waits (and still shows the stored values)
        again = browser.get(URL).text
        assert "Er wacht nog 1 aanlevering van u op verwerking" in " ".join(again.split())
        assert form_fields(again)["p0.b0.bereikt"] == "120"
    [stored] = visible(home, "ORG1")
    assert stored.endswith(f"_projectblad_{YEAR}.xlsx")
    [line] = [
        a for a in audit_entries(home) if a["actie"] == "upload" and a["uitkomst"] == "ontvangen"
    ]
    assert line["organisatie_id"] == "ORG1" and line["details"]["kanaal"] == "formulier"
    assert line["details"]["gebruiker"] == person
    assert EMAIL not in json.dumps(line)
    kenmerk = target.split("/")[-1].split("?")[0]
    assert line["checksum"].startswith(kenmerk)

    assert process(world) == ["geaccepteerd"]
    rows = warehouse_rows(
        world,
        "SELECT project_id, jaar, soort, uitkomst, bereikt, afgerond, aantal, vastgesteld, "
        "upload_checksum FROM canoniek.projectopgave ORDER BY ALL",
    )
    assert {r[:8] for r in rows} == {
        ("P01", YEAR, "realisatie", None, 1250, 40, None, None),
        ("P01", YEAR, "realisatie", "eenzaamheid_welzijn", None, None, 30, "zelfrapportage"),
        ("P02", YEAR, "realisatie", None, 260, 75, None, None),
        ("P02", YEAR, "realisatie", "bereik_jongeren", None, None, 200, "registratie"),
        ("P02", YEAR + 1, "raming", None, 280, None, None, None),  # not on the form: kept
    }
    assert {r[8] for r in rows} == {line["checksum"]}
    assert warehouse_rows(
        world, "SELECT project_id, kostensoort, bedrag FROM canoniek.kosten ORDER BY ALL"
    ) == [
        ("P01", "huisvesting", 9000.0),
        ("P01", "materiaal", 2500.5),
        ("P01", "personeel", 45000.0),
        ("P02", "personeel", 150000.0),
    ]
    assert warehouse_rows(
        world, "SELECT project_id, fte_betaald FROM canoniek.inzet ORDER BY ALL"
    ) == [("P01", 0.6), ("P02", 2.25)]
    assert warehouse_rows(world, "SELECT activiteit_id FROM canoniek.activiteit") == [("A1",)]


def test_analysts_only_view_and_nobody_reaches_another_sheet_or_posts_without_csrf(tmp_path):
    world, _ = sheet_world(tmp_path)
    add_person(world.home, "ana@sectorbureau.nl")
    with serve(world) as live:
        with httpx.Client(base_url=live.url, timeout=120) as analyst:
            sign_in(analyst, "ana@sectorbureau.nl")
            page = analyst.get(URL)
            assert page.status_code == 200
            assert form_fields(page.text)["p0.b0.bereikt"] == "120"
            assert "alleen lezen" in page.text and ">Versturen</button>" not in page.text
            fields = form_fields(page.text)
            assert analyst.post(URL, data=fields).status_code == 403
        with httpx.Client(base_url=live.url, timeout=120) as browser:
            assert browser.get(URL).headers["location"] == "/inloggen"
            sign_in(browser, EMAIL)
            assert browser.get(f"/portaal/ORG2/projectblad?jaar={YEAR}").status_code == 403
            assert browser.get("/portaal/ORG1/projectblad?jaar=twintig").status_code == 400
            fields = form_fields(browser.get(URL).text)
            assert (
                'href="/portaal/ORG1/projectblad"' in browser.get("/portaal/ORG1/aanleveren").text
            )
            without = {k: v for k, v in fields.items() if k != "csrftoken"}
            assert browser.post(URL, data=without).status_code == 403
            other = browser.post(f"/portaal/ORG2/projectblad?jaar={YEAR}", data=fields)
            assert other.status_code == 403
            # the form has its own bound, above the sign-in form's 16 kB (formlimit.LARGER_FORMS)
            padded = browser.post(URL, data={**fields, "opvulling": "x" * 40_000})
            assert padded.status_code == 200 and "Er is niets veranderd" in padded.text
            huge = browser.post(URL, data={**fields, "opvulling": "x" * 600_000})
            assert huge.status_code == 413
    assert visible(world.home, "ORG1") == [] and visible(world.home, "ORG2") == []


def test_an_organisation_without_projects_enters_a_new_project_and_its_sheet(tmp_path):
    world, _ = sheet_world(tmp_path)
    add_person(world.home, "eva@zorg-zuid.nl", "ORG2")
    url = f"/portaal/ORG2/projectblad?jaar={YEAR}"
    with serve(world) as live, httpx.Client(base_url=live.url, timeout=120) as browser:
        sign_in(browser, "eva@zorg-zuid.nl")
        fields = form_fields(browser.get(url).text)
        assert fields["p0.nieuw"] == "1" and fields["p0.id"] == ""
        fields.update(
            {
                "p0.id": "Z1",
                "p0.naam": "Schuldhulp Zuid",
                "p0.interventie": "schuldhulpverlening",
                "p0.startdatum": "15-3-2024",
                "p0.b0.bereikt": "55",
                "p0.fte_betaald": "1",
                "p0.uren_betaald": "1.600",
                "p0.vrijwilligers": "9",
                "p0.uren_vrijwilligers": "700",
                "p0.kosten_personeel": "80.000",
            }
        )
        # first with a date that is no date: the Dutch rule text at the field, nothing stored
        r = browser.post(url, data={**fields, "p0.startdatum": "maart"})
        assert r.status_code == 422
        assert 'id="fout-p0-startdatum-1"' in r.text and "blad Projecten, rij 2" in r.text
        assert form_fields(r.text)["p0.naam"] == "Schuldhulp Zuid"
        assert visible(world.home, "ORG2") == []
        r = browser.post(url, data=fields)
        assert r.status_code == 303, r.text
    receive_org(world.home, "ORG2")
    assert [o.status for o in accept_org(world.home, "ORG2")] == ["geaccepteerd"]
    assert warehouse_rows(
        world,
        "SELECT p.project_id, p.domein, p.startdatum, o.bereikt, i.fte_betaald, k.bedrag "
        "FROM canoniek.project p JOIN canoniek.projectopgave o USING (organisatie_id, project_id) "
        "JOIN canoniek.inzet i USING (organisatie_id, project_id) "
        "JOIN canoniek.kosten k USING (organisatie_id, project_id) WHERE organisatie_id='ORG2'",
    ) == [("Z1", "schulden_armoede", dt.date(2024, 3, 15), 55, 1.0, 80000.0)]
