"""`rendement check`: the pre-flight an organisation runs before uploading (exit 0/1/2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rendement.cli.main", "check", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, "RENDEMENT_HOME": str(cwd / "data")},
    )  # fmt: skip


def test_accepted_file_exits_0_and_names_system_and_tables(tmp_path):
    result = check(str(FIXTURES / "sources" / "regicare_activiteiten.csv"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "helemaal aangenomen" in result.stdout
    assert "traject" in result.stdout and "project" in result.stdout
    assert list(tmp_path.iterdir()) == [], "check writes nothing"


def test_broken_file_exits_1_with_row_and_column(tmp_path):
    result = check(str(FIXTURES / "broken" / "project_2024.csv"), cwd=tmp_path)
    assert result.returncode == 1
    assert "rij 3" in result.stdout and "kolom interventie" in result.stdout


def test_json_is_machine_readable_and_says_the_same(tmp_path):
    result = check(str(FIXTURES / "broken" / "project_2024.csv"), "--json", cwd=tmp_path)
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["oordeel"] == doc["status"] == "deels_geaccepteerd"
    assert doc["periode"] == 2024
    text = json.dumps(doc, ensure_ascii=False)
    assert "interventie_hoort_niet_bij_domein" in text


def test_usage_errors_exit_2(tmp_path):
    assert check(str(tmp_path / "bestaat_niet.csv"), cwd=tmp_path).returncode == 2
    assert check(cwd=tmp_path).returncode == 2
    bad = check(str(FIXTURES / "broken" / "project_2024.csv"), "--onbekend", cwd=tmp_path)
    assert bad.returncode == 2 and "fout" in bad.stderr


def test_unreadable_file_exits_1_with_reason(tmp_path):
    junk = tmp_path / "leeg_2025.csv"
    junk.write_bytes(b"")
    result = check(str(junk), "--json", cwd=tmp_path)
    assert result.returncode == 1
    assert json.loads(result.stdout)["reden_code"] == "leeg_bestand"
