"""The MKBA results in the warehouse of a real demo run: every null ratio has its reason, the
whole-period table adds up, and the published group ratios follow their cost cells."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from rendement.benchmark.basis import with_benchmark_basis


@pytest.fixture(scope="module")
def tables(demo_home) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(demo_home.warehouse), read_only=True) as con:
        return {
            name: con.sql(f"SELECT * FROM {name}").pl()
            for name in (
                "mkba.project",
                "mkba.project_looptijd",
                "mkba.schakelwaarden",
                "mkba.scenario",
                "benchmark.rendementsfactor",
                "benchmark.cellen",
            )
        }


def test_every_null_ratio_carries_its_reason(tables):
    project = tables["mkba.project"]
    assert set(project["status"].unique()) <= {"volledig", "onvolledig"}
    for col in ("bkr", "bkr_p05", "bkr_p95", "kosten_per_deelnemer", "ncw_per_deelnemer"):
        unexplained = project.filter(pl.col(col).is_null() & pl.col("reden").is_null())
        assert unexplained.is_empty(), (col, unexplained)
    incomplete = project.filter(pl.col("status") == "onvolledig")
    assert (incomplete["kosten"] <= 0).all()
    assert (project.filter(pl.col("status") == "volledig")["kosten"] > 0).all()
    scenario = tables["mkba.scenario"]
    assert scenario.filter(pl.col("bkr").is_null() & pl.col("reden").is_null()).is_empty()
    schakel = tables["mkba.schakelwaarden"]
    assert schakel.height == project.height
    for col in ("deadweight_bij_bkr_1", "attributie_bij_bkr_1", "eenheidswaarden_factor_bij_bkr_1"):
        assert schakel.filter(pl.col(col).is_null() & pl.col("reden").is_null()).is_empty(), col


def test_whole_period_adds_the_years_discounted_to_the_first(tables):
    project, looptijd = tables["mkba.project"], tables["mkba.project_looptijd"]
    keys = ["organisatie_id", "project_id"]
    assert looptijd.height == project.select(keys).unique().height
    expected = (
        project.with_columns(
            (1.0225 ** -(pl.col("jaar") - pl.col("jaar").min().over(keys))).alias("w")
        )
        .group_by(keys)
        .agg(
            (pl.col("kosten") * pl.col("w")).sum().alias("k"),
            (pl.col("baten") * pl.col("w")).sum().alias("b"),
            pl.len().alias("n"),
            (pl.col("status") == "onvolledig").any().alias("incomplete"),
        )
    )
    both = looptijd.join(expected, on=keys)
    assert both.height == looptijd.height
    assert ((both["kosten"] - both["k"]).abs() < 0.005).all()
    assert ((both["baten"] - both["b"]).abs() < 0.005).all()
    assert (both["jaren"] == both["n"]).all()
    assert (both["incomplete"] == (both["status"] == "onvolledig")).all()
    complete = both.filter(pl.col("status") == "volledig")
    assert ((complete["bkr"] - complete["b"] / complete["k"]).abs() < 1e-9).all()
    assert both.filter(pl.col("bkr").is_null() & pl.col("reden").is_null()).is_empty()


def test_published_group_ratios_are_sum_ratios_of_complete_years_under_their_cost_cell(tables):
    ratios, cells, project = (
        tables["benchmark.rendementsfactor"],
        tables["benchmark.cellen"],
        tables["mkba.project"],
    )
    assert (ratios["status"] == "gepubliceerd").any()
    assert (ratios["status"] != "gepubliceerd").any()  # both paths are exercised
    # each row counts the complete project-years of its basis (alle: both kinds together)
    complete = with_benchmark_basis(project.filter(pl.col("status") == "volledig"), "bench")
    cost_cells = cells.filter(
        (pl.col("maat") == "kosten") & (pl.col("statistiek") == "som") & pl.col("regio").is_null()
    )
    for row in ratios.iter_rows(named=True):
        cell = cost_cells.filter(
            (pl.col("tabel") == row["tabel"])
            & (pl.col("jaar") == row["jaar"])
            & (pl.col("domein") == row["domein"])
            & (pl.col("interventie").eq_missing(row["interventie"]))
            & (pl.col("basis") == row["basis"])
        )
        assert cell.height == 1, row
        if row["basis"] != "alle" and row["reden"] == "secundair":
            # a part whose other part is suppressed: never shown beside the total
            other = cost_cells.filter(
                (pl.col("tabel") == row["tabel"])
                & (pl.col("jaar") == row["jaar"])
                & (pl.col("domein") == row["domein"])
                & (pl.col("interventie").eq_missing(row["interventie"]))
                & pl.col("basis").is_in(["gemeten", "referentie"])
                & (pl.col("basis") != row["basis"])
            )
            assert other["status"][0] == "onderdrukt", row
        else:
            assert row["status"] == cell["status"][0]
        if row["status"] != "gepubliceerd":
            assert row["bkr"] is None and row["kosten"] is None and row["bkr_p05"] is None
            continue
        group = complete.filter(pl.col("jaar") == row["jaar"])
        if row["basis"] != "alle":
            group = group.filter(pl.col("bench") == row["basis"])
        if row["domein"] != "totaal":
            group = group.filter(pl.col("domein") == row["domein"])
        if row["interventie"] is not None:
            group = group.filter(pl.col("interventie") == row["interventie"])
        assert row["projecten"] == group.height
        assert row["bkr"] == pytest.approx(group["baten"].sum() / group["kosten"].sum())
        assert row["bkr_p05"] < row["bkr"] < row["bkr_p95"]
