"""A corpus of broken exports, at least one per rule: each must be reported with the right rule,
Excel row (`_rij`) and column, and the other rows of the same upload must still arrive.

The corpus is built in code: `upload()` is a small valid upload of one organisation (reporting
year 2024); `broken(...)` changes cells of it the way office workers' exports go wrong.
"""

from __future__ import annotations

import polars as pl
import pytest

from schemas.rules import MASK, WAARSCHUWING
from tests.support.validation import (
    ROW_CASES,
    D,
    _frame,
    accepted_keys,
    assert_found,
    broken,
    pseudonym,
    run,
    set_cells,
    upload,
)

# Tables whose rows depend on a project or trajectory: a rejected parent takes them along.
CHILD_TABLES = ("traject", "meting", "inzet", "kosten", "activiteit", "projectopgave")


@pytest.mark.parametrize(
    ("table", "rij", "values", "kolom", "regel"),
    ROW_CASES,
    ids=[f"{c[4]}-{c[0]}-{c[3]}-{i}" for i, c in enumerate(ROW_CASES)],
)
def test_row_rule(table, rij, values, kolom, regel):
    tables = broken(table, rij, **values)
    outcome = run(tables)
    finding = assert_found(outcome, table, rij, kolom, regel)
    assert finding["verwacht"]
    # the row is quarantined with this rule (or an earlier one in catalogue order) ...
    quarantined = outcome.rejected.filter((pl.col("tabel") == table) & (pl.col("_rij") == rij))
    assert quarantined.height == 1
    # ... and the rest of the upload still arrives
    assert not outcome.file_rejected
    assert outcome.counts[table]["afgekeurd"] >= 1
    assert outcome.accepted[table].height >= tables[table].height - 1 - (table == "project")
    for other in tables:
        if other != table and other not in CHILD_TABLES:
            assert outcome.accepted[other].height == tables[other].height


def test_row_rule_quarantine_shows_the_rule_column_and_value():
    outcome = run(broken("meting", 5, score=6.0))
    row = outcome.rejected.row(0, named=True)
    assert (row["tabel"], row["_rij"], row["regel"], row["kolom"], row["waarde"]) == (
        "meting",
        5,
        "score_buiten_schaal",
        "score",
        "6",
    )
    assert row["_bestand"] == "meting_2024.csv"
    assert "1 tot en met 5" in outcome.findings.filter(pl.col("_rij") == 5)["verwacht"][0]
    assert outcome.accepted["meting"].height == 12


def test_decimal_values_are_written_the_dutch_way():
    outcome = run(broken("meting", 12, score=10.5))
    assert outcome.rejected["waarde"][0] == "10,5"
    outcome = run(broken("traject", 2, einddatum=D(2023, 8, 1)))
    finding = outcome.findings.filter(pl.col("regel") == "einddatum_voor_startdatum").row(
        0, named=True
    )
    assert finding["waarde"] == "01-08-2023"
    assert "01-09-2023" in finding["melding"]


def test_a_row_with_several_problems_is_quarantined_once():
    outcome = run(broken("inzet", 3, fte_betaald=-1.0, uren_betaald=-2.0))
    assert outcome.rejected.height == 1
    assert "nog 1 ander probleem" in outcome.rejected["melding"][0]
    assert outcome.findings.filter(pl.col("regel") == "negatief").height == 2


def test_pseudonym_that_intake_did_not_make_is_rejected_and_masked():
    outcome = run(broken("traject", 4, client_pseudoniem="123456789"))
    finding = assert_found(outcome, "traject", 4, "client_pseudoniem", "pseudoniem_ongeldig")
    assert finding["waarde"] == MASK
    assert outcome.rejected["waarde"][0] == MASK
    assert "123456789" not in str(outcome.findings.rows()) + str(outcome.rejected.rows())


def test_unreadable_cell_rejects_only_its_row():
    tables = upload()
    meting = tables["meting"].with_columns(
        pl.when(pl.col("_rij") == 7)
        .then(pl.lit("drie"))
        .otherwise(pl.col("score").cast(pl.String).str.replace(".", ",", literal=True))
        .alias("score")
    )
    tables["meting"] = meting
    outcome = run(tables)
    finding = assert_found(outcome, "meting", 7, "score", "waarde_onleesbaar")
    assert finding["waarde"] == "drie"
    assert "getal" in finding["verwacht"]
    # not also reported as an empty required value
    assert outcome.findings.filter(pl.col("regel") == "verplicht_veld_leeg").height == 0
    assert outcome.accepted["meting"].height == 12
    assert outcome.accepted["meting"]["score"].dtype == pl.Float64
    assert 5.5 in outcome.accepted["meting"]["score"].to_list()


def test_text_dates_in_dutch_notation_are_read():
    tables = upload()
    tables["project"] = tables["project"].with_columns(pl.col("startdatum").dt.strftime("%d-%m-%Y"))
    outcome = run(tables)
    assert outcome.accepted["project"]["startdatum"].dtype == pl.Date
    assert outcome.accepted["project"].height == 4


def test_reader_types_that_are_close_enough_are_accepted():
    tables = upload()
    tables["project"] = tables["project"].with_columns(pl.col("domein").cast(pl.Categorical))
    tables["inzet"] = tables["inzet"].with_columns(
        pl.col("jaar").cast(pl.Int32), pl.col("vrijwilligers").cast(pl.Float64)
    )
    tables["meting"] = tables["meting"].with_columns(pl.col("datum").cast(pl.Datetime))
    outcome = run(tables)
    assert outcome.findings.height == 0, outcome.findings.rows()
    assert outcome.accepted["inzet"].schema["jaar"] == pl.Int64
    assert outcome.accepted["meting"].schema["datum"] == pl.Date


def test_fraction_in_a_whole_number_column_rejects_the_row():
    tables = upload()
    tables["inzet"] = set_cells(
        tables["inzet"].with_columns(pl.col("vrijwilligers").cast(pl.Float64)),
        4,
        vrijwilligers=2.5,
    )
    outcome = run(tables)
    finding = assert_found(outcome, "inzet", 4, "vrijwilligers", "waarde_onleesbaar")
    assert finding["waarde"] == "2,5"
    assert outcome.accepted["inzet"].height == 3


# --- duplicates ---------------------------------------------------------------------------


def test_key_occurring_twice_with_different_data_rejects_both_rows():
    tables = upload()
    extra = set_cells(
        tables["traject"].filter(pl.col("_rij") == 4), 4, startdatum=D(2024, 2, 15)
    ).with_columns(pl.lit(10, pl.Int64).alias("_rij"))
    tables["traject"] = pl.concat([tables["traject"], extra])
    outcome = run(tables)
    for rij in (4, 10):
        finding = assert_found(outcome, "traject", rij, "traject_id", "dubbele_sleutel")
        assert "rijen 4, 10" in finding["melding"]
        assert "T3" in finding["melding"]
    assert "T3" not in accepted_keys(outcome, "traject", "traject_id")
    assert outcome.accepted["traject"].height == 7
    # its measurements lose their trajectory
    assert_found(outcome, "meting", 5, "traject_id", "traject_afgekeurd")


def test_measurement_key_twice_is_rejected():
    tables = upload()
    extra = set_cells(tables["meting"].filter(pl.col("_rij") == 2), 2, score=9.0).with_columns(
        pl.lit(15, pl.Int64).alias("_rij")
    )
    tables["meting"] = pl.concat([tables["meting"], extra])
    outcome = run(tables)
    assert_found(outcome, "meting", 2, "traject_id", "dubbele_sleutel")
    assert_found(outcome, "meting", 15, "traject_id", "dubbele_sleutel")
    # the T1 left behind has no T0 now: a warning, still accepted
    assert_found(outcome, "meting", 3, "moment", "t1_zonder_t0")
    assert outcome.accepted["meting"].height == 12


def test_inzet_key_twice_is_rejected():
    tables = upload()
    extra = set_cells(tables["inzet"].filter(pl.col("_rij") == 2), 2, fte_betaald=2.0)
    tables["inzet"] = pl.concat(
        [tables["inzet"], extra.with_columns(pl.lit(6).cast(pl.Int64).alias("_rij"))]
    )
    outcome = run(tables)
    assert_found(outcome, "inzet", 2, "project_id", "dubbele_sleutel")
    assert_found(outcome, "inzet", 6, "project_id", "dubbele_sleutel")
    assert sorted(accepted_keys(outcome, "inzet", "project_id")) == ["P2", "P3", "P4"]


def test_exact_copy_is_kept_once_with_a_warning():
    tables = upload()
    copy = (
        tables["project"]
        .filter(pl.col("_rij") == 3)
        .with_columns(pl.lit(6, pl.Int64).alias("_rij"))
    )
    tables["project"] = pl.concat([tables["project"], copy])
    outcome = run(tables)
    finding = assert_found(outcome, "project", 6, "project_id", "dubbele_rij")
    assert "rij 3" in finding["melding"]
    assert outcome.rejected.height == 0
    assert accepted_keys(outcome, "project", "project_id") == ["P1", "P2", "P3", "P4"]
    assert outcome.counts["project"] == {
        "rijen": 5,
        "geaccepteerd": 5,
        "afgekeurd": 0,
        "niet_gelezen": 0,
        "opgeslagen": 4,
        "waarschuwingen": 1,
    }


def test_cost_lines_of_one_type_are_summed_with_a_warning():
    tables = upload()
    rent = tables["kosten"].filter(pl.col("_rij") == 5)  # P2 huisvesting 12000
    lines = pl.concat([rent.with_columns(pl.lit(r, pl.Int64).alias("_rij")) for r in (9, 10)])
    tables["kosten"] = pl.concat([tables["kosten"], lines])
    outcome = run(tables)
    finding = assert_found(outcome, "kosten", 5, "kostensoort", "kosten_opgeteld")
    assert "rijen 5, 9, 10" in finding["melding"]
    assert "€ 36.000,00" in finding["melding"]  # Dutch thousands separator
    kosten = outcome.accepted["kosten"]
    assert kosten.height == 7
    rent_total = kosten.filter(
        (pl.col("project_id") == "P2") & (pl.col("kostensoort") == "huisvesting")
    )["bedrag"]
    assert rent_total.to_list() == [36000.0]
    assert outcome.counts["kosten"]["geaccepteerd"] == 9
    assert outcome.counts["kosten"]["opgeslagen"] == 7


# --- references and cascades --------------------------------------------------------------


def test_rejected_project_takes_its_trajectories_and_measurements_along():
    outcome = run(broken("project", 3, domein="schulden"))  # P2
    assert_found(outcome, "project", 3, "domein", "domein_onbekend")
    for rij in (4, 5):  # T3, T4
        finding = assert_found(outcome, "traject", rij, "project_id", "project_afgekeurd")
        assert "P2" in finding["melding"]
    assert_found(outcome, "inzet", 3, "project_id", "project_afgekeurd")
    assert_found(outcome, "kosten", 4, "project_id", "project_afgekeurd")
    for rij in (5, 6, 7, 8):  # measurements of T3
        assert_found(outcome, "meting", rij, "traject_id", "traject_afgekeurd")
    assert sorted(accepted_keys(outcome, "traject", "traject_id")) == [
        "T1",
        "T2",
        "T5",
        "T6",
        "T7",
        "T8",
    ]
    assert not outcome.file_rejected


def test_partial_upload_resolves_against_known_data():
    base = upload()
    known = {"project": base["project"].drop("_rij", "_bestand")}
    outcome = run({"traject": base["traject"]}, known=known)
    assert outcome.rejected.height == 0
    assert outcome.accepted["traject"].height == 8
    # completed trajectories are not blamed for measurements that were not delivered yet
    assert outcome.findings.filter(pl.col("regel") == "afgerond_zonder_t1").height == 0

    outcome = run(
        {"meting": base["meting"]}, known={"traject": base["traject"].drop("_rij", "_bestand")}
    )
    assert outcome.accepted["meting"].height == 13


def test_known_parent_counts_even_when_the_upload_misses_it():
    tables = broken("traject", 6, project_id="P0")
    known = {
        "project": _frame(
            "project",
            [
                dict(
                    project_id="P0",
                    naam="Oud",
                    domein="activering",
                    interventie="werkervaringsplek",
                    erkenning=None,
                    startdatum=D(2020, 1, 1),
                    einddatum=None,
                    gemeente_code=None,
                )
            ],
        )
    }
    outcome = run(tables, known=known)
    assert outcome.rejected.height == 0
    assert "P0" in accepted_keys(outcome, "traject", "project_id")


# --- warnings -----------------------------------------------------------------------------


def test_same_client_twice_at_once_in_one_project_is_a_warning():
    tables = broken("traject", 3, client_pseudoniem=pseudonym(1))  # T2 = client of T1, P1
    outcome = run(tables)
    for rij, other in ((2, "T2"), (3, "T1")):
        finding = assert_found(
            outcome, "traject", rij, "client_pseudoniem", "mogelijk_dubbele_client"
        )
        assert other in finding["melding"]
        assert finding["waarde"] == MASK
    assert outcome.rejected.height == 0
    assert outcome.accepted["traject"].height == 8


def test_same_client_one_after_the_other_is_no_warning():
    # T4 (P2) ended 01-05-2024; the same client in T3 (P2) from 02-05-2024 on
    tables = broken("traject", 4, client_pseudoniem=pseudonym(4), startdatum=D(2024, 5, 2))
    outcome = run(tables)
    assert outcome.findings.filter(pl.col("regel") == "mogelijk_dubbele_client").height == 0


def test_same_client_as_a_known_trajectory_is_a_warning():
    old = _frame(
        "traject",
        [
            dict(
                traject_id="T0",
                project_id="P1",
                client_pseudoniem=pseudonym(2),
                startdatum=D(2023, 1, 1),
                einddatum=None,
                reden_einde=None,
                leeftijdsklasse="65-74",
                gemeente_code=None,
            )
        ],
    ).drop("_rij", "_bestand")
    outcome = run(upload(), known={"traject": old})
    finding = assert_found(outcome, "traject", 3, "client_pseudoniem", "mogelijk_dubbele_client")
    assert "T0" in finding["melding"]


def test_t1_without_t0_is_a_warning():
    tables = upload()
    tables["meting"] = tables["meting"].filter(pl.col("_rij") != 10)  # T0 of T6
    outcome = run(tables)
    assert_found(outcome, "meting", 11, "moment", "t1_zonder_t0")
    assert outcome.accepted["meting"].height == 12


def test_t0_in_known_data_counts():
    tables = upload()
    earlier = tables["meting"].filter(pl.col("_rij") == 10).drop("_rij", "_bestand")
    tables["meting"] = tables["meting"].filter(pl.col("_rij") != 10)
    outcome = run(tables, known={"meting": earlier})
    assert outcome.findings.filter(pl.col("regel") == "t1_zonder_t0").height == 0


def test_completed_trajectory_without_t1_is_a_warning():
    tables = upload()
    tables["meting"] = tables["meting"].filter(pl.col("_rij") != 3)  # T1 of T1
    outcome = run(tables)
    finding = assert_found(outcome, "traject", 2, "reden_einde", "afgerond_zonder_t1")
    assert "T1" in finding["melding"]
    assert outcome.accepted["traject"].height == 8


def test_missing_optional_column_is_a_warning():
    tables = upload()
    tables["project"] = tables["project"].drop("erkenning")
    outcome = run(tables)
    finding = outcome.findings.filter(pl.col("regel") == "kolom_ontbreekt_optioneel").row(
        0, named=True
    )
    assert finding["kolom"] == "erkenning" and finding["ernst"] == WAARSCHUWING
    assert outcome.accepted["project"]["erkenning"].null_count() == 4
    assert not outcome.file_rejected


def test_unknown_table_is_skipped_with_a_warning():
    tables = upload()
    tables["vrijwilligersrooster"] = pl.DataFrame({"x": [1], "_rij": [2], "_bestand": ["act.csv"]})
    outcome = run(tables)
    finding = outcome.findings.filter(pl.col("regel") == "tabel_onbekend").row(0, named=True)
    assert finding["tabel"] == "vrijwilligersrooster" and finding["_bestand"] == "act.csv"
    assert "vrijwilligersrooster" not in outcome.accepted
    assert not outcome.file_rejected


# --- the reader's parse problems ----------------------------------------------------------


def test_parse_problems_are_merged_and_reject_their_rows():
    tables = broken("traject", 5, startdatum=None)  # the reader could not read the date
    problems = pl.DataFrame(
        {
            "tabel": ["traject", "traject"],
            "_rij": [5, 40],
            "kolom": ["startdatum", "einddatum"],
            "waarde": ["31-02-2024", "12-13-2024"],
            "regel": ["datum_onleesbaar"] * 2,
            "melding": ["'31-02-2024' is geen bestaande datum.", "'12-13-2024' is geen datum."],
        }
    )
    outcome = run(tables, parse_problems=problems)
    finding = assert_found(outcome, "traject", 5, "startdatum", "datum_onleesbaar")
    assert finding["melding"] == "'31-02-2024' is geen bestaande datum."
    assert finding["waarde"] == "31-02-2024"
    # the null the reader left is not reported a second time
    assert outcome.findings.filter(pl.col("regel") == "verplicht_veld_leeg").height == 0
    # a row the reader could not deliver at all is still listed as rejected
    assert set(outcome.rejected.filter(pl.col("tabel") == "traject")["_rij"]) == {5, 40}
    assert outcome.counts["traject"]["niet_gelezen"] == 1
    assert outcome.counts["traject"]["afgekeurd"] == 1
    assert "T4" not in accepted_keys(outcome, "traject", "traject_id")
    assert outcome.accepted["traject"].height == 7


def test_reader_problem_under_the_file_header_is_not_repeated_as_empty():
    # a vendor layout: the reader names the column as headed in the file, and leaves null
    tables = broken("project", 3, domein=None)
    problems = pl.DataFrame(
        {
            "tabel": ["project"],
            "_rij": [3],
            "kolom": ["Werkveld"],
            "waarde": ["Armoede"],
            "regel": ["code_onbekend"],
            "melding": ["'Armoede' in kolom 'Werkveld' kennen we niet."],
        }
    )
    outcome = run(tables, parse_problems=problems)
    mine = outcome.findings.filter((pl.col("tabel") == "project") & (pl.col("_rij") == 3))
    assert mine["regel"].to_list() == ["code_onbekend"]
    assert mine["kolom"].to_list() == ["Werkveld"]


def test_parse_problem_on_a_client_column_is_masked():
    problems = pl.DataFrame(
        {
            "tabel": ["traject"],
            "_rij": [3],
            "kolom": ["client_id"],
            "waarde": ["K-000123"],
            "regel": ["leeg_clientnummer"],
            "melding": ["Cliëntnummer K-000123 is ongeldig."],
        }
    )
    outcome = run(upload(), parse_problems=problems)
    text = str(outcome.findings.rows()) + str(outcome.rejected.rows())
    assert "K-000123" not in text
    assert outcome.rejected["regel"][0] == "leeg_clientnummer"
