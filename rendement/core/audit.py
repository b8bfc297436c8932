"""The append-only audit log: who did what with which upload, when, with what outcome.

JSON lines in `RENDEMENT_HOME/audit.jsonl`. Both the Dagster intake and the upload service append
to it, so each line is written with one `write` under an exclusive lock; lines are never
rewritten. The log carries checksums, organisation ids, detected dialects and outcomes; it never
carries client identifiers, tokens or file contents.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import polars as pl

from rendement.core.files import locked

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
    """Append one event; returns the record as written."""
    record = {
        "tijdstip": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "actie": action,
        "organisatie_id": organisatie_id,
        "checksum": checksum,
        "bestand": bestand,
        "uitkomst": outcome,
        "details": json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
    }
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with locked(log_path, mode=0o640) as fd:
        os.write(fd, line)
    return record


def read(log_path: Path) -> pl.DataFrame:
    """The whole log as a frame (empty frame with the schema when there is no log yet)."""
    if not log_path.exists() or log_path.stat().st_size == 0:
        return pl.DataFrame(schema=AUDIT_SCHEMA)
    return pl.read_ndjson(log_path, schema=AUDIT_SCHEMA)
