"""Plans (ex ante): a project sheet of soort raming gets an expected MKBA on the same reference
basis as a realisation, with its interval, in its own table; it never changes a realised
figure, and its costs come from its budget, else the project's latest realised year."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from rendement.mkba import compute_mkba
from rendement.mkba.batch import compute_per_organisation
from rendement.mkba.params import parse_parameters
from rendement.mkba.plans import NO_COSTS_REASON, compute_plans
from rendement.mkba.reference import sector_rates
from tests.support.mkba_tables import (
    frames,
    inzet_row,
    kosten_row,
    measured_sector,
    project_row,
    simple_raw,
)

PLANNER = "ORG900"
DRAWS = 300
PARAMS = parse_parameters(simple_raw())


def _rates() -> pl.DataFrame:
    sector = compute_mkba(measured_sector(), PARAMS, draws=DRAWS)
    return sector_rates(sector.project, sector.outcome)


def _sheet(pid="P1", jaar=2026, soort="raming", **kw) -> dict:
    row = dict(
        organisatie_id=PLANNER,
        project_id=pid,
        jaar=jaar,
        soort=soort,
        uitkomst=None,
        bereikt=100,
        contacten=None,
        afgerond=None,
        aantal=None,
        vastgesteld=None,
        begroting=None,
        kwalitatieve_effecten=None,
    )
    row.update(kw)
    return row


def _planner(**tables) -> dict[str, pl.DataFrame]:
    rows = {"project": [project_row(org=PLANNER), project_row(pid="P2", org=PLANNER)]}
    rows.update(tables)
    return frames(**rows)


def test_a_plan_gets_the_expected_mkba_of_the_same_reach_by_reference():
    rates = _rates()
    plan = _planner(projectopgave=[_sheet(begroting=40_000.0)])
    expected = compute_plans(plan, PARAMS, rates=rates, draws=DRAWS)
    assert expected.height == 1
    row = expected.row(0, named=True)
    assert (row["jaar"], row["bereikt"], row["kostenbron"]) == (2026, 100, "begroting")
    assert row["basis"] == "referentie sector" and row["status"] == "volledig"
    # the same reach and costs realised in 2026 give the same figures: one method
    realised = compute_mkba(
        _planner(
            projectopgave=[_sheet(soort="realisatie")],
            kosten=[
                dict(
                    organisatie_id=PLANNER,
                    project_id="P1",
                    jaar=2026,
                    kostensoort="overhead",
                    bedrag=40_000.0,
                )
            ],
        ),
        PARAMS,
        draws=DRAWS,
        rates=rates,
    ).project.row(0, named=True)
    for column in ("kosten", "baten", "transfers", "ncw", "bkr", "bkr_p05", "bkr_p95"):
        assert row[column] == realised[column], column
    # the reference rate's uncertainty is in the interval
    assert row["bkr_p05"] < row["bkr"] < row["bkr_p95"]


def test_a_plan_never_changes_a_realised_figure():
    rates = _rates()
    realised = [_sheet(jaar=2025, soort="realisatie")]
    base = _planner(
        projectopgave=realised,
        inzet=[inzet_row(org=PLANNER, uren=1400.0, uren_vrijwilligers=0.0)],
        kosten=[kosten_row(2025, 30_000.0, org=PLANNER)],
    )
    with_plans = dict(base)
    with_plans["projectopgave"] = pl.concat(
        [
            base["projectopgave"],
            frames(
                projectopgave=[
                    _sheet(jaar=2025, bereikt=900, begroting=1.0),  # same year as realised
                    _sheet(jaar=2026, bereikt=500),
                    _sheet(
                        pid="P2",
                        jaar=2026,
                        uitkomst="schulden_test",
                        bereikt=None,
                        aantal=50,
                        vastgesteld="schatting",
                    ),
                ]
            )["projectopgave"],
        ]
    )
    a = compute_mkba(base, PARAMS, draws=DRAWS, rates=rates)
    b = compute_mkba(with_plans, PARAMS, draws=DRAWS, rates=rates)
    for frame in ("project", "outcome", "scenario", "kosten", "looptijd"):
        assert getattr(a, frame).equals(getattr(b, frame)), frame
    per_org = compute_per_organisation({PLANNER: with_plans}, PARAMS, draws=DRAWS, rates=rates)
    assert per_org[PLANNER].standaard.project.equals(a.project)
    plans = per_org[PLANNER].raming
    # the plan of P2 has no totals row (no reach): nothing to estimate
    assert sorted(plans.select("project_id", "jaar").rows()) == [("P1", 2025), ("P1", 2026)]


def test_plan_costs_come_from_the_budget_else_the_latest_realised_year_else_none():
    plan = _planner(
        projectopgave=[
            _sheet(begroting=25_000.0),
            _sheet(pid="P2"),
            _sheet(pid="P2", jaar=2027),
        ],
        inzet=[
            inzet_row(2023, 0.3, org=PLANNER, pid="P2"),
            inzet_row(2024, 0.5, org=PLANNER, pid="P2"),
        ],
        kosten=[
            kosten_row(2024, 20_000.0, pid="P2", org=PLANNER),
            dict(
                organisatie_id=PLANNER,
                project_id="P2",
                jaar=2024,
                kostensoort="materiaal",
                bedrag=1_500.0,
            ),
        ],
    )
    out = compute_plans(plan, PARAMS, draws=DRAWS).sort("project_id", "jaar")
    assert out["kostenbron"].to_list() == ["begroting", "eerder jaar", "eerder jaar"]
    # P2's plans cost what its latest realised year (2024: own staff and material lines,
    # in euros of 2024) cost, in euros of the price year: indexed once, from 2024
    realised = compute_mkba(plan, PARAMS, draws=DRAWS).project.filter(pl.col("project_id") == "P2")
    cost_2024 = realised.filter(pl.col("jaar") == 2024)["kosten"][0]
    assert cost_2024 == pytest.approx(21_500.0 * PARAMS.index_factor(2024))
    assert out["kosten"].to_list()[1:] == [pytest.approx(cost_2024)] * 2
    assert out["kosten"][0] == 25_000.0 * PARAMS.index_factor(2026)

    alone = _planner(projectopgave=[_sheet(pid="P2")])
    row = compute_plans(alone, PARAMS, draws=DRAWS).row(0, named=True)
    assert (row["kostenbron"], row["kosten"], row["status"]) == ("geen", 0.0, "onvolledig")
    assert row["bkr"] is None and row["reden"] == NO_COSTS_REASON


def test_a_plan_with_own_outcome_counts_rests_on_them():
    plan = _planner(
        projectopgave=[
            _sheet(begroting=10_000.0),
            _sheet(uitkomst="schulden_test", bereikt=None, aantal=20, vastgesteld="schatting"),
        ]
    )
    row = compute_plans(plan, PARAMS, draws=DRAWS).row(0, named=True)
    assert row["basis"] == "opgegeven"
    assert row["baten"] > 0 and row["bkr_p05"] <= row["bkr"] <= row["bkr_p95"]


def test_no_sector_code_reads_the_plans():
    """The benchmark, the release, the public folder and the sector's pages never name the
    plans' table or field: a raming can only reach the organisation's own report."""
    root = Path(__file__).resolve().parents[2]
    sector_code = [
        *sorted((root / "rendement" / "benchmark").glob("*.py")),
        *sorted((root / "rendement" / "release").glob("*.py")),
        root / "assets" / "benchmark_assets.py",
        *(
            root / "rendement" / "reports" / f"{name}.py"
            for name in ("sector", "public", "comparison", "index", "release_pages", "charts")
        ),
    ]
    assert len(sector_code) > 8
    for path in sector_code:
        text = path.read_text("utf-8").lower()
        assert "raming" not in text, f"{path.relative_to(root)} reads the plans"
