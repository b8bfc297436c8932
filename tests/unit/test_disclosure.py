"""Disclosure control on generic frames of cells with per-organisation contributions."""

from __future__ import annotations

import dataclasses
import json

import polars as pl
import pytest

from rendement.benchmark.disclosure import (
    DOMINANCE,
    EMPTY,
    FEW_VALUES,
    PUBLISHED,
    REASONS,
    SECONDARY,
    SMALL_COUNT,
    SUPPRESSED,
    TOO_FEW_ORGS,
    DisclosureRules,
    additive_groups,
    legend,
    primary_suppression,
    recoverable_cells,
    rounded_count,
    secondary_suppression,
)


def contributions(cells: dict[str, list[float]]) -> pl.DataFrame:
    """One row per organisation per cell: cell -> list of the organisations' contributions."""
    rows = [
        {"cel": cel, "organisatie_id": f"ORG{i}", "bijdrage": value}
        for cel, values in cells.items()
        for i, value in enumerate(values)
    ]
    return pl.DataFrame(rows)


def status_of(frame: pl.DataFrame, cel: str) -> tuple[str, str | None]:
    row = frame.filter(pl.col("cel") == cel).row(0, named=True)
    return row["status"], row["reden"]


# --- the rules ---------------------------------------------------------------------------------


def test_rules_defaults_are_the_documented_ones():
    rules = DisclosureRules()
    assert (rules.min_orgs, rules.dominance_n, rules.dominance_k) == (5, 2, 0.85)
    assert (rules.min_count, rules.round_to) == (10, 5)


def test_rules_are_frozen_and_serialise_for_the_release_record():
    rules = DisclosureRules()
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.min_orgs = 3  # type: ignore[misc]
    record = rules.as_dict()
    assert record["min_orgs"] == 5 and record["dominance_k"] == 0.85
    assert json.loads(json.dumps(record)) == record  # JSON-safe
    assert DisclosureRules.from_dict(record) == rules
    assert pl.DataFrame([record]).height == 1  # storable as one row, as the release does


@pytest.mark.parametrize(
    "bad",
    [
        {"min_orgs": 0},
        {"dominance_k": 1.5},
        {"dominance_k": 0},
        {"round_to": 0},
        {"min_count": -1},
        {"dominance_n": 5},  # n >= min_orgs: the n largest would be the whole cell
        {"min_orgs": 2.5},
    ],
)
def test_rules_reject_nonsense(bad):
    with pytest.raises(ValueError):
        DisclosureRules(**bad)


def test_rules_from_dict_rejects_unknown_parameters():
    with pytest.raises(ValueError, match="unknown"):
        DisclosureRules.from_dict({"min_orgs": 5, "k_anonymity": 3})


def test_legend_has_code_symbol_and_dutch_label_with_the_parameters():
    leg = legend(DisclosureRules(min_orgs=7, min_count=20))
    symbols = dict(zip(leg["reden"], leg["symbool"], strict=True))
    assert symbols[TOO_FEW_ORGS] == "x"
    assert symbols[DOMINANCE] == "d"
    assert symbols[SMALL_COUNT] == "k"
    assert symbols[SECONDARY] == "s"
    labels = dict(zip(leg["reden"], leg["toelichting"], strict=True))
    assert "7 organisaties" in labels[TOO_FEW_ORGS]
    assert "20 deelnemers" in labels[SMALL_COUNT]
    assert "85 %" in labels[DOMINANCE]
    assert len(set(leg["symbool"])) == len(REASONS)  # one symbol per reason


# --- primary suppression -----------------------------------------------------------------------


def test_cell_with_four_organisations_is_suppressed_and_five_is_published():
    frame = primary_suppression(
        contributions({"vier": [10, 10, 10, 10], "vijf": [10, 10, 10, 10, 10]}), ["cel"]
    )
    assert status_of(frame, "vier") == (SUPPRESSED, TOO_FEW_ORGS)
    assert status_of(frame, "vijf") == (PUBLISHED, None)
    assert frame.filter(pl.col("cel") == "vier")["organisaties"].item() == 4


def test_rows_of_one_organisation_count_once():
    # Five rows but only three organisations (one runs three projects): still too few.
    frame = pl.DataFrame(
        {
            "cel": ["a"] * 5,
            "organisatie_id": ["O1", "O1", "O1", "O2", "O3"],
            "bijdrage": [1.0] * 5,
        }
    )
    out = primary_suppression(frame, ["cel"])
    assert out["organisaties"].item() == 3
    assert status_of(out, "a") == (SUPPRESSED, TOO_FEW_ORGS)


def test_dominance_one_organisation_dominates():
    frame = contributions({"a": [1_000_000, 10_000, 10_000, 10_000, 10_000, 10_000]})
    out = primary_suppression(frame, ["cel"], dominance=True)
    assert status_of(out, "a") == (SUPPRESSED, DOMINANCE)
    assert out["aandeel_grootste"].item() == pytest.approx(1_010_000 / 1_050_000)
    # The same cell is published when dominance is not asked for (e.g. a count of projects).
    assert status_of(primary_suppression(frame, ["cel"]), "a") == (PUBLISHED, None)


def test_dominance_two_organisations_together_dominate():
    # Neither alone exceeds 85 %, the two largest together do: 50 + 40 of 100.
    out = primary_suppression(contributions({"a": [50, 40, 4, 3, 3]}), ["cel"], dominance=True)
    assert status_of(out, "a") == (SUPPRESSED, DOMINANCE)


def test_dominance_boundary_exactly_85_percent_is_published():
    out = primary_suppression(
        contributions({"op_grens": [50, 35, 5, 5, 5], "erover": [50, 36, 5, 5, 4]}),
        ["cel"],
        dominance=True,
    )
    assert status_of(out, "op_grens") == (PUBLISHED, None)  # 85/100: does not exceed
    assert status_of(out, "erover") == (SUPPRESSED, DOMINANCE)  # 86/100


def test_dominance_parameters_come_from_the_rules():
    frame = contributions({"a": [50, 30, 10, 5, 5]})  # top two: 80 %
    assert status_of(primary_suppression(frame, ["cel"], dominance=True), "a")[0] == PUBLISHED
    strict = DisclosureRules(dominance_k=0.75)
    assert status_of(primary_suppression(frame, ["cel"], strict, dominance=True), "a") == (
        SUPPRESSED,
        DOMINANCE,
    )
    top_one = DisclosureRules(dominance_n=1, dominance_k=0.45)  # largest alone: 50 %
    assert status_of(primary_suppression(frame, ["cel"], top_one, dominance=True), "a") == (
        SUPPRESSED,
        DOMINANCE,
    )


def test_small_count_of_people_is_suppressed():
    out = primary_suppression(
        contributions({"negen": [2, 2, 2, 2, 1], "tien": [2, 2, 2, 2, 2]}),
        ["cel"],
        small_count=True,
    )
    assert status_of(out, "negen") == (SUPPRESSED, SMALL_COUNT)
    assert status_of(out, "tien") == (PUBLISHED, None)


def test_first_applicable_reason_wins():
    # Four organisations and one dominates: the reason is the organisation count.
    out = primary_suppression(
        contributions({"a": [100, 1, 1, 1]}), ["cel"], dominance=True, small_count=True
    )
    assert status_of(out, "a") == (SUPPRESSED, TOO_FEW_ORGS)


def test_percentile_needs_values_on_both_sides():
    ones = {"negen": [1.0] * 9, "tien": [1.0] * 10, "twintig": [1.0] * 20}
    median = primary_suppression(contributions(ones), ["cel"], quantile=0.5)
    assert status_of(median, "negen") == (SUPPRESSED, FEW_VALUES)
    assert status_of(median, "tien") == (PUBLISHED, None)
    p25 = primary_suppression(contributions(ones), ["cel"], quantile=0.25)
    assert status_of(p25, "tien") == (SUPPRESSED, FEW_VALUES)
    assert status_of(p25, "twintig") == (PUBLISHED, None)
    p90 = primary_suppression(
        contributions({"49": [1.0] * 49, "50": [1.0] * 50}), ["cel"], quantile=0.9
    )
    assert status_of(p90, "49") == (SUPPRESSED, FEW_VALUES)
    assert status_of(p90, "50") == (PUBLISHED, None)


def test_listed_cells_without_contributions_are_empty_not_missing():
    listed = pl.DataFrame({"cel": ["a", "b"]})
    out = primary_suppression(contributions({"a": [1, 1, 1, 1, 1]}), ["cel"], cells=listed)
    assert out.height == 2
    assert status_of(out, "b")[0] == EMPTY
    assert out.filter(pl.col("cel") == "b")["waarde"].item() == 0


def test_primary_suppression_needs_its_columns():
    with pytest.raises(ValueError, match="bijdrage"):
        primary_suppression(pl.DataFrame({"cel": ["a"], "organisatie_id": ["O"]}), ["cel"])


# --- rounding ----------------------------------------------------------------------------------


def test_counts_are_rounded_to_five_half_up():
    values = pl.DataFrame({"n": [10, 11, 12, 13, 14, 15, 17, 18, 22, 23, 1234]})
    rounded = values.select(rounded_count("n"))["n"].to_list()
    assert rounded == [10, 10, 10, 15, 15, 15, 15, 20, 20, 25, 1235]
    assert all(v % 5 == 0 for v in rounded)
    tens = values.select(rounded_count("n", DisclosureRules(round_to=10)))["n"].to_list()
    assert tens == [10, 10, 10, 10, 10, 20, 20, 20, 20, 20, 1230]


# --- secondary suppression ---------------------------------------------------------------------


def cells_frame(values: dict[str, float], hidden: dict[str, str] | None = None) -> pl.DataFrame:
    hidden = hidden or {}
    return pl.DataFrame(
        {
            "cel": list(values),
            "waarde": [float(v) for v in values.values()],
            "status": [SUPPRESSED if c in hidden else PUBLISHED for c in values],
            "reden": [hidden.get(c) for c in values],
        },
        schema={"cel": pl.String, "waarde": pl.Float64, "status": pl.String, "reden": pl.String},
    )


def test_margin_would_reveal_single_hidden_part():
    # Total 100 = a 10 + b 30 + c 60; only a is hidden: 100 - 30 - 60 reveals it.
    cells = cells_frame({"T": 100, "a": 10, "b": 30, "c": 60}, {"a": TOO_FEW_ORGS})
    groups = additive_groups([("g", "T", ["a", "b", "c"])])
    assert recoverable_cells(cells, groups) == ["a"]
    out = secondary_suppression(cells, groups)
    # The smallest part that still covers the hidden value (>= 10) is b (30).
    assert status_of(out, "b") == (SUPPRESSED, SECONDARY)
    assert status_of(out, "c") == (PUBLISHED, None)
    assert status_of(out, "a") == (SUPPRESSED, TOO_FEW_ORGS)  # primary reason kept
    assert recoverable_cells(out, groups) == []


def test_complement_is_the_smallest_part_that_covers_the_hidden_value():
    cells = cells_frame({"T": 215, "a": 50, "b": 5, "c": 60, "d": 100}, {"a": DOMINANCE})
    out = secondary_suppression(cells, additive_groups([("g", "T", ["a", "b", "c", "d"])]))
    assert status_of(out, "c") == (SUPPRESSED, SECONDARY)  # 60 >= 50; b (5) would not cover
    assert status_of(out, "b")[0] == PUBLISHED


def test_complement_falls_back_to_largest_part_then_margin():
    cells = cells_frame({"T": 130, "a": 100, "b": 20, "c": 10}, {"a": TOO_FEW_ORGS})
    out = secondary_suppression(cells, additive_groups([("g", "T", ["a", "b", "c"])]))
    assert status_of(out, "b") == (SUPPRESSED, SECONDARY)  # none covers 100: take the largest
    # A group whose other parts are all zero: only hiding the margin protects a.
    cells = cells_frame({"T": 7, "a": 7, "b": 0, "c": 0}, {"a": TOO_FEW_ORGS})
    out = secondary_suppression(cells, additive_groups([("g", "T", ["a", "b", "c"])]))
    assert status_of(out, "T") == (SUPPRESSED, SECONDARY)
    assert status_of(out, "b")[0] == PUBLISHED  # a hidden zero would protect nothing


def test_hidden_margin_needs_a_hidden_part():
    cells = cells_frame({"T": 100, "a": 10, "b": 30, "c": 60}, {"T": DOMINANCE})
    out = secondary_suppression(cells, additive_groups([("g", "T", ["a", "b", "c"])]))
    hidden = out.filter(pl.col("status") == SUPPRESSED)["cel"].to_list()
    assert sorted(hidden) == ["T", "c"]  # no part covers 100, so the largest part


def test_two_hidden_cells_need_no_complement():
    cells = cells_frame({"T": 100, "a": 10, "b": 30, "c": 60}, {"a": TOO_FEW_ORGS, "b": DOMINANCE})
    out = secondary_suppression(cells, additive_groups([("g", "T", ["a", "b", "c"])]))
    assert out.filter(pl.col("reden") == SECONDARY).height == 0


def test_secondary_suppression_iterates_over_linked_groups():
    # Sector S = D1 + D2; D1 = a + z; D2 = c + d, with z = 0. Hiding a forces D1 (a hidden
    # zero protects nothing), which leaves the sector group with one hidden cell, so D2 goes,
    # which leaves D2's own group with one hidden cell, so one of c, d goes too.
    values = {"S": 20, "D1": 7, "D2": 13, "a": 7, "z": 0, "c": 6, "d": 7}
    cells = cells_frame(values, {"a": TOO_FEW_ORGS})
    groups = additive_groups(
        [("sector", "S", ["D1", "D2"]), ("d1", "D1", ["a", "z"]), ("d2", "D2", ["c", "d"])]
    )
    assert recoverable_cells(cells, groups) == ["a"]
    out = secondary_suppression(cells, groups)
    hidden = set(out.filter(pl.col("status") == SUPPRESSED)["cel"])
    assert {"a", "D1", "D2"} <= hidden
    assert len(hidden & {"c", "d"}) >= 1
    for group in ("sector", "d1", "d2"):
        members = groups.filter(pl.col("groep") == group)["cel"]
        assert len(hidden & set(members)) != 1
    assert recoverable_cells(out, groups) == []


def test_secondary_suppression_does_not_depend_on_row_order():
    values = {"T": 100, "a": 10, "b": 30, "c": 30, "d": 30}
    cells = cells_frame(values, {"a": TOO_FEW_ORGS})
    groups = additive_groups([("g", "T", ["a", "b", "c", "d"])])
    first = secondary_suppression(cells, groups).sort("cel")
    second = secondary_suppression(cells.reverse(), groups.reverse()).sort("cel")
    assert first.equals(second)
    assert status_of(first, "b") == (SUPPRESSED, SECONDARY)  # ties: lowest id


def test_empty_cells_are_known_zeros_not_protection():
    # a hidden, b empty (published 0 by definition), c published: a = T - c, so c must go.
    cells = cells_frame({"T": 50, "a": 20, "b": 0, "c": 30}, {"a": TOO_FEW_ORGS}).with_columns(
        pl.when(pl.col("cel") == "b")
        .then(pl.lit(EMPTY))
        .otherwise(pl.col("status"))
        .alias("status")
    )
    groups = additive_groups([("g", "T", ["a", "b", "c"])])
    out = secondary_suppression(cells, groups)
    assert status_of(out, "c") == (SUPPRESSED, SECONDARY)
    assert status_of(out, "b")[0] == EMPTY


def test_secondary_suppression_validates_input():
    groups = additive_groups([("g", "T", ["a", "x"])])
    with pytest.raises(ValueError, match="unknown cells"):
        secondary_suppression(cells_frame({"T": 1, "a": 1}), groups)
    with pytest.raises(ValueError, match="unique"):
        secondary_suppression(
            pl.concat([cells_frame({"a": 1}), cells_frame({"a": 1})]),
            additive_groups([("g", "a", [])]),
        )


# --- the audit ---------------------------------------------------------------------------------


def test_audit_sees_recovery_through_a_chain_of_groups():
    # T = a + b and T = c + d share their margin. With T, a, c hidden the two equations
    # give T - a and T - c (so a - c too), but none of the three on its own.
    cells = cells_frame({"T": 10, "a": 4, "b": 6, "c": 3, "d": 7}, {"T": "x", "a": "x", "c": "s"})
    groups = additive_groups([("g1", "T", ["a", "b"]), ("g2", "T", ["c", "d"])])
    assert recoverable_cells(cells, groups) == []
    # Publish T: then a = T - b and c = T - d follow.
    published_t = cells.with_columns(
        pl.when(pl.col("cel") == "T")
        .then(pl.lit(PUBLISHED))
        .otherwise(pl.col("status"))
        .alias("status")
    )
    assert recoverable_cells(published_t, groups) == ["a", "c"]


def test_audit_solves_across_groups_at_once():
    # S = A + B, A = a1 + a2, B = b1 + b2; hidden: A, a1, b1 (A's group has two, B's group
    # has one hidden (b1) -> b1 = B - b2 directly; and then nothing else.
    cells = cells_frame(
        {"S": 10, "A": 4, "B": 6, "a1": 1, "a2": 3, "b1": 2, "b2": 4},
        {"A": "x", "a1": "x", "b1": "x"},
    )
    groups = additive_groups(
        [("s", "S", ["A", "B"]), ("a", "A", ["a1", "a2"]), ("b", "B", ["b1", "b2"])]
    )
    # A = S - B is known (S, B published), then a1 = A - a2: both follow, and b1 too.
    assert recoverable_cells(cells, groups) == ["A", "a1", "b1"]
