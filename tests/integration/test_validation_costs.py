"""Warnings about the costs of a project-year, at intake and in `rendement check`.

- `geen_kosten`: a project with trajectories in the delivery's year but no inzet or kosten for
  it: the MKBA of that year would be incomplete (issue 15, ORG013/P006/2024).
- `kosten_per_deelnemer_laag`: the year's costs per participant far below the sector's low end
  for the intervention (issue 15, ORG031/P003/2025: € 874 for 19 participants).

Both are warnings: every row is still accepted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from rendement.benchmark.cells import cost_reference, write_cost_reference
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.demo import generate_sector, write_exports
from rendement.demo.xlsx import workbook_bytes
from rendement.intake.accept import accept_org, cost_norm, receive_org
from rendement.mkba import load_parameters
from schemas.cross_table import ONLY_THIS_UPLOAD, CostNorm, euro_text
from schemas.rules import WAARSCHUWING
from tests.support.benchmark_rows import frame as project_frame
from tests.support.benchmark_rows import project
from tests.support.validation import PERIOD, pseudonym, run, set_cells, upload

NO_COSTS = "Project P4 heeft in 2024 trajecten maar geen inzet of kosten"


def without_costs(tables: dict, pid: str = "P4", *, inzet_row: bool = True) -> dict:
    """The base upload, with project `pid` given no costs: no cost lines, and an inzet row
    with 0 fte and 0 volunteers (as ORG013/P006/2024) or no inzet row at all."""
    tables = dict(tables)
    tables["kosten"] = tables["kosten"].filter(pl.col("project_id") != pid)
    inzet = tables["inzet"]
    if inzet_row:
        rij = inzet.filter(pl.col("project_id") == pid)["_rij"][0]
        tables["inzet"] = set_cells(inzet, rij, fte_betaald=0.0, vrijwilligers=0)
    else:
        tables["inzet"] = inzet.filter(pl.col("project_id") != pid)
    return tables


def findings(outcome, regel: str) -> list[dict]:
    return outcome.findings.filter(pl.col("regel") == regel).to_dicts()


def assert_all_accepted(outcome, tables: dict) -> None:
    assert not outcome.file_rejected and outcome.rejected.height == 0
    for table, df in tables.items():
        assert outcome.accepted[table].height == df.height, table


# --- geen_kosten ------------------------------------------------------------------------------


def test_trajectories_without_costs_warn_at_the_inzet_row():
    tables = without_costs(upload())
    outcome = run(tables, known={})
    [hit] = findings(outcome, "geen_kosten")
    assert (hit["tabel"], hit["_rij"], hit["ernst"]) == ("inzet", 5, WAARSCHUWING)
    assert hit["melding"] == (
        f"{NO_COSTS}: de MKBA van dat jaar is onvolledig tot de kosten zijn aangeleverd."
    )
    assert_all_accepted(outcome, tables)
    assert outcome.counts["inzet"]["waarschuwingen"] == 1


def test_without_an_inzet_row_the_warning_sits_at_the_project():
    outcome = run(without_costs(upload(), inzet_row=False), known={})
    [hit] = findings(outcome, "geen_kosten")
    assert (hit["tabel"], hit["_rij"]) == ("project", 5)
    assert hit["melding"].startswith(NO_COSTS)


def test_the_pre_flight_says_it_sees_only_this_file():
    # `known` None: the check before uploading, which sees no earlier deliveries
    [hit] = findings(run(without_costs(upload())), "geen_kosten")
    assert hit["melding"].startswith(NO_COSTS)
    assert hit["melding"].endswith(ONLY_THIS_UPLOAD)
    assert "alleen dit bestand" in hit["melding"]


def test_a_project_with_any_cost_is_not_warned_about():
    tables = upload()
    # P4: no inzet row, but cost lines; P3: no cost lines, but paid FTE; P1: only volunteers
    tables["inzet"] = tables["inzet"].filter(pl.col("project_id") != "P4")
    tables["kosten"] = tables["kosten"].filter(pl.col("project_id") != "P3")
    p1 = tables["inzet"].filter(pl.col("project_id") == "P1")["_rij"][0]
    tables["inzet"] = set_cells(tables["inzet"], p1, fte_betaald=0.0)
    tables["kosten"] = tables["kosten"].filter(pl.col("project_id") != "P1")
    assert findings(run(tables, known={}), "geen_kosten") == []


def test_costs_accepted_before_count():
    tables = without_costs(upload())
    known = {"kosten": upload()["kosten"].drop("_rij", "_bestand")}
    # this upload has no cost table: the year's costs are the ones accepted before
    del tables["kosten"]
    assert findings(run(tables, known=known), "geen_kosten") == []


def test_trajectories_alone_are_not_blamed_for_costs_still_to_come():
    tables = upload()
    only = {"project": tables["project"], "traject": tables["traject"]}
    assert findings(run(only, known={}), "geen_kosten") == []


def test_trajectories_accepted_before_count_and_a_cost_file_is_warned_about_the_whole():
    """A delivery of cost lines only, for an organisation whose projects and trajectories
    came before: P4 has trajectories in 2024, and none of these lines."""
    base = upload()
    known = {t: base[t].drop("_rij", "_bestand") for t in ("project", "traject")}
    kosten = base["kosten"].filter(pl.col("project_id") != "P4")
    outcome = run({"kosten": kosten}, known=known)
    [hit] = findings(outcome, "geen_kosten")
    assert hit["tabel"] == "kosten" and hit["_rij"] is None
    assert hit["_bestand"] == f"kosten_{PERIOD}.csv" and hit["waarde"] == "P4"
    assert hit["melding"].startswith(NO_COSTS)
    assert_all_accepted(outcome, {"kosten": kosten})


def test_only_trajectories_active_in_the_year_count():
    tables = without_costs(upload())
    # P4's trajectories both ended in 2023: no participants in 2024, so no incomplete year
    traject = tables["traject"]
    for rij in traject.filter(pl.col("project_id") == "P4")["_rij"]:
        traject = traject.filter(pl.col("_rij") != rij)
    tables["traject"] = traject
    tables["meting"] = tables["meting"].filter(~pl.col("traject_id").is_in(["T7", "T8"]))
    assert findings(run(tables, known={}), "geen_kosten") == []


# --- kosten_per_deelnemer_laag ----------------------------------------------------------------

PARAMS = load_parameters()
FTE = PARAMS.in_price_year(PARAMS.kosten["fte"]).basis
VOL = sum(
    PARAMS.in_price_year(PARAMS.kosten[k]).basis
    for k in ("vrijwilliger_coordinatie", "vrijwilliger_onkosten")
)


def norm(p10: float, interventie: str = "jongerencoaching") -> CostNorm:
    reference = pl.DataFrame({"interventie": [interventie], "p10": [p10]})
    return CostNorm(fte=FTE, vrijwilliger=VOL, referentie=reference)


def cheap_p4(tables: dict, fte: float = 0.01) -> dict:
    """P4 (jongerencoaching, 2 participants in 2024) with only `fte` paid FTE and no lines."""
    tables = without_costs(tables)
    rij = tables["inzet"].filter(pl.col("project_id") == "P4")["_rij"][0]
    tables["inzet"] = set_cells(tables["inzet"], rij, fte_betaald=fte)
    return tables


def test_cost_per_participant_far_below_the_sector_warns_with_dutch_amounts():
    tables = cheap_p4(upload())
    cost = 0.01 * FTE  # no own personnel line: standard wage cost per FTE
    outcome = run(tables, known={}, kostennorm=norm(p10=1_850.0))
    [hit] = findings(outcome, "kosten_per_deelnemer_laag")
    assert (hit["tabel"], hit["_rij"], hit["ernst"]) == ("inzet", 5, WAARSCHUWING)
    text = hit["melding"]
    assert text.startswith(f"Project P4 kost in 2024 volgens de aangeleverde inzet en kosten {euro_text(cost)} (0,01 fte) voor 2 deelnemers: {euro_text(cost / 2)} per deelnemer.")  # fmt: skip
    assert "10 % van de projectjaren kost minder dan € 1.850 per deelnemer" in text
    assert "jongerencoaching" in text
    assert hit["verwacht"].startswith("minstens € 463 per deelnemer")
    assert findings(outcome, "geen_kosten") == []
    assert_all_accepted(outcome, tables)


def test_no_warning_at_or_above_a_quarter_of_the_reference_or_without_one():
    tables = cheap_p4(upload())
    per_participant = 0.01 * FTE / 2
    at_bound = run(tables, known={}, kostennorm=norm(p10=4 * per_participant))
    assert findings(at_bound, "kosten_per_deelnemer_laag") == []
    just_below = run(tables, known={}, kostennorm=norm(p10=4 * per_participant + 0.01))
    assert len(findings(just_below, "kosten_per_deelnemer_laag")) == 1
    # no reference yet (or none for this intervention): nothing to compare with
    assert findings(run(tables, known={}), "kosten_per_deelnemer_laag") == []
    other = run(tables, known={}, kostennorm=norm(p10=1e6, interventie="vroegsignalering"))
    assert findings(other, "kosten_per_deelnemer_laag") == []


def test_own_cost_lines_replace_the_standard_costs_as_in_the_mkba():
    tables = upload()
    # P4: 2 fte, but an own personnel line of € 140.000 (+ € 3.250,75 material): the standard
    # wage cost is not added, so the year costs € 143.251 for 2 participants
    outcome = run(tables, known={}, kostennorm=norm(p10=4 * 71_626.0))
    [hit] = findings(outcome, "kosten_per_deelnemer_laag")
    assert "€ 143.251 (2 fte) voor 2 deelnemers: € 71.625 per deelnemer" in hit["melding"]


def test_distinct_clients_are_counted_not_trajectories():
    tables = cheap_p4(upload())
    # both P4 trajectories of the same client: one participant
    tables["traject"] = tables["traject"].with_columns(
        pl.when(pl.col("project_id") == "P4")
        .then(pl.lit(pseudonym(7)))
        .otherwise(pl.col("client_pseudoniem"))
        .alias("client_pseudoniem")
    )
    [hit] = findings(
        run(tables, known={}, kostennorm=norm(p10=10_000.0)), "kosten_per_deelnemer_laag"
    )
    assert "voor 1 deelnemers" in hit["melding"]


# --- the reference and intake ----------------------------------------------------------------


def reference_sector(orgs: int, per_org: int, **kw) -> pl.DataFrame:
    rows = [
        project(
            f"ORG{o:02d}",
            f"P{p}",
            jaar=2023 + p % 3,
            domein="jongerenwerk",
            interventie="jongerencoaching",
            kosten=1_000.0 * (1 + o + p),
            deelnemers=1,
            **kw,
        )
        for o in range(orgs)
        for p in range(per_org)
    ]
    return project_frame(rows)


def test_reference_is_the_p10_under_the_published_percentile_rules():
    ref = cost_reference(reference_sector(orgs=10, per_org=5))
    [row] = ref.to_dicts()
    values = reference_sector(orgs=10, per_org=5)["kosten_per_deelnemer"]
    assert row["interventie"] == "jongerencoaching"
    assert row["p10"] == pytest.approx(values.quantile(0.10, interpolation="linear"))
    assert (row["organisaties"], row["projectjaren"]) == (10, 50)
    assert (row["eerste_jaar"], row["laatste_jaar"]) == (2023, 2025)
    # 49 values: too few below a P10 (min_tail 5); 4 organisations: too few organisations
    assert cost_reference(reference_sector(orgs=7, per_org=7)).height == 0
    assert cost_reference(reference_sector(orgs=4, per_org=20)).height == 0


def test_reference_leaves_incomplete_project_years_out():
    sector = reference_sector(orgs=10, per_org=5)
    incomplete = reference_sector(orgs=10, per_org=1).with_columns(
        pl.lit("X").alias("project_id"),
        pl.lit(0.0).alias("kosten"),
        pl.lit(0.0).alias("kosten_per_deelnemer"),
        pl.lit("onvolledig").alias("status"),
    )
    assert cost_reference(pl.concat([sector, incomplete])).equals(cost_reference(sector))


def test_intake_warns_against_the_reference_in_the_lake(tmp_path):
    """Real intake of a generated organisation: without a reference file no warning; with
    one (written as the benchmark asset writes it) a warning for every project-year far
    below it, and every row is still accepted."""
    [org] = generate_sector(orgs=1, seed=5)
    year = max(org.tables)
    interventions = org.tables[year]["project"]["interventie"].unique().to_list()

    def intake(home: Home) -> dict:
        write_exports(org, home.inbox)
        receive_org(home, org.organisatie_id)
        outcomes = accept_org(home, org.organisatie_id)
        assert {o.status for o in outcomes} == {"geaccepteerd"}
        reports = sorted(home.org_validation(org.organisatie_id).glob("*.json"))
        return {
            r["regel"]: r for path in reports for r in json.loads(path.read_text("utf-8"))["regels"]
        }

    plain = Home(tmp_path / "zonder").ensure()
    assert cost_norm(plain.lake) is None
    assert "kosten_per_deelnemer_laag" not in intake(plain)

    home = Home(tmp_path / "met").ensure()
    reference = pl.DataFrame({"interventie": interventions, "p10": [1e7] * len(interventions)})
    write_cost_reference(home.lake, reference.with_columns(
        pl.lit("x").alias("domein"), pl.lit(5).alias("organisaties"),
        pl.lit(50).alias("projectjaren"), pl.lit(2023).alias("eerste_jaar"),
        pl.lit(2025).alias("laatste_jaar"),
    ))  # fmt: skip
    assert Lake(home.lake).reference_path().is_file()
    norm_ = cost_norm(home.lake)
    assert norm_.fte == pytest.approx(FTE) and norm_.vrijwilliger == pytest.approx(VOL)
    found = intake(home)
    assert found["kosten_per_deelnemer_laag"]["ernst"] == WAARSCHUWING
    assert "per deelnemer" in found["kosten_per_deelnemer_laag"]["voorbeelden"][0]["melding"]


def test_rendement_check_warns_about_a_project_year_without_costs(tmp_path):
    [org] = [o for o in generate_sector(orgs=8, seed=3) if o.file_format == "xlsx"][:1]
    year = min(org.tables)
    tables = dict(org.tables[year])
    pid = tables["inzet"]["project_id"][0]
    tables["inzet"] = tables["inzet"].with_columns(
        pl.when(pl.col("project_id") == pid).then(0.0).otherwise(pl.col("fte_betaald"))
        .alias("fte_betaald"),
        pl.when(pl.col("project_id") == pid).then(0).otherwise(pl.col("vrijwilligers"))
        .alias("vrijwilligers"),
    )  # fmt: skip
    tables["kosten"] = tables["kosten"].filter(pl.col("project_id") != pid)
    path = tmp_path / f"export_{year}.xlsx"
    path.write_bytes(workbook_bytes(tables))
    result = subprocess.run(
        [sys.executable, "-m", "rendement.cli.main", "check", str(path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "RENDEMENT_HOME": str(tmp_path / "data")},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr  # a warning: accepted
    text = " ".join(result.stdout.split())
    assert f"Project {pid} heeft in {year} trajecten maar geen inzet of kosten" in text
    assert "alleen dit bestand" in text
    assert not Path(tmp_path / "data").exists()


def test_costs_of_other_years_do_not_start_the_check():
    """A delivery of the new year's trajectories, while only last year's costs were accepted
    so far: the costs of this year are still to come, so no project is blamed."""
    base = upload()
    last_year = {
        t: base[t].drop("_rij", "_bestand").with_columns(pl.lit(PERIOD - 1).alias("jaar"))
        for t in ("inzet", "kosten")
    }
    known = {"project": base["project"].drop("_rij", "_bestand"), **last_year}
    outcome = run({"traject": base["traject"]}, known=known)
    assert findings(outcome, "geen_kosten") == []
