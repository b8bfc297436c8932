"""System detection from the header, explicit systems, and files that cannot be read at all."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from stdnum.nl import bsn as stdnum_bsn

from sources import UnreadableFile, read_upload, systems
from sources.mapping import MappingError, parse_mapping
from tests.support.sources import (
    CONTRACT_TABLES,
    REGAS,
    REGICARE,
    contract_fixture,
    load_fixture,
    render_csv,
    render_xlsx,
)


def _write(tmp_path, name: str, data: bytes | str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def test_known_systems():
    assert set(systems()) >= {"contract", "regicare", "regas"}


@pytest.mark.parametrize(
    ("fixture", "system", "tables"),
    [
        (REGICARE, "regicare", ["project", "traject"]),
        (REGAS, "regas", ["traject", "project"]),
        *[(contract_fixture(t), "contract", [t]) for t in CONTRACT_TABLES],
    ],
    ids=["regicare", "regas", *CONTRACT_TABLES],
)
def test_system_detected_from_header(fixture, system, tables):
    result = read_upload(fixture.path)
    assert result.system == system
    assert list(result.tables) == tables


def test_header_spelling_is_forgiving(tmp_path):
    """Case, accents, spaces and underscores in header names do not matter."""
    logical = load_fixture(REGAS)
    logical.header = [h.upper().replace(" ", "_").replace("Ë", "E") for h in logical.header]
    result = read_upload(_write(tmp_path, "x.csv", render_csv(logical)))
    assert result.system == "regas"
    assert result.tables["traject"].height == 4


def _both_layouts_in_one_header(tmp_path):
    """A file whose header satisfies both RegiCare and Regas."""
    header = (
        "activiteitID;omschrijving;startDatum;eindDatum;groepering;persoonID;geboortedatum;"
        "Dossiernummer;Cliëntnummer;Stap;Datum stap;Product"
    )
    row = "A1;Soos;01-02-2024;;Soos;501;01-01-1950;D1;501;Aanmelding;01-02-2024;Schuldhulp"
    return _write(tmp_path, "beide.csv", f"{header}\n{row}\n")


def test_explicit_system_overrides_detection(tmp_path):
    path = _both_layouts_in_one_header(tmp_path)
    detected = read_upload(path)
    assert detected.system == "regicare"  # 7 of its columns recognised, 6 of Regas
    forced = read_upload(path, system="regas")
    assert forced.system == "regas"
    assert forced.tables["traject"]["traject_id"].to_list() == ["D1"]
    assert read_upload(path, system=" RegiCare ").system == "regicare"


def test_contract_tables_named_explicitly(tmp_path):
    result = read_upload(contract_fixture("traject").path, system="contract")
    assert result.system == "contract" and list(result.tables) == ["traject"]


def test_explicit_system_that_does_not_fit(tmp_path):
    with pytest.raises(UnreadableFile) as exc:
        read_upload(REGICARE.path, system="regas")
    assert exc.value.code == "onbekende_kolommen"
    assert "Regas" in exc.value.message and "Dossiernummer" in exc.value.message


def test_unknown_system_name_is_a_programming_error():
    with pytest.raises(ValueError, match="onbekend systeem"):
        read_upload(REGICARE.path, system="wizz")


def test_missing_required_column_is_named(tmp_path):
    text = REGICARE.path.read_bytes().decode("cp1252").replace("persoonID", "persoon")
    with pytest.raises(UnreadableFile) as exc:
        read_upload(_write(tmp_path, "rc.csv", text, "cp1252"))
    assert exc.value.code == "onbekende_kolommen"
    assert "persoonID" in exc.value.message and "RegiCare" in exc.value.message


def test_organisation_id_column_is_ignored(tmp_path):
    text = "organisatie_id;naam;gemeente_code\nANDERE;Stichting X;GM0363\n"
    result = read_upload(_write(tmp_path, "organisatie.csv", text))
    assert result.tables["organisatie"].columns == ["naam", "gemeente_code", "_rij", "_bestand"]
    assert "organisatie_id" in result.dialect.ignored_columns
    assert any("organisatie_id" in n for n in result.dialect.notes)


def test_optional_contract_columns_may_be_missing(tmp_path):
    text = "traject_id;project_id;client_id;startdatum;leeftijdsklasse\nT1;P1;C1;01-02-2024;18-26\n"
    result = read_upload(_write(tmp_path, "traject.csv", text))
    df = result.tables["traject"]
    assert df["einddatum"].to_list() == [None] and df["gemeente_code"].to_list() == [None]


def test_workbook_sheet_with_unknown_columns_is_skipped(tmp_path):
    sheets = {t: load_fixture(contract_fixture(t)) for t in ("project", "traject")}
    sheets["Toelichting"] = load_fixture(contract_fixture("kosten"))
    sheets["Toelichting"].header = ["Kolom", "Uitleg", "Voorbeeld", "Opmerking"]
    path = _write(tmp_path, "export.xlsx", render_xlsx(sheets))
    result = read_upload(path)
    assert sorted(result.tables) == ["project", "traject"]
    assert result.dialect.sheets["Toelichting"] == "genegeerd"


# --- files that cannot be read at all ---------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"],
    ids=["0", "ws", "bom", "bom-nl"],
)
def test_empty_file(tmp_path, data):
    with pytest.raises(UnreadableFile) as exc:
        read_upload(_write(tmp_path, "leeg.csv", data))
    assert exc.value.code == "leeg_bestand"


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", bytes(range(256)) * 8, b"\x89PNG\r\n\x1a\n\0\0"],
    ids=["pdf", "binary", "png"],
)
def test_not_a_table(tmp_path, data):
    with pytest.raises(UnreadableFile) as exc:
        read_upload(_write(tmp_path, "export.csv", data))
    assert exc.value.code == "onbekend_formaat"


def test_zip_with_csv_files_is_not_a_workbook(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("traject.csv", "traject_id;project_id\n")
    with pytest.raises(UnreadableFile) as exc:
        read_upload(_write(tmp_path, "export.zip", buffer.getvalue()))
    assert exc.value.code == "onbekend_formaat"


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_broken_workbook(tmp_path, cut):
    data = render_xlsx({"traject": load_fixture(contract_fixture("traject"))})
    with pytest.raises(UnreadableFile) as exc:
        read_upload(_write(tmp_path, "export.xlsx", data[: int(len(data) * cut)]))
    assert exc.value.code == "kapot_xlsx"


def test_workbook_with_garbage_inside(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "dit is geen xml")
    with pytest.raises(UnreadableFile) as exc:
        read_upload(_write(tmp_path, "export.xlsx", buffer.getvalue()))
    assert exc.value.code == "kapot_xlsx"


def test_no_header_row(tmp_path):
    text = "12;34;01-02-2024\n56;78;03-04-2024\n"
    with pytest.raises(UnreadableFile) as exc:
        read_upload(_write(tmp_path, "cijfers.csv", text))
    assert exc.value.code == "geen_kopregel"


def test_unknown_columns(tmp_path):
    text = "Artikel;Omschrijving artikel;Prijs\nX1;Schroef;0,10\n"
    with pytest.raises(UnreadableFile) as exc:
        read_upload(_write(tmp_path, "artikelen.csv", text))
    assert exc.value.code == "onbekende_kolommen"
    assert "'Artikel'" in exc.value.message


def test_person_list_is_not_taken_for_the_organisation_table(tmp_path):
    """One known column ('naam') among many unknown ones is not enough to accept a layout."""
    text = "naam;adres;telefoon;e-mail\nJan Jansen;Dorpsstraat 1;0612345678;jan@example.org\n"
    with pytest.raises(UnreadableFile) as exc:
        read_upload(_write(tmp_path, "personen.csv", text))
    assert exc.value.code == "onbekende_kolommen"
    assert "Jan" not in exc.value.message


def test_header_only_file_gives_empty_tables(tmp_path):
    text = "traject_id;project_id;client_id;startdatum;einddatum;reden_einde;leeftijdsklasse\n"
    result = read_upload(_write(tmp_path, "traject_2025.csv", text))
    assert result.tables["traject"].height == 0
    assert result.period == 2025


# --- BSN ------------------------------------------------------------------------------------


def _valid_bsns(n: int) -> list[str]:
    rng = random.Random(3)
    out: list[str] = []
    while len(out) < n:
        v = f"{rng.randrange(100_000_000, 999_999_999)}"
        if stdnum_bsn.is_valid(v):
            out.append(v)
    return out


def test_bsn_column_refuses_the_file_even_if_no_layout_reads_it(tmp_path):
    bsns = _valid_bsns(3)
    text = "traject_id;project_id;client_id;startdatum;leeftijdsklasse;BSN\n" + "".join(
        f"T{i};P1;C{i};01-02-2024;18-26;{b}\n" for i, b in enumerate(bsns)
    )
    path = _write(tmp_path, "traject.csv", text)
    with pytest.raises(UnreadableFile) as exc:
        read_upload(path)
    assert exc.value.code == "bsn_gevonden"
    assert "'BSN'" in exc.value.message
    assert not any(b in exc.value.message for b in bsns)
    result = read_upload(path, refuse_bsn=False)
    assert result.raw_columns_bsn is not None
    assert result.raw_columns_bsn.column_names == ["BSN"]
    assert "BSN" not in result.tables["traject"].columns


def test_bsn_used_as_client_number_is_found(tmp_path):
    logical = load_fixture(REGAS)
    bsns = iter(_valid_bsns(10))
    mapping: dict[str, str] = {}
    col = logical.header.index("Cliëntnummer")
    for row in logical.rows:
        if row[col] not in mapping:
            mapping[row[col]] = next(bsns)
        row[col] = mapping[row[col]]
    with pytest.raises(UnreadableFile) as exc:
        read_upload(_write(tmp_path, "regas.csv", render_csv(logical)))
    assert exc.value.code == "bsn_gevonden"
    assert "Cliëntnummer" in exc.value.message


def test_dates_and_ids_are_not_taken_for_bsns():
    for path in (REGICARE.path, REGAS.path):
        assert read_upload(path, refuse_bsn=False).raw_columns_bsn is None


# --- mappings themselves --------------------------------------------------------------------


def test_mapping_must_declare_every_canonical_column():
    data = {
        "system": "proef",
        "layouts": [
            {
                "name": "x",
                "fields": {"a": {"headers": ["A"], "required": True}},
                "tables": {"project": {"columns": {"project_id": "a"}}},
            }
        ],
    }
    with pytest.raises(MappingError, match="precies de kolommen"):
        parse_mapping(data, "proef.yaml")


def test_mapping_codes_must_exist():
    data = {
        "system": "proef",
        "layouts": [
            {
                "name": "x",
                "fields": {
                    "g": {
                        "headers": ["G"],
                        "type": "code",
                        "values": "interventie",
                        "required": True,
                    }
                },
                "tables": {},
            }
        ],
        "values": {"interventie": {"bestaat_niet": ["Iets"]}},
    }
    with pytest.raises(MappingError, match="geen code"):
        parse_mapping(data, "proef.yaml")
