"""The retention of the raw archive (issue 20, point 5): `rendement archief opschonen` is a dry
run unless `--uitvoeren`; it deletes an original only once its year is closed by a release and
the retention period after that release has passed (an upload refused without a year: after
the period since it was received); each deletion is in the audit log."""

from __future__ import annotations

import datetime as dt
import json
import os

import polars as pl

from rendement.cli.main import main
from rendement.core import archive, audit
from rendement.core.home import Home
from rendement.release import retention

NOW = dt.datetime.now(dt.UTC)  # the command uses the real time too


def _upload(home: Home, name: str, year: int | None, outcome: str, received: dt.datetime):
    checksum = name * 64
    path = archive.store(home, "ORG001", checksum[:64], ".csv", b"client_id\nK1\n")
    os.utime(path, (received.timestamp(), received.timestamp()))
    audit.append(
        home.audit_log,
        actor="intake",
        action="ontvangst",
        outcome=outcome,
        organisatie_id="ORG001",
        checksum=checksum[:64],
        periode=year,
    )
    return checksum[:64]


def _release(home: Home, year: int, published: dt.datetime) -> None:
    folder = home.releases / str(year)
    folder.mkdir(parents=True)
    manifest = {
        "release": str(year),
        "verslagjaar": year,
        "gepubliceerd_op": published.isoformat(),
        "jaren": {str(y): {"release": str(year)} for y in range(2022, year + 1)},
        "bestanden": {},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")


def _home(tmp_path) -> tuple[Home, dict[str, str]]:
    home = Home(tmp_path / "home").ensure()
    long_ago = NOW - dt.timedelta(days=800)
    files = {
        "oud": _upload(home, "a", 2023, "geaccepteerd", long_ago),  # released 500 days ago: due
        "recent_vastgesteld": _upload(home, "b", 2024, "geaccepteerd", long_ago),  # < 1 year
        "open": _upload(home, "c", 2025, "geaccepteerd", long_ago),  # not released
        "kapot": _upload(home, "d", None, "geweigerd", long_ago),  # refused, no year: due
        "kapot_recent": _upload(home, "e", None, "geweigerd", NOW - dt.timedelta(days=10)),
    }
    _release(home, 2023, NOW - dt.timedelta(days=500))
    _release(home, 2024, NOW - dt.timedelta(days=100))
    return home, files


def test_plan_deletes_only_released_years_past_the_retention_period(tmp_path):
    home, files = _home(tmp_path)
    verdicts = {v.item.checksum: v for v in retention.plan(home, now=NOW)}
    due = {name for name, c in files.items() if verdicts[c].verwijderen}
    assert due == {"oud", "kapot"}
    assert "vastgesteld in release 2023" in verdicts[files["oud"]].reden
    assert "nog niet vastgesteld" in verdicts[files["open"]].reden
    # a shorter period brings the year released 100 days ago in
    shorter = {v.item.checksum for v in retention.plan(home, now=NOW, days=90) if v.verwijderen}
    assert files["recent_vastgesteld"] in shorter and files["open"] not in shorter


def test_the_command_is_a_dry_run_unless_asked_and_logs_each_deletion(tmp_path, capsys):
    home, files = _home(tmp_path)
    before = sorted(p.name for p in home.archive.rglob("*") if p.is_file())
    assert main(["archief", "opschonen", "--home", str(home.root)]) == 0
    out = capsys.readouterr().out
    assert "Proefdraai: 2 bestand(en) zouden worden verwijderd, 3 blijven bewaard" in out
    assert sorted(p.name for p in home.archive.rglob("*") if p.is_file()) == before
    assert main(["archief", "opschonen", "--uitvoeren", "--home", str(home.root)]) == 0
    assert "2 bestand(en) verwijderd" in capsys.readouterr().out
    left = {a.checksum for a in archive.archived_files(home)}
    assert left == {files["recent_vastgesteld"], files["open"], files["kapot_recent"]}
    # what is left of a removed original: an empty marker, so a re-upload is still a duplicate
    assert archive.checksums(home, "ORG001") == set(files.values())
    markers = [p for p in home.archive.rglob(f"*{archive.REMOVED_SUFFIX}")]
    assert len(markers) == 2 and all(p.stat().st_size == 0 for p in markers)
    assert main(["archief", "opschonen", "--uitvoeren", "--home", str(home.root)]) == 0
    assert "0 bestand(en) verwijderd" in capsys.readouterr().out
    log = audit.read(home.audit_log).filter(pl.col("actie") == "archief_opschonen")
    assert sorted(log["checksum"].to_list()) == sorted([files["oud"], files["kapot"]])
    assert audit.verify(home.audit_log).intact
