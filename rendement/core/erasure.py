"""Erasure of one client of one organisation (art. 17 AVG): out of the lake now, out of the
warehouse at its next load, and out of every later run, for good.

`erase_client` pseudonymises the client id given (the same key and rule as intake, so the raw
id is only in memory), then:

* records a tombstone (`lake/verwijderd/<organisatie_id>.json`: the pseudonym and the
  trajectories that were the client's), which intake applies to every upload it accepts from
  then on (`without_erased`): a re-upload of an old file, or of a later one that still lists
  the client, never brings them back;
* removes the client's trajectories (`traject`) and their measurements (`meting`) from every
  accepted period file of the organisation, and the quarantined rows that name those
  trajectories or the pseudonym (`lake/rejected/`);
* appends `verwijder_client` to the audit log with the organisation, the number of rows removed
  per table and a reference (`kenmerk`: a hash of the pseudonym, which does not lead back to
  it), never the id or the pseudonym.

The warehouse and the reports follow at the next run: the changed lake files change the
organisation's version (`rendement.core.versions`), so its rows are loaded again and its MKBA
results and pages computed again. The raw archive keeps the original files until the retention
period ends (`rendement archief opschonen`); they are encrypted, and reading them again goes
through intake, which applies the tombstone (docs/privacy.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from rendement.core import audit
from rendement.core.files import locked, write_atomic
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.privacy import load_or_create_key, pseudonymise

CLIENT_TABLE = "traject"
CLIENT_COLUMN = "client_pseudoniem"
TRAJECTORY = "traject_id"
DEPENDENT_TABLES = ("meting",)  # rows that belong to a trajectory by its traject_id
ACTION = "verwijder_client"


@dataclass(frozen=True)
class Tombstones:
    """What intake keeps out for one organisation."""

    pseudonyms: frozenset[str] = frozenset()
    trajectories: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.pseudonyms or self.trajectories)


@dataclass
class Erasure:
    """The result of `erase_client` (counts only)."""

    organisatie_id: str
    kenmerk: str
    verwijderd: dict[str, int] = field(default_factory=dict)
    al_verwijderd: bool = False


def tombstone_folder(home: Home) -> Path:
    """The organisations' erasure lists (`lake/verwijderd/`)."""
    return home.lake / "verwijderd"


def tombstone_path(home: Home, org_id: str) -> Path:
    return tombstone_folder(home) / f"{org_id}.json"


def last_erasure_ns(home: Home) -> int:
    """When a client was last erased (the newest erasure list's modification time, ns; 0 when
    none was): copies of the warehouse made before it still hold the client's rows
    (`rendement.core.readcopy` keeps none of those)."""
    folder = tombstone_folder(home)
    if not folder.is_dir():
        return 0
    return max((p.stat().st_mtime_ns for p in folder.glob("*.json")), default=0)


def tombstones(home: Home, org_id: str) -> Tombstones:
    path = tombstone_path(home, org_id)
    if not path.is_file():
        return Tombstones()
    data = json.loads(path.read_text("utf-8"))
    return Tombstones(frozenset(data.get("pseudoniemen", [])), frozenset(data.get("trajecten", [])))


def _record(home: Home, org_id: str, pseudonym: str, trajectories: set[str]) -> bool:
    """Add to the organisation's tombstone; False when the pseudonym was already in it."""
    path = tombstone_path(home, org_id)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with locked(path.with_name(f".{path.name}.slot")):
        old = tombstones(home, org_id)
        new = {
            "pseudoniemen": sorted(old.pseudonyms | {pseudonym}),
            "trajecten": sorted(old.trajectories | trajectories),
        }
        write_atomic(path, json.dumps(new, indent=1) + "\n", mode=0o600, durable=True)
    return pseudonym not in old.pseudonyms


def without_erased(
    home: Home, org_id: str, tables: dict[str, pl.DataFrame]
) -> dict[str, pl.DataFrame]:
    """An upload's tables without the rows of erased clients: their trajectories (by pseudonym,
    or by a trajectory code recorded for them) and those trajectories' measurements. Called
    by intake before validation, so nothing of them is accepted, quarantined or reported."""
    stones = tombstones(home, org_id)
    if not stones:
        return tables
    out = dict(tables)
    gone = set(stones.trajectories)
    client = out.get(CLIENT_TABLE)
    if client is not None and CLIENT_COLUMN in client.columns:
        hit = pl.col(CLIENT_COLUMN).is_in(list(stones.pseudonyms))
        gone |= set(client.filter(hit)[TRAJECTORY].drop_nulls().to_list())
    for table, frame in out.items():
        if table in (CLIENT_TABLE, *DEPENDENT_TABLES) and TRAJECTORY in frame.columns:
            keep = ~pl.col(TRAJECTORY).is_in(list(gone)).fill_null(False)
            if table == CLIENT_TABLE and CLIENT_COLUMN in frame.columns:
                keep &= ~pl.col(CLIENT_COLUMN).is_in(list(stones.pseudonyms)).fill_null(False)
            out[table] = frame.filter(keep)
    return out


def _rewrite(path: Path, keep: pl.Expr) -> int:
    """Rewrite a lake file without the rows not matching `keep`; the number removed."""
    frame = pl.read_parquet(path)
    kept = frame.filter(keep)
    if kept.height != frame.height:
        Lake.write(kept, path)
    return frame.height - kept.height


def kenmerk(pseudonym: str) -> str:
    """The reference of an erasure in the audit log: not the pseudonym, not reversible."""
    return hashlib.sha256(f"{ACTION}:{pseudonym}".encode()).hexdigest()[:16]


def erase_client(home: Home, org_id: str, client_id: str, *, actor: str = "beheer") -> Erasure:
    """Erase one client of one organisation (see the module docstring)."""
    key = load_or_create_key(home.secrets)
    pseudonym = pseudonymise(org_id, pl.Series([client_id.strip()], dtype=pl.String), key)[0]
    lake = Lake(home.lake)
    result = Erasure(org_id, kenmerk(pseudonym))
    trajectories: set[str] = set(tombstones(home, org_id).trajectories)
    files = lake.accepted_files(CLIENT_TABLE, org_id)
    for path in files:
        frame = pl.read_parquet(path, columns=[TRAJECTORY, CLIENT_COLUMN])
        trajectories |= set(
            frame.filter(pl.col(CLIENT_COLUMN) == pseudonym)[TRAJECTORY].drop_nulls().to_list()
        )
    # the tombstone first: a run that starts meanwhile already keeps the client out
    result.al_verwijderd = not _record(home, org_id, pseudonym, trajectories)
    ids = sorted(trajectories)
    removed = 0
    for path in files:
        removed += _rewrite(
            path,
            ~((pl.col(CLIENT_COLUMN) == pseudonym) | pl.col(TRAJECTORY).is_in(ids)).fill_null(
                False
            ),
        )
    result.verwijderd[CLIENT_TABLE] = removed
    for table in DEPENDENT_TABLES:
        result.verwijderd[table] = sum(
            _rewrite(path, ~pl.col(TRAJECTORY).is_in(ids).fill_null(False))
            for path in lake.accepted_files(table, org_id)
        )
    rejected = lake.rejected_dir() / org_id
    quarantined = 0
    for path in sorted(rejected.glob("[!.]*.parquet")) if rejected.is_dir() else []:
        names = pl.col("waarde").is_in([*ids, pseudonym]) & (
            (pl.col("kolom") == TRAJECTORY) | (pl.col("waarde") == pseudonym)
        )
        quarantined += _rewrite(path, ~names.fill_null(False))
    result.verwijderd["quarantaine"] = quarantined
    audit.append(
        home.audit_log,
        actor=actor,
        action=ACTION,
        outcome="uitgevoerd",
        organisatie_id=org_id,
        kenmerk=result.kenmerk,
        verwijderd=result.verwijderd,
        al_verwijderd=result.al_verwijderd,
    )
    return result


__all__ = ["Erasure", "Tombstones", "erase_client", "kenmerk", "tombstones", "without_erased"]
