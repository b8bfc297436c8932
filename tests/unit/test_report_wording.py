"""Small wording rules of the pages (issue 17): singular units, a transfer marked once, Dutch
local time, the percentile footnote in the legend's terms, no all-empty stakeholder rows."""

from __future__ import annotations

import datetime as dt

import polars as pl

from rendement.benchmark.aggregates import INTERVAL_COLUMNS, STAKEHOLDER_COLUMNS
from rendement.benchmark.cells import CELL_COLUMNS
from rendement.benchmark.disclosure import DisclosureRules
from rendement.core.formatting import nl_local_datetime, nl_today
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


def test_today_is_the_dutch_day_not_the_machines():
    """A page made at 23:30 UTC on 6 December says 7 December (00:30 in the Netherlands)."""
    assert nl_today(dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 12, 7)
    assert nl_today(dt.datetime(2026, 7, 1, 21, 59, tzinfo=dt.UTC)) == dt.date(2026, 7, 1)
    assert nl_today(dt.datetime(2026, 7, 1, 22, 0, tzinfo=dt.UTC)) == dt.date(2026, 7, 2)


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


def test_a_refused_files_summary_names_reading_problems_in_words(tmp_path):
    """'getal niet te lezen (3)', not 'getal_onleesbaar (3)'."""
    from rendement.intake.preflight import preflight

    path = tmp_path / "inzet_2024.csv"
    rows = ["project_id;jaar;fte_betaald;uren_betaald;vrijwilligers;uren_vrijwilligers"]
    rows += [f"P0{i};2024;veel;100;1;10" for i in range(1, 4)] + ["P04;2024;1;100;1;10"]
    path.write_text("\n".join(rows) + "\n", "utf-8")
    checked = preflight(path, today=dt.date(2025, 3, 1))
    assert checked.verdict == "geweigerd"
    reasons = " ".join(checked.document["redenen"])
    assert "getal niet te lezen (3)" in reasons, reasons
    assert "_onleesbaar" not in checked.text


def test_workbook_messages_name_the_sheet_and_the_files_own_columns(tmp_path):
    """A vendor workbook: the example says which sheet, and calls the column by the header in
    the file (persoonID, groepering), never by our internal name (client_pseudoniem)."""
    from rendement.intake.preflight import preflight
    from tests.support.sources import REGICARE, load_fixture, render_xlsx

    fixture = load_fixture(REGICARE)
    fixture.rows[0][fixture.header.index("groepering")] = "breien"
    path = tmp_path / "regicare_2024.xlsx"
    path.write_bytes(render_xlsx({"Activiteiten export": fixture}))
    checked = preflight(path, today=dt.date(2026, 3, 1))
    [unknown] = [r for r in checked.document["regels"] if r["regel"] == "code_onbekend"]
    example = unknown["voorbeelden"][0]
    assert (example["blad"], example["rij"], example["kolom"]) == (
        "Activiteiten export",
        2,
        "groepering",
    )
    assert "regicare_2024.xlsx, blad Activiteiten export, rij 2, kolom groepering" in checked.text
    assert checked.document["dialect"]["kolommen"]["traject"]["client_pseudoniem"] == "persoonID"
    assert "client_pseudoniem" not in checked.text and "activiteit_id" not in checked.text


def test_an_organisation_page_gets_only_provisional_distributions_of_open_years():
    """Closed years: every published figure as released. Open years: only the percentiles and
    medians of the rendementsfactor per domain and intervention, never a count or a sum."""
    from rendement.benchmark.cells import build_benchmarks
    from rendement.reports.data import organisation_comparison
    from tests.support.benchmark_rows import base_sector, frame

    cells = build_benchmarks(frame(base_sector(2024) + base_sector(2025))).cells
    pub = Published(
        cells,
        pl.DataFrame(schema=STAKEHOLDER_COLUMNS),
        pl.DataFrame(schema=INTERVAL_COLUMNS),
        DisclosureRules(),
        {2024: "2024"},
    )
    shown = organisation_comparison(pub).cells
    closed, open_ = shown.filter(pl.col("jaar") == 2024), shown.filter(pl.col("jaar") == 2025)
    assert closed.height == cells.filter(pl.col("jaar") == 2024).height
    assert open_.height > 0
    assert set(open_["maat"]) == {"bkr"}
    assert set(open_["statistiek"]) == {"p10", "p25", "mediaan", "p75", "p90"}
    assert set(open_["tabel"]) == {"domein", "interventie"}
