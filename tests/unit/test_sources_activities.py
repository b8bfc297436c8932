"""An attendance export (presentielijst) becomes activities and projects: meetings, attendances
and distinct participants are counted per activity, participant numbers are never kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from schemas.validate import validate_upload
from sources import read_upload
from sources.build import output_schema

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
FILE = FIXTURE / "presentielijst_aanwezigheid_2024.csv"


def test_attendance_rows_become_activities_with_counts():
    result = read_upload(FILE)
    assert result.system == "presentielijst" and result.period == 2024
    act = result.tables["activiteit"].sort("activiteit_id")
    assert list(act.columns) == [*output_schema("activiteit"), "_rij", "_bestand"]
    rows = {r["activiteit_id"]: r for r in act.iter_rows(named=True)}
    group = rows["ACT-1"]
    # four rows on three dates by three distinct participants
    assert (group["bijeenkomsten"], group["aanwezigheden"], group["unieke_deelnemers"]) == (
        3,
        4,
        3,
    )
    assert group["vorm"] == "groep" and group["startdatum"] == dt.date(2024, 1, 8)
    assert group["einddatum"] == dt.date(2024, 1, 22)
    talk = rows["ACT-2"]  # one evening, no participant numbers exported
    assert (talk["bijeenkomsten"], talk["aanwezigheden"]) == (1, 2)
    assert talk["unieke_deelnemers"] is None and talk["einddatum"] is None
    assert rows["ACT-3"]["vorm"] == "ambulant"
    project = result.tables["project"].sort("project_id")
    assert project["interventie"].to_list() == ["ontmoetingsgroep", "ambulant_jongerenwerk"]
    assert project["startdatum"].to_list() == [dt.date(2024, 1, 8), dt.date(2024, 2, 5)]
    assert result.problems.height == 0


def test_participant_numbers_and_names_are_not_read():
    result = read_upload(FILE)
    values = {
        str(v)
        for df in result.tables.values()
        for col in df.iter_columns()
        for v in col.drop_nulls()
    }
    assert not values & {"7001", "7002", "7003", "Gerrit", "Aaltje", "Kees"}
    assert "Roepnaam" in result.dialect.ignored_columns


def test_an_attendance_export_validates_without_findings():
    result = read_upload(FILE)
    tables = {
        t: df.with_columns(pl.lit("ORG009").alias("organisatie_id"))
        for t, df in result.tables.items()
    }
    outcome = validate_upload(
        tables, period=2024, today=dt.date(2025, 2, 1), parse_problems=result.problems
    )
    assert outcome.findings.height == 0, outcome.findings.rows()
    assert outcome.accepted["activiteit"].height == 3
