"""BSN detection and pseudonymisation (rendement.core.privacy)."""

from __future__ import annotations

import os
import random
import stat

import polars as pl
import pytest
from stdnum.nl import bsn as stdnum_bsn

from rendement.core.privacy import (
    KEY_ENV_VAR,
    bsn_column_name,
    find_bsn,
    load_or_create_key,
    pseudonymise,
)
from tests.support.homes import valid_bsns


def _random_ids(n: int, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    return [str(rng.randrange(100_000_000, 999_999_999)) for _ in range(n)]


# --- find_bsn -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "bsn",
        "BSN",
        "Burgerservicenummer",
        "burger_service_nummer",
        "sofinummer",
        "SofiNr",
        "bsn_client",
        "ClientBSN",
        "BSN-nummer",
        "sofi-nummer",
    ],
)
def test_bsn_column_names_are_recognised(name):
    assert bsn_column_name(name)


@pytest.mark.parametrize("name", ["client_id", "jobsnummer", "persoonID", "Dossiernummer", "naam"])
def test_ordinary_column_names_are_not_bsn(name):
    assert not bsn_column_name(name)


def test_bsn_found_by_column_name_even_if_values_fail_11_proef():
    df = pl.DataFrame({"traject_id": ["T1", "T2"], "BSN": ["12345", "abc"]})
    finding = find_bsn(df)
    assert finding is not None
    assert finding.column_names == ["BSN"]
    assert finding.columns[0].reden == "kolomnaam"


def test_empty_bsn_column_is_not_a_finding():
    df = pl.DataFrame({"bsn": [None, "", "  "]}, schema={"bsn": pl.String})
    assert find_bsn(df) is None


def test_bsn_found_by_share_of_11_proef_values():
    values = valid_bsns(60) + _random_ids(40)  # 60 % valid + ~1/11 of the rest
    df = pl.DataFrame({"clientnummer": values, "naam": ["x"] * 100})
    finding = find_bsn(df)
    assert finding is not None
    assert finding.column_names == ["clientnummer"]
    col = finding.columns[0]
    assert col.reden == "11-proef" and col.aandeel >= 0.6 and col.aantal == 100


def test_bsn_with_separators_and_eight_digits_found():
    bsns = valid_bsns(20)
    dotted = [f"{b[:4]}.{b[4:6]}.{b[6:]}" for b in bsns[:10]]
    eight = [b[1:] for b in bsns[10:] if b.startswith("0")]
    df = pl.DataFrame({"x": dotted + eight})
    assert find_bsn(df) is not None


def test_integer_column_of_bsns_found():
    df = pl.DataFrame({"nummer": [int(b) for b in valid_bsns(10)]})
    assert find_bsn(df) is not None


def test_random_nine_digit_ids_not_flagged():
    ids = _random_ids(5_000)
    share = sum(stdnum_bsn.is_valid(v) for v in ids) / len(ids)
    assert 0.05 < share < 0.13  # about 1 in 11 pass by chance
    assert find_bsn(pl.DataFrame({"client_id": ids})) is None


def test_threshold_is_configurable():
    values = valid_bsns(30) + _random_ids(70, seed=5)
    df = pl.DataFrame({"x": values})
    assert find_bsn(df) is not None
    assert find_bsn(df, min_share=0.5) is None


def test_finding_message_never_contains_values():
    bsns = valid_bsns(10)
    df = pl.DataFrame({"bsn": bsns[:5], "clientnr": bsns[5:]})
    finding = find_bsn(df)
    assert finding is not None and set(finding.column_names) == {"bsn", "clientnr"}
    text = finding.message + repr(finding)
    assert "UAVG" in finding.message
    for value in bsns:
        assert value not in text


# --- pseudonymise ---------------------------------------------------------------------------

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))


def test_pseudonymise_is_deterministic_and_well_formed():
    ids = pl.Series(["123", "456", "123", None])
    first = pseudonymise("ORG001", ids, KEY_A)
    second = pseudonymise("ORG001", ids, KEY_A)
    assert first.to_list() == second.to_list()
    assert first[0] == first[2] and first[0] != first[1]
    assert first[3] is None
    assert first.drop_nulls().str.contains(r"^[0-9a-f]{32}$").all()


def test_pseudonymise_matches_plain_hmac():
    import hashlib
    import hmac

    expected = hmac.new(KEY_A, b"ORG001\x1f42", hashlib.sha256).hexdigest()[:32]
    assert pseudonymise("ORG001", pl.Series(["42"]), KEY_A)[0] == expected


def test_pseudonymise_differs_per_org_and_per_key():
    ids = pl.Series(["123", "456"])
    base = pseudonymise("ORG001", ids, KEY_A).to_list()
    assert set(base).isdisjoint(pseudonymise("ORG002", ids, KEY_A).to_list())
    assert set(base).isdisjoint(pseudonymise("ORG001", ids, KEY_B).to_list())


def test_pseudonymise_encoding_is_unambiguous():
    a = pseudonymise("A", pl.Series(["B1"]), KEY_A)[0]
    b = pseudonymise("AB", pl.Series(["1"]), KEY_A)[0]
    assert a != b


def test_pseudonymise_empty_and_all_null():
    assert pseudonymise("ORG001", pl.Series([], dtype=pl.String), KEY_A).len() == 0
    out = pseudonymise("ORG001", pl.Series([None, None], dtype=pl.String), KEY_A)
    assert out.null_count() == 2


def test_a_million_ids_get_a_million_distinct_pseudonyms():
    """No two clients share a pseudonym at sector size (its speed is measured in bench/run.py,
    as part of intake, not timed here)."""
    ids = pl.Series([f"C{i:07d}" for i in range(1_000_000)])
    out = pseudonymise("ORG001", ids, KEY_A)
    assert out.n_unique() == 1_000_000
    assert out.head(3).to_list() == pseudonymise("ORG001", ids.head(3), KEY_A).to_list()


# --- the key --------------------------------------------------------------------------------


def test_key_file_created_owner_only_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    secrets_dir = tmp_path / "secrets"
    key = load_or_create_key(secrets_dir)
    assert len(key) == 32
    path = secrets_dir / "pseudoniem.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    assert load_or_create_key(secrets_dir) == key
    assert [p.name for p in secrets_dir.iterdir()] == ["pseudoniem.key"]


def test_key_file_permissions_tightened(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    key = load_or_create_key(tmp_path)
    os.chmod(tmp_path / "pseudoniem.key", 0o644)
    assert load_or_create_key(tmp_path) == key
    assert stat.S_IMODE((tmp_path / "pseudoniem.key").stat().st_mode) == 0o600


def test_key_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV_VAR, KEY_B.hex())
    assert load_or_create_key(tmp_path / "s") == KEY_B
    assert not (tmp_path / "s" / "pseudoniem.key").exists()


@pytest.mark.parametrize("bad", ["not hex", "abcd"])
def test_bad_key_in_environment_refused(tmp_path, monkeypatch, bad):
    monkeypatch.setenv(KEY_ENV_VAR, bad)
    with pytest.raises(ValueError):
        load_or_create_key(tmp_path)


def test_pseudonyms_are_the_standard_hmac_for_known_values():
    """Fixed values: RFC 4231 test case 2 (key "Jefe") and pseudonyms as intake has always
    written them, so a change of implementation can never change a stored pseudonym."""
    import hashlib
    import hmac

    from rendement.core.privacy import _hmac_hex

    rfc = "5bdcc146bf60754e6a042426089575c7"  # HMAC-SHA256, first 32 hex characters
    assert _hmac_hex(b"Jefe", b"what do ya want ", ["for nothing?"]) == [rfc]
    assert (
        hmac.new(b"Jefe", b"what do ya want for nothing?", hashlib.sha256).hexdigest()[:32] == rfc
    )
    key = bytes(range(32))
    ids = ["K101340", "42", "Cliënt-ß"]
    known = [
        "8f437b63db191f6be66f5a832a9aba8c",
        "1276d0b339083276c196f36171407328",
        "a6b5129cdac3407eba2d1143cea2de44",
    ]
    assert pseudonymise("ORG001", pl.Series(ids), key).to_list() == known
    assert known == [
        hmac.new(key, f"ORG001\x1f{i}".encode(), hashlib.sha256).hexdigest()[:32] for i in ids
    ]
