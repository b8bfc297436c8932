"""The upload service over real HTTP (uvicorn on a loopback port): uploads, receipts, duplicates,
tokens, size and type limits, zip bombs, concurrency, and what reaches the inbox."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
import time

import httpx
import pytest

from rendement.core import audit
from rendement.core.registry import Registry
from rendement.intake.accept import archived_path
from tests.support.service import (
    LIMIT,
    PROJECT_CSV,
    inbox_files,
    make_world,
    project_csv,
    real_xlsx,
    serve,
    visible,
    xlsx_bomb,
    zip_bytes,
)

NAME = re.compile(r"^\d{8}T\d{6}Z_[0-9a-f-]{12,16}_project_2025\.csv$")


@pytest.fixture
def world(tmp_path):
    """A data home with a register; afterwards: no token, nor its secret part, is anywhere in
    the audit log."""
    w = make_world(tmp_path / "home")
    yield w
    text = w.home.audit_log.read_text("utf-8") if w.home.audit_log.exists() else ""
    for token in w.tokens.values():
        assert token not in text
        assert token.rsplit(".", 1)[-1] not in text


@pytest.fixture
def server(world):
    with serve(world) as live:
        yield live


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(client, token, content=PROJECT_CSV, name="project_2025.csv", raw=False):
    if raw:
        headers = {**bearer(token), "X-Bestandsnaam": name}
        return client.post("/api/uploads", headers=headers, content=content)
    return client.post("/api/uploads", headers=bearer(token), files={"bestand": (name, content)})


def service_events(world, **where):
    log = audit.read(world.home.audit_log)
    log = log.filter(log["actor"] == "uploadservice")
    for key, value in where.items():
        log = log.filter(log[key] == value)
    return log


# --- a valid upload ----------------------------------------------------------------------------


def test_valid_upload_lands_in_own_inbox_with_receipt(world, client):
    r = upload(client, world.tokens["ORG1"])
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert receipt["status"] == "ontvangen"
    assert receipt["organisatie_id"] == "ORG1"
    assert receipt["checksum"] == hashlib.sha256(PROJECT_CSV).hexdigest()
    assert receipt["formaat"] == "csv"
    assert receipt["systeem"] == "contract"
    assert receipt["dialect"]["delimiter"] == ";"
    assert receipt["periode"] == 2025
    assert receipt["voorcontrole"]["oordeel"] == "geaccepteerd"
    assert receipt["voorcontrole"]["geaccepteerd"] is True
    assert receipt["voorcontrole"]["problemen"] == []
    assert NAME.match(receipt["bestand"]), receipt["bestand"]
    # exactly that file in ORG1's inbox, byte for byte; nothing anywhere else
    assert inbox_files(world.home) == {"ORG1": [receipt["bestand"]]}
    stored = world.home.org_inbox("ORG1") / receipt["bestand"]
    assert stored.read_bytes() == PROJECT_CSV
    assert stored.stat().st_mode & 0o777 == 0o640
    # the audit line
    line = service_events(world, actie="upload").row(0, named=True)
    assert (line["organisatie_id"], line["uitkomst"]) == ("ORG1", "ontvangen")
    assert line["checksum"] == receipt["checksum"] and line["bestand"] == receipt["bestand"]
    details = json.loads(line["details"])
    assert details["status"] == 201 and details["periode"] == 2025
    assert details["origineel"] == "project_2025.csv"


def test_raw_body_upload_with_filename_header(world, client):
    r = upload(client, world.tokens["ORG1"], raw=True)
    assert r.status_code == 201, r.text
    assert NAME.match(r.json()["bestand"])
    assert visible(world.home, "ORG1") == [r.json()["bestand"]]


def test_raw_body_without_filename_is_400_and_writes_nothing(world, client):
    r = client.post("/api/uploads", headers=bearer(world.tokens["ORG1"]), content=PROJECT_CSV)
    assert r.status_code == 400
    assert "X-Bestandsnaam" in r.json()["melding"]
    assert inbox_files(world.home) in ({}, {"ORG1": []})


def test_rejected_rows_still_land_with_the_dutch_problem_list(world, client):
    bad = PROJECT_CSV.replace(b"ouderen_eenzaamheid", b"tuinieren")
    r = upload(client, world.tokens["ORG1"], bad)
    assert r.status_code == 201, r.text
    check = r.json()["voorcontrole"]
    assert check["oordeel"] in ("deels_geaccepteerd", "geweigerd")
    assert check["geaccepteerd"] is False
    assert check["problemen"] and all(isinstance(p, str) for p in check["problemen"])
    assert len(visible(world.home, "ORG1")) == 1


def test_real_xlsx_is_accepted(world, client, tmp_path):
    content = real_xlsx(tmp_path / "export_2025.xlsx")
    r = upload(client, world.tokens["ORG1"], content, name="export_2025.xlsx")
    assert r.status_code == 201, r.text
    assert r.json()["formaat"] == "xlsx"
    assert r.json()["bestand"].endswith("_export_2025.xlsx")


def test_file_with_bsns_is_refused_at_the_door(world, client):
    header = (
        b"traject_id;project_id;client_id;bsn;startdatum;einddatum;reden_einde;leeftijdsklasse\n"
    )
    rows = b"".join(
        f"T{i};P1;C{i};{bsn};01-02-2025;;;65-74\n".encode()
        for i, bsn in enumerate(["111222333", "123456782", "876543210", "999999990"])
    )
    r = upload(client, world.tokens["ORG1"], header + rows, name="traject_2025.csv")
    assert r.status_code == 422, r.text
    assert r.json()["fout"] == "bsn_gevonden"
    assert "BSN" in r.json()["melding"]
    assert inbox_files(world.home) == {"ORG1": []}


# --- duplicates --------------------------------------------------------------------------------


def test_duplicate_waiting_in_inbox_is_200_and_writes_nothing(world, client):
    first = upload(client, world.tokens["ORG1"])
    assert first.status_code == 201
    before = inbox_files(world.home)
    again = upload(client, world.tokens["ORG1"], name="another_name_2024.csv", raw=True)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "al_ontvangen"
    assert again.json()["checksum"] == first.json()["checksum"]
    assert inbox_files(world.home) == before
    assert service_events(world, uitkomst="al_ontvangen").height == 1


def test_duplicate_of_archived_upload_is_200(world, client):
    checksum = hashlib.sha256(PROJECT_CSV).hexdigest()
    target = archived_path(world.home, "ORG1", checksum, ".csv")
    target.parent.mkdir(parents=True)
    target.write_bytes(PROJECT_CSV)
    r = upload(client, world.tokens["ORG1"])
    assert r.status_code == 200 and r.json()["status"] == "al_ontvangen"
    assert inbox_files(world.home) == {"ORG1": []}


def test_same_content_from_another_organisation_is_not_a_duplicate(world, client):
    assert upload(client, world.tokens["ORG1"]).status_code == 201
    assert upload(client, world.tokens["ORG2"]).status_code == 201
    assert len(visible(world.home, "ORG1")) == len(visible(world.home, "ORG2")) == 1


# --- tokens ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic T1JHMTpwYXNz"},
        {"Authorization": "Bearer ORG1.dit-is-geen-goed-token-maar-wel-lang-genoeg-xxxxxxxxxxxx"},
        {"Authorization": "Bearer ../../ORG1.abc"},
        {"Authorization": "Bearer " + "A" * 500},
    ],
    ids=["missing", "empty", "basic", "wrong", "traversal", "long"],
)
def test_missing_or_wrong_token_is_401_and_writes_nothing(world, client, headers):
    r = client.post(
        "/api/uploads", headers={**headers, "X-Bestandsnaam": "p_2025.csv"}, content=PROJECT_CSV
    )
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert "token" in r.json()["melding"]
    assert inbox_files(world.home) == {}
    assert client.get("/api/uploads", headers=headers).status_code == 401


def test_wrong_secret_for_a_real_organisation_is_401(world, client):
    org, secret = world.tokens["ORG1"].split(".", 1)
    forged = f"{org}.{secret[::-1]}"
    assert upload(client, forged).status_code == 401
    line = service_events(world, uitkomst="token_ontbreekt_of_onjuist").row(-1, named=True)
    assert line["organisatie_id"] is None
    assert json.loads(line["details"])["geclaimde_organisatie"] == "ORG1"
    assert inbox_files(world.home) == {}


def test_revoked_token_is_401(world, client):
    assert upload(client, world.tokens["ORG3"]).status_code == 401  # revoked before start
    assert upload(client, world.tokens["ORG1"]).status_code == 201
    with Registry.edit(world.home.registry) as reg:  # revoked while the server runs
        reg.revoke_org_token("ORG1")
    r = upload(client, world.tokens["ORG1"], project_csv(2))
    assert r.status_code == 401
    assert client.get("/api/uploads", headers=bearer(world.tokens["ORG1"])).status_code == 401
    assert len(visible(world.home, "ORG1")) == 1 and "ORG3" not in inbox_files(world.home)


def test_replaced_token_stops_working(world, client):
    with Registry.edit(world.home.registry) as reg:
        new, replaced = reg.issue_org_token("ORG2")
    assert replaced
    world.tokens["ORG2-nieuw"] = new
    assert upload(client, world.tokens["ORG2"]).status_code == 401
    assert upload(client, new).status_code == 201


def test_analyst_token_cannot_upload(world, client):
    r = upload(client, world.tokens["analist"])
    assert r.status_code == 403
    assert inbox_files(world.home) == {}


# --- size -------------------------------------------------------------------------------------


def test_declared_oversize_body_is_413_and_writes_nothing(world, client):
    big = b"a;b\n" * (LIMIT // 4 + 1000)
    r = upload(client, world.tokens["ORG1"], big, raw=True)
    assert r.status_code == 413
    assert "grens" in r.json()["melding"]
    r = upload(client, world.tokens["ORG1"], big)  # multipart
    assert r.status_code == 413
    assert inbox_files(world.home) == {"ORG1": []}


def test_streamed_oversize_body_is_cut_off_while_streaming(world, server):
    """Chunked, no Content-Length, and the body never ends: the server must answer 413 as soon
    as the limit is passed, without waiting for the rest, and keep nothing."""
    chunk = b"a;b\n" * 16384  # 64 KiB
    head = (
        "POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {world.tokens['ORG1']}\r\nX-Bestandsnaam: groot_2025.csv\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(head)
        for _ in range(LIMIT // len(chunk) + 2):  # just past the limit; no final chunk
            s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        started = time.monotonic()
        data = b""
        while b"\r\n\r\n" not in data:
            part = s.recv(65536)
            if not part:
                break
            data += part
        waited = time.monotonic() - started
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert waited < 10
    assert inbox_files(world.home) == {"ORG1": []}


def test_file_exactly_at_the_limit_is_received(world, client):
    line = b"P9;Maatjes;ouderen_eenzaamheid;maatjesproject;goed_beschreven;01-01-2025;;GM0363\n"
    body = PROJECT_CSV + line * ((LIMIT - len(PROJECT_CSV)) // len(line))
    body += b"\n" * (LIMIT - len(body))
    assert len(body) == LIMIT
    r = upload(client, world.tokens["ORG1"], body, raw=True)
    assert r.status_code == 201, r.text


# --- type by content ----------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + (
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
)


@pytest.mark.parametrize(
    "name,content",
    [
        ("project_2025.csv", PNG),  # a PNG with a .csv name
        ("export_2025.xlsx", zip_bytes({"readme.txt": b"geen werkmap"})),
        ("project_2025.csv", b"Dit is gewoon een brief zonder kolommen.\nMet groet.\n"),
        ("project_2025.csv", b"<html><body>a;b</body></html>\n<p>c;d</p>\n"),
        ("export_2025.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),  # old .xls
    ],
    ids=["png", "zip-without-workbook", "prose", "html", "xls"],
)
def test_not_csv_or_xlsx_is_415_and_writes_nothing(world, client, name, content):
    r = upload(client, world.tokens["ORG1"], content, name=name)
    assert r.status_code == 415, r.text
    assert r.json()["fout"] == "geen_csv_of_xlsx"
    assert inbox_files(world.home) == {"ORG1": []}


def test_utf16_csv_is_received_because_intake_reads_it(world, client):
    """The door and intake detect encodings the same way (`sources.dialect.decode`)."""
    content = PROJECT_CSV.decode("utf-8").encode("utf-16")
    r = upload(client, world.tokens["ORG1"], content, name="project_2025.csv")
    assert r.status_code == 201, r.text
    assert r.json()["formaat"] == "csv"
    assert r.json()["voorcontrole"]["oordeel"] != "geweigerd"


def test_empty_file_is_400(world, client):
    assert upload(client, world.tokens["ORG1"], b"").status_code == 400
    assert inbox_files(world.home) == {"ORG1": []}


def test_zip_bomb_disguised_as_xlsx_is_422_and_writes_nothing(world, client):
    bomb = xlsx_bomb(400)
    assert len(bomb) < LIMIT
    r = upload(client, world.tokens["ORG1"], bomb, name="export_2025.xlsx")
    assert r.status_code == 422, r.text
    assert "zip-bom" in r.json()["melding"]
    r = upload(client, world.tokens["ORG1"], xlsx_bomb(60), name="export_2025.xlsx")  # ratio
    assert r.status_code == 422, r.text
    assert inbox_files(world.home) == {"ORG1": []}


def test_damaged_xlsx_is_422(world, client, tmp_path):
    content = real_xlsx(tmp_path / "export_2025.xlsx")
    r = upload(client, world.tokens["ORG1"], content[: len(content) // 2], name="export_2025.xlsx")
    assert r.status_code == 422
    assert "beschadigd" in r.json()["melding"]
    assert inbox_files(world.home) == {"ORG1": []}


# --- names that try to escape -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../ORG2/project_2025.csv",
        "..%2f..%2fORG2%2fproject_2025.csv",
        "/etc/cron.d/project_2025.csv",
        "C:\\Windows\\project_2025.csv",
        ".verborgen_project_2025.csv",
        "project_2025.csv\x00.png",
    ],
)
def test_sender_file_names_never_choose_the_path(world, client, name):
    if "\x00" in name:
        r = client.post(
            "/api/uploads", headers=bearer(world.tokens["ORG1"]),
            files={"bestand": (name, PROJECT_CSV)},
        )  # fmt: skip
    else:
        r = upload(client, world.tokens["ORG1"], raw=True, name=name)
        assert r.status_code == 201, r.text
        r2 = upload(client, world.tokens["ORG1"], project_csv(3), name=name)
        assert r2.status_code == 201, r2.text
    assert r.status_code == 201, r.text
    files = inbox_files(world.home)
    assert list(files) == ["ORG1"]
    assert all(NAME.match(n) for n in files["ORG1"]), files
    escaped = [p for p in world.home.root.rglob("project_2025.csv*")]
    assert escaped == []


# --- concurrency --------------------------------------------------------------------------------


def test_simultaneous_uploads_all_land_with_distinct_names(world, server):
    n = 8
    barrier = threading.Barrier(n)
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        with httpx.Client(base_url=server.url, timeout=120) as c:
            barrier.wait()
            r = upload(c, world.tokens["ORG1"], project_csv(i + 1), raw=i % 2 == 0)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results) == [201] * n, [r.text for r in results]
    names = {r.json()["bestand"] for r in results}
    assert len(names) == n
    files = inbox_files(world.home, "ORG1")["ORG1"]
    assert sorted(files) == sorted(names)  # no .part files, nothing half-written
    for r in results:
        stored = world.home.org_inbox("ORG1") / r.json()["bestand"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == r.json()["checksum"]


def test_simultaneous_identical_uploads_store_one_file(world, server):
    n = 4
    barrier = threading.Barrier(n)
    codes: list[int] = []

    def one() -> None:
        with httpx.Client(base_url=server.url, timeout=120) as c:
            barrier.wait()
            codes.append(upload(c, world.tokens["ORG1"]).status_code)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] * (n - 1) + [201]
    assert len(inbox_files(world.home, "ORG1")["ORG1"]) == 1


# --- status list ------------------------------------------------------------------------------


def test_upload_list_shows_own_uploads_only(world, client):
    mine = upload(client, world.tokens["ORG1"]).json()
    theirs = upload(client, world.tokens["ORG2"], project_csv(5)).json()
    # intake took ORG1's file in and validated it
    for action, outcome in (("ontvangst", "ontvangen"), ("validatie", "deels_geaccepteerd")):
        audit.append(
            world.home.audit_log, actor="intake", action=action, outcome=outcome,
            organisatie_id="ORG1", checksum=mine["checksum"], bestand=mine["bestand"],
            periode=2025,
        )  # fmt: skip
    (world.home.org_inbox("ORG1") / mine["bestand"]).unlink()
    stem = mine["checksum"][:16]
    (world.home.org_validation("ORG1") / f"{stem}.html").write_text("<p>rapport</p>")
    r = client.get("/api/uploads", headers=bearer(world.tokens["ORG1"]))
    assert r.status_code == 200
    body = r.json()
    assert body["organisatie_id"] == "ORG1"
    [row] = body["uploads"]
    assert row["checksum"] == mine["checksum"]
    assert row["status"] == "deels_geaccepteerd" and row["periode"] == 2025
    assert row["rapport"] == f"/api/rapporten/ORG1/validatie/{stem}.html"
    assert theirs["checksum"] not in r.text
    r2 = client.get("/api/uploads", headers=bearer(world.tokens["ORG2"])).json()
    assert [u["checksum"] for u in r2["uploads"]] == [theirs["checksum"]]
    assert r2["uploads"][0]["status"] == "wacht_op_verwerking"
    assert mine["checksum"] not in json.dumps(r2)


# --- every request in the audit log -------------------------------------------------------------


def test_every_request_is_logged_with_status(world, client):
    client.get("/")
    client.get("/bestaat-niet")
    upload(client, "ORG1.fout")
    upload(client, world.tokens["ORG1"])
    client.get("/api/uploads", headers=bearer(world.tokens["ORG1"]))
    log = service_events(world)
    statuses = [json.loads(d)["status"] for d in log["details"]]
    assert statuses == [200, 404, 401, 201, 200]
    assert log["actie"].to_list() == ["pagina", "verzoek", "upload", "upload", "uploads_lijst"]
    for d in log["details"]:
        assert "authorization" not in d.lower() and "bearer" not in d.lower()


def test_leftovers_of_crashed_requests_are_cleaned_at_start(world):
    import os

    from rendement.service.app import clean_stale

    folder = world.home.org_inbox("ORG1")
    folder.mkdir(parents=True)
    old_part, new_part = folder / ".upload-old.part", folder / ".upload-new.part"
    old_check = folder / ".controle-old"
    old_check.mkdir()
    (old_check / "x_2025.csv").write_bytes(PROJECT_CSV)
    for path in (old_part, new_part):
        path.write_bytes(PROJECT_CSV)
    real = folder / "20250101T000000Z_abc_2025.csv"
    real.write_bytes(PROJECT_CSV)
    long_ago = time.time() - 7200
    for path in (old_part, old_check, real):
        os.utime(path, (long_ago, long_ago))
    assert clean_stale(world.home) == 2
    assert sorted(p.name for p in folder.iterdir()) == [".upload-new.part", real.name]


def test_year_comes_from_the_data_when_the_name_has_none(world, client):
    r = upload(client, world.tokens["ORG1"], name="mijn projecten.csv")
    assert r.status_code == 201, r.text
    assert r.json()["periode"] == 2025
    assert r.json()["bestand"].endswith("_project_2025.csv") is False  # 'projecten' is no table
    assert r.json()["bestand"].endswith("_2025.csv")
