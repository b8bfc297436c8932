"""The project sheet form's values: Dutch numbers in and out, the form read back over the
lake's sheet (only the organisation's own projects), the filled template it becomes (with
the rows the form does not show carried along) and the pre-flight's findings put back at the
fields they came from."""

from __future__ import annotations

import datetime as dt

import pytest

from rendement.intake.preflight import preflight
from rendement.service.projectblad import (
    Block,
    Place,
    ProjectPart,
    Sheet,
    from_form,
    number,
    original_name,
    shown,
    unchanged,
    workbook,
)
from rendement.service.projectblad_findings import errors_by_field

YEAR = 2025


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1.234,5", 1234.5),
        ("0,6", 0.6),
        ("1500", 1500),
        ("1.500", 1500),
        (" 12 ", 12),
        ("\u22123", -3),
        ("veel", "veel"),
        ("", None),
    ],
)
def test_numbers_are_read_the_dutch_way_and_text_stays_text(typed, value):
    assert number(typed) == value
    assert type(number(typed)) is type(value)


def test_stored_numbers_are_shown_in_dutch_notation():
    assert [shown(v) for v in (1800, 0.6, 2500.5, 2.0, None, float("nan"))] == [
        "1.800",
        "0,6",
        "2.500,5",
        "2",
        "",
        "",
    ]


def _base() -> Sheet:
    project = {
        "project_id": "P1",
        "naam": "Inloop",
        "domein": "ouderen_eenzaamheid",
        "interventie": "ontmoetingsgroep",
        "startdatum": dt.date(2021, 3, 1),
        "einddatum": None,
    }
    plan = {"project_id": "P1", "jaar": YEAR + 1, "soort": "raming", "bereikt": 90}
    return Sheet(
        YEAR,
        [ProjectPart("P1", "Inloop", [Block()]), ProjectPart("P2", "Straat", [Block()])],
        {"project": [project], "projectopgave": [plan]},
    )


def _form(**values) -> dict[str, str]:
    return {"csrftoken": "x", "p0.id": "P1", "p1.id": "P2", **values}


def test_the_form_becomes_the_template_with_what_it_does_not_show_carried_along():
    sheet = from_form(
        _form(
            **{
                "p0.b0.soort": "realisatie",
                "p0.b0.bereikt": "1.250",
                "p0.b0.u0.uitkomst": "betaald_werk",
                "p0.b0.u0.aantal": "4",
                "p0.b0.u0.vastgesteld": "registratie",
                "p0.b0.u1.uitkomst": "",  # an empty outcome line is no row
                "p0.fte_betaald": "0,8",
                "p0.kosten_materiaal": "2.500,50",
                "p1.b0.soort": "realisatie",  # nothing typed for P2: no rows
                "p1.b0.bereikt": "",
            }
        ),
        _base(),
    )
    assert [p.project_id for p in sheet.projects] == ["P1", "P2"]
    data, places = workbook(sheet)
    assert data.startswith(b"PK")
    assert places[("Projectopgave", 2)] == Place("p0.b0", "projectopgave", "P1, realisatie")
    assert places[("Projectopgave", 3)].prefix == "p0.b0.u0"
    assert places[("Projectopgave", 4)].prefix is None  # next year's plan, carried
    assert places[("Inzet", 2)].prefix == "p0"
    assert places[("Kosten", 2)].prefix == "p0.kosten_materiaal"
    assert places[("Projecten", 2)].prefix is None
    assert len(places) == 6


def test_only_the_organisations_own_projects_are_read_from_the_form():
    sheet = from_form(
        {"p0.id": "P1", "p0.b0.bereikt": "5", "p9.id": "VREEMD", "p9.b0.bereikt": "7"}, _base()
    )
    assert [p.project_id for p in sheet.projects] == ["P1", "P2"]  # P2 kept as stored
    assert sheet.projects[0].blocks[0].totals == {"bereikt": "5"}


def test_findings_land_at_their_fields_and_the_rest_in_the_summary():
    _, places = workbook(
        from_form(_form(**{"p0.b0.bereikt": "abc", "p0.fte_betaald": "1"}), _base())
    )
    document = {
        "oordeel": "geweigerd",
        "bestand": "20261205T101010Z_abc_projectblad_2025.xlsx",
        "redenen": ["In 20261205T101010Z_abc_projectblad_2025.xlsx zijn te veel rijen afgekeurd."],
        "regels": [
            {
                "regel": "getal_onleesbaar",
                "ernst": "fout",
                "aantal": 7,
                "voorbeelden": [
                    {"blad": "Projectopgave", "rij": 2, "kolom": "Bereikt", "melding": "Fout A"}
                ],
            },
            {
                "regel": "project_onbekend",
                "ernst": "fout",
                "aantal": 2,
                "voorbeelden": [
                    {"blad": "Inzet", "rij": 2, "kolom": "Projectcode", "melding": "Fout B"},
                    {"blad": "Projecten", "rij": 2, "kolom": "Naam", "melding": "Fout C"},
                ],
            },
            {
                "regel": "iets",
                "ernst": "waarschuwing",
                "aantal": 1,
                "voorbeelden": [{"blad": "Inzet", "rij": 2, "kolom": "Fte betaald"}],
            },
        ],
    }
    found = errors_by_field(document, places, document["bestand"], original_name(YEAR))
    assert found.at("p0.b0.bereikt") == ["Fout A (blad Projectopgave, rij 2, kolom Bereikt)"]
    assert found.at("p0") == ["Fout B (blad Inzet, rij 2, kolom Projectcode)"]
    assert found.at("p0.fte_betaald") == []  # a warning does not stop the sheet
    assert found.general == [
        "In projectblad_2025_formulier.xlsx zijn te veel rijen afgekeurd.",
        "P1 (ongewijzigd meegestuurd) (blad Projecten, rij 2, kolom Naam): Fout C",
    ]
    assert [name for name, _ in found.summary] == ["p0.b0.bereikt", "p0"]
    assert found.more == 6


def test_the_pipelines_own_rule_text_comes_back_at_the_field(tmp_path):
    sheet = from_form(
        _form(**{"p0.b0.soort": "realisatie", "p0.b0.bereikt": "veel", "p0.b0.contacten": "3"}),
        _base(),
    )
    data, places = workbook(sheet)
    path = tmp_path / original_name(YEAR)
    path.write_bytes(data)
    verdict = preflight(path, organisatie_id="ORG1").document
    found = errors_by_field(verdict, places, path.name, path.name)
    [message, *_] = found.at("p0.b0.bereikt")
    assert message.startswith("'veel' in kolom 'Bereikt' is geen geheel getal.")
    assert message.endswith("(blad Projectopgave, rij 2, kolom Bereikt)")


def test_a_new_project_goes_on_the_projects_sheet_and_its_errors_come_back_there():
    form = _form(
        **{
            "p2.nieuw": "1",
            "p2.id": "P3",
            "p2.naam": "Nieuw",
            "p2.interventie": "maatjesproject",
            "p2.startdatum": "1-2-2025",
            "p2.b0.soort": "realisatie",
            "p2.b0.bereikt": "12",
        }
    )
    sheet = from_form(form, _base())
    assert [p.project_id for p in sheet.projects] == ["P1", "P2"]
    assert sheet.new.project_id == "P3" and sheet.new.new["startdatum"] == "1-2-2025"
    _, places = workbook(sheet)
    assert places[("Projecten", 2)] == Place("p2", "project", "P3, project")
    assert places[("Projectopgave", 2)].prefix == "p2.b0"
    document = {
        "oordeel": "geweigerd",
        "regels": [
            {
                "regel": "datum_onleesbaar",
                "ernst": "fout",
                "aantal": 1,
                "voorbeelden": [
                    {"blad": "Projecten", "rij": 2, "kolom": "Startdatum", "melding": "D"},
                    {"blad": "Projecten", "rij": 2, "kolom": "Projectcode", "melding": "E"},
                ],
            }
        ],
    }
    found = errors_by_field(document, places, "", "")
    assert found.at("p2.startdatum") == ["D (blad Projecten, rij 2, kolom Startdatum)"]
    assert found.at("p2.id") == ["E (blad Projecten, rij 2, kolom Projectcode)"]


def test_an_untouched_new_project_block_adds_nothing():
    sheet = from_form(_form(**{"p2.nieuw": "1", "p2.id": "", "p2.b0.soort": "realisatie"}), _base())
    _, places = workbook(sheet)
    assert not any(p.table == "project" and p.prefix for p in places.values())


def test_a_form_that_says_what_is_stored_is_unchanged():
    base = _base()
    base.stored = {
        ("projectopgave", "P1", "realisatie", None): {
            "project_id": "P1",
            "jaar": YEAR,
            "soort": "realisatie",
            "uitkomst": None,
            "bereikt": 1250,
            "contacten": None,
            "afgerond": None,
            "upload_checksum": "abc",
        }
    }
    same = _form(**{"p0.b0.soort": "realisatie", "p0.b0.bereikt": "1.250"})
    assert unchanged(from_form(same, base))
    assert not unchanged(from_form({**same, "p0.b0.bereikt": "1.251"}, base))
    assert not unchanged(from_form({**same, "p0.b0.contacten": "3"}, base))
    assert not unchanged(from_form({**same, "p0.fte_betaald": "1"}, base))
    assert not unchanged(from_form({**same, "p0.b0.bereikt": ""}, base))  # emptied: removed


def test_the_budget_and_the_organisations_own_words_go_through_the_form(tmp_path):
    """The plan columns (begroting, kwalitatieve_effecten) are on the form: the budget is read
    the Dutch way, the words stay text, and words carrying a BSN come back at their field with
    the number masked."""
    words = "Deelnemers durven weer naar de buurtkamer; meneer 111222333 kwam elke week."
    sheet = from_form(
        _form(
            **{
                "p0.b0.soort": "realisatie",
                "p0.b0.bereikt": "40",
                "p0.b0.begroting": "12.500,50",
                "p0.b0.kwalitatieve_effecten": words,
            }
        ),
        _base(),
    )
    [block] = [b for b in sheet.projects[0].blocks if b.totals]
    assert (
        block.totals["begroting"] == "12.500,50" and block.totals["kwalitatieve_effecten"] == words
    )
    data, places = workbook(sheet)
    path = tmp_path / original_name(YEAR)
    path.write_bytes(data)
    verdict = preflight(path, organisatie_id="ORG1").document
    found = errors_by_field(verdict, places, path.name, path.name)
    [message, *_] = found.at("p0.b0.kwalitatieve_effecten")
    assert "111222333" not in message and "111222333" not in str(verdict)
    assert "(blad Projectopgave, rij 2, kolom" in message
