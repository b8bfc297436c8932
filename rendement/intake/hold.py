"""The re-upload hold: an upload that would remove much of what was accepted before waits for
the organisation's confirmation.

A superseding upload replaces the accepted rows of its organisation, table and period
(`rendement.intake.accept`). A header-only file, a truncated copy or the wrong export would
then silently wipe a year. The rule (docs/validatie.md, "Vervangen na bevestiging"):

    an upload is held when, for some table, it would remove MORE THAN A QUARTER of the rows
    accepted earlier for the same organisation, table and period (a header-only file removes
    all of them).

A row is removed when its key (`schemas.tables.KEYS`) is not in the new upload at all; a key
whose new row is rejected keeps its old row, so it does not count. Nothing changes in the lake
while an upload is held; it stays staged until the organisation confirms it (in the portal or
with `POST /api/uploads/{kenmerk}/bevestigen`), and the next intake run then replaces the rows.

One rule in one place: intake (`accept_org`) and the pre-flight (`rendement.intake.preflight`)
both reach it through the reader chain (`rendement.intake.chain.replacements`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from rendement.core.files import write_atomic
from rendement.core.formatting import nl_number
from rendement.core.lake import Lake
from schemas.tables import KEYS

SHARE = 0.25  # more than this share of the earlier rows removed: held
WAITING = "wacht_op_bevestiging"  # the outcome of a held upload (intake and pre-flight)
HELD_MARKER = "_wacht.json"  # in a staging folder: held, not yet confirmed


@dataclass(frozen=True)
class Replacement:
    """What an upload would do to one table and period of its organisation."""

    tabel: str
    periode: int
    eerder: int  # rows accepted before for this table and period
    nieuw: int  # rows in the upload for this table
    verwijderd: int  # earlier rows whose key is not in the upload

    @property
    def held(self) -> bool:
        return self.eerder > 0 and self.verwijderd > SHARE * self.eerder

    @property
    def text(self) -> str:
        """'traject 2025: vervangt 738 rijen door 0'."""
        return (
            f"{self.tabel} {self.periode}: vervangt {nl_number(self.eerder)} "
            f"{'rij' if self.eerder == 1 else 'rijen'} door {nl_number(self.nieuw)}"
        )


def replacements(
    tables: dict[str, pl.DataFrame], period: int, previous: dict[str, pl.DataFrame | None]
) -> list[Replacement]:
    """Per table of the upload that already has accepted rows for `period`: what it replaces."""
    out = []
    for table in sorted(tables):
        before = previous.get(table)
        if before is None or before.height == 0 or table not in KEYS:
            continue
        new = tables[table]
        keys = KEYS[table]
        if all(k in new.columns for k in keys):
            gone = (
                before.select(keys)
                .unique()
                .join(new.select(keys).unique(), on=keys, how="anti", nulls_equal=True)
            )
            removed = gone.height
        else:  # a table without its key columns cannot replace anything by key
            removed = before.height
        out.append(Replacement(table, period, before.height, new.height, removed))
    return out


def held(found: list[Replacement]) -> list[Replacement]:
    return [r for r in found if r.held]


def message(found: list[Replacement], kenmerk: str = "{kenmerk}") -> str:
    """The Dutch explanation of a hold, naming exactly what would be replaced (`kenmerk`: the
    upload's first 16 hex digits, once known; the pre-flight leaves the placeholder)."""
    what = "; ".join(r.text for r in held(found))
    return (
        f"Dit bestand zou veel eerder aangenomen gegevens weghalen ({what}). Er is nog niets "
        "veranderd: bevestig op de pagina van deze aanlevering in het portaal (of met POST "
        f"/api/uploads/{kenmerk}/bevestigen) dat dit de bedoeling is, of lever het volledige "
        "bestand opnieuw aan."
    )


def previous_tables(lake_root: Path, org_id: str, period: int, tables) -> dict[str, pl.DataFrame]:
    """The rows accepted earlier for this organisation and period, per table of the upload
    (only its key columns are read: the rule needs nothing else)."""
    lake = Lake(lake_root)
    out = {}
    for table in tables:
        path = lake.accepted_path(table, org_id, period)
        if path.is_file() and table in KEYS:
            out[table] = pl.read_parquet(path, columns=KEYS[table])
    return out


def as_dicts(found: list[Replacement]) -> list[dict]:
    return [{**asdict(r), "vasthouden": r.held, "tekst": r.text} for r in found]


# --- confirmations ------------------------------------------------------------------------------


def confirmation_path(lake_root: Path, org_id: str, checksum: str) -> Path:
    return Lake(lake_root).confirmation_path(org_id, checksum)


def is_confirmed(lake_root: Path, org_id: str, checksum: str) -> bool:
    return confirmation_path(lake_root, org_id, checksum).is_file()


def confirm(lake_root: Path, org_id: str, checksum: str, *, by: str) -> Path:
    """Record that the organisation wants this upload to replace its earlier rows (`by`: the
    account id or 'token', never an e-mail address)."""
    record = {
        "checksum": checksum,
        "bevestigd_op": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "door": by,
    }
    return write_atomic(
        confirmation_path(lake_root, org_id, checksum), json.dumps(record), mode=0o640
    )


def mark_held(staging: Path, found: list[Replacement]) -> None:
    write_atomic(staging / HELD_MARKER, json.dumps({"vervangt": as_dicts(found)}))


def as_confirmed(staging: Path, found: list[Replacement]) -> bool:
    """Whether a confirmed upload would still replace what the organisation was shown when it
    confirmed. When the period changed meanwhile (a later upload was accepted), the
    confirmation no longer holds: the upload is held again with the new figures."""
    try:
        shown = json.loads((staging / HELD_MARKER).read_text("utf-8"))["vervangt"]
    except FileNotFoundError:
        return True  # confirmed before intake held it: on what the pre-flight showed
    return [r["tekst"] for r in shown if r["vasthouden"]] == [r.text for r in held(found)]


def withdraw(lake_root: Path, org_id: str, checksum: str) -> None:
    confirmation_path(lake_root, org_id, checksum).unlink(missing_ok=True)


def held_staging(lake_root: Path, org_id: str) -> dict[str, dict]:
    """The organisation's held uploads still staged: checksum -> what they would replace."""
    folder = Lake(lake_root).staging_root(org_id)
    out = {}
    if folder.is_dir():
        for marker in folder.glob(f"*/{HELD_MARKER}"):
            try:
                out[marker.parent.name] = json.loads(marker.read_text("utf-8"))
            except (FileNotFoundError, json.JSONDecodeError):
                continue
    return out


def confirmed_waiting(lake_root: Path) -> dict[str, list[str]]:
    """Per organisation, the held uploads that were confirmed and wait for the next intake run
    (the inbox sensor starts one for them)."""
    root = Lake(lake_root).root / "staging"
    out: dict[str, list[str]] = {}
    if not root.is_dir():
        return out
    for marker in sorted(root.glob(f"*/*/{HELD_MARKER}")):
        org, checksum = marker.parent.parent.name, marker.parent.name
        if is_confirmed(lake_root, org, checksum):
            out.setdefault(org, []).append(checksum)
    return out
