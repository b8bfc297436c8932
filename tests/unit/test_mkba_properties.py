"""MKBA engine properties on realistic synthetic input (all four domains, several orgs)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from rendement.mkba import compute_mkba, load_parameters
from rendement.mkba.voorbeeld import generate

KEYS = ["organisatie_id", "project_id", "jaar"]


@pytest.fixture(scope="module")
def params():
    return load_parameters()


@pytest.fixture(scope="module")
def tables():
    return generate(n_orgs=4, projects_per_org=4, seed=11)


@pytest.fixture(scope="module")
def result(tables, params):
    return compute_mkba(tables, params, draws=2000)


def priced_welfare(params):
    return [pw.code for pw in params.uitkomsten if pw.gewaardeerd and not pw.transfer]


def test_every_project_year_once(result, tables):
    years = pl.concat([tables["inzet"].select(KEYS), tables["kosten"].select(KEYS)]).unique()
    assert result.project.height == years.height
    assert result.project.select(KEYS).is_duplicated().sum() == 0
    assert (result.project["baten"] >= 0).all()
    assert set(result.project["domein"]) == {
        "ouderen_eenzaamheid",
        "schulden_armoede",
        "activering",
        "jongerenwerk",
    }


def test_more_deadweight_never_raises_benefits(tables, params):
    previous = None
    for dw in (0.0, 0.1, 0.3, 0.6, 0.9):
        p = params.with_overrides(
            [(f"uitkomsten.{code}.deadweight", dw) for code in priced_welfare(params)]
        )
        baten = compute_mkba(tables, p, draws=10).project.sort(KEYS)["baten"].to_numpy()
        if previous is not None:
            assert (baten <= previous + 1e-9).all()
            assert baten.sum() < previous.sum()
        previous = baten


def test_zero_effect_project_has_ratio_zero(tables, params):
    flat = dict(tables)
    t0 = tables["meting"].filter(pl.col("moment") == "T0")
    flat["meting"] = pl.concat([t0, t0.with_columns(pl.lit("T1").alias("moment"))])
    # no trajectory ends 'afgerond' either, so nothing can be attributed to the project
    flat["traject"] = tables["traject"].with_columns(
        pl.when(pl.col("reden_einde").is_not_null()).then(pl.lit("voortijdig")).alias("reden_einde")
    )
    res = compute_mkba(flat, params, draws=200)
    assert (res.project["baten"] == 0).all()
    assert (res.project["bkr"] == 0).all()
    assert (res.project["transfers"] == 0).all()
    assert (res.project["bkr_p95"] == 0).all()


def test_doubling_all_costs_halves_the_ratio(tables, params):
    doubled = dict(tables)
    doubled["kosten"] = tables["kosten"].with_columns(pl.col("bedrag") * 2)
    doubled["inzet"] = tables["inzet"].with_columns(
        pl.col("fte_betaald") * 2, pl.col("vrijwilligers") * 2
    )
    base = compute_mkba(tables, params, draws=10).project.sort(KEYS)
    twice = compute_mkba(doubled, params, draws=10).project.sort(KEYS)
    np.testing.assert_allclose(twice["kosten"], 2 * base["kosten"], rtol=1e-12)
    np.testing.assert_allclose(twice["bkr"], base["bkr"] / 2, rtol=1e-12)


def test_monte_carlo_reproducible_and_interval_contains_base(tables, params, result):
    again = compute_mkba(tables, params, draws=2000)
    cols = ["ncw_p05", "ncw_p95", "bkr_p05", "bkr_p95"]
    assert result.project.select(cols).equals(again.project.select(cols))
    other = compute_mkba(tables, params, draws=2000, seed=1)
    assert not result.project.select(cols).equals(other.project.select(cols))
    p = result.project.filter(pl.col("baten") > 0)
    assert p.height > 0
    assert (p["ncw_p05"] <= p["ncw"]).all() and (p["ncw"] <= p["ncw_p95"]).all()
    assert (p["bkr_p05"] <= p["bkr"]).all() and (p["bkr"] <= p["bkr_p95"]).all()
    assert (p["bkr_p05"] < p["bkr_p95"]).all()


def test_scenarios_bracket_the_base_case(result):
    p = result.project.filter(pl.col("baten") > 0)
    assert (p["bkr_laag"] < p["bkr"]).all() and (p["bkr"] < p["bkr_hoog"]).all()
    basis = result.scenario.filter(pl.col("scenario") == "basis").sort(KEYS)
    np.testing.assert_allclose(basis["baten"], result.project.sort(KEYS)["baten"])


def test_transfers_never_enter_baten(tables, params, result):
    richer = params.with_overrides(
        [
            (f"uitkomsten.{pw.code}.eenheidswaarde", 100_000.0)
            for pw in params.uitkomsten
            if pw.transfer
        ]
    )
    res = compute_mkba(tables, richer, draws=10)
    np.testing.assert_allclose(
        res.project.sort(KEYS)["baten"], result.project.sort(KEYS)["baten"], rtol=1e-12
    )
    assert res.project["transfers"].sum() > 10 * result.project["transfers"].sum()
    welfare = (
        result.outcome.filter(~pl.col("is_transfer") & pl.col("gewaardeerd"))
        .group_by(KEYS)
        .agg(pl.col("pv").sum())
    )
    joined = result.project.join(welfare, on=KEYS, how="left").with_columns(
        pl.col("pv").fill_null(0)
    )
    np.testing.assert_allclose(joined["baten"], joined["pv"], rtol=1e-9, atol=1e-6)


def test_overrides_change_only_that_organisation_and_are_recorded(tables, params, result):
    overrides = pl.DataFrame(
        {
            "organisatie_id": ["ORG002"],
            "project_id": [None],
            "parameter": ["uitkomsten.schulden_gestabiliseerd.deadweight"],
            "waarde": [0.6],
            "toelichting": ["Eigen onderzoek: veel cliënten krijgen ook hulp van de kerk"],
        },
        schema_overrides={"project_id": pl.String},
    )
    res = compute_mkba(tables, params, overrides=overrides, draws=2000)
    before, after = result.project.sort(KEYS), res.project.sort(KEYS)
    changed = (before["baten"] - after["baten"]).abs() > 1e-6
    touched = after.filter(changed)
    assert touched.height > 0
    assert set(touched["organisatie_id"]) == {"ORG002"}
    assert set(touched["domein"]) == {"schulden_armoede"}
    assert (touched["baten"] < before.filter(changed)["baten"]).all()
    untouched = after.filter(pl.col("organisatie_id") != "ORG002")
    same = before.filter(pl.col("organisatie_id") != "ORG002")
    for col in ("kosten", "baten", "ncw", "bkr", "ncw_p05", "ncw_p95", "bkr_p05", "bkr_p95"):
        # equal up to float summation order (more parameter columns in the matrix product)
        np.testing.assert_allclose(untouched[col], same[col], rtol=1e-12)
    applied = res.overrides_applied
    org2_projects = tables["project"].filter(pl.col("organisatie_id") == "ORG002").height
    assert applied.height == org2_projects
    assert set(applied["organisatie_id"]) == {"ORG002"}
    assert (applied["waarde_standaard"] == 0.3).all() and (applied["waarde"] == 0.6).all()
    assert (applied["parameter_versie"] == params.version).all()
    ignored = compute_mkba(tables, params, overrides=overrides, apply_overrides=False, draws=2000)
    assert ignored.project.equals(result.project)
    assert ignored.overrides_applied.is_empty()


def test_project_specific_override_wins_and_needs_a_reason(tables, params):
    overrides = pl.DataFrame(
        {
            "organisatie_id": ["ORG001", "ORG001"],
            "project_id": [None, "P01"],
            "parameter": ["kosten.fte", "kosten.fte"],
            "waarde": [80_000.0, 90_000.0],
            "toelichting": ["eigen cao-inschaling", "senior team"],
        }
    )
    res = compute_mkba(tables, params, overrides=overrides, draws=10)
    applied = res.overrides_applied.sort("project_id")
    assert applied.filter(pl.col("project_id") == "P01")["waarde"].to_list() == [90_000.0]
    assert set(applied.filter(pl.col("project_id") != "P01")["waarde"]) == {80_000.0}
    with pytest.raises(ValueError, match="toelichting"):
        compute_mkba(
            tables, params, overrides=overrides.with_columns(pl.lit("").alias("toelichting"))
        )
    with pytest.raises(ValueError, match="parameterpad"):
        compute_mkba(
            tables,
            params,
            overrides=overrides.with_columns(pl.lit("discontovoet").alias("parameter")),
        )


def test_switching_values_solve_bcr_one(tables, params, result):
    row = (
        result.project.join(result.schakelwaarden, on=KEYS)
        .filter(pl.col("domein") == "schulden_armoede")
        .row(0, named=True)
    )
    x = row["deadweight_bij_bkr_1"]
    assert x is not None
    assert -5 < x < 1
    # set every priced welfare outcome's deadweight to x: the ratio is then exactly 1
    p = params.with_overrides(
        [
            (f"uitkomsten.{code}.deadweight", min(max(x, 0.0), 1.0))
            for code in priced_welfare(params)
        ]
    )
    if 0 <= x <= 1:
        again = compute_mkba(tables, p, draws=10).project
        bkr = again.filter(
            (pl.col("organisatie_id") == row["organisatie_id"])
            & (pl.col("project_id") == row["project_id"])
            & (pl.col("jaar") == row["jaar"])
        )["bkr"][0]
        assert bkr == pytest.approx(1.0)
    assert row["eenheidswaarden_factor_bij_bkr_1"] == pytest.approx(1 / row["bkr"])


def test_missing_tables_count_as_empty(params):
    tables = generate(n_orgs=1, projects_per_org=2, seed=2)
    res = compute_mkba({"inzet": tables["inzet"], "project": tables["project"]}, params, draws=50)
    assert (res.project["baten"] == 0).all() and (res.project["deelnemers"] == 0).all()
    assert (res.project["kosten"] > 0).all()


def test_a_project_gets_the_same_result_alone_as_in_the_sector(tables, params, result):
    org = "ORG003"
    alone = {name: df.filter(pl.col("organisatie_id") == org) for name, df in tables.items()}
    own = compute_mkba(alone, params, draws=2000).project.sort(KEYS)
    full = result.project.filter(pl.col("organisatie_id") == org).sort(KEYS)
    assert own.select(KEYS).equals(full.select(KEYS))
    for col in ("deelnemers", "kosten", "baten", "transfers", "bkr", "bkr_p05", "bkr_p95"):
        np.testing.assert_allclose(own[col], full[col], rtol=1e-9)


def test_an_override_may_price_a_counted_outcome(tables, params):
    overrides = pl.DataFrame(
        {
            "organisatie_id": ["ORG001"],
            "project_id": [None],
            "parameter": ["uitkomsten.participatie_treden.eenheidswaarde"],
            "waarde": [500.0],
            "toelichting": ["Gemeentelijke prijs per trede uit eigen onderzoek"],
        },
        schema_overrides={"project_id": pl.String},
    )
    res = compute_mkba(tables, params, overrides=overrides, draws=10)
    rows = res.outcome.filter(pl.col("uitkomst") == "participatie_treden")
    own = rows.filter(pl.col("organisatie_id") == "ORG001")
    others = rows.filter(pl.col("organisatie_id") != "ORG001")
    assert own.height > 0 and others.height > 0
    assert (own["waardering"] == "gewaardeerd").all() and (own["eenheidswaarde"] == 500).all()
    assert (others["waardering"] == "geteld").all() and others["pv"].is_null().all()
    plain = compute_mkba(tables, params, draws=10).project.sort(KEYS)
    with_override = res.project.sort(KEYS)
    raised = with_override["baten"] > plain["baten"] + 1e-9
    assert set(with_override.filter(raised)["organisatie_id"]) == {"ORG001"}


def test_monte_carlo_inputs_reproduce_the_published_interval(tables, params, result):
    from rendement.mkba.engine import monte_carlo_inputs
    from rendement.mkba.montecarlo import interval, ratio, simulate

    benefits, cost = simulate(*monte_carlo_inputs(tables, params), 2000, 20261128)
    p05, p95 = interval(ratio(benefits, cost))
    ordered = result.project  # compute_mkba keeps the project-years sorted by key
    np.testing.assert_allclose(p05, ordered["bkr_p05"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(p95, ordered["bkr_p95"].to_numpy(), rtol=1e-9)
