"""Warnings across the rows of a project sheet: an outcome count without a totals row, or above
the reach on it. The rows are accepted; the MKBA ignores or caps the count."""

from __future__ import annotations

import polars as pl

from tests.support.validation import broken, run, set_cells, upload


def _warnings(outcome, code):
    return outcome.findings.filter(pl.col("regel") == code)


def test_the_base_sheet_has_no_warnings():
    outcome = run(upload())
    assert _warnings(outcome, "uitkomst_zonder_bereik").height == 0
    assert _warnings(outcome, "uitkomst_boven_bereik").height == 0


def test_an_outcome_without_its_totals_row_is_accepted_with_a_warning():
    tables = upload()
    tables["projectopgave"] = tables["projectopgave"].filter(pl.col("_rij") != 5)  # P4 raming
    outcome = run(tables)
    [hit] = _warnings(outcome, "uitkomst_zonder_bereik").rows(named=True)
    assert (hit["_rij"], hit["kolom"], hit["ernst"]) == (6, "uitkomst", "waarschuwing")
    assert hit["melding"].startswith(
        "Bij project P4 (raming 2025) staat de uitkomst 'bereik_jongeren'"
    )
    assert outcome.accepted["projectopgave"].height == tables["projectopgave"].height


def test_a_totals_row_delivered_before_counts():
    tables = upload()
    known = tables["projectopgave"].filter(pl.col("_rij") == 5).drop("_rij", "_bestand")
    tables["projectopgave"] = tables["projectopgave"].filter(pl.col("_rij") != 5)
    outcome = run(tables, known={"projectopgave": known})
    assert _warnings(outcome, "uitkomst_zonder_bereik").height == 0


def test_an_outcome_above_the_reach_is_reported():
    tables = broken("projectopgave", 3, aantal=95)  # P1 reached 80
    outcome = run(tables)
    [hit] = _warnings(outcome, "uitkomst_boven_bereik").rows(named=True)
    assert hit["_rij"] == 3 and hit["kolom"] == "aantal"
    assert "95 personen" in hit["melding"] and "bereikte er 80" in hit["melding"]
    # a rejected totals row is no reach: the outcome row is then without one
    tables["projectopgave"] = set_cells(tables["projectopgave"], 2, soort="begroting")
    outcome = run(tables)
    assert _warnings(outcome, "uitkomst_zonder_bereik")["_rij"].to_list() == [3]
