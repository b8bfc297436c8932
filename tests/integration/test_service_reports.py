"""Reports and delivery status over real HTTP: an organisation reaches its own files and nobody
else's; no request path escapes its folder; analysts need an analyst token."""

from __future__ import annotations

import os
import shutil

import httpx
import pytest

from rendement.core import audit
from tests.support.service import SECRET_MARKER, get_raw, make_world, serve


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("reports") / "home")
    yield w
    text = w.home.audit_log.read_text("utf-8")
    for token in w.tokens.values():
        assert token.rsplit(".", 1)[-1] not in text


@pytest.fixture(scope="module")
def server(world):
    with serve(world) as live:
        yield live


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def auth(world, who="ORG1"):
    return {"Authorization": f"Bearer {world.tokens[who]}"}


def test_own_reports_are_served(world, client):
    r = client.get("/api/rapporten/ORG1/index.html", headers=auth(world))
    assert r.status_code == 200
    assert "eigen rapport ORG1" in r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    r = client.get("/api/rapporten/ORG1/validatie/abcdef0123456789.json", headers=auth(world))
    assert r.status_code == 200 and r.json() == {"m": "eigen rapport ORG1"}


def test_report_list_is_own_only(world, client):
    r = client.get("/api/rapporten", headers=auth(world))
    assert r.status_code == 200
    paths = {f["pad"] for f in r.json()["rapporten"]}
    assert paths == {"index.html", "validatie/abcdef0123456789.json"}
    assert all(f["url"].startswith("/api/rapporten/ORG1/") for f in r.json()["rapporten"])
    assert SECRET_MARKER not in r.text


def test_what_is_listed_is_what_is_served(world, client):
    """`validatie/<naam>` comes from the reports' own folder only: a folder of that name left in
    the site (a home whose reports are not handed over yet) is neither listed nor served, so
    the list never names a file the service would not give."""
    old = world.home.org_site("ORG1") / "validatie"
    old.mkdir()
    (old / "0123456789abcdef.json").write_text("{}", "utf-8")
    try:
        listed = client.get("/api/rapporten", headers=auth(world)).json()["rapporten"]
        assert "validatie/0123456789abcdef.json" not in {f["pad"] for f in listed}
        for f in listed:
            assert client.get(f["url"], headers=auth(world)).status_code == 200, f["pad"]
        r = client.get("/api/rapporten/ORG1/validatie/0123456789abcdef.json", headers=auth(world))
        assert r.status_code == 404
    finally:
        shutil.rmtree(old)


@pytest.mark.parametrize(
    "path",
    ["/api/rapporten/ORG2/index.html", "/api/rapporten/ORG2/validatie/abcdef0123456789.json",
     "/api/rapporten/ORG9/index.html"],
)  # fmt: skip
def test_another_organisations_report_is_403_without_content(world, client, path):
    r = client.get(path, headers=auth(world))
    assert r.status_code == 403
    assert SECRET_MARKER not in r.text
    assert r.json()["fout"] == "geen_toegang"


def test_missing_own_report_is_404(world, client):
    r = client.get("/api/rapporten/ORG1/validatie/0000000000000000.html", headers=auth(world))
    assert r.status_code == 404
    assert "bestaat" in r.json()["melding"]


def test_reports_need_a_token(world, client):
    assert client.get("/api/rapporten/ORG1/index.html").status_code == 401
    assert client.get("/api/rapporten").status_code == 401
    bad = {"Authorization": "Bearer ORG2.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}
    r = client.get("/api/rapporten/ORG2/index.html", headers=bad)
    assert r.status_code == 401 and SECRET_MARKER not in r.text


TRAVERSALS = [
    "/api/rapporten/ORG1/../ORG2/index.html",
    "/api/rapporten/ORG1/validatie/../../ORG2/index.html",
    "/api/rapporten/ORG1/%2e%2e%2fORG2%2findex.html",
    "/api/rapporten/ORG1/%2e%2e/%2e%2e/%2e%2e/organisaties.json",
    "/api/rapporten/ORG1/validatie/..%2f..%2fORG2%2findex.html",
    "/api/rapporten/ORG1/%252e%252e%252fORG2%252findex.html",
    "/api/rapporten/ORG1/..%5cORG2%5cindex.html",
    "/api/rapporten/ORG1//etc/passwd",
    "/api/rapporten/ORG1/%2fetc%2fpasswd",
    "/api/rapporten/ORG1/./index.html",
    "/api/rapporten/..%2fORG2/index.html",
    "/api/rapporten/%2e%2e/ORG2/index.html",
    "/api/rapporten/ORG1%2f..%2fORG2/index.html",
    "/api/rapporten/ORG1/index.html%00.json",
    "/api/rapporten/ORG1/.lock.html",
    "/api/rapporten/../../organisaties.json",
    "/api/../organisaties.json",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_never_escape_the_organisation_folder(world, server, path):
    """Sent byte for byte (no client-side normalisation of '..' or percent escapes)."""
    status, body = get_raw(server.port, path, world.tokens["ORG1"])
    assert status in (400, 403, 404), (status, body[:200])
    assert SECRET_MARKER.encode() not in body
    assert b"argon2" not in body and b"root:" not in body


def test_symlink_out_of_the_folder_is_refused(world, client):
    link = world.home.org_validation("ORG1") / "stiekem.html"
    os.symlink(world.home.org_site("ORG2") / "index.html", link)
    try:
        r = client.get("/api/rapporten/ORG1/validatie/stiekem.html", headers=auth(world))
        assert r.status_code in (400, 404)
        assert SECRET_MARKER not in r.text
        listed = client.get("/api/rapporten", headers=auth(world)).json()["rapporten"]
        assert "validatie/stiekem.html" not in {f["pad"] for f in listed}
    finally:
        link.unlink()


def test_traversal_attempts_are_audited(world):
    log = audit.read(world.home.audit_log)
    refused = log.filter(log["actie"] == "rapport")["uitkomst"].to_list()
    assert "ongeldig_pad" in refused and "geen_toegang" in refused


def test_liveness_polling_does_not_fill_the_audit_log(world, client):
    before = audit.read(world.home.audit_log).height
    for _ in range(5):
        assert client.get("/gezond").json() == {"status": "ok"}
    client.get("/bestaat-niet")  # an ordinary request is still logged, once
    log = audit.read(world.home.audit_log)
    assert log.height == before + 1
    assert "gezond" not in log["actie"].to_list()


# --- analysts ----------------------------------------------------------------------------------


def test_delivery_status_for_analysts(world, client):
    audit.append(
        world.home.audit_log, actor="intake", action="validatie", outcome="geaccepteerd",
        organisatie_id="ORG2", checksum="c" * 64, bestand="x_2025.csv", periode=2025,
    )  # fmt: skip
    r = client.get("/analist/leveringen?jaar=2025", headers=auth(world, "analist"))
    assert r.status_code == 200
    assert 'id="leveringsstatus"' in r.text
    assert "Leveringen 2025" in r.text and "Zorg Zuid" in r.text
    j = client.get("/analist/leveringen?jaar=2025&formaat=json", headers=auth(world, "analist"))
    status = {row["organisatie_id"]: row["status"] for row in j.json()["organisaties"]}
    assert status == {"ORG1": "niet_geleverd", "ORG2": "geleverd", "ORG3": "niet_geleverd"}
    default = client.get("/analist/leveringen?formaat=json", headers=auth(world, "analist"))
    assert default.json()["jaar"] == 2025


def test_delivery_status_is_for_analysts_only(world, client):
    assert client.get("/analist/leveringen").status_code == 401
    assert client.get("/analist/leveringen", headers=auth(world, "ORG1")).status_code == 403
    r = client.get("/analist/leveringen?jaar=twintig", headers=auth(world, "analist"))
    assert r.status_code == 400


def test_unknown_route_and_method_are_dutch(world, client):
    r = client.get("/api/bestaat-niet")
    assert r.status_code == 404 and r.json()["fout"] == "niet_gevonden"
    r = client.delete("/api/uploads", headers=auth(world))
    assert r.status_code == 405 and "methode" in r.json()["melding"]
    r = client.get("/nergens")
    assert r.status_code == 404 and "<html" in r.text and "bestaat niet" in r.text
