"""The raw archive is encrypted at rest (issue 20, point 5): an archived upload holds no client
id in clear, reads back byte for byte only through `rendement.core.archive` with the archive
key, which is a file of its own (0600), apart from the pseudonymisation key; another key, a
changed byte or a cut-off file are refused, never decrypted into wrong bytes."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from rendement.core import archive, vault
from rendement.core.home import Home
from rendement.intake.accept import receive_org
from tests.support.homes import restored_env

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "voorbeelden"


def _received(tmp_path) -> tuple[Home, bytes, archive.Archived]:
    home = Home(tmp_path / "home").ensure()
    data = (EXAMPLES / "traject_2025.csv").read_bytes()
    inbox = home.org_inbox("ORG001")
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "traject_2025.csv").write_bytes(data)
    with restored_env(archive.KEY_ENV_VAR):
        receive_org(home, "ORG001")
    (item,) = archive.archived_files(home, "ORG001")
    return home, data, item


def test_an_archived_upload_holds_no_client_id_in_clear(tmp_path):
    home, data, item = _received(tmp_path)
    client_ids = {line.split(b";")[2] for line in data.splitlines()[1:]}
    stored = item.path.read_bytes()
    assert len(client_ids) >= 5
    assert not [c for c in client_ids if c in stored]
    assert b"client_id" not in stored and data not in stored
    assert item.encrypted and item.suffix == ".csv"
    assert item.path.stat().st_mode & 0o777 == 0o440
    assert archive.read_bytes(home, item) == data


def test_the_archive_key_is_its_own_owner_only_file(tmp_path):
    home, _, _ = _received(tmp_path)
    key = home.secrets / archive.KEY_FILE_NAME
    assert key.stat().st_mode & 0o777 == 0o600
    pseudonym_key = home.secrets / "pseudoniem.key"
    assert pseudonym_key.is_file() and key.read_bytes() != pseudonym_key.read_bytes()
    assert bytes.fromhex(pseudonym_key.read_text().strip()) != key.read_bytes()


def test_the_archive_key_can_live_outside_the_home(tmp_path):
    elsewhere = tmp_path / "kluis" / "archief.key"
    home = Home(tmp_path / "home").ensure()
    with restored_env(archive.KEY_ENV_VAR):
        os.environ[archive.KEY_ENV_VAR] = str(elsewhere)
        path = archive.store(home, "ORG001", "ab" * 32, ".csv", b"a;b\n1;2\n")
        assert archive.read_bytes(home, path) == b"a;b\n1;2\n"
    assert elsewhere.is_file() and not (home.secrets / archive.KEY_FILE_NAME).exists()


def test_another_key_is_refused_with_a_dutch_message(tmp_path):
    home, _, item = _received(tmp_path)
    (home.secrets / archive.KEY_FILE_NAME).unlink()  # a new key is made on first use
    with pytest.raises(vault.VaultError, match="andere archiefsleutel"):
        archive.read_bytes(home, item)


@pytest.mark.parametrize("size", [0, 5, vault.CHUNK, 2 * vault.CHUNK + 5])
def test_round_trip_over_chunk_boundaries(size):
    key = bytes(range(32))
    data = bytes(i % 251 for i in range(size))
    out = io.BytesIO()
    vault.encrypt(data, key, out)
    assert b"".join(vault.decrypt(io.BytesIO(out.getvalue()), key, name="x")) == data
    pieces = [data[i : i + 1000] for i in range(0, size, 1000)]
    out2 = io.BytesIO()
    vault.encrypt(iter(pieces), key, out2)
    assert b"".join(vault.decrypt(io.BytesIO(out2.getvalue()), key, name="x")) == data


def test_a_changed_byte_or_a_cut_off_file_is_refused():
    key = bytes(range(32))
    data = b"x" * (2 * vault.CHUNK + 10)
    out = io.BytesIO()
    vault.encrypt(data, key, out)
    blob = out.getvalue()
    header = len(vault.MAGIC) + 16
    damaged = bytearray(blob)
    damaged[header + 100] ^= 1
    at_chunk_boundary = blob[: header + 2 * (vault.CHUNK + vault.TAG)]
    for bad in (bytes(damaged), blob[:-1], at_chunk_boundary, b"plain text"):
        with pytest.raises(vault.VaultError):
            b"".join(vault.decrypt(io.BytesIO(bad), key, name="bestand"))


def test_files_archived_before_encryption_are_read_and_can_be_encrypted(tmp_path):
    home = Home(tmp_path / "home").ensure()
    old = home.archive / "ORG001" / f"{'cd' * 32}.csv"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"client_id\nK1\n")
    (item,) = archive.archived_files(home)
    assert not item.encrypted and archive.read_bytes(home, item) == b"client_id\nK1\n"
    with restored_env(archive.KEY_ENV_VAR):
        (new,) = archive.encrypt_plain_files(home)
        assert not old.exists() and b"K1" not in new.read_bytes()
        assert archive.read_bytes(home, new) == b"client_id\nK1\n"
    assert archive.checksums(home, "ORG001") == {"cd" * 32}
