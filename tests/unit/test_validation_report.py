"""The validation report: stable shape, Dutch text, no client identifiers, escaped HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl

from rendement.intake.validation_report import MAX_EXAMPLES, report_html, report_json, report_text
from schemas.rules import CATALOGUE, MASK
from tests.support.validation import broken, pseudonym, run, set_cells, upload

KW = dict(
    organisatie_id="ORG001",
    bestand="export_2024.xlsx",
    checksum="ab" * 32,
    system="regicare",
    dialect={"scheidingsteken": ";", "codering": "utf-8-sig"},
)
HEX32 = re.compile(r"\b[0-9a-f]{32}\b")


def messy_upload():
    """Row errors, warnings involving clients, a bad pseudonym and a script in a value."""
    tables = broken("traject", 3, client_pseudoniem=pseudonym(1))  # duplicate client
    tables["traject"] = set_cells(tables["traject"], 5, client_pseudoniem=pseudonym(9)[:31])
    tables["project"] = set_cells(tables["project"], 5, domein="<script>alert('x')</script>")
    for rij in (9, 10, 11):
        tables["meting"] = set_cells(tables["meting"], rij, datum=None)
    return tables


def all_pseudonyms(tables) -> set[str]:
    values = set(tables["traject"]["client_pseudoniem"].to_list())
    return {v for v in values if v} | {pseudonym(i) for i in range(20)}


def test_report_json_shape_is_stable():
    outcome = run(messy_upload())
    report = report_json(outcome, **KW)
    assert list(report) == [
        "rapport",
        "versie",
        "regelversie",
        "organisatie_id",
        "bestand",
        "checksum",
        "systeem",
        "dialect",
        "status",
        "bestand_afgekeurd",
        "redenen",
        "samenvatting",
        "tabellen",
        "regels",
    ]
    assert report["status"] == "deels_geaccepteerd"
    assert set(report["samenvatting"]) == {
        "rijen",
        "geaccepteerd",
        "afgekeurd",
        "niet_gelezen",
        "opgeslagen",
        "fouten",
        "waarschuwingen",
    }
    assert report["tabellen"]["traject"]["rijen"] == 8
    codes = [r["regel"] for r in report["regels"]]
    assert {
        "mogelijk_dubbele_client",
        "pseudoniem_ongeldig",
        "domein_onbekend",
        "verplicht_veld_leeg",
    } <= set(codes)
    for r in report["regels"]:
        assert set(r) == {
            "regel",
            "ernst",
            "titel",
            "wat_te_doen",
            "aantal",
            "tabellen",
            "voorbeelden",
        }
        assert 1 <= len(r["voorbeelden"]) <= MAX_EXAMPLES
        rows = [(ex["bestand"], ex["rij"]) for ex in r["voorbeelden"]]
        assert rows == sorted(rows)  # by file, then row
    # errors before warnings
    severities = [r["ernst"] for r in report["regels"]]
    assert severities == sorted(severities, key=["bestand", "fout", "waarschuwing"].index)
    # JSON-serialisable as it is, and the same twice
    assert json.dumps(report) == json.dumps(report_json(outcome, **KW))


def test_report_example_points_to_file_row_column_value_and_expectation():
    outcome = run(broken("meting", 5, score=6.0))
    r = next(r for r in report_json(outcome, **KW)["regels"] if r["regel"] == "score_buiten_schaal")
    ex = r["voorbeelden"][0]
    assert (ex["bestand"], ex["rij"], ex["kolom"], ex["waarde"]) == (
        "meting_2024.csv",
        5,
        "score",
        "6",
    )
    assert "1 tot en met 5" in ex["verwacht"]
    assert r["titel"] == "Score past niet bij het meetinstrument"


def test_no_pseudonym_in_any_form_of_the_report():
    tables = messy_upload()
    outcome = run(tables)
    texts = [
        json.dumps(report_json(outcome, **KW), ensure_ascii=False),
        report_html(outcome, **KW),
        report_text(outcome, **KW),
        str(outcome.findings.rows()),
        str(outcome.rejected.rows()),
    ]
    for text in texts:
        for p in all_pseudonyms(tables):
            assert p not in text
        assert not HEX32.search(text)
    masked = outcome.findings.filter(pl.col("kolom") == "client_pseudoniem")["waarde"]
    assert masked.len() >= 3 and set(masked.to_list()) == {MASK}


def test_html_escapes_values_from_the_upload():
    outcome = run(messy_upload())
    page = report_html(outcome, **KW)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "&amp;lt;" not in page  # escaped once, not twice
    assert "alert(" in page  # shown, as text


def test_html_is_self_contained_and_deterministic():
    outcome = run(messy_upload())
    page = report_html(outcome, **KW)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert 'lang="nl"' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "<script" not in page
    # great-tables with fixed ids: the same outcome renders to the same page
    assert 'id="validatie-tabellen"' in page
    assert 'id="validatie-domein_onbekend"' in page
    assert page == report_html(outcome, **KW)
    # grouped by rule, with counts and examples
    assert "Onbekend domein" in page and "Mogelijk dubbele cliënt" in page
    assert "Rij in Excel" in page and "project_2024.csv" in page


def test_html_of_a_refused_upload_says_why():
    tables = upload()
    tables["traject"] = tables["traject"].drop("startdatum")
    outcome = run(tables)
    page = report_html(outcome, **KW)
    assert "niet aangenomen" in page and "Waarom niet aangenomen" in page
    assert "startdatum" in page
    report = report_json(outcome, **KW)
    assert report["status"] == "geweigerd" and report["bestand_afgekeurd"]
    assert report["regels"][0]["ernst"] == "bestand"


def test_text_report_for_the_command_line():
    outcome = run(broken("meting", 5, score=6.0))
    text = report_text(outcome, **KW)
    assert "Controle van export_2024.xlsx (organisatie ORG001)" in text
    assert "1 rij is afgekeurd" in text
    assert "meting_2024.csv, rij 5, kolom score" in text
    assert "Wat te doen:" in text


def test_clean_upload_report():
    outcome = run(upload())
    report = report_json(outcome, **KW)
    assert report["status"] == "geaccepteerd" and report["regels"] == []
    assert "helemaal aangenomen" in report_text(outcome, **KW)
    assert "Geen problemen gevonden" in report_html(outcome, **KW)


def test_docs_describe_every_rule():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "validatie.md").read_text("utf-8")
    for rule in CATALOGUE:
        assert f"`{rule.code}`" in doc, f"docs/validatie.md does not describe {rule.code}"
