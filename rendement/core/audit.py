"""The append-only audit log: who did what with which upload, when, with what outcome.

JSON lines in `RENDEMENT_HOME/audit.jsonl`. Both the Dagster intake and the upload service append
to it, so each line is written with one `write` under an exclusive lock; lines are never
rewritten. The log carries checksums, organisation ids, detected dialects and outcomes; it never
carries client identifiers, tokens or file contents, and any number passing the BSN 11-proef in
a field is masked (`schemas.bsn`).

The hash chain (so that an edited, removed or inserted line shows): every entry carries `vorige`
(the hash of the entry before it) and `hash` = SHA-256 over `vorige` and the entry's canonical
JSON (`canonical`: the entry without `hash`, keys sorted, no spaces, UTF-8). The previous hash
is read and the line written under the same lock, and the entry's time is taken under it too,
so concurrent writers are ordered in the file as in time.

A log written before the chain existed has lines without `hash`. The first chained entry's
`vorige` is the SHA-256 of every byte before it (for a new log: of nothing), so from then on the
older lines cannot be changed unnoticed either; a line without `hash` after the first chained
one is a break. What a chain cannot show is lines cut off at the end: `verify` reports the
number of entries and the last hash, to compare with a copy kept elsewhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from rendement.core.files import locked
from schemas.bsn import mask_value

AUDIT_SCHEMA = {
    "tijdstip": pl.String,
    "actor": pl.String,
    "actie": pl.String,
    "organisatie_id": pl.String,
    "checksum": pl.String,
    "bestand": pl.String,
    "uitkomst": pl.String,
    "details": pl.String,
}
HASH = "hash"
PREVIOUS = "vorige"
_TAIL_BLOCK = 64 * 1024


def canonical(entry: dict) -> bytes:
    """The entry as hashed: every field but `hash`, keys sorted, compact, UTF-8."""
    body = {k: v for k, v in entry.items() if k != HASH}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(previous: str, entry: dict) -> str:
    return hashlib.sha256(previous.encode("ascii") + canonical(entry)).hexdigest()


def _last_line(fh, size: int) -> bytes:
    """The file's last non-empty line, read backwards in blocks from the end."""
    end = size
    tail = b""
    while end > 0:
        start = max(0, end - _TAIL_BLOCK)
        fh.seek(start)
        tail = fh.read(end - start) + tail
        end = start
        stripped = tail.rstrip(b"\n")
        if b"\n" in stripped or end == 0:
            return stripped.rsplit(b"\n", 1)[-1]
    return b""


def _chain_hash(line: bytes) -> str | None:
    try:
        value = json.loads(line).get(HASH)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _previous_hash(log_path: Path) -> str:
    """The hash the next entry chains to: the last entry's, or when that one is not chained
    (a log from before the chain, or an empty one) the SHA-256 of the whole file."""
    with log_path.open("rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        last = _chain_hash(_last_line(fh, size)) if size else None
        if last is not None:
            return last
        fh.seek(0)
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _masked(value: Any) -> Any:
    return mask_value(value) if isinstance(value, str) else value


def append(
    log_path: Path,
    *,
    actor: str,
    action: str,
    outcome: str,
    organisatie_id: str | None = None,
    checksum: str | None = None,
    bestand: str | None = None,
    **details: Any,
) -> dict:
    """Append one event, chained to the one before it; returns the record as written."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with locked(log_path, mode=0o640) as fd:
        record = {
            "tijdstip": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            "actor": _masked(actor),
            "actie": _masked(action),
            "organisatie_id": _masked(organisatie_id),
            "checksum": checksum,
            "bestand": _masked(bestand),
            "uitkomst": _masked(outcome),
            "details": mask_value(
                json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
            ),
        }
        record[PREVIOUS] = _previous_hash(log_path)
        record[HASH] = entry_hash(record[PREVIOUS], record)
        os.write(fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
    return record


@dataclass(frozen=True)
class ChainReport:
    """What `verify` found. `broken_line` is the 1-based line number of the first break."""

    entries: int
    chained: int
    unchained_before: int
    last_hash: str | None
    broken_line: int | None = None
    reason: str | None = None
    entry: dict | None = None

    @property
    def intact(self) -> bool:
        return self.broken_line is None


def verify(log_path: Path) -> ChainReport:
    """Check the chain from the first chained entry to the end (see the module docstring)."""
    entries = chained = legacy = 0
    previous: str | None = None
    prefix = hashlib.sha256()

    def broken(number: int, reason: str, entry: dict | None) -> ChainReport:
        return ChainReport(entries, chained, legacy, previous, number, reason, entry)

    if not log_path.exists():
        return ChainReport(0, 0, 0, None)
    with log_path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                if previous is None:
                    prefix.update(line)
                continue
            entries += 1
            try:
                entry = json.loads(line)
                if not isinstance(entry, dict):
                    raise ValueError
            except ValueError:
                return broken(number, "de regel is geen leesbare JSON", None)
            if HASH not in entry:
                if previous is not None:
                    return broken(
                        number, "de regel heeft geen hash, na de start van de keten", entry
                    )
                legacy += 1
                prefix.update(line)
                continue
            expected_previous = previous if previous is not None else prefix.hexdigest()
            if entry.get(PREVIOUS) != expected_previous:
                what = (
                    "de regel ervoor is gewijzigd, verwijderd of ertussen gezet"
                    if previous is not None
                    else "de regels vóór de keten zijn gewijzigd"
                )
                return broken(number, f"'vorige' klopt niet: {what}", entry)
            if entry_hash(expected_previous, entry) != entry[HASH]:
                return broken(
                    number, "de hash klopt niet: de regel is na het schrijven gewijzigd", entry
                )
            chained += 1
            previous = entry[HASH]
    return ChainReport(entries, chained, legacy, previous)


def read(log_path: Path) -> pl.DataFrame:
    """The whole log as a frame (empty frame with the schema when there is no log yet)."""
    if not log_path.exists() or log_path.stat().st_size == 0:
        return pl.DataFrame(schema=AUDIT_SCHEMA)
    return pl.read_ndjson(log_path, schema=AUDIT_SCHEMA)
