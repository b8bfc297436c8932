"""The warehouse's read copy (`warehouse-lezen.duckdb`): what analysts, the CLI and the reports
read, so that reading never blocks a run.

DuckDB lets one process open a file read-write only while no other process has it open, not
even read-only: an analyst's notebook with a connection to `warehouse.duckdb` made the
warehouse step fail. So only the pipeline opens `warehouse.duckdb`; once per run, after the
steps that write it (`publish_read_copy`, called by the asset `warehouse_read_copy` in the
warehouse pool, so no writer changes the file meanwhile) a copy is made under a hidden name and
put in place over `warehouse-lezen.duckdb` in one rename. A reader that has the previous copy
open keeps reading it (the rename does not touch the open file), the next connection sees the
new one, and the writer never meets a reader. The copy is read-only (mode 0444) and holds the
last completed run.

A whole copy costs what the file weighs (≈ 1 s for the 506 MB of ten million trajectories),
not what the run changed. So from `IN_PLACE_FROM_BYTES` on, the copy a run replaces is kept
under a hidden name (`.warehouse-lezen.vorige.duckdb`) and the next run, when nobody reads it
any more, brings it up to date in place (`rendement.core.readcopy_update`: the rows of the
organisations whose lake files changed since, and the small tables whole) and publishes it.
When that cannot be trusted (someone still reads it, the tables or columns differ, other code
wrote its rows, many organisations changed) the file is copied whole, as before. A copy made
before a client was erased (`rendement verwijder-client`) is not kept: the run after the
erasure leaves no copy with the client's rows behind, the spare included.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from rendement.core.erasure import last_erasure_ns
from rendement.core.files import atomic_path, temporary_path, write_atomic
from rendement.core.home import Home
from rendement.core.readcopy_update import Update, update_in_place
from rendement.core.warehouse import connect

READ_ONLY_MODE = 0o444
# Below this size a whole copy is cheaper than bringing the previous one up to date (which
# costs ≈ 0,2-0,4 s whatever the size: attaching both files, comparing their tables, the
# checkpoint): measured 28 MB (300k trajectories) copied in 0,01-0,03 s, 506 MB (10M) in
# 1,0-1,6 s. Smaller warehouses keep no previous copy at all.
IN_PLACE_FROM_BYTES = 128 * 1024 * 1024
SPARE_NAME = ".warehouse-lezen.vorige.duckdb"
# The version of the code that wrote the rows of the published copy and of the spare (a line of
# text beside each): the spare is the copy published the time before, so its version is the
# one recorded when it was published, handed on when it becomes the spare.
PUBLISHED_VERSION_NAME = ".warehouse-lezen.versie"
SPARE_VERSION_NAME = ".warehouse-lezen.vorige.versie"


@dataclass(frozen=True)
class Published:
    """What `publish_read_copy` did: the copy's path, and whether the previous copy was brought
    up to date in place (`update`) or the warehouse copied whole (`copied_because`)."""

    path: Path
    update: Update | None
    copied_because: str = ""


def publish_read_copy(
    home: Home, code_version: str = "", *, in_place_from: int | None = None
) -> Published | None:
    """Publish the warehouse as its read copy in one rename; None when there is no warehouse.

    Called by the one writer right after it closed its connection, so the file is complete:
    should a write-ahead log be left (a writer that did not checkpoint), it is first folded
    into the file, because the copy is opened read-only and would not see it. `code_version`:
    the version of the code that writes the warehouse's rows; a spare made by other code is
    copied anew. `in_place_from`: the warehouse size from which the previous copy is kept and
    brought up to date (default `IN_PLACE_FROM_BYTES`)."""
    source = home.warehouse
    if not source.is_file():
        return None
    if source.with_name(source.name + ".wal").exists():
        with connect(source) as con:
            con.execute("CHECKPOINT")
    spare = home.root / SPARE_NAME
    copy_version, spare_version = home.root / PUBLISHED_VERSION_NAME, home.root / SPARE_VERSION_NAME
    published = home.warehouse_read
    erased = last_erasure_ns(home)
    threshold = IN_PLACE_FROM_BYTES if in_place_from is None else in_place_from
    small = source.stat().st_size < threshold
    update, reason = None, "klein bestand: heel kopiëren is sneller"
    if not small:
        reason = _spare_unusable(spare, published, spare_version, code_version, erased)
    if not reason:
        update, reason = _try_update(spare, source)
    if update is None:
        _drop_log(spare)
        with atomic_path(spare, mode=READ_ONLY_MODE) as tmp:
            shutil.copyfile(source, tmp)
    keep = not small and not _made_before(published, erased)
    _publish(spare, published, keep_previous=keep)
    _record_versions(copy_version, spare_version, code_version, kept=keep, known=not small)
    return Published(published, update, reason)


def _record_versions(
    copy_version: Path, spare_version: Path, code_version: str, *, kept: bool, known: bool
) -> None:
    """The published copy's code version becomes the spare's when that copy was kept as the
    spare; the new copy gets `code_version` (unless not `known`: small homes, which keep no
    spare, record none)."""
    if kept and copy_version.is_file():
        os.replace(copy_version, spare_version)
    else:
        spare_version.unlink(missing_ok=True)
    if known:
        write_atomic(copy_version, code_version)
    else:
        copy_version.unlink(missing_ok=True)


def _made_before(path: Path, moment_ns: int) -> bool:
    return path.is_file() and path.stat().st_mtime_ns <= moment_ns


def _spare_unusable(
    spare: Path, published: Path, version_file: Path, code_version: str, erased_ns: int
) -> str:
    """Why the spare cannot be brought up to date in place ("" when it can)."""
    if not spare.is_file():
        return "geen vorige kopie"
    if _made_before(spare, erased_ns):
        return "cliënt verwijderd sinds de vorige kopie"
    if published.is_file() and os.path.samefile(spare, published):
        return "vorige kopie is de gepubliceerde"  # a publish that stopped half-way
    if not version_file.is_file() or version_file.read_text() != code_version:
        return "andere code"
    return ""


def _in_use(path: Path) -> bool:
    """Whether any connection, in this process or another, still has the file open: DuckDB
    locks the files it opens (fcntl), and an open-file-description lock of our own conflicts
    with those even when they are this process's (a plain fcntl lock would not)."""
    fd = os.open(path, os.O_RDWR)  # a write lock needs a descriptor open for writing
    try:
        lock = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        try:
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, lock)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return True
            raise
        unlock = struct.pack("hhqqi", fcntl.F_UNLCK, os.SEEK_SET, 0, 0, 0)
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, unlock)
        return False
    finally:
        os.close(fd)


def _try_update(spare: Path, source: Path) -> tuple[Update | None, str]:
    """Bring the spare up to date in place; (None, why not) when that cannot be trusted."""
    os.chmod(spare, 0o644)
    try:
        if _in_use(spare):
            return None, "vorige kopie nog in gebruik"
        update = update_in_place(spare, source)
    except duckdb.Error as exc:  # e.g. a reader opened it after all: copy whole
        return None, f"bijwerken mislukt: {type(exc).__name__}"
    finally:
        os.chmod(spare, READ_ONLY_MODE)
    if update.refused:
        return None, update.refused
    return update, ""


def _publish(spare: Path, published: Path, *, keep_previous: bool) -> None:
    """Put the spare in place as the read copy in one rename, and keep the copy it replaces
    as the next spare (or none: the first time, or `keep_previous` False)."""
    new = temporary_path(published)
    os.link(spare, new)
    previous = None
    if keep_previous and published.is_file():
        previous = temporary_path(spare)
        os.link(published, previous)
    try:
        os.replace(new, published)  # readers now open the new copy
    except BaseException:
        new.unlink(missing_ok=True)
        if previous is not None:
            previous.unlink(missing_ok=True)
        raise
    _drop_log(spare)
    if previous is not None:
        os.replace(previous, spare)
    else:
        spare.unlink()


def _drop_log(spare: Path) -> None:
    """Remove a write-ahead log left beside the spare (an update in place that stopped before
    its checkpoint) when another file takes the spare's name: DuckDB would replay it into a
    database it does not belong to."""
    spare.with_name(spare.name + ".wal").unlink(missing_ok=True)


def reading_path(home: Home) -> Path:
    """The file a reader opens: the read copy, or the warehouse itself in a home that has no
    copy yet (written before read copies existed, until its next run)."""
    return home.warehouse_read if home.warehouse_read.is_file() else home.warehouse


@contextlib.contextmanager
def read_warehouse(home: Home) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-only connection to the read copy (`reading_path`), always closed."""
    with connect(reading_path(home), read_only=True) as con:
        yield con


__all__ = [
    "READ_ONLY_MODE",
    "PUBLISHED_VERSION_NAME",
    "SPARE_NAME",
    "SPARE_VERSION_NAME",
    "Published",
    "publish_read_copy",
    "read_warehouse",
    "reading_path",
]
