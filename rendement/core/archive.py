"""The raw archive (`archive/<organisatie_id>/` in the data home): every upload as received,
encrypted at rest; the one module that writes, lists and reads it.

An upload carries client ids in clear, and some vendors' exports names and birth dates, so the
archive is the most sensitive folder of the home. Each original is stored as
`<checksum><suffix>.enc`: the SHA-256 of the bytes received, their suffix (`.csv`, `.xlsx`),
encrypted with the archive key (`rendement.core.vault`, AES-256-GCM in chunks). Whoever
reads an archived file (re-processing, an erasure request, the retention clean-up, tests)
reads it through `read_bytes` / `plaintext`, which decrypt; a file archived before encryption
(`<checksum><suffix>`, no `.enc`) is still read as it is, and `encrypt_plain_files` encrypts
those in place.

The archive key is not the pseudonymisation key: whoever holds the lake and that key can link
pseudonyms to nothing, whoever holds the archive needs this key to read it. It lives in
`secrets/archief.key` (created 0600 on first use) unless `RENDEMENT_ARCHIEFSLEUTEL` names
another file, e.g. on a volume that is not backed up with the data home (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rendement.core import vault
from rendement.core.files import atomic_path
from rendement.core.home import Home

KEY_ENV_VAR = "RENDEMENT_ARCHIEFSLEUTEL"
KEY_FILE_NAME = "archief.key"
ENCRYPTED_SUFFIX = ".enc"
# What the retention clean-up leaves of an original: an empty file of this suffix, so that the
# checksum stays known (a re-upload of the same file is still a duplicate) and nothing else.
REMOVED_SUFFIX = ".verwijderd"
FILE_MODE = 0o440  # read-only: an original is never changed, only removed


def key_path(home: Home) -> Path:
    """Where the archive key is: `RENDEMENT_ARCHIEFSLEUTEL` (a file path) or the home's
    secrets folder."""
    configured = os.environ.get(KEY_ENV_VAR, "").strip()
    return Path(configured).expanduser() if configured else home.secrets / KEY_FILE_NAME


def archive_key(home: Home) -> bytes:
    return vault.load_or_create_key(key_path(home))


@dataclass(frozen=True)
class Archived:
    """One archived original."""

    organisatie_id: str
    checksum: str
    suffix: str  # as uploaded, lower case: ".csv", ".txt", ".xlsx"
    path: Path

    @property
    def encrypted(self) -> bool:
        return self.path.name.endswith(ENCRYPTED_SUFFIX)

    @property
    def received(self) -> dt.datetime:
        """When it was archived (the file's time stamp, UTC)."""
        return dt.datetime.fromtimestamp(self.path.stat().st_mtime, dt.UTC)


def archived_path(home: Home, org_id: str, checksum: str, suffix: str) -> Path:
    """Where the original of an upload is kept (encrypted)."""
    return home.archive / org_id / f"{checksum}{suffix.lower()}{ENCRYPTED_SUFFIX}"


def _parse(org_id: str, path: Path) -> Archived | None:
    name = path.name
    if name.startswith(".") or "." not in name or name.endswith(REMOVED_SUFFIX):
        return None
    checksum, _, rest = name.partition(".")
    suffix = "." + rest.removesuffix(ENCRYPTED_SUFFIX)
    return Archived(org_id, checksum, suffix, path)


def archived_files(home: Home, org_id: str | None = None) -> list[Archived]:
    """Every archived original (of one organisation, or of all), sorted by organisation and
    name; hidden and temporary files are skipped."""
    if not home.archive.is_dir():
        return []
    orgs = [org_id] if org_id is not None else sorted(os.listdir(home.archive))
    found = []
    for org in orgs:
        folder = home.archive / org
        if not folder.is_dir():
            continue
        for name in sorted(os.listdir(folder)):
            item = _parse(org, folder / name)
            if item is not None:
                found.append(item)
    return found


def checksums(home: Home, org_id: str) -> set[str]:
    """The checksums of an organisation's archived originals, those removed after their
    retention period included, from one listing of its folder (intake asks for every waiting
    file)."""
    folder = home.archive / org_id
    if not folder.is_dir():
        return set()
    return {
        name.partition(".")[0]
        for name in os.listdir(folder)
        if "." in name and not name.startswith(".")
    }


def store(home: Home, org_id: str, checksum: str, suffix: str, data: bytes) -> Path:
    """Keep an original, encrypted, read-only, written atomically; returns its path."""
    path = archived_path(home, org_id, checksum, suffix)
    key = archive_key(home)
    with atomic_path(path, mode=FILE_MODE) as tmp, tmp.open("wb") as out:
        vault.encrypt(data, key, out)
    return path


def plaintext(home: Home, item: Archived | Path) -> Iterator[bytes]:
    """The original bytes of an archived file, chunk by chunk (decrypted; a file from before
    encryption as it is). `vault.VaultError` for another key or a damaged file."""
    path = item.path if isinstance(item, Archived) else item
    with path.open("rb") as source:
        if not path.name.endswith(ENCRYPTED_SUFFIX):
            while chunk := source.read(vault.CHUNK):
                yield chunk
            return
        yield from vault.decrypt(source, archive_key(home), name=path.name)


def read_bytes(home: Home, item: Archived | Path) -> bytes:
    """The original bytes of an archived file, whole (for reading it again as an upload)."""
    return b"".join(plaintext(home, item))


def encrypt_plain_files(home: Home) -> list[Path]:
    """Encrypt every original archived before encryption (same checksum and suffix, `.enc`
    added; the clear file removed once the encrypted one is in place). Returns the new paths."""
    done = []
    for item in archived_files(home):
        if item.encrypted:
            continue
        data = item.path.read_bytes()
        done.append(store(home, item.organisatie_id, item.checksum, item.suffix, data))
        item.path.unlink()
    return done


def remove(item: Archived) -> Path:
    """Delete an archived original (retention, `rendement archief opschonen`), leaving an
    empty marker that keeps its checksum known (returned)."""
    marker = item.path.with_name(f"{item.checksum}{item.suffix}{REMOVED_SUFFIX}")
    with atomic_path(marker, mode=FILE_MODE) as tmp:
        tmp.touch()
    item.path.unlink(missing_ok=True)
    return marker


__all__ = [
    "ENCRYPTED_SUFFIX",
    "KEY_ENV_VAR",
    "REMOVED_SUFFIX",
    "Archived",
    "archive_key",
    "archived_files",
    "archived_path",
    "checksums",
    "encrypt_plain_files",
    "key_path",
    "plaintext",
    "read_bytes",
    "remove",
    "store",
]
