"""A filled-in template and an attendance export go through intake like any export: accepted
rows reach the lake and `canoniek.activiteit` / `canoniek.projectopgave`; a broken template
later refuses nothing that was accepted before."""

from __future__ import annotations

import shutil
from pathlib import Path

from rendement.core import audit
from rendement.core.home import Home
from rendement.core.warehouse import connect, load_lake
from rendement.intake.accept import accept_org, receive_org
from rendement.intake.sjabloon import workbook_bytes
from tests.support.sjabloon import YEAR, filled_rows

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


def _process(home: Home, org: str) -> None:
    receive_org(home, org)
    accept_org(home, org)
    load_lake(home.warehouse, home.lake, audit.read(home.audit_log))


def _rows(home: Home, sql: str) -> list[tuple]:
    with connect(home.warehouse, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_template_and_attendance_reach_the_warehouse(tmp_path):
    home = Home(tmp_path / "home").ensure()
    (home.inbox / "ORG031").mkdir(parents=True)
    (home.inbox / "ORG031" / f"projectblad_{YEAR}.xlsx").write_bytes(
        workbook_bytes(YEAR, filled_rows())
    )
    (home.inbox / "ORG032").mkdir(parents=True)
    shutil.copy(FIXTURE / "presentielijst_aanwezigheid_2024.csv", home.inbox / "ORG032")
    _process(home, "ORG031")
    _process(home, "ORG032")

    opgave = _rows(
        home,
        "SELECT organisatie_id, project_id, jaar, soort, uitkomst, bereikt, aantal, "
        "upload_checksum IS NOT NULL FROM canoniek.projectopgave ORDER BY ALL",
    )
    assert set(opgave) == {
        ("ORG031", "P01", YEAR, "realisatie", None, 120, None, True),
        ("ORG031", "P02", YEAR, "realisatie", None, 260, None, True),
        ("ORG031", "P01", YEAR, "realisatie", "eenzaamheid_welzijn", None, 30, True),
        ("ORG031", "P02", YEAR + 1, "raming", None, 280, None, True),
    }
    activities = _rows(
        home,
        "SELECT organisatie_id, activiteit_id, bijeenkomsten, aanwezigheden, unieke_deelnemers "
        "FROM canoniek.activiteit ORDER BY organisatie_id, activiteit_id",
    )
    assert activities == [
        ("ORG031", "A1", 96, 1750, 110),
        ("ORG032", "ACT-1", 3, 4, 3),
        ("ORG032", "ACT-2", 1, 2, None),
        ("ORG032", "ACT-3", 2, 2, None),
    ]
    assert (home.lake / "accepted" / "projectopgave" / "ORG031" / f"{YEAR}.parquet").is_file()

    # a later template of the same year in which every project is broken: refused whole,
    # and what was accepted before stays
    rows = filled_rows()
    for row in rows["Projecten"]:
        row["interventie"] = "Iets anders"
    (home.inbox / "ORG031" / f"projectblad_{YEAR}_v2.xlsx").write_bytes(workbook_bytes(YEAR, rows))
    receive_org(home, "ORG031")
    outcomes = accept_org(home, "ORG031")
    load_lake(home.warehouse, home.lake, audit.read(home.audit_log))
    assert [o.status for o in outcomes] == ["geweigerd"]
    kept = _rows(home, "SELECT count(*) FROM canoniek.projectopgave WHERE organisatie_id='ORG031'")
    assert kept == [(4,)]
