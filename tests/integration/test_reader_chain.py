"""One reader chain (`rendement.intake.chain`): the pre-flight (`rendement check`, the upload
service) and intake reach the same verdict and the same row errors on the same file."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from rendement.core.home import Home
from rendement.intake.accept import accept_org, receive_org
from rendement.intake.preflight import VERDICT, preflight
from tests.support.homes import valid_bsns
from tests.support.sources import REGICARE, load_fixture, render_xlsx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ORG = "ORG001"
TODAY = dt.date(2026, 3, 2)


def _contract_csv(folder: Path) -> Path:
    path = folder / "project_2024.csv"
    shutil.copyfile(FIXTURES / "sources" / "contract" / "project.csv", path)
    return path


def _vendor_xlsx(folder: Path) -> Path:
    path = folder / "regicare_export_2024.xlsx"
    path.write_bytes(render_xlsx({"activiteiten": load_fixture(REGICARE)}))
    return path


def _broken_row(folder: Path) -> Path:
    path = folder / "project_2024.csv"
    shutil.copyfile(FIXTURES / "broken" / "project_2024.csv", path)
    return path


def _unreadable(folder: Path) -> Path:
    path = folder / "traject_2025.csv"
    path.write_bytes(b"%PDF-1.4\n\x00\x01\x02 not a table\n")
    return path


def _bsn_file(folder: Path) -> Path:
    lines = [
        "traject_id;project_id;client_id;startdatum;einddatum;reden_einde;leeftijdsklasse;"
        "gemeente_code"
    ]
    lines += [f"T{i};P1;{bsn};01-02-2025;;;27-44;GM0363" for i, bsn in enumerate(valid_bsns(8))]
    path = folder / "traject_2025.csv"
    path.write_text("\r\n".join(lines), "utf-8")
    return path


def _intake(home: Home, source: Path) -> tuple[str, dict]:
    """Intake's verdict on one file in a fresh data home, and its validation report (or its
    reason for refusing the file whole)."""
    inbox = home.org_inbox(ORG)
    inbox.mkdir(parents=True)
    shutil.copyfile(source, inbox / source.name)
    outcomes = receive_org(home, ORG) + accept_org(home, ORG, today=TODAY)
    last = outcomes[-1]
    report = home.org_validation(ORG) / f"{last.checksum[:16]}.json"
    if report.exists():
        return last.status, json.loads(report.read_text("utf-8"))
    return last.status, {"reden_code": last.reden_code, "melding": last.melding}


def _comparable(report: dict) -> dict:
    """What must be equal: the whole-file verdict, the counts, every error with its rows; of
    warnings the rule and how often (their wording may mention earlier deliveries, which only
    intake sees)."""
    rules = report.get("regels", [])
    return {
        "status": report.get("status"),
        "reden_code": report.get("reden_code"),
        "melding": report.get("melding"),
        "bestand_afgekeurd": report.get("bestand_afgekeurd"),
        "redenen": report.get("redenen"),
        "samenvatting": report.get("samenvatting"),
        "tabellen": report.get("tabellen"),
        "fouten": [r for r in rules if r["ernst"] != "waarschuwing"],
        "waarschuwingen": [
            (r["regel"], r["aantal"]) for r in rules if r["ernst"] == "waarschuwing"
        ],
    }


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_contract_csv, "geaccepteerd"),
        (_vendor_xlsx, "geaccepteerd"),
        (_broken_row, "deels_geaccepteerd"),
        (_unreadable, "geweigerd"),
        (_bsn_file, "geweigerd"),
    ],
    ids=["contract-csv", "vendor-xlsx", "broken-row", "unreadable", "bsn"],
)
def test_preflight_and_intake_give_the_same_verdict_and_row_errors(tmp_path, make, expected):
    files = tmp_path / "bestanden"
    files.mkdir()
    source = make(files)

    checked = preflight(source, organisatie_id=ORG, today=TODAY)
    status, report = _intake(Home(tmp_path / "home").ensure(), source)

    assert checked.document["oordeel"] == expected
    assert VERDICT[status] == expected
    assert checked.accepted == (status == "geaccepteerd")
    assert _comparable(checked.document) == _comparable(report)
