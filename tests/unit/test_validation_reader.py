"""From broken CSV exports to the report, the way intake does it: the real reader in
`sources/`, pseudonymisation, validation, and the report. Fixtures: tests/fixtures/broken/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from rendement.core.privacy import pseudonymise
from rendement.intake.validation_report import report_html, report_json, report_text
from schemas.validate import validate_upload
from sources import read_upload

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "broken"
KEY = b"test-key-for-validation-only-32b"
ORG = "ORG042"
RAW_IDS = ["C1001", "C1002", "C2001", "C1005", "C1006", "C1007", "C1008"]


def intake(paths: list[Path]):
    """What `rendement.intake.accept` does between reading and validating, in memory."""
    tables, problems, period = {}, [], None
    for path in paths:
        result = read_upload(path)
        period = result.period
        problems.append(result.problems)
        for table, df in result.tables.items():
            df = df.with_columns(pl.lit(ORG).alias("organisatie_id"))
            if "client_id" in df.columns:
                df = df.with_columns(
                    pseudonymise(ORG, df["client_id"], KEY).alias("client_pseudoniem")
                ).drop("client_id")
            tables[table] = df
    return tables, pl.concat(problems), period


@pytest.fixture(scope="module")
def outcome_and_tables():
    tables, problems, period = intake(sorted(FIXTURES.glob("*.csv")))
    assert period == 2024
    outcome = validate_upload(
        tables, period=period, today=dt.date(2025, 3, 1), parse_problems=problems
    )
    return outcome, tables


EXPECTED = [
    # (tabel, Excel row, column, rule)
    ("project", 3, "interventie", "interventie_hoort_niet_bij_domein"),
    ("traject", 4, "project_id", "project_afgekeurd"),
    ("traject", 6, "startdatum", "datum_onleesbaar"),  # 31-02-2024, found by the reader
    ("traject", 7, "project_id", "project_onbekend"),
    ("traject", 8, "einddatum", "einddatum_voor_startdatum"),
    ("traject", 2, "client_pseudoniem", "mogelijk_dubbele_client"),
    ("traject", 5, "client_pseudoniem", "mogelijk_dubbele_client"),
    ("traject", 3, "reden_einde", "afgerond_zonder_t1"),  # its T1 is rejected
    ("traject", 8, "leeftijdsklasse", "leeftijdsklasse_onbekend"),  # a <script> value
    ("meting", 4, "score", "score_buiten_schaal"),
    ("meting", 6, "onderdeel", "onderdeel_ontbreekt"),
    ("meting", 7, "datum", "datum_in_toekomst"),
]


@pytest.mark.parametrize(("tabel", "rij", "kolom", "regel"), EXPECTED)
def test_broken_csv_is_reported_at_the_right_cell(outcome_and_tables, tabel, rij, kolom, regel):
    outcome, _ = outcome_and_tables
    found = outcome.findings.filter(
        (pl.col("tabel") == tabel)
        & (pl.col("_rij") == rij)
        & (pl.col("kolom") == kolom)
        & (pl.col("regel") == regel)
    )
    assert found.height == 1, outcome.findings.select("tabel", "_rij", "kolom", "regel").rows()
    assert found["_bestand"][0] == f"{tabel}_2024.csv"


def test_the_good_rows_of_the_broken_export_arrive(outcome_and_tables):
    outcome, _ = outcome_and_tables
    assert not outcome.file_rejected
    assert outcome.accepted["project"]["project_id"].to_list() == ["P01", "P03"]
    assert outcome.accepted["traject"]["traject_id"].to_list() == ["T001", "T002", "T004", "T008"]
    assert outcome.accepted["meting"].height == 3
    assert outcome.counts["traject"] == {
        "rijen": 8,
        "geaccepteerd": 4,
        "afgekeurd": 4,
        "niet_gelezen": 0,
        "opgeslagen": 4,
        "waarschuwingen": 3,
    }
    # the empty date the reader left is reported once, by the reader
    row6 = outcome.findings.filter((pl.col("tabel") == "traject") & (pl.col("_rij") == 6))
    assert row6["regel"].to_list() == ["datum_onleesbaar"]


def test_report_of_the_broken_export_has_no_client_ids_and_escapes_html(outcome_and_tables):
    outcome, tables = outcome_and_tables
    kw = dict(
        organisatie_id=ORG,
        bestand="traject_2024.csv",
        checksum="0" * 64,
        system="contract",
        dialect={},
    )
    texts = [
        json.dumps(report_json(outcome, **kw), ensure_ascii=False),
        report_html(outcome, **kw),
        report_text(outcome, **kw),
    ]
    pseudonyms = tables["traject"]["client_pseudoniem"].to_list()
    for text in texts:
        for value in RAW_IDS + pseudonyms:
            assert value not in text
    page = texts[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page
