"""BSNs below the old threshold and in the wrong column (issue 20, point 4).

A column where clearly more values pass the 11-proef than chance explains refuses the file,
which is not archived; a single BSN typed in a column of other values is taken out of its row
(never stored anywhere but the raw archive), the row is rejected with a Dutch error, and every
message shows it masked (`*****1234`)."""

from __future__ import annotations

import json
import random

import polars as pl
import pytest

from rendement.core.audit import read as read_audit
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.privacy import find_bsn
from rendement.intake.accept import accept_org, receive_org
from schemas.bsn import is_nine_digit_column, mask_text, mask_value, masked, passes_11_proef, stray
from sources import UnreadableFile, read_upload
from tests.support.homes import valid_bsns

HEADER = (
    "traject_id;project_id;client_id;startdatum;einddatum;reden_einde;leeftijdsklasse;gemeente_code"
)
PROJECT = (
    "project_id;naam;domein;interventie;erkenning;startdatum;einddatum;gemeente_code\n"
    "P1;Maatjes;ouderen_eenzaamheid;maatjesproject;goed_onderbouwd;01-01-2023;;GM0363\n"
)
COLUMNS = HEADER.split(";")


def _rows(n: int) -> list[dict[str, str]]:
    return [
        dict(
            traject_id=f"T{i:04d}",
            project_id="P1",
            client_id=f"K{i:05d}",
            startdatum="01-02-2025",
            einddatum="01-06-2025",
            reden_einde="afgerond",
            leeftijdsklasse="27-44",
            gemeente_code="GM0363",
        )
        for i in range(n)
    ]


def _csv(rows: list[dict[str, str]]) -> str:
    return "\n".join([HEADER] + [";".join(r[c] for c in COLUMNS) for r in rows]) + "\n"


def _home(tmp_path, files: dict[str, str]) -> Home:
    home = Home(tmp_path / "home").ensure()
    inbox = home.org_inbox("ORG001")
    inbox.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (inbox / name).write_text(text, "utf-8")
    return home


def _stored_files(home: Home, *, archive: bool = True):
    for path in home.root.rglob("*"):
        if path.is_file() and (archive or home.archive not in path.parents):
            yield path


# --- the rule at the level of one value -------------------------------------------------------


def test_one_value_passes_the_11_proef_and_is_masked_by_its_last_four_digits():
    bsn = valid_bsns(1, seed=9)[0]
    assert passes_11_proef(bsn)
    assert passes_11_proef(f"{bsn[:3]} {bsn[3:6]} {bsn[6:]}")
    assert not passes_11_proef(bsn[:-1] + str((int(bsn[-1]) + 1) % 10))
    assert not passes_11_proef("T" + bsn) and not passes_11_proef(None)
    assert masked(bsn) == "*****" + bsn[-4:]
    text = f"rij 12 heeft {bsn} en 123456789"
    shown = mask_value(text)
    assert bsn not in shown and "*****" + bsn[-4:] in shown and "rij 12" in shown
    assert mask_text(pl.Series([text, None]))[0] == shown


def test_a_bsn_among_other_values_is_stray_but_not_in_a_column_of_nine_digit_numbers():
    bsn = valid_bsns(1, seed=10)[0]
    mixed = pl.Series(["T1", "T2", bsn, None, "T4"])
    assert stray(mixed).to_list() == [False, False, True, False, False]
    assert stray(pl.Series([bsn])).to_list() == [True]  # alone: nothing says it is a number
    numbers = [f"{n}" for n in random.Random(3).sample(range(10**8, 10**9), 50)] + [bsn]
    assert is_nine_digit_column(pl.Series(numbers))
    assert not stray(pl.Series(numbers)).any()


# --- the column screen ------------------------------------------------------------------------


def test_forty_percent_bsns_in_client_id_refuse_the_file_and_it_is_not_archived(tmp_path):
    rows = _rows(100)
    bsns = valid_bsns(40, seed=11)
    for row, bsn in zip(rows, bsns, strict=False):
        row["client_id"] = bsn
    home = _home(tmp_path, {"traject_2025.csv": _csv(rows)})
    outcomes = receive_org(home, "ORG001")
    assert [(o.status, o.reden_code) for o in outcomes] == [("geweigerd", "bsn_gevonden")]
    assert "client_id" in outcomes[0].melding
    assert not [p for p in home.archive.rglob("*") if p.is_file()]
    for path in _stored_files(home):
        data = path.read_bytes()
        assert not any(b.encode() in data for b in bsns), path


@pytest.mark.parametrize("n", [10, 30])
def test_a_short_column_of_nine_digit_client_numbers_is_not_refused_by_chance(n):
    """Two of ten random numbers pass the 11-proef in one column of four: 20 % alone is not
    enough, the count must also be improbable by chance."""
    rng = random.Random(n)
    for _ in range(200):
        ids = [str(rng.randrange(10**8, 10**9)) for _ in range(n)]
        assert find_bsn(pl.DataFrame({"client_id": ids})) is None


# --- a BSN in the wrong place -----------------------------------------------------------------


@pytest.mark.parametrize(
    "column",
    ["traject_id", "gemeente_code", "leeftijdsklasse", "reden_einde", "einddatum", "client_id"],
)
def test_a_bsn_typed_in_the_wrong_column_is_never_stored_and_its_row_rejected(tmp_path, column):
    bsn = valid_bsns(1, seed=12)[0]
    rows = _rows(12)
    rows[4][column] = bsn  # Excel row 6
    home = _home(tmp_path, {"project_2025.csv": PROJECT, "traject_2025.csv": _csv(rows)})
    receive_org(home, "ORG001")
    outcomes = accept_org(home, "ORG001")
    traject = next(o for o in outcomes if o.bestand == "traject_2025.csv")
    assert traject.status == "deels_geaccepteerd"
    lake = Lake(home.lake)
    accepted = pl.read_parquet(lake.accepted_path("traject", "ORG001", 2025))
    assert accepted.height == 11 and "T0004" not in accepted["traject_id"].to_list()
    rejected = pl.read_parquet(lake.rejected_path("ORG001", traject.checksum))
    row = rejected.filter(pl.col("_rij") == 6).row(0, named=True)
    assert row["regel"] == "bsn_in_cel" and row["kolom"] == column
    shown = "(verborgen)" if column == "client_id" else "*****" + bsn[-4:]  # client ids: never
    assert row["waarde"] == shown
    assert "burgerservicenummer" in row["melding"] and "11-proef" in row["melding"]
    report = json.dumps(
        [json.loads(p.read_text("utf-8")) for p in home.org_validation("ORG001").glob("*.json")]
    )
    assert shown in report
    # only the raw archive holds the original bytes (its encryption is point 5 of the issue)
    for path in _stored_files(home, archive=False):
        assert bsn.encode() not in path.read_bytes(), path
    log = read_audit(home.audit_log)
    assert not log.filter(pl.concat_str(pl.all().fill_null("")).str.contains(bsn)).height


def test_a_bsn_in_the_file_name_is_not_repeated_anywhere(tmp_path):
    bsn = valid_bsns(1, seed=14)[0]
    name = f"traject_2025_{bsn}.csv"
    home = _home(tmp_path, {"project_2025.csv": PROJECT, name: _csv(_rows(5))})
    receive_org(home, "ORG001")
    outcomes = accept_org(home, "ORG001")
    assert f"traject_2025_*****{bsn[-4:]}.csv" in {o.bestand for o in outcomes}
    for path in _stored_files(home):
        assert bsn.encode() not in path.read_bytes(), path


def test_a_column_of_nine_digit_traject_codes_is_kept_as_it_is(tmp_path):
    """In a column of 9-digit numbers a passing value may be the organisation's own number:
    the column screen judges the column as a whole (about 1 in 11 pass by chance)."""
    rows = _rows(40)
    rng = random.Random(4)
    for row in rows:
        row["traject_id"] = str(rng.randrange(10**8, 10**9))
    result = read_upload(_write(tmp_path, _csv(rows)))
    assert result.tables["traject"]["traject_id"].to_list() == [r["traject_id"] for r in rows]
    assert not result.problems.filter(pl.col("regel") == "bsn_in_cel").height


def test_a_header_cell_that_passes_the_11_proef_is_masked_in_the_refusal(tmp_path):
    bsn = valid_bsns(1, seed=13)[0]
    path = _write(tmp_path, f"iets;{bsn};anders\nx;y;z\n")
    with pytest.raises(UnreadableFile) as err:
        read_upload(path)
    assert bsn not in err.value.message and str(err.value).count(bsn) == 0


def _write(tmp_path, text: str):
    path = tmp_path / "traject_2025.csv"
    path.write_text(text, "utf-8")
    return path
