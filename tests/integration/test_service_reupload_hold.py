"""Issue 20 point 1 over real HTTP: a header-only re-upload gets a receipt that says it waits
for confirmation and exactly what it would replace; intake holds it; the organisation confirms
in the portal (a form with CSRF) or with `POST /api/uploads/{kenmerk}/bevestigen`, and only
then are its rows replaced. Real uvicorn, real lake and intake."""

from __future__ import annotations

import httpx
import polars as pl

from rendement.core.formatting import nl_number
from rendement.core.lake import Lake
from rendement.intake import hold
from rendement.intake.accept import accept_org, receive_org
from tests.support.service import add_person, delivered_world, form_token, serve, sign_in


def _delivered_home(tmp_path):
    world, year, _exports = delivered_world(tmp_path)
    return world, year


def test_header_only_reupload_waits_for_confirmation_in_the_portal(tmp_path):
    world, year = _delivered_home(tmp_path)
    home = world.home
    stored = Lake(home.lake).accepted_path("traject", "ORG1", year)
    before = pl.read_parquet(stored).height
    assert before > 50
    source = next((tmp_path / "exports").glob(f"*/traject_{year}.csv"))
    header_line = source.read_bytes().split(b"\n", 1)[0]
    add_person(home, "jan@welzijn-noord.nl", "ORG1")
    token = {"Authorization": f"Bearer {world.tokens['ORG1']}"}
    with serve(world) as live, httpx.Client(base_url=live.url, timeout=120) as browser:
        r = httpx.post(
            f"{live.url}/api/uploads",
            headers=token,
            files={"bestand": (f"traject_{year}.csv", header_line + b"\n")},
            timeout=120,
        )
        assert r.status_code == 201, r.text
        receipt = r.json()
        check = receipt["voorcontrole"]
        assert check["oordeel"] == "wacht_op_bevestiging"
        assert check["vervangt"] == [f"traject {year}: vervangt {nl_number(before)} rijen door 0"]
        kenmerk = receipt["checksum"][:16]
        assert "wacht op uw bevestiging" in receipt["melding"].lower()
        assert f"/api/uploads/{kenmerk}/bevestigen" in receipt["melding"]

        receive_org(home, "ORG1")
        [outcome] = accept_org(home, "ORG1")
        assert outcome.status == hold.WAITING
        assert pl.read_parquet(stored).height == before  # nothing changed

        [row] = [
            u
            for u in httpx.get(f"{live.url}/api/uploads", headers=token).json()["uploads"]
            if u["checksum"] == receipt["checksum"]
        ]
        assert row["status"] == "wacht_op_bevestiging"

        sign_in(browser, "jan@welzijn-noord.nl")
        page = browser.get(f"/portaal/ORG1/leveringen/{kenmerk}")
        assert page.status_code == 200
        assert "Wacht op uw bevestiging" in page.text
        assert f"traject {year}: vervangt {nl_number(before)} rijen door 0" in page.text
        action = f"/portaal/ORG1/leveringen/{kenmerk}/bevestigen"
        assert f'action="{action}"' in page.text
        # without the form's CSRF token: refused, nothing confirmed
        assert browser.post(action, data={}).status_code == 403
        assert not hold.is_confirmed(home.lake, "ORG1", receipt["checksum"])
        done = browser.post(action, data={"csrftoken": form_token(page.text)})
        assert done.status_code == 303, done.text
        assert hold.is_confirmed(home.lake, "ORG1", receipt["checksum"])
        after = browser.get(done.headers["location"])
        assert "U heeft dit bevestigd" in after.text

        # the API says so too; another organisation cannot confirm it
        again = httpx.post(f"{live.url}/api/uploads/{kenmerk}/bevestigen", headers=token)
        assert again.status_code == 200 and again.json()["status"] == "al_bevestigd"
        other = {"Authorization": f"Bearer {world.tokens['ORG2']}"}
        assert (
            httpx.post(f"{live.url}/api/uploads/{kenmerk}/bevestigen", headers=other).status_code
            == 409
        )

    [accepted] = accept_org(home, "ORG1")
    assert accepted.status == "geaccepteerd"
    assert pl.read_parquet(stored).height == 0


def test_api_confirmation_before_intake_takes_it_in_at_once(tmp_path):
    """Confirmed with the documented API call while still in the inbox: intake then replaces
    at once, without holding it first."""
    world, year = _delivered_home(tmp_path)
    home = world.home
    stored = Lake(home.lake).accepted_path("traject", "ORG1", year)
    before = pl.read_parquet(stored).height
    source = next((tmp_path / "exports").glob(f"*/traject_{year}.csv"))
    body = [source.read_bytes().split(b"\n", 1)[0]]  # the header only
    token = {"Authorization": f"Bearer {world.tokens['ORG1']}"}
    with serve(world) as live:
        r = httpx.post(
            f"{live.url}/api/uploads",
            headers={**token, "X-Bestandsnaam": f"traject_{year}.csv"},
            content=b"\n".join(body) + b"\n",
            timeout=120,
        )
        assert r.status_code == 201, r.text
        kenmerk = r.json()["checksum"][:16]
        assert r.json()["voorcontrole"]["vervangt"] == [
            f"traject {year}: vervangt {nl_number(before)} rijen door 0"
        ]
        unknown = httpx.post(f"{live.url}/api/uploads/{'0' * 16}/bevestigen", headers=token)
        assert unknown.status_code == 409 and unknown.json()["fout"] == "niets_te_bevestigen"
        ok = httpx.post(f"{live.url}/api/uploads/{kenmerk}/bevestigen", headers=token)
        assert ok.status_code == 200 and ok.json()["status"] == "bevestigd", ok.text
    receive_org(home, "ORG1")
    [outcome] = accept_org(home, "ORG1")
    assert outcome.status == "geaccepteerd"
    assert pl.read_parquet(stored).height == 0
