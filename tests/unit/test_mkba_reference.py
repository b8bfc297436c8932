"""MKBA by reference: project-years without measurements get their outcome quantities from the
organisation's own counts, the sector's pooled rate (≥ 5 organisations, with its interval) or
a literature rate; each quantity says which, and the rate's uncertainty widens the interval."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest

from rendement.core.lake import Lake
from rendement.mkba import compute_mkba
from rendement.mkba.params import parse_parameters
from rendement.mkba.reference import (
    MIN_ORGANISATIONS,
    lake_rates,
    rates_from_lake,
    sector_rates,
)
from tests.support.mkba_tables import (
    frames,
    inzet_row,
    kosten_row,
    measured_sector,
    project_row,
    simple_raw,
)

REF = "ORG900"
DRAWS = 400


def _sheet_org(outcome_count: int | None = None) -> dict[str, pl.DataFrame]:
    """An organisation without trajectories: a project sheet (100 people reached), inzet and
    kosten; optionally its own count of the outcome."""
    sheet = [
        dict(
            organisatie_id=REF,
            project_id="P1",
            jaar=2025,
            soort="realisatie",
            uitkomst=None,
            bereikt=100,
            contacten=600,
            afgerond=None,
            aantal=None,
            vastgesteld=None,
        )
    ]
    if outcome_count is not None:
        sheet.append(
            dict(
                organisatie_id=REF,
                project_id="P1",
                jaar=2025,
                soort="realisatie",
                uitkomst="schulden_test",
                bereikt=None,
                contacten=None,
                afgerond=None,
                aantal=outcome_count,
                vastgesteld="registratie",
            )
        )
    return frames(
        project=[project_row(org=REF)],
        inzet=[inzet_row(org=REF, uren=1400.0, uren_vrijwilligers=0.0)],
        kosten=[kosten_row(2025, 40_000.0, org=REF)],
        projectopgave=sheet,
    )


def _join(*parts: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    names = {n for p in parts for n in p}
    return {n: pl.concat([p[n] for p in parts if n in p]) for n in names}


def _own(result, org=REF):
    keep = pl.col("organisatie_id") == org
    return result.project.filter(keep).row(0, named=True), result.outcome.filter(keep)


@pytest.fixture(scope="module")
def params():
    return parse_parameters(simple_raw())


@pytest.fixture(scope="module")
def measured(params):
    tables = measured_sector(MIN_ORGANISATIONS)
    return tables, compute_mkba(tables, params, draws=DRAWS)


def test_sector_rate_pools_measured_projects_with_an_interval(measured):
    _tables, result = measured
    rates = sector_rates(result.project, result.outcome)
    row = rates.filter(pl.col("uitkomst") == "schulden_test").row(0, named=True)
    assert row["interventie"] == "schuldhulpverlening"
    assert (row["organisaties"], row["deelnemers"]) == (5, 50)
    # org k improves k + 2 of 10: 2..6 → 20 of 50
    assert row["rate"] == pytest.approx(20 / 50)
    assert 0 < row["rate_laag"] < row["rate"] < row["rate_hoog"]


def test_no_sector_rate_below_five_organisations(params):
    tables = measured_sector(MIN_ORGANISATIONS - 1)
    result = compute_mkba(tables, params, draws=DRAWS)
    assert sector_rates(result.project, result.outcome).is_empty()


def test_reference_project_gets_the_sector_rate_and_a_wider_interval(params, measured):
    tables, result = measured
    rates = sector_rates(result.project, result.outcome)
    both = _join(tables, _sheet_org())
    with_ref = compute_mkba(both, params, draws=DRAWS, rates=rates)
    project, outcome = _own(with_ref)
    quantity = outcome.filter(pl.col("uitkomst") == "schulden_test").row(0, named=True)
    assert quantity["basis"] == "referentie sector"
    assert quantity["hoeveelheid"] == pytest.approx(0.4 * 100)
    assert project["deelnemers"] == 100 and project["baten"] > 0
    whole = with_ref.looptijd.filter(pl.col("organisatie_id") == REF).row(0, named=True)
    assert whole["deelnemers"] == 100 and whole["baten"] == pytest.approx(project["baten"])
    # the same rate without spread: a narrower interval, the same base case
    exact = rates.with_columns(pl.col("rate").alias("rate_laag"), pl.col("rate").alias("rate_hoog"))
    narrow, _ = _own(compute_mkba(both, params, draws=DRAWS, rates=exact))
    assert narrow["baten"] == pytest.approx(project["baten"])
    assert project["bkr_p95"] - project["bkr_p05"] > narrow["bkr_p95"] - narrow["bkr_p05"]
    # measured organisations are not touched by the reference organisation next to them
    keep = pl.col("organisatie_id") != REF
    assert with_ref.project.filter(keep).equals(result.project)
    assert with_ref.outcome.filter(keep).drop("basis").equals(result.outcome.drop("basis"))
    assert set(with_ref.outcome.filter(keep)["basis"]) == {"gemeten"}


def test_own_count_comes_first(params, measured):
    _tables, result = measured
    rates = sector_rates(result.project, result.outcome)
    res = compute_mkba(_sheet_org(outcome_count=30), params, draws=DRAWS, rates=rates)
    _project, outcome = _own(res)
    row = outcome.filter(pl.col("uitkomst") == "schulden_test").row(0, named=True)
    assert (row["basis"], row["hoeveelheid"]) == ("opgegeven", 30.0)


def test_literature_rate_when_the_sector_has_none():
    raw = simple_raw(
        referentie={"laag": 0.1, "basis": 0.2, "hoog": 0.3, "bron": "test", "graad": "C"}
    )
    res = compute_mkba(_sheet_org(), parse_parameters(raw), draws=DRAWS)
    _project, outcome = _own(res)
    row = outcome.filter(pl.col("uitkomst") == "schulden_test").row(0, named=True)
    assert (row["basis"], row["hoeveelheid"]) == ("referentie literatuur", pytest.approx(20.0))


def test_literature_rate_needs_a_source():
    raw = simple_raw(referentie={"laag": 0.1, "basis": 0.2, "hoog": 0.3})
    with pytest.raises(ValueError, match="referentie: bron ontbreekt"):
        parse_parameters(raw)


def test_without_any_basis_nothing_is_priced_but_reach_is_counted(params):
    res = compute_mkba(_sheet_org(), params, draws=DRAWS)
    project, outcome = _own(res)
    assert outcome.filter(pl.col("uitkomst") == "schulden_test").is_empty()
    assert project["deelnemers"] == 100 and project["baten"] == 0
    assert np.isfinite(project["kosten"])


def test_activities_give_the_reach_when_there_is_no_sheet(params, measured):
    _tables, result = measured
    rates = sector_rates(result.project, result.outcome)
    tables = _sheet_org()
    del tables["projectopgave"]
    tables |= frames(
        activiteit=[
            dict(
                organisatie_id=REF,
                activiteit_id="A1",
                project_id="P1",
                naam=None,
                vorm="groep",
                startdatum=dt.date(2025, 1, 6),
                einddatum=dt.date(2025, 12, 1),
                bijeenkomsten=40,
                aanwezigheden=900,
                unieke_deelnemers=25,
                uren_vrijwilligers=None,
            )
        ]
    )
    project, outcome = _own(compute_mkba(tables, params, draws=DRAWS, rates=rates))
    assert project["deelnemers"] == 25
    assert outcome.filter(pl.col("uitkomst") == "schulden_test")["hoeveelheid"][0] == (
        pytest.approx(0.4 * 25)
    )


def test_rates_from_the_lake_leave_blocked_organisations_out(tmp_path, measured):
    _tables, result = measured
    lake = Lake(tmp_path / "lake")
    for org in result.project["organisatie_id"].unique().sort():
        keep = pl.col("organisatie_id") == org
        lake.write(result.project.filter(keep), lake.mkba_path("project", org))
        lake.write(result.outcome.filter(keep), lake.mkba_path("uitkomst", org))
    assert rates_from_lake(lake).equals(sector_rates(result.project, result.outcome))
    # one organisation's latest upload refused as a whole: 4 left, no rate
    lake.status_path("ORG003").parent.mkdir(parents=True, exist_ok=True)
    lake.status_path("ORG003").write_text(json.dumps({"geblokkeerd": True}), "utf-8")
    assert rates_from_lake(lake).is_empty()
    assert lake_rates(lake) is None
