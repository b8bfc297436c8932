"""Backup of a small hand-made data home (no warehouse yet): work in progress is left out, a
backup never lands inside the home it saves, a newer format is refused, a restore puts every
file back with the keys owner-only (`rendement/core/backup.py`)."""

from __future__ import annotations

import json

import pytest

from rendement.core.backup import BackupError, make_backup, read_manifest, restore
from rendement.core.home import Home


def small_home(root) -> Home:
    home = Home(root).ensure()
    (home.archive / "ORG1").mkdir(parents=True)
    (home.archive / "ORG1" / "abc.csv").write_text("a;b\n", "utf-8")
    (home.org_inbox("ORG1")).mkdir(parents=True)
    (home.org_inbox("ORG1") / "kosten_2025.csv").write_text("x\n", "utf-8")
    (home.org_inbox("ORG1") / ".upload-1234.part").write_text("half", "utf-8")
    (home.org_inbox("ORG1") / ".lock").write_text("", "utf-8")
    (home.secrets / "pseudoniem.key").write_text("geheim", "utf-8")
    home.registry.write_text('{"versie": 1}', "utf-8")
    (home.root / ".organisaties.json.lock").write_text("", "utf-8")
    home.audit_log.write_text('{"actie": "upload"}\n', "utf-8")
    return home


def test_work_in_progress_is_left_out_and_the_rest_restores(tmp_path):
    home = small_home(tmp_path / "home")
    folder = make_backup(home, tmp_path / "backup")
    manifest = read_manifest(folder)
    assert manifest["warehouse"] is False
    assert sorted(manifest["bestanden"]) == [
        "archive/ORG1/abc.csv",
        "audit.jsonl",
        "inbox/ORG1/kosten_2025.csv",
        "organisaties.json",
        "secrets/pseudoniem.key",
    ]
    restored = Home(tmp_path / "nieuw")
    restore(folder, restored)
    assert (restored.org_inbox("ORG1") / "kosten_2025.csv").read_text("utf-8") == "x\n"
    assert (restored.secrets / "pseudoniem.key").stat().st_mode & 0o777 == 0o600
    with pytest.raises(BackupError, match="niet leeg"):
        restore(folder, restored)


def test_a_backup_never_lands_inside_the_home(tmp_path):
    home = small_home(tmp_path / "home")
    with pytest.raises(BackupError, match="in de datamap zelf"):
        make_backup(home, home.root / "backups")
    with pytest.raises(BackupError, match="in de datamap zelf"):
        make_backup(home, tmp_path / "elders", keys_to=home.secrets / "kopie")


def test_a_newer_format_and_a_folder_without_manifest_are_refused(tmp_path):
    home = small_home(tmp_path / "home")
    folder = make_backup(home, tmp_path / "backup")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**manifest, "versie": 99}), "utf-8")
    with pytest.raises(BackupError, match="Werk rendement eerst bij"):
        restore(folder, Home(tmp_path / "a"))
    (folder / "manifest.json").unlink()
    with pytest.raises(BackupError, match="geen volledige backup"):
        restore(folder, Home(tmp_path / "b"))
