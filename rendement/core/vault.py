"""Encryption at rest of whole files, streamed: AES-256-GCM in chunks (`cryptography`).

Used for the raw archive (`rendement.core.archive`), which holds uploads as received, client
ids and all. A file is encrypted in chunks of `CHUNK` bytes so that neither writing nor reading
needs the whole file in memory twice, and each chunk is authenticated on its own (the STREAM
construction): a chunk's nonce is the file's random prefix and the chunk's number, and its
associated data is the file header and whether it is the last chunk. A changed, reordered,
swapped or missing chunk, a cut-off file and a wrong key are all refused (`VaultError`),
never decrypted into wrong bytes.

Layout: `MAGIC` (8 bytes) · key id (8 bytes: the first bytes of SHA-256 of the key, so the
error can say "another key" instead of "damaged") · nonce prefix (8 random bytes) · chunks,
each `CHUNK` bytes of plaintext + 16 bytes of tag, the last one shorter (possibly empty).

The key is 32 random bytes in a file of its own (`load_or_create_key`), created owner-only
(0600) on first use, never the pseudonymisation key.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rendement.core.files import create_secret

MAGIC = b"RNDKLUI1"
KEY_BYTES = 32
CHUNK = 1024 * 1024
TAG = 16  # bytes of GCM tag after each chunk
_PREFIX = 8
_HEADER = len(MAGIC) + 8 + _PREFIX


class VaultError(Exception):
    """A file that cannot be decrypted: another key, damaged, or not an encrypted file. The
    message is Dutch and names the file, never its contents."""


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"rendement-archief\x00" + key).digest()[:8]


def load_or_create_key(path: Path) -> bytes:
    """The key in `path`, created (32 random bytes, mode 0600, its folder 0700) when missing.
    Written under a temporary name and linked into place, so that two processes starting at
    once end up with the same, whole key. A key file readable by others is tightened to 0600."""
    create_secret(path, lambda: secrets.token_bytes(KEY_BYTES))
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise VaultError(
            f"De archiefsleutel {path} is geen sleutel van {KEY_BYTES} bytes; "
            "zet de juiste sleutel terug (zie docs/privacy.md)."
        )
    return key


def _nonce(prefix: bytes, number: int) -> bytes:
    return prefix + number.to_bytes(4, "big")


def _aad(header: bytes, last: bool) -> bytes:
    return header + (b"\x01" if last else b"\x00")


def _chunks(data: bytes | Iterable[bytes]) -> Iterator[bytes]:
    """Plaintext cut into chunks of exactly CHUNK bytes (the last one shorter, maybe empty)."""
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])
        return
    buffer = b""
    for piece in data:
        buffer += piece
        while len(buffer) >= CHUNK:
            yield buffer[:CHUNK]
            buffer = buffer[CHUNK:]
    yield buffer


def encrypt(data: bytes | Iterable[bytes], key: bytes, out: BinaryIO) -> None:
    """Write `data` (bytes or an iterable of byte pieces) encrypted to `out`."""
    aead = AESGCM(key)
    header = MAGIC + key_id(key) + secrets.token_bytes(_PREFIX)
    out.write(header)
    prefix = header[-_PREFIX:]
    pending: bytes | None = None
    number = 0
    for chunk in _chunks(data):
        if pending is not None:
            out.write(aead.encrypt(_nonce(prefix, number), pending, _aad(header, False)))
            number += 1
        pending = chunk
    out.write(aead.encrypt(_nonce(prefix, number), pending or b"", _aad(header, True)))


def decrypt(source: BinaryIO, key: bytes, *, name: str) -> Iterator[bytes]:
    """The plaintext of an encrypted stream, chunk by chunk; `VaultError` (naming `name`) as
    soon as anything does not check out, before the bad chunk is returned."""
    header = source.read(_HEADER)
    if len(header) != _HEADER or not header.startswith(MAGIC):
        raise VaultError(f"{name} is geen versleuteld archiefbestand.")
    if header[len(MAGIC) : len(MAGIC) + 8] != key_id(key):
        raise VaultError(
            f"{name} is met een andere archiefsleutel versleuteld; gebruik de sleutel waarmee "
            "het archief is gemaakt (zie docs/privacy.md)."
        )
    aead = AESGCM(key)
    prefix = header[-_PREFIX:]
    number = 0
    current = source.read(CHUNK + TAG)
    while True:
        following = source.read(CHUNK + TAG)
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, number), current, _aad(header, last))
        except InvalidTag:
            raise VaultError(
                f"{name} is beschadigd of ingekort en kan niet worden gelezen."
            ) from None
        if last:
            return
        current, number = following, number + 1


__all__ = ["CHUNK", "MAGIC", "VaultError", "decrypt", "encrypt", "key_id", "load_or_create_key"]
