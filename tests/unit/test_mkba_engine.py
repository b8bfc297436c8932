"""MKBA engine: small cases computed by hand and with numpy_financial as an independent check."""

from __future__ import annotations

import datetime as dt

import numpy_financial as npf
import polars as pl
import pytest

from rendement.mkba import compute_mkba, load_parameters
from rendement.mkba.engine import PROJECT_COLUMNS
from rendement.mkba.params import parse_parameters
from tests.support.mkba_tables import ORG, frames, hand_tables, simple_raw


def test_hand_case_matches_numpy_financial_to_the_cent():
    params = parse_parameters(simple_raw())
    res = compute_mkba(hand_tables(), params, draws=200)
    row = res.project.row(0, named=True)
    impact1 = 4 * 1000 * (1 - 0.2) * (1 - 0.1) * (1 - 0.25)  # 2160
    assert impact1 == pytest.approx(2160)
    stream = [0.0, impact1, impact1 * 0.5, impact1 * 0.25]
    pv = npf.npv(0.0225, stream)  # npf.npv discounts the first element at t = 0
    by_hand = 2160 / 1.0225 + 1080 / 1.0225**2 + 540 / 1.0225**3
    assert pv == pytest.approx(by_hand, abs=1e-9)
    assert round(row["baten"], 2) == round(pv, 2)
    assert round(row["kosten"], 2) == 50_000.00  # year-0 costs are not discounted
    assert round(row["ncw"], 2) == round(pv - 50_000, 2)
    assert row["bkr"] == pytest.approx(pv / 50_000)
    assert row["deelnemers"] == 5
    assert row["deelnemers_gemeten"] == 5
    assert row["deelnemers_verbeterd"] == 4
    assert row["trajecten_afgerond"] == 4
    assert row["parameter_versie"] == params.version
    assert row["prijsjaar"] == 2025 and row["discontovoet"] == 0.0225


def test_outcome_rows_split_pv_over_stakeholders():
    params = parse_parameters(simple_raw())
    res = compute_mkba(hand_tables(), params, draws=50)
    out = res.outcome.filter(pl.col("uitkomst") == "schulden_test").sort("baathebber")
    assert out["baathebber"].to_list() == ["gemeente", "schuldeisers"]
    total = res.project["baten"][0]
    assert out["pv"].to_list() == pytest.approx([0.6 * total, 0.4 * total])
    first = out.row(0, named=True)
    assert first["hoeveelheid"] == 4 and first["eenheidswaarde"] == 1000
    assert first["impact_jaar1"] == pytest.approx(2160)
    assert first["duur"] == 3 and first["waardering"] == "gewaardeerd"
    assert not first["is_transfer"]


def test_zero_discount_rate_equals_the_plain_sum():
    params = parse_parameters(simple_raw(rate=0.0))
    res = compute_mkba(hand_tables(), params, draws=50)
    assert round(res.project["baten"][0], 2) == round(2160 + 1080 + 540, 2)


def test_transfer_is_shown_apart_with_gain_and_loss():
    params = parse_parameters(simple_raw())
    res = compute_mkba(hand_tables(), params, draws=50)
    # 4 afgeronde schuldhulptrajecten × 4 maanden × € 1.345,45 × (1 − 0,5) × (1 − 0,25)
    first_year = 4 * 4 * 1345.45 * 0.5 * 0.75
    expected = npf.npv(0.0225, [0.0, first_year])
    assert round(res.project["transfers"][0], 2) == round(expected, 2)
    tr = res.outcome.filter(pl.col("is_transfer")).sort("baathebber")
    assert tr["baathebber"].to_list() == ["client", "gemeente"]
    assert tr["pv"].to_list() == pytest.approx([-expected, expected])
    welfare = res.outcome.filter(~pl.col("is_transfer"))["pv"].sum()
    assert res.project["baten"][0] == pytest.approx(welfare)


def test_costs_indexed_to_the_price_year():
    params = parse_parameters(simple_raw())
    res = compute_mkba(hand_tables(jaar_kosten=2025), params, draws=20)
    tables = hand_tables()
    tables["kosten"] = tables["kosten"].vstack(
        frames(
            kosten=[
                dict(
                    organisatie_id=ORG,
                    project_id="P1",
                    jaar=2024,
                    kostensoort="materiaal",
                    bedrag=1000.0,
                )
            ]
        )["kosten"]
    )
    res = compute_mkba(tables, params, draws=20)
    row2024 = res.project.filter(pl.col("jaar") == 2024).row(0, named=True)
    assert row2024["kosten"] == pytest.approx(1000.0 * 134.52 / 130.22)
    assert row2024["fte"] == 0.0  # a year with kosten but no inzet is still a project-year


def test_standard_fte_cost_unless_own_personnel_lines():
    params = parse_parameters(simple_raw())
    tables = hand_tables()
    tables["kosten"] = tables["kosten"].with_columns(pl.lit("materiaal").alias("kostensoort"))
    res = compute_mkba(tables, params, draws=20)
    fte_cost = 70_000 * 134.52 / 130.22  # standard cost of 2024 in 2025 euros
    assert res.project["kosten"][0] == pytest.approx(50_000 + fte_cost)
    lines = res.kosten.sort("kostensoort")
    assert lines["herkomst"].to_list() == ["eigen opgave", "standaard"]
    own = compute_mkba(hand_tables(), params, draws=20)
    assert own.kosten["herkomst"].to_list() == ["eigen opgave"]


def test_volunteer_cost_per_volunteer():
    params = parse_parameters(simple_raw())
    tables = hand_tables()
    tables["inzet"] = tables["inzet"].with_columns(pl.lit(10, pl.Int64).alias("vrijwilligers"))
    res = compute_mkba(tables, params, draws=20)
    assert res.project["kosten"][0] == pytest.approx(50_000 + 10 * (400 + 250))


def test_project_frame_has_exactly_the_interface_columns():
    res = compute_mkba(hand_tables(), load_parameters(), draws=20)
    assert res.project.columns == PROJECT_COLUMNS
    assert res.project.height == 1
    assert set(res.scenario["scenario"]) == {"laag", "basis", "hoog"}
    assert res.overrides_applied.is_empty()


def test_counted_outcomes_have_no_euro_value():
    res = compute_mkba(hand_tables(), load_parameters(), draws=20)
    counted = res.outcome.filter(pl.col("uitkomst") == "minder_incassokosten")
    assert counted["waardering"].to_list() == ["geteld"]
    assert counted["pv"].is_null().all() and counted["eenheidswaarde"].is_null().all()
    assert counted["hoeveelheid"].to_list() == [4.0]


def test_zero_cost_gives_null_ratio():
    params = parse_parameters(simple_raw())
    tables = hand_tables(personeel=0.0)
    tables["inzet"] = tables["inzet"].with_columns(pl.lit(0.0).alias("fte_betaald"))
    res = compute_mkba(tables, params, draws=20)
    row = res.project.row(0, named=True)
    assert row["kosten"] == 0 and row["bkr"] is None and row["bkr_p05"] is None
    assert row["ncw"] == pytest.approx(row["baten"])


def test_onderdeel_codes_are_normalised():
    params = parse_parameters(simple_raw())
    tables = hand_tables()
    tables["meting"] = tables["meting"].with_columns(pl.lit("Financiën").alias("onderdeel"))
    res = compute_mkba(tables, params, draws=20)
    assert res.outcome.filter(pl.col("uitkomst") == "schulden_test")["hoeveelheid"][0] == 4


def test_outcomes_outside_project_years_are_not_booked():
    params = parse_parameters(simple_raw())
    tables = hand_tables()
    # the T1 measurements fall in 2026, a year without inzet or kosten
    tables["meting"] = tables["meting"].with_columns(
        pl.when(pl.col("moment") == "T1")
        .then(pl.lit(dt.date(2026, 3, 1)))
        .otherwise(pl.col("datum"))
        .alias("datum")
    )
    res = compute_mkba(tables, params, draws=20)
    assert res.project["jaar"].to_list() == [2025]
    assert res.project["baten"][0] == 0
