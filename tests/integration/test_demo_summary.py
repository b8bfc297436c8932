"""`rendement demo` run twice on the same home: the second run finds only files it received
before, and its summary says so (nothing accepted this run) while the warehouse totals stay."""

from __future__ import annotations

import re

from rendement.cli.main import main
from tests.support.homes import restored_env


def _number(text: str, label: str) -> int:
    found = re.search(rf"{label}:\s+([\d.]+)", text)
    assert found, (label, text)
    return int(found.group(1).replace(".", ""))


def test_a_second_demo_run_reports_duplicates_not_accepted_rows(tmp_path, capsys):
    home = str(tmp_path / "home")
    with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
        assert main(["demo", "--orgs", "2", "--seed", "5", "--home", home]) == 0
        first = capsys.readouterr().out
        assert main(["demo", "--orgs", "2", "--seed", "5", "--home", home]) == 0
        second = capsys.readouterr().out
    assert _number(first, "Rijen aangenomen") > 0
    assert _number(second, "Rijen aangenomen") == 0
    found = re.search(r"Bestanden gevonden:\s+(\d+) bestanden, waarvan (\d+) al eerder", second)
    assert found and found.group(1) == found.group(2)
    assert _number(second, "Rijen") == _number(first, "Rijen") > 0  # the warehouse keeps all
