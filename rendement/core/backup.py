"""Backup and restore of a data home (`rendement backup`, `rendement herstel`; docs/deployment.md).

A backup is a folder `rendement-backup-<tijd>/` with `manifest.json` (format version, time,
the project's version, SHA-256 and size of every file) beside copies of:

- `PARTS`: what cannot be recomputed: every upload ever received (`archive/`), uploads still
  waiting (`inbox/`), the register with the organisations' hashed tokens, the portal's
  accounts, the parameter overrides and proposals, the audit log, the frozen releases, the
  receipts, the quarantine's reasons; and the lake, which holds intake's decisions (accepted
  rows per period, blocked organisations) that only a replay of every upload in its order
  could redo.
- `KEY_PARTS`: key material (`secrets/`: the pseudonymisation key, the portal's signing key
  and any key added later). Without the pseudonymisation key new uploads of a restored home
  get other pseudonyms. Can be written to another place than the data (`keys_to`), so that
  one stolen copy holds either the data or the keys.
- the warehouse file, copied while the backup holds a read-only connection to it: while that
  is open no other process can write the file (DuckDB's own file lock), so the copy is one
  committed state; a running pipeline's warehouse step waits and retries
  (`assets/warehouse_assets.py`), so the services keep running. While a writer holds the file
  the backup waits for it.

Not in a backup, because a run makes them again: the rest of the site (built from the
warehouse, the lake and the releases) and the Dagster instance (run history; on PostgreSQL back that up with
`pg_dump`).

Files are copied while services run: each part is listed (path, size, modification time)
before and after its copy and copied again when it changed meanwhile, so every part is one
moment's state; every file is written atomically by the project, so none is half.
A backup is written under a hidden name and renamed when complete: a folder with a manifest
is whole. `restore` checks every checksum before it writes anything, and only into an empty
data home.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import duckdb

from rendement.core.files import fsync_dir, locked, write_atomic
from rendement.core.formatting import LOCAL_TIME
from rendement.core.home import Home

FORMAT = "rendement-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
WAREHOUSE = "warehouse.duckdb"
PREFIX = "rendement-backup-"


@dataclass(frozen=True)
class Part:
    """One file or folder of a data home, by its `Home` property, and why it is kept."""

    attribute: str
    why: str
    pattern: str | None = None  # only these folders under it (a glob), else all of it

    def path(self, home: Home) -> Path:
        return getattr(home, self.attribute)

    def files(self, home: Home) -> list[Path]:
        root = self.path(home)
        if self.pattern is None:
            return _files(root)
        # a folder that is a link is kept where it points (the site links to the validation
        # reports, a part of their own)
        folders = [f for f in sorted(root.glob(self.pattern)) if not f.is_symlink()]
        return [f for folder in folders for f in _files(folder)]


# Add a new file or folder of the data home that cannot be recomputed here (one line).
PARTS: tuple[Part, ...] = (
    Part("archive", "elke ontvangen upload, onveranderd"),
    Part("inbox", "uploads die nog wachten op verwerking"),
    Part("quarantine", "waarom uploads als geheel geweigerd zijn"),
    Part("lake", "de aangenomen rijen per periode en de oordelen van de inname"),
    Part("registry", "organisaties en hun tokens (als hash)"),
    Part("accounts", "de accounts van het portaal"),
    Part("overrides", "de eigen parameters van organisaties"),
    Part("proposals", "voorstellen van organisaties voor eigen parameters, met het besluit"),
    Part("audit_log", "het auditlog (hashketen)"),
    Part("releases", "de bevroren jaaroverzichten"),
    Part("receipts", "de ontvangstbewijzen van het portaal"),
    Part("validation", "de validatierapporten, gemaakt bij ontvangst"),
    # a home whose validation reports are still in the site (until its next run moves them)
    Part("site", "validatierapporten van vóór 2026-12, nog in de site", "org/*/validatie"),
)
KEY_PARTS: tuple[Part, ...] = (
    Part("secrets", "sleutels: pseudonimisering, portaal, en wat er later bij komt"),
)


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead (message in Dutch)."""


def _skipped(path: Path) -> bool:
    """Hidden names are work in progress, not state: temporary files of an atomic write
    (`.<name>.<pid>.<random>.tmp`), locks, uploads still streaming (`.upload-*.part`) and
    pre-flight folders (`.controle-*`) in the inbox."""
    return path.name.startswith(".")


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and not any(_skipped(q) for q in (p, *p.relative_to(path).parents))
    )


def _listing(paths: list[Path]) -> list[tuple[str, int, int]]:
    out = []
    for p in paths:
        try:
            s = p.stat()
        except FileNotFoundError:
            continue
        out.append((str(p), s.st_size, s.st_mtime_ns))
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_part(home: Home, part: Part, target: Path, attempts: int = 5) -> None:
    """Copy one part; again when it changed during the copy (a run wrote to it)."""
    source = part.path(home)
    for _ in range(attempts):
        before = _listing(part.files(home))
        copied = target / source.relative_to(home.root)
        if copied.is_dir():
            shutil.rmtree(copied)
        copied.unlink(missing_ok=True)
        for path in part.files(home):
            rel = path.relative_to(home.root)
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                if part.attribute == "audit_log":  # appended under this lock
                    with locked(path, mode=0o640):
                        shutil.copy2(path, dest)
                else:
                    shutil.copy2(path, dest)
            except FileNotFoundError:
                break  # replaced meanwhile: the listing differs, copy again
        if _listing(part.files(home)) == before:
            return
        time.sleep(1)
    raise BackupError(
        f"{source} bleef veranderen tijdens het kopiëren; probeer de backup later opnieuw."
    )


def copy_warehouse(source: Path, target: Path, wait_seconds: float = 600) -> bool:
    """A consistent copy of the warehouse file, taken while this process holds a read-only
    connection to it: DuckDB then lets no other process write the file, so its bytes (and a
    write-ahead log beside it, if a writer left one) are one committed state. The hold lasts
    only the file copy (seconds; a run's warehouse step retries for about half a minute).
    Waits while another process writes. False when there is no warehouse yet."""
    if not source.exists():
        return False
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(source), read_only=True)
        except duckdb.IOException:
            if time.monotonic() > deadline:
                raise BackupError(
                    f"Het warehouse {source} bleef bezet door een schrijvend proces; "
                    "probeer de backup later opnieuw."
                ) from None
            time.sleep(2)
            continue
        try:
            shutil.copyfile(source, target)
            wal = source.with_name(source.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, target.with_name(target.name + ".wal"))
        finally:
            con.close()
        with duckdb.connect(str(target), read_only=True) as check:  # the copy opens
            check.execute("SELECT count(*) FROM information_schema.tables").fetchone()
        return True


def _version() -> str:
    try:
        return metadata.version("sociaal-rendement")
    except metadata.PackageNotFoundError:
        return "onbekend"


def _checksums(root: Path) -> dict[str, dict]:
    return {
        p.relative_to(root).as_posix(): {"sha256": _sha256(p), "bytes": p.stat().st_size}
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def make_backup(
    home: Home, destination: Path, *, keys_to: Path | None = None, now: dt.datetime | None = None
) -> Path:
    """Write a backup of `home` into a new folder under `destination`; returns that folder.
    `keys_to`: write the keys into a folder of the same name under this path instead."""
    if not home.root.is_dir():
        raise BackupError(f"De datamap {home.root} bestaat niet.")
    for place in (destination, keys_to):
        if place is not None and place.resolve().is_relative_to(home.root):
            raise BackupError(
                f"{place} ligt in de datamap zelf; kies een map op een andere schijf."
            )
    moment = (now or dt.datetime.now(LOCAL_TIME)).astimezone(LOCAL_TIME)
    name = PREFIX + moment.strftime("%Y%m%d-%H%M%S")
    destination.mkdir(parents=True, exist_ok=True)
    final = destination / name
    keys_final = (keys_to / name) if keys_to is not None else None
    for path in (final, keys_final):
        if path is not None and path.exists():
            raise BackupError(f"{path} bestaat al.")
    work = destination / f".{name}.tmp"
    keys_work = keys_to / f".{name}.tmp" if keys_to is not None else work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(mode=0o700)
    if keys_to is not None:
        keys_to.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.rmtree(keys_work, ignore_errors=True)
        keys_work.mkdir(mode=0o700)
    try:
        has_warehouse = copy_warehouse(home.warehouse, work / WAREHOUSE)
        for part in PARTS:
            _copy_part(home, part, work)
        for part in KEY_PARTS:
            _copy_part(home, part, keys_work)
        manifest = {
            "formaat": FORMAT,
            "versie": FORMAT_VERSION,
            "programmaversie": _version(),
            "gemaakt_op": moment.isoformat(timespec="seconds"),
            "datamap": str(home.root),
            "warehouse": has_warehouse,
            "onderdelen": [p.attribute for p in PARTS],
            "sleutels_apart": keys_to is not None,
            "bestanden": _checksums(work),
        }
        if keys_to is not None:
            keys_manifest = {**manifest, "bestanden": _checksums(keys_work), "sleutels": True}
            manifest["sleutelbestanden"] = keys_manifest["bestanden"]
            write_atomic(keys_work / MANIFEST, json.dumps(keys_manifest, indent=1), durable=True)
            os.replace(keys_work, keys_final)
            fsync_dir(keys_to)
        write_atomic(work / MANIFEST, json.dumps(manifest, indent=1), durable=True)
        os.replace(work, final)
        fsync_dir(destination)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if keys_to is not None:
            shutil.rmtree(keys_work, ignore_errors=True)
    return final


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        raise BackupError(f"{folder} is geen volledige backup: {MANIFEST} ontbreekt.") from None
    if manifest.get("formaat") != FORMAT:
        raise BackupError(f"{folder} is geen backup van rendement.")
    if manifest.get("versie", 0) > FORMAT_VERSION:
        raise BackupError(
            f"De backup in {folder} heeft formaatversie {manifest['versie']}; deze versie van "
            f"rendement leest tot en met {FORMAT_VERSION}. Werk rendement eerst bij."
        )
    return manifest


def verify(folder: Path, files: dict[str, dict]) -> None:
    """Every file of the manifest is there with its checksum, and nothing else."""
    present = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }
    missing = sorted(set(files) - present)
    extra = sorted(present - set(files))
    if missing or extra:
        which = ", ".join((missing or extra)[:3])
        kind = "ontbreekt" if missing else "hoort er niet in"
        raise BackupError(f"De backup in {folder} is niet volledig: {which} {kind}.")
    for rel, info in files.items():
        if _sha256(folder / rel) != info["sha256"]:
            raise BackupError(f"De backup in {folder} is beschadigd: {rel} wijkt af.")


def restore(source: Path, home: Home, *, keys_from: Path | None = None) -> dict:
    """Restore the backup in `source` into the empty data home `home`; returns its manifest."""
    manifest = read_manifest(source)
    if home.root.exists() and any(home.root.iterdir()):
        raise BackupError(
            f"De datamap {home.root} is niet leeg. Herstel alleen in een lege of nieuwe map, "
            "zodat niets wordt overschreven."
        )
    verify(source, manifest["bestanden"])
    keys = source
    if manifest.get("sleutels_apart"):
        if keys_from is None:
            raise BackupError(
                "De sleutels van deze backup zijn apart bewaard; geef hun map met --sleutels."
            )
        keys = keys_from / source.name if (keys_from / source.name).is_dir() else keys_from
        keys_manifest = read_manifest(keys)
        if keys_manifest.get("gemaakt_op") != manifest["gemaakt_op"]:
            raise BackupError(f"De sleutels in {keys} horen niet bij de backup in {source}.")
        verify(keys, manifest["sleutelbestanden"])
    home.root.mkdir(parents=True, exist_ok=True)
    for folder, files in (
        (source, manifest["bestanden"]),
        (keys, manifest.get("sleutelbestanden")),
    ):
        for rel in files or {}:
            dest = home.root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / rel, dest)
    home.secrets.mkdir(parents=True, exist_ok=True)
    os.chmod(home.secrets, 0o700)
    for path in home.secrets.rglob("*"):
        if path.is_file():
            os.chmod(path, 0o600)
    home.ensure()
    return manifest


__all__ = [
    "KEY_PARTS",
    "PARTS",
    "BackupError",
    "Part",
    "copy_warehouse",
    "make_backup",
    "read_manifest",
    "restore",
    "verify",
]
