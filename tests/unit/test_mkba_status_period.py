"""MKBA engine: incomplete project-years, the project over its whole period, draws shared by
pathways that quote one reference value, and group ratios with joint draws."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from rendement.mkba import compute_mkba, load_parameters
from rendement.mkba.aggregate import group_ratios
from rendement.mkba.engine import LOOPTIJD_COLUMNS, PROJECT_COLUMNS, cost_ranges, pathway_ranges
from rendement.mkba.montecarlo import draw_values
from rendement.mkba.params import parse_parameters
from tests.support.mkba_tables import (
    hand_tables,
    simple_raw,
    two_years,
)


def test_a_year_with_participants_and_no_costs_is_incomplete_with_its_reason():
    params = parse_parameters(simple_raw())
    res = compute_mkba(two_years(kosten_2025=None), params, draws=100)
    assert res.project.columns == PROJECT_COLUMNS
    y = {r["jaar"]: r for r in res.project.iter_rows(named=True)}
    assert y[2025]["deelnemers"] == 5 and y[2025]["kosten"] == 0 and y[2025]["baten"] > 0
    assert y[2025]["status"] == "onvolledig"
    assert y[2025]["reden"] == "geen kosten over 2025 aangeleverd"
    for col in ("bkr", "bkr_p05", "bkr_p95", "bkr_laag", "bkr_hoog", "kosten_per_deelnemer"):
        assert y[2025][col] is None, col
    assert y[2024]["status"] == "volledig" and y[2024]["reden"] is None
    assert y[2024]["bkr"] == pytest.approx(y[2024]["baten"] / y[2024]["kosten"])
    # switching values: none for the incomplete year, each null with its reason
    s = {r["jaar"]: r for r in res.schakelwaarden.iter_rows(named=True)}
    assert s[2025]["deadweight_bij_bkr_1"] is None
    assert s[2025]["eenheidswaarden_factor_bij_bkr_1"] is None
    assert s[2025]["reden"] == "geen kosten over 2025 aangeleverd"
    assert s[2024]["deadweight_bij_bkr_1"] is not None and s[2024]["reden"] is None
    sc = res.scenario.filter(pl.col("jaar") == 2025)
    assert sc["bkr"].null_count() == 3
    assert sc["reden"].to_list() == ["geen kosten over 2025 aangeleverd"] * 3
    assert res.scenario.filter(pl.col("jaar") == 2024)["reden"].null_count() == 3
    # the whole period inherits it: no ratio, the year named
    lt = res.looptijd.row(0, named=True)
    assert lt["status"] == "onvolledig" and lt["bkr"] is None
    assert lt["reden"] == "geen kosten over 2025 aangeleverd"


def test_costs_without_participants_keep_the_ratio_and_say_why_per_participant_is_empty():
    tables = hand_tables()
    tables["traject"] = tables["traject"].clear()
    tables["meting"] = tables["meting"].clear()
    res = compute_mkba(tables, parse_parameters(simple_raw()), draws=50)
    row = res.project.row(0, named=True)
    assert row["status"] == "volledig" and row["bkr"] == 0.0
    assert row["kosten_per_deelnemer"] is None
    assert row["reden"] == "geen deelnemers in 2025 geregistreerd: geen bedragen per deelnemer"
    s = res.schakelwaarden.row(0, named=True)
    assert s["deadweight_bij_bkr_1"] is None
    assert s["reden"].startswith("geen gewaardeerde baten in 2025")


def test_whole_period_discounts_every_year_to_the_first():
    params = parse_parameters(simple_raw())
    res = compute_mkba(two_years(), params, draws=400)
    assert res.looptijd.columns == LOOPTIJD_COLUMNS
    y = {r["jaar"]: r for r in res.project.iter_rows(named=True)}
    lt = res.looptijd.row(0, named=True)
    d = 1.0225
    kosten = y[2024]["kosten"] + y[2025]["kosten"] / d
    baten = y[2024]["baten"] + y[2025]["baten"] / d
    assert (lt["eerste_jaar"], lt["laatste_jaar"], lt["jaren"]) == (2024, 2025, 2)
    assert lt["deelnemers"] == 8  # distinct clients over both years
    assert lt["kosten"] == pytest.approx(kosten, abs=0.005)
    assert lt["baten"] == pytest.approx(baten, abs=0.005)
    assert lt["ncw"] == pytest.approx(baten - kosten, abs=0.005)
    assert lt["bkr"] == pytest.approx(baten / kosten)
    assert lt["status"] == "volledig" and lt["reden"] is None
    assert lt["bkr_laag"] < lt["bkr_p05"] <= lt["bkr"] <= lt["bkr_p95"] < lt["bkr_hoog"]
    # the period's interval lies between those of its years (costs and benefits are pooled)
    lo = min(y[2024]["bkr_p05"], y[2025]["bkr_p05"])
    hi = max(y[2024]["bkr_p95"], y[2025]["bkr_p95"])
    assert lo <= lt["bkr_p05"] and lt["bkr_p95"] <= hi


def test_a_reference_value_quoted_by_several_pathways_is_drawn_once_per_iteration():
    params = load_parameters()
    codes = [pw.code for pw in params.uitkomsten]
    wellby = [i for i, pw in enumerate(params.uitkomsten) if "WELLBY" in pw.eenheidswaarde.eenheid]
    assert len(wellby) >= 3, codes
    pr, cr = pathway_ranges([params]), cost_ranges([params])
    values, _ = draw_values(pr, cr, 500, 20261128)
    ev = values["eenheidswaarde"]
    for j in wellby[1:]:
        np.testing.assert_array_equal(ev[:, j], ev[:, wellby[0]])
    # pathway-specific parameters still draw independently
    dw = values["deadweight"]
    assert abs(np.corrcoef(dw[:, wellby[0]], dw[:, wellby[1]])[0, 1]) < 0.2
    # and a value quoted once keeps a draw of its own
    other = codes.index("schulden_gestabiliseerd")
    assert abs(np.corrcoef(ev[:, other], ev[:, wellby[0]])[0, 1]) < 0.2


def test_group_ratio_is_the_sum_ratio_with_a_joint_interval():
    params = parse_parameters(simple_raw())
    orgs = [f"ORG{i:03d}" for i in range(1, 5)]
    tables: dict[str, list] = {
        "project": [],
        "traject": [],
        "meting": [],
        "inzet": [],
        "kosten": [],
    }
    for n, org in enumerate(orgs):
        t = hand_tables(improved=2 + n, personeel=20_000.0 + 5_000 * n)
        for name, frame in t.items():
            tables[name].append(frame.with_columns(pl.lit(org).alias("organisatie_id")))
    # one incomplete project-year: participants, no costs; it must not count
    extra = two_years(kosten_2025=None)
    for name, frame in extra.items():
        tables[name].append(
            frame.with_columns(
                pl.lit("ORG009").alias("organisatie_id"), pl.lit("P9").alias("project_id")
            )
        )
    combined = {k: pl.concat(v, how="diagonal_relaxed") for k, v in tables.items()}
    res = compute_mkba(combined, params, draws=2000)
    ratios = group_ratios(res.project, res.outcome, res.kosten, params, draws=2000)
    cell = ratios.filter(
        (pl.col("tabel") == "domein")
        & (pl.col("domein") == "schulden_armoede")
        & (pl.col("jaar") == 2025)
    ).row(0, named=True)
    complete = res.project.filter((pl.col("jaar") == 2025) & (pl.col("status") == "volledig"))
    assert cell["projecten"] == complete.height == 4
    assert cell["organisaties"] == 4
    assert cell["kosten"] == pytest.approx(complete["kosten"].sum())
    assert cell["baten"] == pytest.approx(complete["baten"].sum())
    assert cell["bkr"] == pytest.approx(complete["baten"].sum() / complete["kosten"].sum())
    assert cell["bkr_p05"] < cell["bkr"] < cell["bkr_p95"]
    # joint draws: with every parameter shared, the group's interval is about as wide (relative
    # to its ratio) as its projects' intervals, not narrowed by averaging independent draws
    widths = (complete["bkr_p95"] - complete["bkr_p05"]) / complete["bkr"]
    assert (cell["bkr_p95"] - cell["bkr_p05"]) / cell["bkr"] >= 0.8 * widths.min()
    # switching value of the group: the common deadweight at which Σ baten = Σ kosten
    assert cell["eenheidswaarden_factor_bij_bkr_1"] == pytest.approx(1 / cell["bkr"])
