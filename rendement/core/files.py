"""Writing files so that no reader ever sees half of one, and locking them: the one way.

Every file the project writes for someone else to read (lake Parquet, JSON, pages, archived
uploads, the register, releases) is written under a hidden temporary name in the same folder
and renamed over its final name (`os.replace`, atomic on one file system). A temporary name
starts with a dot, so the readers that list folders (the warehouse load, the inbox, the
archive) skip it, and ends in `.tmp`. It is unique per process and call, so two writers never
write into the same temporary file; the last rename wins.

Files shared between processes (the audit log, the register, an organisation's inbox) are
locked with `locked`: an exclusive `flock` held for the duration of a `with` block.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (the folder's entry list reaches the disk)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path, *, mode: int | None = None, durable: bool = False) -> Iterator[Path]:
    """A temporary path beside `path` to write to (a file, or a folder with files); when the
    block ends without an exception it is renamed over `path`, else removed.

    For writers that want a path (polars, a folder of files). `mode`: the permissions the
    result gets before it becomes visible (default: as created). `durable`: fsync the file and
    its folder, for files that must survive a crash once written (the register).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path)
    try:
        yield tmp
        if mode is not None:
            os.chmod(tmp, mode)
        if durable and tmp.is_file():
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, path)
        if durable:
            fsync_dir(path.parent)
    finally:
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def write_atomic(
    path: Path, data: bytes | str, *, mode: int | None = None, durable: bool = False
) -> Path:
    """Write `data` (text as UTF-8) to `path` atomically (see `atomic_path`); returns `path`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, mode=mode, durable=durable) as tmp:
        tmp.write_bytes(raw)
    return path


def write_if_changed(path: Path, data: bytes | str) -> Path:
    """Write `data` atomically unless `path` already holds exactly these bytes (its time stamp
    then says when its content last changed, and a reader never sees it replaced by itself)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.read_bytes() == raw:
            return path
    except (FileNotFoundError, IsADirectoryError):
        pass
    return write_atomic(path, raw)


@contextlib.contextmanager
def locked(path: Path, *, mode: int = 0o600) -> Iterator[int]:
    """Hold an exclusive lock on `path` (created with `mode` when missing) for the block;
    yields the file descriptor, opened for appending, so a log can be written under its own
    lock. Serialises threads and processes alike."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, mode)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


__all__ = ["atomic_path", "fsync_dir", "locked", "write_atomic"]
