"""Own values over real HTTP (uvicorn, httpx): an organisation proposes a value with
justification and source (signed in, CSRF, Dutch errors for a bad value), an analyst accepts
or rejects it, and both steps are in the audit log by account id, never by e-mail address."""

from __future__ import annotations

import html
import json
import re

import httpx

from rendement.core.proposals import ProposalStore
from rendement.service.portal_deviations import project_ids
from tests.support.service import (
    add_person,
    audit_entries,
    delivered_world,
    form_token,
    serve,
    sign_in,
)

DUUR = "uitkomsten.schulden_gestabiliseerd.duur"


def _form(page: str, **fields) -> dict:
    return {"csrftoken": form_token(page), "parameter": DUUR, "project_id": "", **fields}


def test_an_organisation_proposes_and_an_analyst_decides(tmp_path):
    world, _year, _exports = delivered_world(tmp_path)
    home = world.home
    jan = add_person(home, "jan@welzijn-noord.nl", "ORG1")
    ana = add_person(home, "ana@sectorbureau.nl")
    projects = project_ids(home, "ORG1")
    assert projects
    with (
        serve(world) as live,
        httpx.Client(base_url=live.url, timeout=60) as org,
        httpx.Client(base_url=live.url, timeout=60) as analyst,
    ):
        sign_in(org, "jan@welzijn-noord.nl")
        page = org.get("/portaal/ORG1/afwijkingen")
        assert page.status_code == 200 and 'id="afwijking-voorstel"' in page.text
        assert f'value="{DUUR}"' in page.text and f'value="{projects[0]}"' in page.text
        assert "standaard 2 jaar; toegestaan 1 tot en met 10" in page.text
        # without the CSRF token: refused, nothing stored
        bare = _form(page.text, waarde="3", toelichting="t", bron="b")
        bare.pop("csrftoken")
        assert org.post("/portaal/ORG1/afwijkingen", data=bare).status_code == 403
        assert not home.proposals.exists()
        # bad values: a Dutch message per field, nothing stored, the typed text kept
        for typed, words in (
            ("=1+1", "Waarde: '=1+1' is geen getal"),
            ("1000000", "buiten de grenzen 1 tot en met 10"),
            ("inf", "Waarde: 'inf' is geen eindig getal"),
        ):
            r = org.post(
                "/portaal/ORG1/afwijkingen",
                data=_form(page.text, waarde=typed, toelichting="eigen nazorg", bron="registratie"),
            )
            text = html.unescape(r.text)
            assert r.status_code == 400 and words in text, typed
            assert "Uw voorstel is niet opgeslagen" in text and f'value="{typed}"' in text
        r = org.post(
            "/portaal/ORG1/afwijkingen",
            data=_form(page.text, waarde="3", project_id="P-onbekend", toelichting="x", bron=""),
        )
        assert r.status_code == 400
        assert "Project: project P-onbekend is geen aangeleverd project van ORG1" in r.text
        assert "Bron: noem de bron" in r.text
        assert not home.proposals.exists()
        # a good proposal
        r = org.post(
            "/portaal/ORG1/afwijkingen",
            data=_form(
                page.text,
                waarde="3",
                toelichting="Wij volgen cliënten twee jaar met nazorg",
                bron="Eigen nazorgregistratie 2023-2025",
            ),
        )
        assert (r.status_code, r.headers["location"]) == (
            303,
            "/portaal/ORG1/afwijkingen?verstuurd=1",
        )
        (proposal,) = ProposalStore.load(home.proposals).all()
        assert (proposal["waarde"], proposal["ingediend_door"]) == (3.0, jan)
        assert "Wacht op beoordeling" in org.get("/portaal/ORG1/afwijkingen").text
        # only analysts review
        assert org.get("/portaal/afwijkingen").status_code == 403
        sign_in(analyst, "ana@sectorbureau.nl")
        review = analyst.get("/portaal/afwijkingen")
        assert review.status_code == 200 and f'data-voorstel="{proposal["id"]}"' in review.text
        target = f"/portaal/afwijkingen/{proposal['id']}"
        token = form_token(review.text)
        r = analyst.post(target, data={"csrftoken": token, "besluit": "afwijzen", "reden": ""})
        assert r.status_code == 400 and "reden" in r.text
        r = analyst.post(target, data={"csrftoken": token, "besluit": "aanvaarden", "reden": ""})
        assert (r.status_code, r.headers["location"]) == (
            303,
            "/portaal/afwijkingen?besloten=aanvaard",
        )
        decided = ProposalStore.load(home.proposals).get(proposal["id"])
        assert (decided["status"], decided["besloten_door"]) == ("aanvaard", ana)
        r = analyst.post(target, data={"csrftoken": token, "besluit": "aanvaarden"})
        assert r.status_code == 400 and "al besloten" in r.text
        mine = org.get("/portaal/ORG1/afwijkingen").text
        assert re.search(r'data-status="aanvaard">Aanvaard<', mine)
    steps = {
        (e["actie"], e["uitkomst"]): e
        for e in audit_entries(home)
        if e["actie"] in ("afwijking_voorstel", "afwijking_besluit")
    }
    assert steps[("afwijking_voorstel", "ingediend")]["details"]["gebruiker"] == jan
    assert steps[("afwijking_voorstel", "ingediend")]["details"]["voorstel"] == proposal["id"]
    assert steps[("afwijking_voorstel", "geweigerd")]["organisatie_id"] == "ORG1"
    accepted = steps[("afwijking_besluit", "aanvaard")]
    assert accepted["details"]["gebruiker"] == ana and accepted["organisatie_id"] == "ORG1"
    assert all("@" not in json.dumps(e) for e in steps.values())
