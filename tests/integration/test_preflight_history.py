"""The receipt tells the truth: the pre-flight with the organisation's data home
(`preflight(path, home=..., organisatie_id=...)`, the upload service and
`rendement check --organisatie`) predicts the verdict intake then gives, file after file, also
for a per-table file that refers to what the organisation delivered earlier."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from rendement.core.home import Home
from rendement.demo import generate_sector
from rendement.demo.exports import csv_text
from rendement.demo.xlsx import workbook_bytes
from rendement.intake.accept import accept_org, receive_org
from rendement.intake.preflight import preflight
from tests.support.homes import valid_bsns

TODAY = dt.date(2026, 3, 2)
TABLE_ORDER = ("organisatie", "project", "traject", "meting", "inzet", "kosten")


def _comparable(report: dict) -> dict:
    """Everything a reader of the receipt relies on: the whole-file verdict and reasons, the
    counts per table, every rule with its count and examples (warnings included: both sides
    now see the same earlier deliveries)."""
    return {
        k: report.get(k)
        for k in ("reden_code", "bestand_afgekeurd", "redenen", "samenvatting", "tabellen")
    } | {"regels": report.get("regels")}


def _intake(home: Home, org: str, source: Path) -> tuple[str, dict]:
    """Intake's verdict on one file in `home` (the functions the Dagster assets run), and its
    validation report or its reason for refusing the file whole."""
    inbox = home.org_inbox(org)
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, inbox / source.name)
    outcomes = receive_org(home, org) + accept_org(home, org, today=TODAY)
    last = outcomes[-1]
    report = home.org_validation(org) / f"{last.checksum[:16]}.json"
    if last.status == "duplicaat" or not report.exists():
        return last.status, {"reden_code": last.reden_code, "melding": last.melding}
    return last.status, json.loads(report.read_text("utf-8"))


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[str, list[Path]]:
    """An organisation's deliveries in the order it sends them: 2024 one CSV per table, the
    same project file once more, 2025 as one workbook, then broken files."""
    folder = tmp_path_factory.mktemp("bestanden")
    org = next(iter(generate_sector(orgs=1, seed=5, years=(2024, 2025), trajectories_per_org=30)))
    t24, t25 = org.tables[2024], org.tables[2025]
    out = []

    def csv(name: str, frame: pl.DataFrame, sub: str = "") -> Path:
        path = folder / sub / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(csv_text(frame), "utf-8")
        return path

    for table in TABLE_ORDER:  # per-table files: each refers to the ones before
        out.append(csv(f"{table}_2024.csv", t24[table]))
    out.append(csv("project_2024.csv", t24["project"], "nogmaals"))  # the same bytes: duplicate
    workbook = folder / "export_2025.xlsx"
    workbook.write_bytes(workbook_bytes({t: t25[t] for t in TABLE_ORDER}))
    out.append(workbook)  # a complete delivery
    # costs of 2025 once more, one row for a project nobody delivered: that row is rejected
    wrong = t25["kosten"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("P999"))
        .otherwise(pl.col("project_id"))
        .alias("project_id")
    )
    out.append(csv("kosten_2025.csv", wrong, "fout"))
    # trajectories of 2025 for an unknown project: more than half rejected, the file refused
    orphans = t25["traject"].with_columns(pl.lit("P999").alias("project_id"))
    out.append(csv("traject_2025.csv", orphans, "wees"))
    unreadable = folder / "kapot" / "meting_2025.csv"
    unreadable.parent.mkdir()
    unreadable.write_bytes(b"%PDF-1.4\n\x00\x01\x02 geen tabel\n")
    out.append(unreadable)
    bsn = t25["traject"].head(8).with_columns(pl.Series("client_id", valid_bsns(8)))
    out.append(csv("traject_2025.csv", bsn, "bsn"))
    return org.organisatie_id, out


EXPECTED = [
    *(["geaccepteerd"] * 6),
    "duplicaat",
    "geaccepteerd",
    "deels_geaccepteerd",
    "geweigerd",
    "geweigerd",
    "geweigerd",
]


def test_predicted_verdict_is_the_pipelines_verdict_file_after_file(tmp_path, files):
    org, paths = files
    home = Home(tmp_path / "home").ensure()
    predicted, actual = [], []
    for path in paths:
        checked = preflight(path, home=home, organisatie_id=org, today=TODAY)
        status, report = _intake(home, org, path)
        predicted.append(checked.verdict)
        actual.append(status)
        assert checked.accepted == (status == "geaccepteerd"), path
        if status != "duplicaat":
            assert _comparable(checked.document) == _comparable(report), path
    assert predicted == actual == EXPECTED
    # alone, without the earlier deliveries, the per-table cost file looked refused
    alone = preflight(paths[5], organisatie_id=org, today=TODAY)
    assert alone.verdict == "geweigerd"
    assert any(r["regel"] == "project_onbekend" for r in alone.document["regels"])


def test_preflight_writes_nothing_in_the_home(tmp_path, files):
    org, paths = files
    home = Home(tmp_path / "home").ensure()
    for path in paths[:3]:
        _intake(home, org, path)
    before = sorted((p, p.stat().st_mtime_ns) for p in home.root.rglob("*"))
    checked = preflight(paths[5], home=home, organisatie_id=org, today=TODAY)
    assert checked.verdict == "geaccepteerd"
    assert sorted((p, p.stat().st_mtime_ns) for p in home.root.rglob("*")) == before


def _check(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rendement.cli.main", "check", *args],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "RENDEMENT_HOME": str(home)},
    )  # fmt: skip


def test_rendement_check_organisatie_sees_earlier_deliveries(tmp_path, files):
    org, paths = files
    home = Home(tmp_path / "home").ensure()
    for path in paths[:5]:  # organisatie .. inzet of 2024 accepted
        _intake(home, org, path)
    costs = str(paths[5])

    alone = _check(costs, home=home.root)
    assert alone.returncode == 1, alone.stdout + alone.stderr
    assert "alleen dit bestand" in alone.stdout
    assert "--organisatie" in alone.stdout  # the way to judge it with the earlier deliveries

    with_history = _check(costs, "--organisatie", org, "--json", home=home.root)
    assert with_history.returncode == 0, with_history.stdout + with_history.stderr
    doc = json.loads(with_history.stdout)
    assert doc["oordeel"] == doc["status"] == "geaccepteerd"
    assert doc["met_eerdere_leveringen"] is True

    text = _check(costs, "--organisatie", org, home=home.root).stdout
    assert f"samen met wat {org} eerder aanleverde" in text
    assert "Dit bestand wordt helemaal aangenomen." in text
    assert "Uw aanlevering" not in text  # nothing was delivered

    again = _check(str(paths[0]), "--organisatie", org, home=home.root)
    assert again.returncode == 0 and "al eerder ontvangen" in again.stdout

    unknown = _check(costs, "--organisatie", "ORG404", home=home.root)
    assert unknown.returncode == 2 and "onbekend" in unknown.stderr


def test_uploads_still_waiting_count_as_intake_will_take_them(tmp_path, files):
    """A delivery sent file by file faster than intake runs: some files staged, some in the
    inbox. The costs file is judged with the projects that are still waiting, as intake will
    take those first; a file that is already waiting is a duplicate."""
    org, paths = files
    home = Home(tmp_path / "home").ensure()
    inbox = home.org_inbox(org)
    inbox.mkdir(parents=True)
    for path in paths[:3]:  # organisatie, project, traject: read and staged, not yet accepted
        shutil.copyfile(path, inbox / path.name)
    receive_org(home, org)
    for path in paths[3:5]:  # meting, inzet: still in the inbox
        shutil.copyfile(path, inbox / path.name)
    costs = paths[5]

    checked = preflight(costs, home=home, organisatie_id=org, today=TODAY)
    assert checked.document["wachtend"] == checked.document["wachtend_meegerekend"] == 5
    assert "5 eerder ontvangen bestanden wachten" in checked.text
    again = preflight(paths[4], home=home, organisatie_id=org, today=TODAY)
    assert again.verdict == "duplicaat" and "wacht op verwerking" in again.text

    status, report = _intake(home, org, costs)
    assert checked.verdict == status == "geaccepteerd"
    assert _comparable(checked.document) == _comparable(report)
