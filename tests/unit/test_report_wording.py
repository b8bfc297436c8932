"""Small wording rules of the pages (issue 17): singular units, a transfer marked once, Dutch
local time, the percentile footnote in the legend's terms, no all-empty stakeholder rows."""

from __future__ import annotations

import datetime as dt

import polars as pl

from rendement.benchmark.aggregates import INTERVAL_COLUMNS, STAKEHOLDER_COLUMNS
from rendement.benchmark.cells import CELL_COLUMNS
from rendement.benchmark.disclosure import DisclosureRules
from rendement.core.formatting import nl_local_datetime
from rendement.reports.data import Published
from rendement.reports.sector import _tail_note, stakeholder_table
from rendement.reports.words import outcome_label, unit_for
from schemas.vocabulary import DOMAINS


def test_a_quantity_of_one_takes_the_singular_unit():
    assert unit_for(1, "jongeren") == "jongere"
    assert unit_for(1.0, "afgeronde schuldtrajecten") == "afgerond schuldtraject"
    assert unit_for(2, "jongeren") == "jongeren"
    assert unit_for(1, "WELLBY per persoon per jaar") == "WELLBY per persoon per jaar"
    assert unit_for(None, None) == ""


def test_a_transfer_is_marked_once():
    assert outcome_label("Minder bijstand (overdracht)", True) == "Minder bijstand (overdracht)"
    assert outcome_label("Minder bijstand", True) == "Minder bijstand (overdracht)"
    assert outcome_label("Betaald werk", False) == "Betaald werk"


def test_times_are_dutch_local_time():
    assert nl_local_datetime("2026-12-05T05:48:00+00:00") == "05-12-2026 06:48"
    assert nl_local_datetime(dt.datetime(2026, 7, 1, 22, 30)) == "02-07-2026 00:30"  # summer


def test_the_percentile_note_speaks_the_legends_terms():
    pub = Published(
        pl.DataFrame(schema=CELL_COLUMNS),
        pl.DataFrame(schema=STAKEHOLDER_COLUMNS),
        pl.DataFrame(schema=INTERVAL_COLUMNS),
        DisclosureRules(min_tail=5),
    )
    note = _tail_note(pub)
    assert "minstens 5 projecten aan elke kant" in note and "symbool p" in note
    assert "mediaan zijn dus minstens 10" in note and "P10 en P90 50" in note
    assert "min_tail" not in note


def test_a_party_with_nothing_anywhere_is_left_out():
    domains = [*DOMAINS, "totaal"]
    rows = []
    for party, value in (("gemeente", 100.0), ("politie_justitie", 0.0), ("totaal", 100.0)):
        for d in domains:
            leeg = party == "politie_justitie" and d != "totaal"
            rows.append(
                {
                    "jaar": 2025,
                    "domein": d,
                    "baathebber": party,
                    "maat": "baten",
                    "waarde": None if leeg else value,
                    "status": "leeg" if leeg else "gepubliceerd",
                    "symbool": "." if leeg else None,
                    "toelichting": "Geen projecten" if leeg else None,
                }
            )
    frame = pl.DataFrame(rows).select(
        [
            (pl.col(c) if c in rows[0] else pl.lit(None)).cast(t).alias(c)
            for c, t in STAKEHOLDER_COLUMNS.items()
        ]
    )
    pub = Published(
        pl.DataFrame(schema=CELL_COLUMNS), frame, pl.DataFrame(schema=INTERVAL_COLUMNS),
        DisclosureRules(),
    )  # fmt: skip
    html = str(
        stakeholder_table(pub, 2025, {"gemeente": "Gemeente", "politie_justitie": "Politie"})
    )
    assert "Gemeente" in html and "Politie" not in html
