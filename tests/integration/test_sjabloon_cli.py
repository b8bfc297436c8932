"""`rendement sjabloon` and `rendement check` as an office uses them: write the template, fill
it in, check it (exit 0), break it and check again (exit 1, naming sheet, row and column)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rendement.intake.sjabloon import workbook_bytes
from tests.support.sjabloon import YEAR, filled_rows


def rendement(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rendement.cli.main", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, "RENDEMENT_HOME": str(cwd / "data")},
    )  # fmt: skip


def test_write_fill_and_check_the_template(tmp_path):
    written = rendement("sjabloon", str(tmp_path), "--jaar", str(YEAR), cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    blank = tmp_path / f"projectblad_{YEAR}.xlsx"
    assert blank.is_file() and blank.read_bytes().startswith(b"PK")

    filled = tmp_path / "ingevuld" / f"projectblad_{YEAR}.xlsx"
    filled.parent.mkdir()
    filled.write_bytes(workbook_bytes(YEAR, filled_rows()))
    ok = rendement("check", str(filled), cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "helemaal aangenomen" in ok.stdout and "projectopgave: 4 rijen" in ok.stdout

    rows = filled_rows()
    rows["Projectopgave"][0]["afgerond"] = 500
    filled.write_bytes(workbook_bytes(YEAR, rows))
    bad = rendement("check", str(filled), cwd=tmp_path)
    assert bad.returncode == 1
    assert f"projectblad_{YEAR}.xlsx, blad Projectopgave, rij 2, kolom Afgerond" in bad.stdout
    assert not (tmp_path / "data").exists(), "check writes nothing"
