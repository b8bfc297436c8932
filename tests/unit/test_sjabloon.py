"""The Excel template (projectblad): what it offers an office, and that a filled one is read
and validated like any export, with findings that name file, sheet, row and column."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import polars as pl
import yaml

from rendement.cli.main import main
from rendement.intake.chain import screen, upload, validate
from rendement.intake.sjabloon import INSTRUCTIONS, LISTS, dropdown_values, workbook_bytes
from rendement.mkba.params import standard_parameter_path
from schemas.vocabulary import DOMAINS, INTERVENTIONS, OUTCOMES, RECOGNITION_LEVELS
from sources.dialect import normalise_label
from sources.mapping import vendor_mappings
from tests.support.sjabloon import YEAR, filled_rows

KEY = b"k" * 32
TODAY = dt.date(YEAR + 1, 3, 1)


def _check(tmp_path, rows, name=f"projectblad_{YEAR}.xlsx"):
    path = tmp_path / name
    path.write_bytes(workbook_bytes(YEAR, rows))
    screened = screen(path, organisatie_id="ORG077", key=KEY)
    assert screened.refusal is None, screened.refusal
    one = upload(screened.tables, period=screened.period, problems=screened.problems)
    outcome = validate(one, today=TODAY)
    return screened, outcome


def _sheet_xml(data: bytes) -> dict[str, str]:
    """Sheet name -> its XML, from the workbook's own parts."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        book = z.read("xl/workbook.xml").decode()
        names = re.findall(r'<sheet name="([^"]+)"', book)
        return {n: z.read(f"xl/worksheets/sheet{i}.xml").decode() for i, n in enumerate(names, 1)}


def test_template_has_instructions_lists_and_a_sheet_per_table():
    assert set(vendor_mappings()["sjabloon"].other_sheets) == {INSTRUCTIONS, LISTS}
    data = workbook_bytes(YEAR)
    sheets = _sheet_xml(data)
    assert list(sheets) == [
        "Toelichting",
        LISTS,
        "Projecten",
        "Projectopgave",
        "Activiteiten",
        "Inzet",
        "Kosten",
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert 'state="hidden"' in z.read("xl/workbook.xml").decode()
    # drop-downs: domein, interventie, erkenning on Projecten; soort on Projectopgave
    projecten = sheets["Projecten"]
    assert projecten.count('type="list"') == 3
    assert f"{LISTS}!$A$2:$A${len(DOMAINS) + 1}" in projecten
    assert 'type="list"' in sheets["Projectopgave"]
    # the project code on the other sheets is chosen from the codes on Projecten
    assert "<formula1>'Projecten'!$A$2:$A$501</formula1>" in sheets["Kosten"]
    assert "'Projecten'!" not in projecten
    assert 'type="date"' in projecten and 'type="whole"' in sheets["Projectopgave"]
    lists = pl.read_excel(io.BytesIO(data), sheet_name=LISTS)
    assert lists["domein"].drop_nulls().to_list() == list(DOMAINS.values())
    n_interventions = sum(len(v) for v in INTERVENTIONS.values())
    assert lists["interventie"].drop_nulls().len() == n_interventions
    assert lists["erkenning"].drop_nulls().to_list() == list(RECOGNITION_LEVELS.values())
    assert lists["soort"].drop_nulls().to_list() == ["realisatie", "raming"]
    # Dutch instructions on their own sheet, naming every sheet and the year in the file name
    text = " ".join(
        str(v)
        for col in pl.read_excel(io.BytesIO(data), sheet_name="Toelichting", has_header=False)
        .fill_null("")
        .iter_columns()
        for v in col
    )
    assert f"projectblad_{YEAR}.xlsx" in text and "Blad Projectopgave" in text
    assert "Verplicht." in text and "rendement check" in text


def test_a_filled_template_is_read_as_the_template_and_accepted(tmp_path):
    screened, outcome = _check(tmp_path, filled_rows())
    assert screened.system == "sjabloon" and screened.period == YEAR
    assert screened.dialect["sheets"]["Projectopgave"] == "projectopgave"
    assert screened.dialect["sheets"]["Toelichting"] == "genegeerd"
    assert screened.dialect["notes"] == []  # its own instructions and lists pass unremarked
    assert not outcome.file_rejected and outcome.rejected.height == 0
    opgave = outcome.accepted["projectopgave"].sort("jaar", "uitkomst", nulls_last=False)
    assert opgave.height == 4
    outcome_row = opgave.filter(pl.col("uitkomst").is_not_null()).row(0, named=True)
    assert outcome_row["uitkomst"] == "eenzaamheid_welzijn"  # the label became the code
    assert outcome_row["vastgesteld"] == "zelfrapportage" and outcome_row["aantal"] == 30
    project = outcome.accepted["project"].sort("project_id")
    assert project["domein"].to_list() == ["ouderen_eenzaamheid", "jongerenwerk"]
    assert outcome.accepted["kosten"]["kostensoort"].sort().to_list() == [
        "huisvesting",
        "personeel",
        "personeel",
    ]
    assert outcome.accepted["activiteit"].row(0, named=True)["aanwezigheden"] == 1750


def test_errors_in_a_filled_template_name_file_sheet_row_and_column(tmp_path):
    rows = filled_rows()
    rows["Projectopgave"][0]["afgerond"] = 500  # more completed than reached
    rows["Projectopgave"][1]["vastgesteld"] = None  # an outcome without how it was found
    rows["Kosten"][2]["bedrag"] = -10.0
    _screened, outcome = _check(tmp_path, rows)
    assert not outcome.file_rejected
    found = {
        (r["_bestand"], r["_rij"], r["kolom"], r["regel"])
        for r in outcome.findings.iter_rows(named=True)
    }
    # the file, row and column of each finding; the report adds the sheet from the table's
    # sheet in the dialect (`validation_report.where`, checked in test_sjabloon_cli)
    name = f"projectblad_{YEAR}.xlsx"
    assert (name, 2, "afgerond", "aantal_groter_dan_totaal") in found
    assert (name, 3, "vastgesteld", "uitkomst_onvolledig") in found
    assert (name, 4, "bedrag", "negatief") in found
    message = outcome.findings.filter(pl.col("regel") == "aantal_groter_dan_totaal")["melding"][0]
    assert message == (
        "Project P01 (realisatie 2025): 500 in de kolom 'afgerond' is meer dan de 120 "
        "bereikte personen."
    )
    # the other rows still arrive
    assert outcome.accepted["projectopgave"].height == 2
    assert outcome.accepted["project"].height == 2


def test_a_label_outside_the_lists_is_reported_with_the_allowed_codes(tmp_path):
    rows = filled_rows()
    rows["Projecten"][0]["domein"] = "Welzijn"
    _screened, outcome = _check(tmp_path, rows)
    hit = outcome.findings.filter(pl.col("regel") == "domein_onbekend").row(0, named=True)
    assert hit["_bestand"] == f"projectblad_{YEAR}.xlsx" and hit["_rij"] == 2
    assert "ouderen_eenzaamheid" in hit["verwacht"]


def test_dropdowns_offer_words_the_reader_accepts():
    """Every word in a drop-down reads back as its code (a typo in a label would reject rows)."""
    mapping = vendor_mappings()["sjabloon"]
    for table in ("domein", "interventie", "erkenning", "soort", "uitkomst", "vastgesteld"):
        for word in dropdown_values(table):
            assert normalise_label(word) in mapping.values[table], (table, word)


def test_command_writes_the_template(tmp_path, capsys):
    assert main(["sjabloon", str(tmp_path), "--jaar", "2024"]) == 0
    written = tmp_path / "projectblad_2024.xlsx"
    assert written.is_file() and "Projecten" in _sheet_xml(written.read_bytes())
    assert main(["sjabloon", str(tmp_path / "blad.xlsx")]) == 0
    assert "verslagjaar in de bestandsnaam" in capsys.readouterr().err
    assert main(["sjabloon", str(tmp_path / "blad.csv")]) == 2


def test_outcome_codes_are_the_parameter_sets_pathways():
    raw = yaml.safe_load(standard_parameter_path().read_text("utf-8"))
    assert [u["code"] for u in raw["uitkomsten"]] == list(OUTCOMES)
