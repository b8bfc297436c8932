"""Plans end to end, through the real Dagster run: an organisation that hands in only a plan
(the Excel template with a project sheet of soort raming, a budget and its qualitative
effects) gets an expected MKBA on the reference basis with an interval, on its own page and
on an Impactkaart labelled raming; the plan reaches no benchmark table, no position and no
sector page. The labour-market effects of the measured organisations are in the warehouse and
on their pages."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pipelines.run import run_pipeline
from rendement.core.home import Home
from rendement.core.privacy import load_or_create_key
from rendement.core.registry import Registry
from rendement.demo import generate_sector, write_exports
from rendement.intake.sjabloon import workbook_bytes
from rendement.reports.impactkaart import page_name
from tests.support.homes import DEMO_ORGS, DEMO_SEED, restored_env
from tests.support.sjabloon import YEAR

PLANNER = "ORG091"
WORDS = "Buurtbewoners zeggen dat ze elkaar weer groeten; twee maatjes zijn vrienden geworden."


def _plan_rows() -> dict[str, list[dict]]:
    """One project (maatjesproject, measured by several demo organisations), planned for the
    reporting year and the next, with a budget; no realised year at all."""
    return {
        "Projecten": [
            dict(
                projectcode="P01",
                naam="Maatjes Noord",
                interventie="Maatjesproject",
                startdatum=dt.date(YEAR, 1, 1),
            )
        ],
        "Projectopgave": [
            dict(
                projectcode="P01",
                jaar=YEAR,
                soort="raming",
                bereikt=500,
                contacten=2000,
                begroting=60_000,
                kwalitatieve_effecten=WORDS,
            ),
            dict(projectcode="P01", jaar=YEAR + 1, soort="raming", bereikt=600, begroting=65_000),
        ],
    }


def test_a_plan_gets_an_estimate_on_its_pages_and_never_reaches_a_benchmark(tmp_path):
    home = Home(tmp_path / "home").ensure()
    load_or_create_key(home.secrets)
    orgs = list(generate_sector(orgs=DEMO_ORGS, seed=DEMO_SEED))
    for org in orgs:
        write_exports(org, home.inbox)
    (home.inbox / PLANNER).mkdir(parents=True)
    (home.inbox / PLANNER / f"projectblad_{YEAR}.xlsx").write_bytes(
        workbook_bytes(YEAR, _plan_rows())
    )
    with Registry.edit(home.registry) as registry:
        for org_id, naam in [(o.organisatie_id, o.naam) for o in orgs] + [(PLANNER, "Plan")]:
            if not registry.has(org_id):
                registry.add(org_id, naam)
    with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
        assert run_pipeline(home).success

    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        plans = con.sql(f"SELECT * FROM mkba.raming WHERE organisatie_id = '{PLANNER}'").pl()
        realised = con.sql(f"SELECT count(*) FROM mkba.project WHERE organisatie_id = '{PLANNER}'")
        realised = realised.fetchall()[0][0]
        sector_orgs = con.sql(
            "SELECT count(DISTINCT organisatie_id) FROM mkba.project "
            f"WHERE jaar = {YEAR} AND status = 'volledig'"
        ).fetchall()[0][0]
        counted = con.sql(
            "SELECT waarde FROM benchmark.cellen WHERE tabel = 'domein' AND domein = 'totaal' "
            f"AND maat = 'organisaties' AND statistiek = 'aantal' AND jaar = {YEAR} "
            "AND basis = 'alle'"
        ).fetchall()
        later = {
            t: con.sql(f"SELECT count(*) FROM {t} WHERE jaar = {YEAR + 1}").fetchall()[0][0]
            for t in ("benchmark.cellen", "benchmark.rendementsfactor")
        }
        positions = con.sql(
            f"SELECT count(*) FROM prive.positie WHERE organisatie_id = '{PLANNER}'"
        ).fetchall()[0][0]
        labour = con.sql("SELECT * FROM mkba.arbeidsmarkt").pl()
        words = con.sql(
            "SELECT kwalitatieve_effecten FROM canoniek.projectopgave "
            f"WHERE organisatie_id = '{PLANNER}' AND kwalitatieve_effecten IS NOT NULL"
        ).fetchall()

    # the estimate: both years, on the sector's reference rate, with an interval
    assert sorted(plans["jaar"].to_list()) == [YEAR, YEAR + 1]
    for p in plans.iter_rows(named=True):
        assert p["kostenbron"] == "begroting" and p["status"] == "volledig"
        assert "referentie sector" in p["basis"]
        assert p["baten"] > 0 and p["bkr_p05"] < p["bkr"] < p["bkr_p95"]
    assert words == [(WORDS,)]

    # never a benchmark: no realised project-year, not counted, no year of its own, no position
    assert realised == 0
    assert counted == [(float(sector_orgs),)]
    assert later == {"benchmark.cellen": 0, "benchmark.rendementsfactor": 0}
    assert positions == 0

    # its own page and its card say raming; no other page carries its words
    page = (home.org_site(PLANNER) / "index.html").read_text("utf-8")
    assert 'id="org-ramingen"' in page and "verwachting vooraf, geen resultaat" in page
    assert WORDS.split(";")[0] in page
    card = (
        home.org_site(PLANNER) / "impactkaart" / page_name("P01").replace(".html", "-raming.html")
    )
    text = card.read_text("utf-8")
    assert "Impactkaart (raming)" in text and 'id="ik-raming"' in text
    assert not (home.org_site(PLANNER) / "impactkaart" / page_name("P01")).exists()
    for sector_page in home.site.rglob("*.html"):
        if home.org_site(PLANNER) in sector_page.parents:
            continue
        assert WORDS.split(";")[0] not in sector_page.read_text("utf-8"), sector_page

    # labour-market effects of the measured organisations: on their pages, not in the benefits
    assert labour.height > 0
    work = labour.filter(pl.col("naar_betaald_werk") > 0)
    assert work.height > 0
    org = work["organisatie_id"][0]
    assert 'id="org-arbeidsmarkt"' in (home.org_site(org) / "index.html").read_text("utf-8")
    care = labour.filter(pl.col("zorg_fte").is_not_null())
    assert care.height > 0
    assert (care["zorg_fte_laag"] <= care["zorg_fte"]).all()
    assert (care["zorg_fte"] <= care["zorg_fte_hoog"]).all()
