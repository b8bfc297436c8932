"""File-level policy: which problems refuse the whole upload (and then nothing is accepted)."""

from __future__ import annotations

import polars as pl
import pytest

from schemas.rules import BESTAND
from tests.support.validation import broken, run, set_cells, upload


def assert_refused(outcome, regel: str, table: str, kolom: str | None = None) -> dict:
    assert outcome.file_rejected
    assert outcome.file_reasons
    refusals = outcome.findings.filter(
        (pl.col("regel") == regel) & (pl.col("ernst") == BESTAND) & (pl.col("tabel") == table)
    )
    assert refusals.height >= 1, outcome.findings.select("tabel", "kolom", "regel").rows()
    finding = refusals.row(0, named=True)
    if kolom is not None:
        assert finding["kolom"] == kolom
    assert finding["melding"] in outcome.file_reasons
    assert "{" not in finding["melding"]
    # a refused upload accepts nothing, in any table
    assert all(df.height == 0 for df in outcome.accepted.values())
    assert all(c["geaccepteerd"] == 0 and c["opgeslagen"] == 0 for c in outcome.counts.values())
    return finding


def test_missing_required_column_refuses_the_file():
    tables = upload()
    tables["traject"] = tables["traject"].drop("leeftijdsklasse")
    outcome = run(tables)
    finding = assert_refused(outcome, "kolom_ontbreekt", "traject", "leeftijdsklasse")
    assert finding["_bestand"] == "traject_2024.csv"
    assert finding["_rij"] is None
    assert "leeftijdsklasse" in finding["melding"]
    # the accepted columns of the refused table stay empty but typed
    assert outcome.accepted["traject"].schema["startdatum"] == pl.Date


def test_every_missing_column_is_named_at_once():
    tables = upload()
    tables["meting"] = tables["meting"].drop("moment", "score")
    outcome = run(tables)
    missing = outcome.findings.filter(pl.col("regel") == "kolom_ontbreekt")["kolom"].to_list()
    assert sorted(missing) == ["moment", "score"]
    assert len(outcome.file_reasons) == 2


def test_column_with_nothing_readable_refuses_the_file():
    tables = upload()
    tables["traject"] = tables["traject"].with_columns(pl.lit("gisteren").alias("startdatum"))
    outcome = run(tables)
    finding = assert_refused(outcome, "type_onjuist", "traject", "startdatum")
    assert finding["waarde"] == "gisteren"
    assert "datum" in finding["verwacht"]


def test_column_of_the_wrong_kind_refuses_the_file():
    tables = upload()
    tables["kosten"] = tables["kosten"].with_columns(pl.lit(True).alias("bedrag"))
    outcome = run(tables)
    assert_refused(outcome, "type_onjuist", "kosten", "bedrag")


def test_codes_from_another_list_in_every_row_refuse_the_file():
    tables = upload()
    tables["project"] = tables["project"].with_columns(
        pl.concat_str(pl.lit("DOM-"), pl.col("_rij").cast(pl.String)).alias("domein")
    )
    outcome = run(tables)
    finding = assert_refused(outcome, "alle_waarden_onbekend", "project", "domein")
    assert finding["waarde"] == "DOM-2"
    assert "ouderen_eenzaamheid" in finding["verwacht"]
    # the rows are also listed one by one
    assert outcome.findings.filter(pl.col("regel") == "domein_onbekend").height == 4


def test_one_unknown_code_among_many_does_not_refuse_the_file():
    outcome = run(broken("traject", 3, leeftijdsklasse="oud"))
    assert not outcome.file_rejected


def test_more_than_half_of_the_rows_rejected_refuses_the_file():
    tables = upload()
    for rij in (2, 3, 4, 5, 6):  # 5 of 8 trajectories get an impossible age band
        tables["traject"] = set_cells(tables["traject"], rij, leeftijdsklasse=f"x{rij}")
    tables["traject"] = set_cells(tables["traject"], 7, leeftijdsklasse="45-64")
    outcome = run(tables)
    finding = assert_refused(outcome, "te_veel_afgekeurd", "traject")
    assert "5 van de 8" in finding["melding"]
    assert "62 %" in finding["melding"] and "50 %" in finding["melding"]
    assert "onbekende leeftijdsklasse (5)" in finding["melding"]
    # the row-level problems stay in the report and in quarantine
    assert outcome.rejected.filter(pl.col("tabel") == "traject").height == 5


def test_the_share_is_configurable():
    tables = upload()
    for rij in (2, 3, 4, 5, 6):
        tables["traject"] = set_cells(tables["traject"], rij, leeftijdsklasse=f"x{rij}")
    outcome = run(tables, max_invalid_share=0.7)
    assert not outcome.file_rejected
    assert outcome.accepted["traject"].height == 3
    assert outcome.accepted["project"].height == 4


@pytest.mark.parametrize(("bad", "refused"), [(2, False), (3, True)])
def test_exactly_half_is_not_more_than_half(bad, refused):
    tables = upload()
    for rij in range(2, 2 + bad):  # inzet has 4 rows and nothing refers to it
        tables["inzet"] = set_cells(tables["inzet"], rij, uren_betaald=-1.0)
    assert run(tables).file_rejected is refused


def test_rejections_cascade_into_the_share_of_the_child_table():
    tables = upload()
    for rij in (2, 3, 4, 5):  # T1-T4: 4 of 8 trajectories, not more than half ...
        tables["traject"] = set_cells(tables["traject"], rij, leeftijdsklasse="?")
    outcome = run(tables)
    # ... but 7 of their 13 measurements go with them
    assert_refused(outcome, "te_veel_afgekeurd", "meting")
    assert not outcome.findings.filter(
        (pl.col("regel") == "te_veel_afgekeurd") & (pl.col("tabel") == "traject")
    ).height


def test_cascaded_rejections_count_for_the_share():
    # a partial upload of trajectories whose projects are nowhere to be found
    outcome = run({"traject": upload()["traject"]})
    finding = assert_refused(outcome, "te_veel_afgekeurd", "traject")
    assert "project onbekend (8)" in finding["melding"]


def test_reader_problem_about_the_whole_file_refuses_it():
    problems = pl.DataFrame(
        {
            "tabel": ["meting"],
            "_rij": [None],
            "kolom": [None],
            "waarde": [None],
            "regel": ["kopregel_dubbel"],
            "melding": ["De kopregel staat twee keer in het bestand."],
        },
        schema={
            "tabel": pl.String,
            "_rij": pl.Int64,
            "kolom": pl.String,
            "waarde": pl.String,
            "regel": pl.String,
            "melding": pl.String,
        },
    )
    outcome = run(upload(), parse_problems=problems)
    assert outcome.file_rejected
    assert outcome.file_reasons == ["De kopregel staat twee keer in het bestand."]


def test_refused_upload_still_reports_all_row_problems():
    tables = broken("meting", 5, score=9.0)
    tables["inzet"] = tables["inzet"].drop("jaar")
    outcome = run(tables)
    assert outcome.file_rejected
    assert outcome.findings.filter(pl.col("regel") == "score_buiten_schaal").height == 1
    assert outcome.rejected.filter(pl.col("regel") == "score_buiten_schaal").height == 1


def test_empty_upload_is_not_an_error():
    outcome = run({})
    assert not outcome.file_rejected
    assert outcome.findings.height == 0 and outcome.rejected.height == 0
    assert outcome.accepted == {}


def test_empty_table_is_accepted_as_empty():
    tables = upload()
    tables["kosten"] = tables["kosten"].clear()
    outcome = run(tables)
    assert not outcome.file_rejected
    assert outcome.accepted["kosten"].height == 0
