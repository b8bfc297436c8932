"""Receipts of stored uploads (`ontvangstbewijzen/<ORG>/<kenmerk>.json` in the data home): what
the upload service told the organisation, kept so the portal can show it again and so intake can
name a file by the name the organisation sent it under (not the inbox's storage name)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rendement.core.files import write_atomic
from rendement.core.home import Home

_STEM = re.compile(r"^[0-9a-f]{16}$")


def receipt_path(home: Home, org: str, stem: str) -> Path | None:
    """Where the receipt of the upload whose checksum starts with `stem` is kept; None for a
    stem that is not 16 lower-case hex digits (so a path from a URL never leaves the folder)."""
    if not _STEM.fullmatch(stem or ""):
        return None
    return home.receipts / org / f"{stem}.json"


def save_receipt(home: Home, receipt: dict) -> None:
    """Keep a stored upload's receipt (organisation-readable data only, like the validation
    report beside it), so the portal can show it again later."""
    path = receipt_path(home, receipt["organisatie_id"], receipt["checksum"][:16])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(receipt, ensure_ascii=False, default=str), mode=0o640)


def load_receipt(home: Home, org: str, stem: str) -> dict | None:
    path = receipt_path(home, org, stem)
    if path is None or not path.is_file():
        return None
    return json.loads(path.read_text("utf-8"))


def original_name(home: Home, org: str, checksum: str) -> str | None:
    """The name the organisation sent an upload under, if the upload service received it."""
    receipt = load_receipt(home, org, checksum[:16])
    return (receipt or {}).get("origineel") or None
