"""Backup and restore (issue 21, point 3): `rendement backup` takes a versioned, checksummed
snapshot while a process holds the warehouse; `rendement herstel` refuses a non-empty home and a
damaged backup, and a restored home rebuilds (a full Dagster run) to byte-identical warehouse
tables and published pages (`tests/support/outputs.py`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from rendement.core.backup import KEY_PARTS, PARTS, restore
from rendement.core.home import Home
from tests.support.homes import copy_home, hold_warehouse
from tests.support.outputs import output_digests, table_digests
from tests.support.service import add_person


def rendement(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    env.pop("RENDEMENT_HOME", None)
    env.pop("DAGSTER_HOME", None)
    return subprocess.run(
        [sys.executable, "-m", "rendement.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_a_restored_home_rebuilds_to_the_same_tables_and_pages(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    add_person(home, "analist@sector.nl")  # gebruikers.json
    (home.receipts / "ORG001").mkdir(parents=True)
    (home.receipts / "ORG001" / "bewijs.json").write_text('{"status": "ontvangen"}', "utf-8")

    # a writer holds the warehouse when the backup starts: it waits, then copies
    holder = hold_warehouse(home.warehouse, 3)
    started = time.monotonic()
    made = rendement("backup", str(tmp_path / "backups"), "--home", str(home.root))
    waited = time.monotonic() - started
    holder.wait()
    assert made.returncode == 0, made.stderr
    assert waited > 2.5
    [folder] = (tmp_path / "backups").iterdir()
    assert folder.name.startswith("rendement-backup-")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["formaat"] == "rendement-backup" and manifest["versie"] == 1
    assert manifest["gemaakt_op"] and manifest["warehouse"] is True
    files = manifest["bestanden"]
    for rel in (
        "warehouse.duckdb",
        "organisaties.json",
        "gebruikers.json",
        "audit.jsonl",
        "parameters/afwijkingen.csv",
        "secrets/pseudoniem.key",
        "ontvangstbewijzen/ORG001/bewijs.json",
    ):
        assert rel in files and len(files[rel]["sha256"]) == 64, rel
    assert any(rel.startswith("archive/ORG001/") for rel in files)
    assert not any(rel.startswith("dagster/") for rel in files)  # recomputed
    # the validation reports, a part of their own; of the site nothing (a run makes it again)
    assert any(rel.startswith("validatie/ORG001/") for rel in files)
    assert not any(rel.startswith("site/") for rel in files)

    # not into a home with contents
    refused = rendement("herstel", str(folder), "--home", str(home.root))
    assert refused.returncode == 1 and "niet leeg" in refused.stderr

    restored_root = tmp_path / "hersteld"
    done = rendement("herstel", str(folder), "--home", str(restored_root), "--opnieuw-opbouwen")
    assert done.returncode == 0, done.stderr
    assert "Opnieuw opgebouwd" in done.stdout
    restored = Home(restored_root.resolve())
    assert (restored.secrets / "pseudoniem.key").read_bytes() == (
        home.secrets / "pseudoniem.key"
    ).read_bytes()
    assert oct(restored.secrets.stat().st_mode & 0o777) == "0o700"
    assert restored.accounts.read_bytes() == home.accounts.read_bytes()
    original = output_digests(home)
    again = output_digests(restored)
    assert again["tabellen"] == original["tabellen"]
    assert again["paginas"] == original["paginas"]
    assert len(original["tabellen"]) > 10 and len(original["paginas"]) > 10


def test_keys_kept_apart_and_a_damaged_backup_is_refused(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    made = rendement(
        "backup",
        str(tmp_path / "data"),
        "--home",
        str(home.root),
        "--sleutels",
        str(tmp_path / "k"),
    )
    assert made.returncode == 0, made.stderr
    [folder] = (tmp_path / "data").iterdir()
    [keys] = (tmp_path / "k").iterdir()
    assert not (folder / "secrets").exists()
    assert (keys / "secrets" / "pseudoniem.key").exists()

    without = rendement("herstel", str(folder), "--home", str(tmp_path / "a"))
    assert without.returncode == 1 and "--sleutels" in without.stderr
    restored = rendement(
        "herstel", str(folder), "--home", str(tmp_path / "c"), "--sleutels", str(tmp_path / "k")
    )
    assert restored.returncode == 0, restored.stderr
    copy = Home((tmp_path / "c").resolve())
    assert (copy.secrets / "pseudoniem.key").read_bytes() == (
        home.secrets / "pseudoniem.key"
    ).read_bytes()
    # the warehouse copy itself, before any rebuild, holds the same tables
    assert table_digests(copy.warehouse) == table_digests(home.warehouse)

    damaged = folder / "organisaties.json"
    damaged.write_bytes(damaged.read_bytes().replace(b"ORG001", b"ORG009", 1))
    refused = rendement(
        "herstel", str(folder), "--home", str(tmp_path / "b"), "--sleutels", str(tmp_path / "k")
    )
    assert refused.returncode == 1 and "beschadigd" in refused.stderr
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())


def test_every_part_is_a_path_of_the_home(tmp_path):
    home = Home(tmp_path)
    for part in (*PARTS, *KEY_PARTS):
        assert part.path(home).is_relative_to(home.root) and part.why
    assert callable(restore)
