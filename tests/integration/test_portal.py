"""The portal over real HTTP (uvicorn, httpx): sign-in with session cookie, CSRF on every
form, an organisation's people see only their own organisation, the one-time password link,
the throttle on failed sign-ins and tokens, the audit log, and the Bearer API next to it."""

from __future__ import annotations

import time

import httpx

from rendement.core.accounts import AccountStore
from rendement.intake.sjabloon import workbook_bytes
from tests.support.service import (
    PASSWORD,
    PROJECT_CSV,
    SECRET_MARKER,
    add_person,
    audit_entries,
    form_token,
    make_world,
    serve,
    sign_in,
    visible,
)
from tests.support.sjabloon import YEAR, filled_rows


def test_people_sign_in_see_only_their_own_organisation_and_forms_need_csrf(tmp_path):
    world = make_world(tmp_path / "home")
    home = world.home
    jan = add_person(home, "jan@welzijn-noord.nl", "ORG1")
    add_person(home, "ana@sectorbureau.nl")
    with serve(world) as live, httpx.Client(base_url=live.url, timeout=60) as browser:
        assert browser.get("/portaal").headers["location"] == "/inloggen"
        # a form without the CSRF token is refused, with or without cookies
        bare = httpx.post(f"{live.url}/inloggen", data={"email": "jan@welzijn-noord.nl"})
        assert bare.status_code == 403 and "formulier is verlopen" in bare.text
        r = sign_in(browser, "jan@welzijn-noord.nl")
        assert (r.status_code, r.headers["location"]) == (303, "/portaal")
        cookie = r.headers["set-cookie"].lower()
        assert "rendement_sessie=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        assert "secure" not in cookie  # plain http in this test; see the https test below
        home_page = browser.get("/portaal", follow_redirects=True)
        assert home_page.url.path == "/portaal/ORG1/" and "Welzijn Noord" in home_page.text
        assert "Afmelden" in home_page.text and "jan@welzijn-noord.nl" in home_page.text
        assert "eigen rapport ORG1" in browser.get("/portaal/ORG1/rapport/index.html").text
        # another organisation's pages and files, by URL
        for url in (
            "/portaal/ORG2/",
            "/portaal/ORG2/leveringen",
            "/portaal/ORG2/aanleveren",
            "/portaal/ORG2/rapport/index.html",
            "/portaal/ORG2/rapport/validatie/abcdef0123456789.json",
            "/portaal/ORG2/leveringen/abcdef0123456789",
            "/portaal/leveringen",
        ):
            r = browser.get(url)
            assert r.status_code == 403, url
            assert (
                SECRET_MARKER not in r.text
                and "eigen organisatie" in r.text
                or "analisten" in r.text
            )
        for url in (
            "/portaal/ORG1/rapport/..%2F..%2FORG2%2Findex.html",
            "/portaal/ORG1/rapport/.x.html",
        ):
            r = browser.get(url)
            assert r.status_code in (400, 404) and SECRET_MARKER not in r.text, url
        # the upload form: without the CSRF field refused and nothing written
        files = {"bestand": ("project_2025.csv", PROJECT_CSV)}
        r = browser.post("/portaal/ORG1/aanleveren", files=files)
        assert r.status_code == 403 and visible(home, "ORG1") == []
        token = form_token(browser.get("/portaal/ORG1/aanleveren").text)
        r = browser.post("/portaal/ORG1/aanleveren", data={"csrftoken": token}, files=files)
        assert r.status_code == 303 and r.headers["location"].endswith("?ontvangen=1")
        page = browser.get(r.headers["location"])
        assert "project_2025.csv" in page.text and "Ontvangen" in page.text
        [stored] = visible(home, "ORG1")
        assert stored not in page.text  # the generated name is not shown
        listing = browser.get("/portaal/ORG1/leveringen").text
        assert "project_2025.csv" in listing and stored not in listing
        # posting into another organisation's form is refused before reading the file
        r = browser.post("/portaal/ORG2/aanleveren", data={"csrftoken": token}, files=files)
        assert r.status_code == 403 and visible(home, "ORG2") == []
        # the Bearer API keeps working for scripts, and lists the organisation's own name
        api = httpx.get(
            f"{live.url}/api/uploads", headers={"Authorization": f"Bearer {world.tokens['ORG1']}"}
        )
        assert api.status_code == 200
        assert [u["origineel"] for u in api.json()["uploads"]] == ["project_2025.csv"]
        # signing out: a form with its token; the old cookie is no good afterwards
        old = dict(browser.cookies)
        assert browser.post("/uitloggen").status_code == 403  # no token
        token = form_token(browser.get("/portaal/ORG1/leveringen").text)
        r = browser.post("/uitloggen", data={"csrftoken": token})
        assert r.headers["location"] == "/inloggen?afgemeld=1"
        replay = httpx.get(f"{live.url}/portaal/ORG1/", cookies=old)
        assert replay.status_code == 303 and replay.headers["location"] == "/inloggen"
        # analysts see the delivery overview, not an organisation's pages
        assert sign_in(browser, "ana@sectorbureau.nl").status_code == 303
        overview = browser.get("/portaal", follow_redirects=True)
        assert overview.url.path == "/portaal/leveringen" and "ORG1" in overview.text
        assert browser.get("/portaal/ORG1/").status_code == 403
    log = audit_entries(home)
    text = home.audit_log.read_text("utf-8")
    assert PASSWORD not in text and "jan@welzijn-noord.nl" not in text
    signed = [r for r in log if r["actie"] == "inloggen"]
    assert [(r["uitkomst"], r["details"]["gebruiker"]) for r in signed][0] == ("ingelogd", jan)
    [upload] = [r for r in log if r["actie"] == "upload" and r["uitkomst"] == "ontvangen"]
    assert upload["organisatie_id"] == "ORG1" and upload["details"]["gebruiker"] == jan
    assert any(r["uitkomst"] == "csrf_ongeldig" for r in log)


def test_the_one_time_link_sets_a_password_once(tmp_path):
    world = make_world(tmp_path / "home")
    with AccountStore.edit(world.home.accounts) as store:
        _, code = store.add("piet@zorg-zuid.nl", organisatie_id="ORG2")
    with serve(world) as live, httpx.Client(base_url=live.url, timeout=60) as browser:
        page = browser.get(f"/wachtwoord?code={code}")
        assert page.status_code == 200 and "piet@zorg-zuid.nl" in page.text
        form = {"csrftoken": form_token(page.text), "code": code}
        r = browser.post(
            "/wachtwoord", data={**form, "wachtwoord": PASSWORD, "herhaling": "anders"}
        )
        assert r.status_code == 400 and "niet gelijk" in r.text
        r = browser.post("/wachtwoord", data={**form, "wachtwoord": "kort", "herhaling": "kort"})
        assert r.status_code == 400 and "minstens 12" in r.text
        r = browser.post(
            "/wachtwoord", data={**form, "wachtwoord": PASSWORD, "herhaling": PASSWORD}
        )
        assert r.headers["location"] == "/inloggen?wachtwoord=1"
        assert browser.get(f"/wachtwoord?code={code}").status_code == 404  # used up
        assert sign_in(browser, "piet@zorg-zuid.nl").status_code == 303
        assert browser.get("/portaal/ORG2/").status_code == 200
    assert code not in world.home.audit_log.read_text("utf-8")


def test_repeated_failures_are_locked_out_before_hashing(tmp_path):
    world = make_world(tmp_path / "home")
    add_person(world.home, "jan@welzijn-noord.nl", "ORG1")
    with serve(world) as live, httpx.Client(base_url=live.url, timeout=60) as browser:
        durations = []
        for _ in range(5):
            started = time.monotonic()
            r = sign_in(browser, "jan@welzijn-noord.nl", "verkeerd wachtwoord")
            durations.append(time.monotonic() - started)
            assert r.status_code == 401 and "klopt niet" in r.text
        started = time.monotonic()
        r = sign_in(browser, "jan@welzijn-noord.nl")  # even the right password waits now
        blocked = time.monotonic() - started
        assert r.status_code == 429 and "Te veel mislukte pogingen" in r.text
        assert int(r.headers["retry-after"]) > 0
        print(f"wrong password {min(durations):.3f}-{max(durations):.3f} s, locked {blocked:.3f} s")
        # the address has 15 failures left, whatever it tries next
        wrong = {"Authorization": "Bearer ORG2." + "x" * 43}
        tries = [browser.get("/api/uploads", headers=wrong).status_code for _ in range(16)]
        assert tries == [401] * 15 + [429]
    # Bearer tokens per organisation: 30 failures from two addresses lock out a third
    with serve(world) as live:
        for address in ("127.0.0.3", "127.0.0.4"):
            with _client(live, address) as c:
                tries = [c.get("/api/uploads", headers=wrong).status_code for _ in range(15)]
                assert tries == [401] * 15
        with _client(live, "127.0.0.5") as c:
            started = time.monotonic()
            locked = c.get("/api/uploads", headers=wrong)
            print(f"locked token {time.monotonic() - started:.3f} s")
            assert locked.status_code == 429 and locked.json()["fout"] == "te_veel_pogingen"
            assert int(locked.headers["retry-after"]) > 0
            mine = {"Authorization": f"Bearer {world.tokens['ORG1']}"}
            assert c.get("/api/uploads", headers=mine).status_code == 200  # others unaffected
    log = audit_entries(world.home)
    outcomes = [r["uitkomst"] for r in log if r["actie"] == "inloggen"]
    assert outcomes == ["mislukt"] * 5 + ["geblokkeerd"]


def _client(live, address: str) -> httpx.Client:
    """A client whose requests come from another loopback address."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=live.url, transport=transport, timeout=60)


def test_cookies_are_secure_behind_https(tmp_path):
    world = make_world(tmp_path / "home")
    with serve(world, secure_cookies=True) as live:
        r = httpx.get(f"{live.url}/inloggen")
        cookie = r.headers["set-cookie"]
        assert (
            cookie.startswith("__Host-csrftoken=")
            and "Secure" in cookie
            and "SameSite=Strict" in cookie
        )


def test_token_form_receipt_names_row_column_and_value_in_local_time(tmp_path):
    world = make_world(tmp_path / "home")
    broken = PROJECT_CSV + (
        b"P2;Buurtkamer;ouderen_eenzaamheid;maatjesproject;goed_beschreven;31-02-2025;;GM0363\n"
    )
    with serve(world) as live, httpx.Client(base_url=live.url, timeout=60) as browser:
        token = form_token(browser.get("/").text)
        fields = {"token": world.tokens["ORG1"]}
        files = {"bestand": ("project_2025.csv", broken)}
        refused = browser.post("/uploaden", data=fields, files=files)  # no CSRF field
        assert refused.status_code == 403 and visible(world.home, "ORG1") == []
        r = browser.post("/uploaden", data={"csrftoken": token, **fields}, files=files)
        assert r.status_code == 201
        text = r.text
        assert "startdatum" in text and "31-02-2025" in text and "(UTC)" not in text
        row = text[text.index("<tbody>") : text.index("</tbody>")]
        assert "<td>project_2025.csv</td>" in row and ">3</td>" in row
        assert "/inloggen" in text


def test_oversized_or_unmeasured_forms_are_refused_unread(tmp_path):
    world = make_world(tmp_path / "home")
    with serve(world) as live, httpx.Client(base_url=live.url, timeout=60) as browser:
        token = form_token(browser.get("/inloggen").text)
        big = {"csrftoken": token, "email": "x@y.nl", "wachtwoord": "x" * 20_000}
        assert browser.post("/inloggen", data=big).status_code == 413

        def chunks():
            yield f"csrftoken={token}&email=x%40y.nl&wachtwoord=".encode()
            yield b"x" * 10

        ctype = {"Content-Type": "application/x-www-form-urlencoded"}
        assert browser.post("/inloggen", content=chunks(), headers=ctype).status_code == 411


def test_a_session_ends_after_its_hours_and_when_the_account_is_withdrawn(tmp_path):
    world = make_world(tmp_path / "home")
    add_person(world.home, "jan@welzijn-noord.nl", "ORG1")
    with serve(world, session_hours=2 / 3600) as live, httpx.Client(base_url=live.url) as browser:
        assert sign_in(browser, "jan@welzijn-noord.nl").status_code == 303
        kept = dict(browser.cookies)
        assert browser.get("/portaal/ORG1/").status_code == 200
        time.sleep(2.2)
        late = httpx.get(f"{live.url}/portaal/ORG1/", cookies=kept)  # even if a client keeps it
        assert late.status_code == 303 and late.headers["location"] == "/inloggen"
    with serve(world) as live, httpx.Client(base_url=live.url) as browser:
        assert sign_in(browser, "jan@welzijn-noord.nl").status_code == 303
        assert browser.get("/portaal/ORG1/").status_code == 200
        with AccountStore.edit(world.home.accounts) as store:
            store.revoke("jan@welzijn-noord.nl")
        assert browser.get("/portaal/ORG1/").headers["location"] == "/inloggen"
        assert sign_in(browser, "jan@welzijn-noord.nl").status_code == 401


def test_the_excel_template_is_downloaded_from_the_upload_page(tmp_path):
    world = make_world(tmp_path / "home")
    add_person(world.home, "jan@welzijn-noord.nl", "ORG1")
    with serve(world) as live, httpx.Client(base_url=live.url, timeout=60) as browser:
        assert browser.get("/portaal/ORG1/sjabloon.xlsx").headers["location"] == "/inloggen"
        sign_in(browser, "jan@welzijn-noord.nl")
        page = browser.get("/portaal/ORG1/aanleveren")
        assert 'href="/portaal/ORG1/sjabloon.xlsx"' in page.text
        r = browser.get("/portaal/ORG1/sjabloon.xlsx")
        assert r.status_code == 200 and r.content.startswith(b"PK")
        assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert "projectblad_20" in r.headers["content-disposition"]
        assert browser.get("/portaal/ORG2/sjabloon.xlsx").status_code == 403
        # filled in and handed in through the same form: the pre-flight reads it as the template
        filled = workbook_bytes(YEAR, filled_rows())
        token = form_token(page.text)
        files = {"bestand": (f"projectblad_{YEAR}.xlsx", filled)}
        r = browser.post("/portaal/ORG1/aanleveren", data={"csrftoken": token}, files=files)
        assert r.status_code == 303
        receipt = browser.get(r.headers["location"]).text
        assert f"projectblad_{YEAR}.xlsx" in receipt and "sjabloon" in receipt
        assert "Wordt naar verwachting helemaal aangenomen" in receipt
        assert len(visible(world.home, "ORG1")) == 1
