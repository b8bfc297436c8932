"""The faster intake gives the same answers: pseudonyms, BSN refusals, header matching and typed
values are what they were before the per-file costs were cut (docs/performance.md)."""

from __future__ import annotations

import hashlib
import hmac
import random
import shutil
from pathlib import Path

import polars as pl
import pytest

import sources.reader as reader
from rendement.core.archive import read_bytes
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.privacy import (
    PSEUDONYM_LENGTH,
    SEPARATOR,
    BsnColumn,
    _non_empty_text,
    _passing_share,
    bsn_column_name,
    chance_tail,
    find_bsn,
    pseudonymise,
)
from rendement.intake.accept import accept_org, archived_path, receive_org
from sources import UnreadableFile, read_upload
from sources.convert import ColumnShape, number_shape
from sources.dialect import normalise_name, strip_accents
from sources.mapping import all_mappings, header_index
from tests.support.homes import valid_bsns

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "voorbeelden"
CONTRACT_TRAJECT = (
    "traject_id;project_id;client_id;startdatum;einddatum;reden_einde;leeftijdsklasse;gemeente_code"
)


# --- pseudonyms -----------------------------------------------------------------------------


def _reference_pseudonym(org_id: str, local_id: str, key: bytes) -> str:
    """The pseudonym as it was always computed: hmac.new, update, hexdigest."""
    mac = hmac.new(key, (org_id + SEPARATOR).encode("utf-8"), hashlib.sha256)
    mac.update(local_id.encode("utf-8"))
    return mac.hexdigest()[:PSEUDONYM_LENGTH]


@pytest.mark.parametrize("key_length", [16, 32, 63, 64, 65, 100])
def test_pseudonyms_equal_the_standard_hmac(key_length):
    rng = random.Random(key_length)
    key = bytes(rng.randrange(256) for _ in range(key_length))
    ids = ["K101340", "42", "", " spatie ", "Cliënt-ß-😀", "x" * 200, *map(str, range(50))]
    out = pseudonymise("ORG001", pl.Series(ids + [None, "42"]), key).to_list()
    assert out[:-2] == [_reference_pseudonym("ORG001", i, key) for i in ids]
    assert out[-2] is None and out[-1] == out[1]


def test_pseudonyms_of_integer_ids_equal_those_of_their_text():
    key = bytes(range(32))
    ints = pseudonymise("ORG007", pl.Series([12, 345, None]), key).to_list()
    assert ints[:2] == [_reference_pseudonym("ORG007", v, key) for v in ("12", "345")]
    assert ints[2] is None


# --- BSN screen -----------------------------------------------------------------------------


def _reference_find_bsn(df: pl.DataFrame) -> list[BsnColumn]:
    """The screen as it was: every column value by value."""
    flagged = []
    for name in df.columns:
        series = df.get_column(name)
        if not (series.dtype == pl.String or series.dtype.is_integer()):
            continue
        values = _non_empty_text(series)
        if values.is_empty():
            continue
        if bsn_column_name(name):
            flagged.append(BsnColumn(name, "kolomnaam", None, values.len()))
            continue
        share, passing = _passing_share(values, 5_000)
        shaped = values.str.contains(r"^(\d{8,9}|\d{4}[ .]\d{2}[ .]\d{3}|\d{3}[ .]\d{3}[ .]\d{3})$")
        if passing >= 2 and share >= 0.2 and chance_tail(passing, shaped.sum()) < 1e-3:
            flagged.append(BsnColumn(name, "11-proef", share, values.len()))
    return flagged


@pytest.mark.parametrize("seed", range(8))
def test_bsn_screen_gives_the_same_verdicts_as_checking_every_value(seed):
    rng = random.Random(seed)
    n = rng.choice([1, 3, 40, 300])
    bsns = valid_bsns(n, seed)

    def some(values):
        return [v if rng.random() > 0.2 else rng.choice([None, "", "  "]) for v in values]

    columns = {
        "vrije_tekst": some([rng.choice(bsns) if rng.random() < 0.6 else "geen" for _ in range(n)]),
        "nummer": some([f"{rng.randrange(10**8, 10**9)}" for _ in range(n)]),
        "gegroepeerd": some([f"{b[:4]}.{b[4:6]}.{b[6:]}" for b in bsns]),
        "met_spaties": some([f" {b[:3]} {b[3:6]} {b[6:]} " for b in bsns]),
        "datum": some(["16-12-2024"] * n),
        "BSN-nummer": some(["abc"] * n),
        "half": some([bsns[i] if i % 2 else "x" for i in range(n)]),
    }
    df = pl.DataFrame(columns, schema={c: pl.String for c in columns}).with_columns(
        pl.Series("als_getal", [int(b) for b in bsns]),
        pl.Series("kommagetal", [1.5] * n),
    )
    finding = find_bsn(df)
    expected = _reference_find_bsn(df)
    assert (list(finding.columns) if finding else []) == expected


def _contract_traject(extra_header: str, extra: list[str]) -> str:
    rows = [f"{CONTRACT_TRAJECT};{extra_header}"]
    for i, value in enumerate(extra):
        rows.append(f"T{i};P1;K{i};01-02-2025;;;27-44;GM0363;{value}")
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    ("header", "make"),
    [
        ("opmerking", lambda b: f"{b}"),  # free text, read by no layout
        ("Toelichting", lambda b: f"{b[:4]}.{b[4:6]}.{b[6:]}"),
        ("kolom zonder betekenis", lambda b: f"{b[:3]} {b[3:6]} {b[6:]}"),
    ],
)
def test_bsn_in_an_unmapped_column_refuses_the_file(tmp_path, header, make):
    path = tmp_path / "traject_2025.csv"
    path.write_text(_contract_traject(header, [make(b) for b in valid_bsns(6)]), "utf-8")
    with pytest.raises(UnreadableFile) as err:
        read_upload(path)
    assert err.value.code == "bsn_gevonden"
    assert header in err.value.message


def test_bsn_in_an_id_column_refuses_the_file(tmp_path):
    bsns = valid_bsns(6, seed=4)
    rows = [CONTRACT_TRAJECT] + [
        f"{b};P1;K{i};01-02-2025;;;27-44;GM0363" for i, b in enumerate(bsns)
    ]
    path = tmp_path / "traject_2025.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    with pytest.raises(UnreadableFile) as err:
        read_upload(path)
    assert err.value.code == "bsn_gevonden" and "traject_id" in err.value.message


def test_bsn_in_a_mapped_text_field_refuses_the_file(tmp_path):
    bsns = valid_bsns(4, seed=5)
    rows = ["project_id;naam;domein;interventie;erkenning;startdatum;einddatum;gemeente_code"]
    rows += [
        f"P{i};{b};ouderen_eenzaamheid;maatjesproject;goed_onderbouwd;01-01-2023;;GM0344"
        for i, b in enumerate(bsns)
    ]
    path = tmp_path / "project_2024.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    with pytest.raises(UnreadableFile) as err:
        read_upload(path)
    assert err.value.code == "bsn_gevonden" and "naam" in err.value.message


def test_intake_refuses_and_does_not_keep_a_file_with_bsns_in_free_text(tmp_path):
    home = Home(tmp_path / "home").ensure()
    bsns = valid_bsns(6, seed=6)
    inbox = home.org_inbox("ORG001")
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "traject_2025.csv").write_text(_contract_traject("opmerking", bsns), "utf-8")
    outcomes = receive_org(home, "ORG001")
    assert [(o.status, o.reden_code) for o in outcomes] == [("geweigerd", "bsn_gevonden")]
    stored = [p for p in home.root.rglob("*") if p.is_file()]
    assert not [p for p in home.archive.rglob("*") if p.is_file()]
    for path in stored:
        data = path.read_bytes()
        assert not any(b.encode() in data for b in bsns), path


# --- header names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Cliëntnummer",
        "client_nummer",
        "Client nummer",
        "ＢＳＮ",
        "Straße",
        "Ĳssel",
        "a-b.c",
        "",
        "₂",
    ],
)
def test_normalise_name_is_unchanged_by_the_ascii_shortcut(text):
    import re

    assert normalise_name(text) == re.sub(r"[^0-9a-z]", "", strip_accents(text).lower())


def test_cached_header_keys_match_the_declared_spellings():
    for mapping in all_mappings().values():
        for layout in mapping.layouts:
            for spec in layout.fields.values():
                expected = []
                for h in spec.headers:
                    if normalise_name(h) not in expected:
                        expected.append(normalise_name(h))
                assert list(spec.ordered_keys) == expected
                assert spec.keys == frozenset(expected)
                assert spec.keys is spec.keys  # computed once


def test_resolving_a_normalised_header_gives_the_same_mapping():
    header = ["Traject ID", "project_id", "Cliënt_ID", "", "startdatum", "startdatum", "x"]
    for mapping in all_mappings().values():
        for layout in mapping.layouts:
            assert layout.resolve(header) == layout.resolve_index(header_index(header))


def test_reading_twice_gives_the_same_result(tmp_path):
    path = tmp_path / "traject_2025.csv"
    path.write_text(_contract_traject("opmerking", ["vrij"] * 3), "utf-8")
    first, second = read_upload(path), read_upload(path)
    assert first.system == second.system and first.layouts == second.layouts
    for table, frame in first.tables.items():
        assert frame.equals(second.tables[table])


# --- typed values: the one-branch conversion ------------------------------------------------


@pytest.mark.parametrize(
    ("values", "shape"),
    [
        (["1", "-2", "+30"], "plain"),
        (["1", "2,5", ",5"], "comma"),
        (["1", "2.5", "-.5"], "point"),
        (["1.234,5"], None),
        (["2,5", "2.5"], None),
        (["€ 5"], None),
        (["١٢"], None),
        ([], "plain"),
    ],
)
def test_number_shape(values, shape):
    assert number_shape(values) == shape


DATE_CASES = {
    "iso": ["2024-01-02", "2024-12-31"],
    "nl": ["1-2-2024", "31-12-2024", "31-02-2024", "01-01-1850"],
    "timed": ["2024-01-02 00:00:00", "2024-03-04"],
    "serial": ["45292", "45293.5"],
    "mixed": ["2024-01-02", "02-01-2024", "abc", "02/01/2024"],
    "short_year": ["1-2-24", "01-02-2024"],
}
NUMBER_CASES = {
    "plain": ["12", "-3", "+4"],
    "comma": ["12,5", "3", ",25"],
    "point": ["12.5", "3", "-.25"],
    "nl_thousands": ["1.234,50", "58.400,00"],
    "en_thousands": ["1,234.50", "3"],
    "euro": ["€ 12,50", "1 234"],
    "bad": ["12a", "1,2,3"],
}


def _read_both(path, monkeypatch):
    fast = read_upload(path)
    original = reader._measure_values

    def without_shapes(*args):
        decimal, thousands, shapes = original(*args)
        return decimal, thousands, [{} for _ in shapes]

    monkeypatch.setattr(reader, "_measure_values", without_shapes)
    slow = read_upload(path)
    monkeypatch.setattr(reader, "_measure_values", original)
    return fast, slow


@pytest.mark.parametrize("dates", list(DATE_CASES))
@pytest.mark.parametrize("numbers", list(NUMBER_CASES))
def test_one_branch_conversion_equals_the_full_conversion(tmp_path, monkeypatch, dates, numbers):
    date_values, number_values = DATE_CASES[dates], NUMBER_CASES[numbers]
    rows = ["traject_id;instrument;onderdeel;moment;datum;score"]
    for i in range(max(len(date_values), len(number_values))):
        d = date_values[i % len(date_values)]
        n = number_values[i % len(number_values)]
        rows.append(f"T{i};djg11;;T0;{d};{n}")
    path = tmp_path / "meting_2024.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    fast, slow = _read_both(path, monkeypatch)
    assert fast.dialect.as_dict() == slow.dialect.as_dict()
    assert fast.problems.equals(slow.problems)
    for table, frame in slow.tables.items():
        assert fast.tables[table].equals(frame), table


def test_column_shapes_are_only_given_for_uniform_columns(tmp_path):
    rows = ["project_id;jaar;kostensoort;bedrag"]
    rows += [f"P01;2024;personeel;{v}" for v in ("10", "1.234,50")]
    path = tmp_path / "kosten_2024.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    sheets = []
    original = reader._measure_values

    def spy(*args):
        out = original(*args)
        sheets.append(out[2])
        return out

    reader._measure_values = spy
    try:
        read_upload(path)
    finally:
        reader._measure_values = original
    assert sheets == [[{"jaar": ColumnShape(number="plain")}]]  # bedrag has two shapes


def test_archived_original_is_the_uploaded_bytes_read_only(tmp_path):
    """The original is archived from the bytes intake hashed and read: byte for byte the
    upload once decrypted (`rendement.core.archive`), named by its checksum, read-only."""
    home = Home(tmp_path / "home").ensure()
    inbox = home.org_inbox("ORG001")
    inbox.mkdir(parents=True, exist_ok=True)
    data = (EXAMPLES / "project_2025.csv").read_bytes()
    (inbox / "project_2025.csv").write_bytes(data)
    (outcome,) = receive_org(home, "ORG001")
    archived = archived_path(home, "ORG001", outcome.checksum, ".csv")
    assert outcome.checksum == hashlib.sha256(data).hexdigest()
    assert read_bytes(home, archived) == data
    assert archived.stat().st_mode & 0o777 == 0o440


def test_tables_staged_as_parquet_by_an_earlier_version_are_still_accepted(tmp_path):
    """Staged tables are Arrow IPC now; a staging folder left in Parquet (received before an
    upgrade, not yet accepted) is accepted the same."""
    results = []
    for legacy in (False, True):
        home = Home(tmp_path / f"home{legacy}").ensure()
        inbox = home.org_inbox("ORG001")
        inbox.mkdir(parents=True, exist_ok=True)
        for table in ("organisatie", "project"):
            shutil.copyfile(EXAMPLES / f"{table}_2025.csv", inbox / f"{table}_2025.csv")
        receive_org(home, "ORG001")
        if legacy:
            for arrow in (home.lake / "staging").rglob("*.arrow"):
                pl.read_ipc(arrow).write_parquet(arrow.with_suffix(".parquet"))
                arrow.unlink()
        outcomes = accept_org(home, "ORG001")
        lake = Lake(home.lake)
        results.append(([o.status for o in outcomes], lake.accepted_tables("ORG001")))
    (status, tables), (legacy_status, legacy_tables) = results
    assert status == legacy_status and "geaccepteerd" in status
    assert tables.keys() == legacy_tables.keys()
    assert all(tables[t].equals(legacy_tables[t]) for t in tables)
