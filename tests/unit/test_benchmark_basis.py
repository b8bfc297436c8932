"""Measured and reference-based project-years apart (issue 18, point 8): the project-year's
basis, the benchmark cells per basis, the positions, the page look-up and the grade."""

from __future__ import annotations

import polars as pl
import pytest

from rendement.benchmark.basis import benchmark_basis, with_benchmark_basis
from rendement.benchmark.cells import CELL_COLUMNS, build_benchmarks
from rendement.benchmark.disclosure import DisclosureRules
from rendement.benchmark.published import Sector, split_ratios
from rendement.mkba.params import load_parameters
from rendement.mkba.reference import project_basis
from rendement.reports import evidence
from rendement.reports.tables import CellIndex
from tests.support.benchmark_rows import YEAR, base_sector, cell, frame, project

KEYS = ["organisatie_id", "project_id", "jaar"]


def _keys(*rows: tuple[str, str, int]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"organisatie_id": pl.String, "project_id": pl.String,
                                      "jaar": pl.Int64}, orient="row")  # fmt: skip


def test_project_basis_is_the_weakest_basis_of_a_reference_based_year():
    py = _keys(("A", "P1", 2024), ("B", "P1", 2024), ("C", "P1", 2024), ("D", "P1", 2024))
    quantities = pl.DataFrame(
        {
            "organisatie_id": ["A", "B", "B", "D"],
            "project_id": ["P1"] * 4,
            "jaar": [2024] * 4,
            "uitkomst": ["x", "x", "y", "x"],
            "basis": ["gemeten", "opgegeven", "referentie sector", "opgegeven"],
        }
    )
    reached = _keys(("B", "P1", 2024), ("C", "P1", 2024), ("D", "P1", 2024))
    got = project_basis(py, quantities, reached).to_list()
    # A measured; B an own count and a sector rate: the weaker; C a reach only; D an own count
    assert got == ["gemeten", "referentie sector", "opgegeven", "opgegeven"]
    assert project_basis(py, quantities, None).to_list() == ["gemeten"] * 4


def test_benchmark_basis_maps_every_project_basis_and_refuses_unknown_ones():
    frame_ = pl.DataFrame(
        {"basis": ["gemeten", "opgegeven", "referentie sector", "referentie literatuur", None]}
    )
    got = frame_.select(benchmark_basis(pl.col("basis")).alias("b"))["b"].to_list()
    assert got == ["gemeten", "referentie", "referentie", "referentie", "gemeten"]
    with pytest.raises(ValueError, match="vocabulary"):
        with_benchmark_basis(pl.DataFrame({"basis": ["geschat"]}))


def _mixed_sector() -> pl.DataFrame:
    """Six measured organisations everywhere; six more compute buddy projects by reference,
    with much higher ratios (the kind of shift that must not enter measured percentiles)."""
    rows = [{**r, "basis": "gemeten"} for r in base_sector()]
    for o in range(6):
        for p in range(2):
            r = project(
                f"REF{o}",
                f"R{o}{p}",
                domein="ouderen_eenzaamheid",
                interventie="maatjesproject",
                bkr=5.0 + o + p / 10,
                gemeten=0,
                verbeterd=0,
            )
            rows.append({**r, "basis": "referentie sector"})
    return frame([{k: v for k, v in r.items() if k != "basis"} for r in rows]).with_columns(
        pl.Series("basis", [r["basis"] for r in rows])
    )


def test_cells_split_by_basis_and_no_percentile_mixes_the_two():
    projects = _mixed_sector()
    cells = build_benchmarks(projects).cells
    assert cells.schema == pl.Schema(CELL_COLUMNS)
    stats = ["p10", "p25", "mediaan", "p75", "p90"]
    assert cells.filter(pl.col("statistiek").is_in(stats) & (pl.col("basis") == "alle")).is_empty()
    kw = {"interventie": "maatjesproject"}
    d = "ouderen_eenzaamheid"
    # counts: alle = gemeten + referentie
    n = {b: cell(cells, "interventie", d, "projecten", basis=b, **kw)["waarde"]
         for b in ("alle", "gemeten", "referentie")}  # fmt: skip
    assert n == {"alle": 18, "gemeten": 6, "referentie": 12}
    # the measured median is that of the measured projects alone (all 1.5), the reference
    # one that of the reference projects (5.0 … 10.1)
    measured = projects.filter((pl.col("basis") == "gemeten") & (pl.col("domein") == d))
    med_g = cell(cells, "domein", d, "bkr", "mediaan", basis="gemeten")
    assert med_g["waarde"] == round(measured["bkr"].quantile(0.5, "linear"), 2) == 1.5
    ref = projects.filter(pl.col("basis") != "gemeten")
    med_r = cell(cells, "domein", d, "bkr", "mediaan", basis="referentie")
    assert med_r["status"] == "gepubliceerd"
    assert med_r["waarde"] == round(ref["bkr"].quantile(0.5, "linear"), 2)
    # a measure without a reference value (no measured participants) is not made up
    share_r = cell(cells, "domein", d, "aandeel_verbeterd", basis="referentie")
    assert share_r["waarde"] is None


def test_positions_compare_within_the_same_basis():
    positie = build_benchmarks(_mixed_sector()).positie
    ref = positie.filter(pl.col("organisatie_id").str.starts_with("REF"))
    assert set(ref["basis"]) == {"referentie"}
    assert set(ref["vergelijking_projecten"]) == {12}  # the reference projects only
    buddy = positie.filter(
        (pl.col("interventie") == "maatjesproject") & (pl.col("basis") == "gemeten")
    )
    assert set(buddy["vergelijking_projecten"]) == {6}


def test_cell_index_reads_percentiles_per_basis_and_legacy_cells_as_alle():
    cells = build_benchmarks(_mixed_sector()).cells
    idx = CellIndex(cells)
    d = "ouderen_eenzaamheid"
    assert idx.value(YEAR, d, "bkr", "mediaan") == 1.5  # measured by default
    assert idx.value(YEAR, d, "bkr", "mediaan", basis="referentie") > 5
    assert idx.value(YEAR, d, "projecten", "aantal") == 6 * 3 + 12  # alle by default
    legacy = cells.filter(pl.col("basis") == "gemeten").drop("basis")  # a release before it
    assert CellIndex(legacy).value(YEAR, d, "bkr", "mediaan") == 1.5


def test_a_reference_based_outcome_is_graded_lower_and_says_why():
    assert evidence.grade("A", "gemeten") == "A"
    assert evidence.grade("A", "opgegeven") == "B"
    assert evidence.grade("C", "opgegeven") == "C"
    assert evidence.grade("A", "referentie sector") == "C"
    assert evidence.grade(None, "referentie literatuur") == "C"
    assert evidence.grade_text("A", "gemeten") == "graad A"
    assert evidence.grade_text("A", "referentie sector") == "graad C, referentie"
    assert evidence.grade_text("B", "opgegeven") == "graad C, opgegeven"
    assert evidence.weakest(["gemeten", "referentie sector", "opgegeven"]) == "referentie sector"
    assert evidence.weakest([]) == "gemeten"


def _sector_with(reference_orgs: int):
    rows = [{**r, "basis": "gemeten"} for r in base_sector()]
    for o in range(reference_orgs):
        r = project(f"REF{o}", "R1", domein="ouderen_eenzaamheid", interventie="maatjesproject")
        rows.append({**r, "basis": "referentie sector"})
    projects = frame([{k: v for k, v in r.items() if k != "basis"} for r in rows]).with_columns(
        pl.Series("basis", [r["basis"] for r in rows])
    )
    params = load_parameters()
    code = params.uitkomsten[0].code
    outcomes = projects.select(
        *KEYS,
        pl.lit(code).alias("uitkomst"),
        pl.lit(10.0).alias("hoeveelheid"),
        pl.lit(True).alias("gewaardeerd"),
        pl.lit(False).alias("is_transfer"),
    )
    kosten = projects.select(
        *KEYS,
        pl.lit("materiaal").alias("kostensoort"),
        pl.col("kosten").alias("bedrag"),
        pl.lit("eigen opgave").alias("herkomst"),
    )
    rules = DisclosureRules()
    cells = build_benchmarks(projects, rules).cells
    sector = Sector(projects, cells, rules, params, outcomes=outcomes, kosten=kosten)
    return split_ratios(sector, frozenset())


def test_a_ratio_split_is_shown_only_where_neither_part_is_suppressed():
    d = "ouderen_eenzaamheid"
    few = _sector_with(3)  # three reference organisations: their cells are suppressed
    own = few.filter((pl.col("tabel") == "domein") & (pl.col("domein") == d))
    status = dict(zip(own["basis"], zip(own["status"], own["reden"], strict=True), strict=True))
    assert status["alle"] == ("gepubliceerd", None)
    assert status["referentie"] == ("onderdrukt", "te_weinig_organisaties")
    assert status["gemeten"] == ("onderdrukt", "secundair")  # alle − gemeten would give it away
    other = few.filter((pl.col("tabel") == "domein") & (pl.col("domein") == "jongerenwerk"))
    assert set(other["basis"]) == {"alle", "gemeten"}  # no reference projects: nothing to hide
    assert set(other["status"]) == {"gepubliceerd"}
    many = _sector_with(6)
    own = many.filter((pl.col("tabel") == "domein") & (pl.col("domein") == d))
    assert set(own["status"]) == {"gepubliceerd"}
    by = {r["basis"]: r for r in own.iter_rows(named=True)}
    assert by["alle"]["kosten"] == pytest.approx(
        by["gemeten"]["kosten"] + by["referentie"]["kosten"]
    )
    assert by["alle"]["projecten"] == by["gemeten"]["projecten"] + by["referentie"]["projecten"]
