"""Issue 20 point 1: a re-upload that would remove much of a year is held until the organisation
confirms it (`rendement.intake.hold`), and a file cut off mid-row is refused naming its last
line. Real lake, real DuckDB warehouse, the demo generator's exports of two organisations."""

from __future__ import annotations

import hashlib

import dagster as dg
import polars as pl
import pytest

from pipelines.resources import HomeResource
from pipelines.sensors import inbox_sensor
from rendement.core import audit
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.warehouse import connect, load_lake
from rendement.demo import generate_sector, write_exports
from rendement.intake import hold
from rendement.intake.accept import accept_org, receive_org
from rendement.intake.preflight import preflight

ORG = "ORG001"


def _process(home: Home, org: str = ORG) -> list:
    """Take in the inbox and load the warehouse; the final outcome of each upload (refused on
    receipt, or validated)."""
    received = [o for o in receive_org(home, org) if o.status != "ontvangen"]
    outcomes = received + accept_org(home, org)
    load_lake(home.warehouse, home.lake, audit.read(home.audit_log))
    return outcomes


def _lake_digest(home: Home) -> str:
    digest = hashlib.sha256()
    for path in sorted((home.lake / "accepted").rglob(f"{ORG}/*.parquet")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _trajectories(home: Home, year: int) -> tuple[int, int]:
    """(the organisation's rows in `canoniek.traject`, its accepted rows of `year`)."""
    sql = "SELECT count(*) FROM canoniek.traject WHERE organisatie_id = ?"
    with connect(home.warehouse, read_only=True) as con:
        total = con.execute(sql, [ORG]).fetchall()[0][0]
    in_year = pl.read_parquet(Lake(home.lake).accepted_path("traject", ORG, year)).height
    return total, in_year


def _sensor_requests(home: Home) -> list[str]:
    """The organisations the inbox sensor would start a run for now."""
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(
            instance=instance, resources={"home": HomeResource(root=str(home.root))}
        )
        return [r.partition_key for r in inbox_sensor(context).run_requests]


@pytest.fixture
def sector(tmp_path) -> tuple[Home, int, bytes]:
    home = Home(tmp_path / "home").ensure()
    demos = {org.organisatie_id: org for org in generate_sector(orgs=2, seed=3)}
    for org in demos.values():
        write_exports(org, home.inbox)
    year = max(demos[ORG].tables)
    original = (home.org_inbox(ORG) / f"traject_{year}.csv").read_bytes()
    for org in demos:
        _process(home, org)
    return home, year, original


def test_header_only_reupload_is_held_until_confirmed(sector):
    home, year, original = sector
    before_digest = _lake_digest(home)
    total_before, year_before = _trajectories(home, year)
    assert year_before > 100
    header = original.split(b"\n", 1)[0] + b"\n"
    # the pre-flight (as the service runs it, before the file is in the inbox) predicts what
    # intake will do: same rule, through the reader chain, with the earlier deliveries
    checked = home.root / "controle" / f"traject_{year}.csv"
    checked.parent.mkdir()
    checked.write_bytes(header)
    verdict = preflight(checked, home=home, organisatie_id=ORG)
    upload = home.org_inbox(ORG) / f"traject_{year}.csv"
    upload.write_bytes(header)
    assert verdict.document["oordeel"] == hold.WAITING
    assert f"vervangt {year_before} rijen door 0" in verdict.document["melding"].replace(".", "")
    assert not verdict.accepted

    [outcome] = _process(home)
    assert outcome.status == hold.WAITING
    assert f"traject {year}: vervangt" in outcome.melding
    assert _lake_digest(home) == before_digest  # nothing changed in the lake ...
    assert _trajectories(home, year) == (total_before, year_before)  # ... nor the warehouse
    logged = audit.read(home.audit_log).filter(pl.col("checksum") == outcome.checksum)
    assert "wacht_op_bevestiging" in logged["uitkomst"].to_list()

    # another run without confirmation: still nothing changes, and nothing is logged again
    assert _process(home) == []
    assert _lake_digest(home) == before_digest
    assert hold.confirmed_waiting(home.lake) == {}

    assert _sensor_requests(home) == []  # a held upload alone starts no run
    hold.confirm(home.lake, ORG, outcome.checksum, by="test")
    assert hold.confirmed_waiting(home.lake) == {ORG: [outcome.checksum]}
    assert _sensor_requests(home) == [ORG]  # the confirmation does
    [done] = _process(home)
    assert done.status == "geaccepteerd"
    total_after, year_after = _trajectories(home, year)
    assert year_after == 0 and total_after < total_before  # (running ones stay from 2024)
    assert hold.confirmed_waiting(home.lake) == {}
    assert not Lake(home.lake).staging_dir(ORG, outcome.checksum).exists()


def test_small_correction_is_not_held(sector):
    """Removing a few rows (a quarter or less) replaces at once, as before."""
    home, year, original = sector
    lines = original.rstrip(b"\n").split(b"\n")
    keep = lines[: len(lines) - len(lines) // 10]  # drop a tenth of the trajectories
    (home.org_inbox(ORG) / f"traject_{year}.csv").write_bytes(b"\n".join(keep) + b"\n")
    [outcome] = _process(home)
    assert outcome.status in ("geaccepteerd", "deels_geaccepteerd")
    assert _trajectories(home, year)[1] == len(keep) - 1


def test_file_cut_off_mid_row_is_refused_naming_its_last_line(sector):
    home, year, original = sector
    before_digest = _lake_digest(home)
    cut = original[: len(original) // 10]
    assert not cut.endswith(b"\n")
    last_line = cut.count(b"\n") + 1
    checked = home.root / "controle" / f"traject_{year}.csv"
    checked.parent.mkdir()
    checked.write_bytes(cut)
    verdict = preflight(checked, home=home, organisatie_id=ORG)
    upload = home.org_inbox(ORG) / f"traject_{year}.csv"
    upload.write_bytes(cut)
    assert verdict.document["oordeel"] == "geweigerd"
    assert verdict.document["reden_code"] == "afgebroken_bestand"
    assert f"midden in regel {last_line} op" in verdict.document["melding"]
    [outcome] = _process(home)
    assert outcome.status == "geweigerd" and outcome.reden_code == "afgebroken_bestand"
    assert f"regel {last_line}" in outcome.melding
    assert _lake_digest(home) == before_digest


def test_confirmation_lapses_when_the_period_changed_meanwhile(sector):
    """Held, then a later upload of the same table and year is accepted: confirming the held
    one does not silently replace the newer rows; it is held again with the new figures."""
    home, year, original = sector
    upload = home.org_inbox(ORG) / f"traject_{year}.csv"
    upload.write_bytes(original.split(b"\n", 1)[0] + b"\n")
    [held] = _process(home)
    assert held.status == hold.WAITING
    lines = original.rstrip(b"\n").split(b"\n")
    smaller = b"\n".join(lines[: len(lines) - len(lines) // 10]) + b"\n"
    upload.write_bytes(smaller)
    [newer] = _process(home)
    assert newer.status in ("geaccepteerd", "deels_geaccepteerd")
    after_newer = _lake_digest(home)
    hold.confirm(home.lake, ORG, held.checksum, by="test")
    [again] = _process(home)
    assert again.status == hold.WAITING and again.checksum == held.checksum
    assert f"vervangt {len(lines) - len(lines) // 10 - 1:,} rijen door 0".replace(",", ".") in (
        again.melding
    )
    assert not hold.is_confirmed(home.lake, ORG, held.checksum)
    assert _lake_digest(home) == after_newer
