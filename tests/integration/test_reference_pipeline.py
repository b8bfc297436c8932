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

    # --- issue 18 point 8: measured and reference-based apart -------------------------------
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        projects = con.sql("SELECT * FROM mkba.project").pl()
        cells = con.sql("SELECT * FROM benchmark.cellen").pl()
        positie = con.sql("SELECT * FROM prive.positie").pl()
        factors = con.sql("SELECT * FROM benchmark.rendementsfactor").pl()
    # the project-year's basis: the weakest of its quantities (an own count and sector rates)
    sheet = projects.filter(pl.col("organisatie_id") == SHEET_ORG)
    assert sheet.filter(pl.col("project_id") == "P01")["basis"].to_list() == ["referentie sector"]
    assert set(projects.filter(pl.col("organisatie_id") != SHEET_ORG)["basis"]) == {"gemeten"}
    # every cell exists per basis; no percentile over measured and reference-based together
    assert set(cells["basis"]) == {"alle", "gemeten", "referentie"}
    percentiles = ["p10", "p25", "mediaan", "p75", "p90"]
    assert cells.filter(
        pl.col("statistiek").is_in(percentiles) & (pl.col("basis") == "alle")
    ).is_empty()
    # the measured percentiles are those of the measured project-years alone (computed here
    # from mkba.project): the template's project is not among them
    complete = projects.filter((pl.col("status") == "volledig") & (pl.col("jaar") == YEAR))
    measured_bkr = complete.filter(pl.col("basis") == "gemeten")["bkr"]
    median = cells.filter(
        (pl.col("tabel") == "domein")
        & (pl.col("domein") == "totaal")
        & (pl.col("jaar") == YEAR)
        & (pl.col("maat") == "bkr")
        & (pl.col("statistiek") == "mediaan")
        & (pl.col("basis") == "gemeten")
    ).row(0, named=True)
    assert median["status"] == "gepubliceerd"
    assert median["waarde"] == round(measured_bkr.quantile(0.5, "linear"), 2)
    # the one reference-based organisation is its own cell: suppressed (fewer than 5
    # organisations), and never given away as alle − gemeten
    ref_total = cells.filter(
        (pl.col("tabel") == "domein")
        & (pl.col("domein") == "totaal")
        & (pl.col("jaar") == YEAR)
        & (pl.col("maat") == "projecten")
        & (pl.col("basis") == "referentie")
    ).row(0, named=True)
    assert (ref_total["status"], ref_total["reden"]) == ("onderdrukt", "te_weinig_organisaties")
    key = ["tabel", "jaar", "domein", "interventie", "regio", "maat", "statistiek"]
    additive = cells.filter(pl.col("maat").is_in(["projecten", "deelnemers", "fte", "kosten"]))
    hidden = additive.group_by(key).agg((pl.col("status") == "onderdrukt").sum().alias("h"))
    assert hidden.filter(pl.col("h") == 1).is_empty()
    # its position is against reference-based project-years only (too few: none)
    own = positie.filter(pl.col("organisatie_id") == SHEET_ORG)
    assert set(own["basis"]) == {"referentie"} and set(own["status"]) == {"onderdrukt"}
    assert set(positie.filter(pl.col("organisatie_id") != SHEET_ORG)["basis"]) == {"gemeten"}
    # the group ratios per basis; a split pair only where both parts may be published
    assert set(factors["basis"]) >= {"alle"}
    split = factors.filter(pl.col("basis") != "alle")
    ref = split.filter(pl.col("basis") == "referentie")
    assert ref.height and set(ref["status"]) == {"onderdrukt"}  # one reference organisation
    # where it is (the sector, its domain, its intervention) the measured part would give it
    # away beside the total: hidden too; elsewhere the measured ratios are shown
    beside = split.filter(
        (pl.col("basis") == "gemeten")
        & pl.struct("tabel", "jaar", "domein", "interventie").is_in(
            ref.select(pl.struct("tabel", "jaar", "domein", "interventie")).to_series().implode()
        )
    )
    assert beside.height and "gepubliceerd" not in set(beside["status"])
    assert "secundair" in set(beside["reden"])
    assert (split.filter(pl.col("basis") == "gemeten")["status"] == "gepubliceerd").any()

    # the reports: the sector page states the measured shares, the organisation's page and
    # its Impactkaart the basis, with the lowered grade
    sector_html = (home.site / "sector.html").read_text("utf-8")
    assert "Gemeten en referentie" in sector_html and "Aandeel gemeten" in sector_html
    assert 'id="sector-basis"' in sector_html
    org_html = (home.org_site(SHEET_ORG) / "index.html").read_text("utf-8")
    assert "referentie (sector)" in org_html and "graad C, referentie" in org_html
    latest = sheet.filter(pl.col("jaar") == sheet["jaar"].max()).height
    assert f"{latest} op opgave of referentie" in org_html  # the card of the latest year
    card = next((home.org_site(SHEET_ORG) / "impactkaart").glob("P01*.html"))
    card_html = card.read_text("utf-8")
    assert "basis: referentie (sector)" in card_html
    assert "geen metingen per deelnemer" in card_html
    measured_org = home.org_site(orgs[0].organisatie_id) / "index.html"
    assert "referentie (sector)" not in measured_org.read_text("utf-8")
