"""Lineage per row (issue 20, point 10): every canonical row carries the checksum of the upload
it came from, in the lake and in `canoniek.*`, and that checksum leads to the archived file
and to the upload in `intake.leveringen`."""

from __future__ import annotations

import duckdb
import polars as pl

from rendement.core import audit
from rendement.core.home import Home
from rendement.core.lake import LINEAGE_COLUMN, Lake
from rendement.core.warehouse import load_lake
from rendement.intake.accept import accept_org, archived_path, receive_org

PROJECT = (
    "project_id;naam;domein;interventie;erkenning;startdatum;einddatum;gemeente_code\n"
    "P1;Maatjes;ouderen_eenzaamheid;maatjesproject;goed_onderbouwd;01-01-2023;;GM0363\n"
)
HEADER = (
    "traject_id;project_id;client_id;startdatum;einddatum;reden_einde;leeftijdsklasse;gemeente_code"
)


def _traject(rows: int, bad: set[int] = frozenset(), note: str = "") -> str:
    lines = [HEADER]
    for i in range(rows):
        gemeente = "XX9999" if i in bad else "GM0363"
        lines.append(f"T{i:03d};P1;K{i:04d}{note};01-02-2025;;;27-44;{gemeente}")
    return "\n".join(lines) + "\n"


def _deliver(home: Home, files: dict[str, str]) -> dict[str, str]:
    inbox = home.org_inbox("ORG001")
    inbox.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (inbox / name).write_text(text, "utf-8")
    receive_org(home, "ORG001")
    return {o.bestand: o.checksum for o in accept_org(home, "ORG001")}


def test_every_canonical_row_carries_the_checksum_of_its_upload(tmp_path):
    home = Home(tmp_path / "home").ensure()
    first = _deliver(home, {"project_2025.csv": PROJECT, "traject_2025.csv": _traject(6)})
    # a re-upload whose row T002 is rejected: the earlier accepted T002 stays, with its origin
    second = _deliver(home, {"traject_2025.csv": _traject(6, bad={2}, note="b")})
    lake = Lake(home.lake)
    traject = pl.read_parquet(lake.accepted_path("traject", "ORG001", 2025)).sort("traject_id")
    origin = dict(zip(traject["traject_id"], traject[LINEAGE_COLUMN], strict=True))
    assert origin["T002"] == first["traject_2025.csv"]
    assert {origin[t] for t in origin if t != "T002"} == {second["traject_2025.csv"]}

    load_lake(home.warehouse, home.lake, audit.read(home.audit_log))
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        rows = con.execute(
            f"SELECT t.traject_id, t.{LINEAGE_COLUMN}, l.bestand FROM canoniek.traject t "
            f"JOIN intake.leveringen l ON l.checksum = t.{LINEAGE_COLUMN} ORDER BY 1"
        ).fetchall()
        (project_origin,) = con.execute(f"SELECT {LINEAGE_COLUMN} FROM canoniek.project").fetchone()
        (comment,) = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'canoniek' "
            f"AND table_name = 'traject' AND column_name = '{LINEAGE_COLUMN}'"
        ).fetchone()
    assert len(rows) == 6 and all(bestand == "traject_2025.csv" for _t, _c, bestand in rows)
    assert project_origin == first["project_2025.csv"]
    assert "SHA-256" in comment
    for checksum in {c for _t, c, _b in rows}:
        assert archived_path(home, "ORG001", checksum, ".csv").is_file()


def test_rows_accepted_before_lineage_load_with_an_empty_checksum(tmp_path):
    home = Home(tmp_path / "home").ensure()
    _deliver(home, {"project_2025.csv": PROJECT, "traject_2025.csv": _traject(3)})
    lake = Lake(home.lake)
    path = lake.accepted_path("traject", "ORG001", 2025)
    Lake.write(pl.read_parquet(path).drop(LINEAGE_COLUMN), path)  # as an older version wrote it
    load_lake(home.warehouse, home.lake, audit.read(home.audit_log))
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        values = con.execute(f"SELECT {LINEAGE_COLUMN} FROM canoniek.traject").fetchall()
    assert values == [(None,)] * 3
