"""Writing files so that no reader ever sees half of one, and locking them: the one way.

Every file the project writes for someone else to read (lake Parquet, JSON, pages, archived
uploads, the register, releases) is written under a hidden temporary name in the same folder
and renamed over its final name (`os.replace`, atomic on one file system). A temporary name
starts with a dot, so the readers that list folders (the warehouse load, the inbox, the
archive) skip it, and ends in `.tmp`. It is unique per process and call, so two writers never
write into the same temporary file; the last rename wins.

Files shared between processes (the audit log, the register, an organisation's inbox) are
locked with `locked`: an exclusive `flock` held for the duration of a `with` block.

A folder that must change as a whole (the site: its index and every page it links to) is built
as a new version beside the current one and switched to in one rename: `switched_folder`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path


def temporary_path(path: Path) -> Path:
    """A hidden, unique name beside `path` to write to before a rename puts it in place."""
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
    tmp = temporary_path(path)
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


def create_secret(path: Path, make: Callable[[], bytes]) -> None:
    """Create a secret file once (mode 0600, its folder 0700) with the bytes `make` returns,
    unless it exists. Written under a temporary name and hard-linked into place, so that two
    processes starting at once end up with the same, whole secret (the second link fails and
    that process reads the first one's). A secret readable by others is tightened to 0600."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = temporary_path(path)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(make())
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)  # fails if another process created it meanwhile
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)


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


VERSIONS_SUFFIX = "-versies"
KEEP_VERSIONS = 2  # the current version and the one before it (a reader may still be in it)


def _versions(link: Path) -> Path:
    return link.parent / f".{link.name}{VERSIONS_SUFFIX}"


def _point(link: Path, target: Path) -> Path | None:
    """Make `link` a symbolic link to `target` in one rename (relative, so that the data home
    can be moved or copied). A real folder at `link` (a home from before versions) is moved
    into the versions first (returned)."""
    moved = None
    if link.is_dir() and not link.is_symlink():
        moved = _versions(link) / f"0-{secrets.token_hex(4)}"
        os.rename(link, moved)
    tmp = temporary_path(link)
    os.symlink(os.path.relpath(target, link.parent), tmp)
    os.replace(tmp, link)
    fsync_dir(link.parent)
    return moved


def _mirror(source: str, target: str) -> None:
    """Make the folder `target` hold what `source` holds, as hard links of its files: an entry
    that already is the same file (same inode) or the same symbolic link is left alone, any
    other is replaced, and what `source` lacks is removed. Reading the inode costs no `stat`
    (`os.scandir`), so bringing the version before up to date touches only what changed."""
    have = {entry.name: entry for entry in os.scandir(target)}
    for entry in os.scandir(source):
        old = have.pop(entry.name, None)
        path = os.path.join(target, entry.name)
        if entry.is_dir(follow_symlinks=False):
            if old is None or not old.is_dir(follow_symlinks=False):
                _remove(old)
                os.mkdir(path)
                shutil.copymode(entry.path, path)
            _mirror(entry.path, path)
        elif entry.is_symlink():
            if old is None or not old.is_symlink() or os.readlink(path) != os.readlink(entry):
                _remove(old)
                os.symlink(os.readlink(entry), path)
        elif old is None or old.is_symlink() or old.inode() != entry.inode():
            _remove(old)
            os.link(entry.path, path)
    for old in have.values():
        _remove(old)


def _remove(entry: os.DirEntry | None) -> None:
    if entry is None:
        return
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)


@contextlib.contextmanager
def switched_folder(link: Path) -> Iterator[Path]:
    """A new version of the folder `link` to build in, holding what the current version holds
    (hard links, so it costs no room and unchanged files keep their time stamps; empty when
    there is none). When the block ends without an exception `link` points at the new version in one rename (`_point`), else the
    new version is removed and `link` still shows the old one whole. Builds of the same folder
    wait for each other (a lock).

    The version before the current one (kept until now for a reader still in it) becomes the
    new version: renamed, then brought up to date with the current one by `_mirror`, which
    relinks only what the last build changed; older ones are removed. Copying the current
    version whole and removing the one before cost ≈ 0,28 s per build for the 5.800 files of a
    site of 540 organisations, bringing the one before up to date ≈ 0,02–0,05 s.

    Every writer replaces files whole (`write_atomic`), never writes into one, so a file of the
    new version never changes the old one through a shared hard link. What another process
    writes into the current version while a new one is built is not in the new one: only one
    step builds the site, after intake and the warehouse in the same run.
    """
    store = _versions(link)
    store.mkdir(parents=True, exist_ok=True)
    with locked(store / ".slot"):
        current = link.resolve() if link.is_dir() else None
        new = store / f"{time.time_ns()}-{secrets.token_hex(4)}"
        # the newest version that is not the current one becomes the new one
        older = [p for p in store.iterdir() if p.is_dir() and p != current] if current else []
        try:
            if older:
                os.rename(max(older, key=lambda p: p.name), new)
            else:
                new.mkdir()
            if current is not None:
                _mirror(str(current), str(new))
            yield new
            moved = _point(link, new)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        keep = {new.name} | {p.name for p in (moved, current) if p is not None}
        for old in store.iterdir():
            if old.is_dir() and old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)


__all__ = [
    "atomic_path",
    "fsync_dir",
    "locked",
    "switched_folder",
    "temporary_path",
    "write_atomic",
]
