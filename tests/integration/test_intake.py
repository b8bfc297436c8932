"""Intake keeps every upload safe: duplicates change nothing, a newer upload of the same period
supersedes (history stays), unreadable and BSN files are quarantined without touching anyone
else's data, and no raw client id or name is stored anywhere."""

from __future__ import annotations

import hashlib
import json
import re

import polars as pl
import pytest

from rendement.core import audit
from rendement.core.archive import archived_files, read_bytes
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.warehouse import connect, load_lake
from rendement.demo import generate_sector, write_exports
from rendement.intake import hold
from rendement.intake.accept import accept_org, receive_org

# Valid BSNs (11-proef) used only to prove that such a file is refused.
BSNS = ["111222333", "123456782", "999999990", "192837465", "100000009", "111111110"]


def _process(home: Home, *orgs: str) -> list:
    outcomes = []
    for org in orgs:
        outcomes += receive_org(home, org)
        outcomes += accept_org(home, org)
    load_lake(home.warehouse, home.lake, audit.read(home.audit_log))
    return outcomes


def _lake_digest(home: Home, org: str) -> str:
    digest = hashlib.sha256()
    for path in sorted((home.lake / "accepted").rglob(f"{org}/*.parquet")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def sector(tmp_path) -> tuple[Home, dict]:
    home = Home(tmp_path / "home").ensure()
    demos = {org.organisatie_id: org for org in generate_sector(orgs=2, seed=3)}
    for org in demos.values():
        write_exports(org, home.inbox)
    _process(home, *demos)
    return home, demos


def _count(home: Home, sql: str) -> int:
    with connect(home.warehouse, read_only=True) as con:
        return con.execute(sql).fetchall()[0][0]


def test_duplicate_upload_changes_nothing(sector):
    home, _ = sector
    before = _lake_digest(home, "ORG001")
    original = next(a for a in archived_files(home, "ORG001") if a.suffix == ".csv")
    (home.org_inbox("ORG001") / "nogmaals_2024.csv").write_bytes(read_bytes(home, original))
    outcomes = _process(home, "ORG001")
    assert [o.status for o in outcomes] == ["duplicaat"]
    assert _lake_digest(home, "ORG001") == before
    assert not list(home.org_inbox("ORG001").iterdir())


def test_superseding_upload_replaces_the_period_and_keeps_history(sector):
    home, demos = sector
    org = demos["ORG001"]
    year = max(org.tables)
    before = _count(home, "SELECT count(*) FROM canoniek.traject WHERE organisatie_id='ORG001'")
    original_rows = org.tables[year]["traject"].height
    # a corrected export of the same year with fewer trajectories (and their measurements)
    smaller = dict(org.tables[year])
    smaller["traject"] = smaller["traject"].head(original_rows // 2)
    kept = set(smaller["traject"]["traject_id"])
    smaller["meting"] = smaller["meting"].filter(pl.col("traject_id").is_in(kept))
    from dataclasses import replace

    corrected = replace(org, tables={year: smaller})
    paths = write_exports(corrected, home.inbox)
    assert paths
    outcomes = _process(home, "ORG001")
    # half of the year's trajectories gone: held until the organisation confirms (issue 20)
    held = [o for o in outcomes if o.status == "wacht_op_bevestiging"]
    assert {o.bestand.split("_")[0] for o in held} >= {"traject", "meting"}
    for o in held:
        hold.confirm(home.lake, "ORG001", o.checksum, by="test")
    outcomes += _process(home, "ORG001")
    statuses = {
        o.bestand.split("_")[0]: o.status
        for o in outcomes
        if o.status not in ("duplicaat", "ontvangen", "wacht_op_bevestiging")
    }
    assert statuses.keys() >= {"traject", "meting"}
    assert set(statuses.values()) <= {"geaccepteerd", "deels_geaccepteerd"}
    stored = pl.read_parquet(Lake(home.lake).accepted_path("traject", "ORG001", year))
    assert set(stored["traject_id"]) <= kept
    after = _count(home, "SELECT count(*) FROM canoniek.traject WHERE organisatie_id='ORG001'")
    assert after < before
    # history: the superseded upload is still listed, marked as superseded, and archived
    superseded = _count(
        home,
        f"SELECT count(*) FROM intake.leveringen WHERE organisatie_id='ORG001' "
        f"AND periode={year} AND vervangen",
    )
    assert superseded >= 1
    for row in (
        audit.read(home.audit_log)
        .filter(pl.col("organisatie_id") == "ORG001")
        .iter_rows(named=True)
    ):
        assert list((home.archive / "ORG001").glob(f"{row['checksum']}.*"))


def test_unreadable_file_is_quarantined_and_others_untouched(sector):
    home, _ = sector
    before = {org: _lake_digest(home, org) for org in ("ORG001", "ORG002")}
    (home.org_inbox("ORG002") / "kapot_2025.xlsx").write_bytes(b"PK\x03\x04 dit is geen werkmap")
    outcomes = _process(home, "ORG002")
    assert [o.status for o in outcomes] == ["geweigerd"]
    reason = json.loads(next((home.quarantine / "ORG002").glob("*.json")).read_text("utf-8"))
    assert reason["reden_code"] and reason["melding"]
    assert {org: _lake_digest(home, org) for org in before} == before
    (refused,) = [o for o in outcomes]
    assert list((home.archive / "ORG002").glob(f"{refused.checksum}.*")), "original kept"


def test_bsn_file_is_refused_whole(sector):
    home, _ = sector
    before = _lake_digest(home, "ORG002")
    lines = [
        "traject_id;project_id;client_id;startdatum;einddatum;reden_einde;leeftijdsklasse;gemeente_code"
    ]
    lines += [f"T{i};P1;{bsn};01-02-2025;;;27-44;GM0363" for i, bsn in enumerate(BSNS)]
    (home.org_inbox("ORG002") / "traject_2025.csv").write_text("\r\n".join(lines), "utf-8")
    outcomes = _process(home, "ORG002")
    assert [(o.status, o.reden_code) for o in outcomes] == [("geweigerd", "bsn_gevonden")]
    assert "BSN" in outcomes[0].melding or "burgerservicenummer" in outcomes[0].melding.lower()
    assert _lake_digest(home, "ORG002") == before
    assert not list((home.archive / "ORG002").glob(f"{outcomes[0].checksum}.*")), "not kept"
    for path in [
        home.audit_log,
        *(p for p in home.archive.rglob("*") if p.is_file()),
        *home.quarantine.rglob("*.json"),
        *home.lake.rglob("*.parquet"),
    ]:
        assert not any(b.encode() in path.read_bytes() for b in BSNS), path


def test_no_raw_client_id_or_name_is_stored(sector):
    home, demos = sector
    raw_ids = set()
    for org in demos.values():
        for tables in org.tables.values():
            raw_ids |= set(tables["traject"]["client_id"].to_list())
    sample = sorted(raw_ids)[:200]
    pattern = re.compile("|".join(re.escape(i) for i in sample).encode())
    stored = [home.warehouse, home.audit_log, *home.lake.rglob("*"), *home.site.rglob("*")]
    for path in stored:
        if path.is_file():
            assert not pattern.search(path.read_bytes()), path
