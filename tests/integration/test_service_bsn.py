"""BSNs at the upload service's door (issue 20, point 4), over real HTTP: a column with 40 %
BSNs is refused and nothing of it is kept; a single BSN typed as a traject code is accepted
for intake but no receipt, pre-flight finding or log line shows it other than masked."""

from __future__ import annotations

import httpx
import pytest

from tests.support.homes import valid_bsns
from tests.support.service import inbox_files, make_world, serve

HEADER = (
    "traject_id;project_id;client_id;startdatum;einddatum;reden_einde;leeftijdsklasse;"
    "gemeente_code\n"
)


def _csv(client_ids: list[str], traject_ids: list[str] | None = None) -> bytes:
    traject_ids = traject_ids or [f"T{i:03d}" for i in range(len(client_ids))]
    rows = [
        f"{t};P1;{c};01-02-2025;;;27-44;GM0363\n"
        for t, c in zip(traject_ids, client_ids, strict=True)
    ]
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path / "home")


@pytest.fixture
def client(world):
    with serve(world) as live, httpx.Client(base_url=live.url, timeout=120) as c:
        yield c


def _upload(client, token: str, content: bytes) -> httpx.Response:
    return client.post(
        "/api/uploads",
        headers={"Authorization": f"Bearer {token}"},
        files={"bestand": ("traject_2025.csv", content)},
    )


def _everything(world) -> bytes:
    return b"".join(p.read_bytes() for p in world.home.root.rglob("*") if p.is_file())


def test_forty_percent_bsns_are_refused_and_nothing_is_kept(world, client):
    bsns = valid_bsns(20, seed=31)
    ids = bsns + [f"K{i:05d}" for i in range(30)]
    r = _upload(client, world.tokens["ORG1"], _csv(ids))
    assert r.status_code == 422, r.text
    assert r.json()["fout"] == "bsn_gevonden" and "client_id" in r.json()["melding"]
    assert inbox_files(world.home) == {"ORG1": []}
    stored = _everything(world)
    assert not any(b.encode() in stored for b in bsns)


def test_a_bsn_typed_as_traject_code_is_only_ever_shown_masked(world, client):
    bsn = valid_bsns(1, seed=32)[0]
    traject_ids = [f"T{i:03d}" for i in range(12)]
    traject_ids[3] = bsn
    r = _upload(client, world.tokens["ORG1"], _csv([f"K{i:05d}" for i in range(12)], traject_ids))
    assert r.status_code == 201, r.text
    assert bsn not in r.text and "*****" + bsn[-4:] in r.text
    log = world.home.audit_log.read_text("utf-8")
    assert bsn not in log
