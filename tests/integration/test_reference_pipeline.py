"""MKBA by reference end to end: a small measured sector and one organisation that only hands
in the Excel template, through the real Dagster run. The template's project gets a reach, a
reference-based quantity from the sector's pooled rate (with n and interval in the lake) and a
Monte Carlo interval; the measured organisations stay `gemeten`."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.run import run_pipeline
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.privacy import load_or_create_key
from rendement.core.registry import Registry
from rendement.demo import generate_sector, write_exports
from rendement.intake.sjabloon import workbook_bytes
from rendement.mkba.reference import MIN_ORGANISATIONS
from tests.support.homes import DEMO_ORGS, DEMO_SEED, restored_env
from tests.support.sjabloon import YEAR, filled_rows

SHEET_ORG = "ORG090"


def test_a_template_only_organisation_gets_a_reference_based_mkba(tmp_path):
    home = Home(tmp_path / "home").ensure()
    load_or_create_key(home.secrets)
    orgs = list(generate_sector(orgs=DEMO_ORGS, seed=DEMO_SEED))
    for org in orgs:
        write_exports(org, home.inbox)
    rows = filled_rows()
    rows["Projecten"][0]["domein"] = None
    rows["Projecten"][0]["interventie"] = "Maatjesproject"  # measured by 6 demo organisations
    (home.inbox / SHEET_ORG).mkdir(parents=True)
    (home.inbox / SHEET_ORG / f"projectblad_{YEAR}.xlsx").write_bytes(workbook_bytes(YEAR, rows))
    with Registry.edit(home.registry) as registry:
        for org_id, naam in [(o.organisatie_id, o.naam) for o in orgs] + [(SHEET_ORG, "Blad")]:
            if not registry.has(org_id):
                registry.add(org_id, naam)
    with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
        assert run_pipeline(home).success

    rates = pl.read_parquet(Lake(home.lake).effects_reference_path())
    assert rates["organisaties"].min() >= MIN_ORGANISATIONS
    maatjes = rates.filter(pl.col("interventie") == "maatjesproject")
    assert maatjes.height > 0
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        outcome = con.sql(
            "SELECT uitkomst, basis, any_value(hoeveelheid) AS hoeveelheid FROM mkba.uitkomst "
            f"WHERE organisatie_id = '{SHEET_ORG}' AND project_id = 'P01' AND jaar = {YEAR} "
            "GROUP BY ALL"
        ).pl()
        project = con.sql(
            "SELECT deelnemers, baten, bkr, bkr_p05, bkr_p95, status FROM mkba.project "
            f"WHERE organisatie_id = '{SHEET_ORG}' AND project_id = 'P01' AND jaar = {YEAR}"
        ).pl()
        measured = con.sql(
            f"SELECT DISTINCT basis FROM mkba.uitkomst WHERE organisatie_id <> '{SHEET_ORG}'"
        ).fetchall()
    assert measured == [("gemeten",)]
    # the organisation's own count of eenzaamheid_welzijn comes first; the rest by reference
    by_code = {r["uitkomst"]: r for r in outcome.iter_rows(named=True)}
    assert by_code["eenzaamheid_welzijn"]["basis"] == "opgegeven"
    assert by_code["eenzaamheid_welzijn"]["hoeveelheid"] == 30
    sector = outcome.filter(pl.col("basis") == "referentie sector")
    assert sector.height > 0
    for r in sector.iter_rows(named=True):
        rate = maatjes.filter(pl.col("uitkomst") == r["uitkomst"])["rate"].item()
        assert abs(r["hoeveelheid"] - rate * 120) < 1e-9
    p = project.row(0, named=True)
    assert p["deelnemers"] == 120 and p["status"] == "volledig" and p["baten"] > 0
    assert p["bkr_p05"] < p["bkr"] < p["bkr_p95"]
