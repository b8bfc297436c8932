"""Versions: the one way this project decides that work can be skipped.

A *version* is a hex SHA-256 of everything a piece of work reads (data) or of the code that does
it. Work records the version it was done for; the next time, it compares the version it would
be done for now with the recorded one (`stale`) and redoes only what differs. The same strings
are reported to Dagster as the assets' `code_version` and `data_version` (`DataVersion`), so
the Dagster UI shows what changed and what is stale in the same terms.

Who records what:

* the warehouse load, one version per table and organisation of the lake files it loaded
  (`files_version`: path, inode, mtime and size), in `intake.lakebestanden`, in the same
  transaction as the rows (`rendement.core.warehouse`);
* each organisation's report page, one version of every row, file and code it is made from, in
  `site/org/<ORG>/.invoer` (`rendement.reports.org_pages`);
* the assets, a code version of the package that does their work (`package_version`) and a
  data version of what they wrote (`assets/`);
* work kept under the version of its own inputs (`Kept`): the great-tables HTML of the shared
  report pages, in the site version's `.tabellen/` (`rendement.reports.table_cache`), the
  bootstrap intervals of the median ratio and the benchmark cells of each open year, in the
  lake (`rendement.benchmark.bootstrap_memo`, `rendement.benchmark.cells_memo`).
  Nothing there can be stale: a version that is known is the same work.

Pages shared by everyone are written only when their bytes differ (`core.files.write_if_changed`):
that keeps their time stamps meaningful, it does not decide whether work is done.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path
from typing import Generic, TypeVar

import polars as pl

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
# Two independent 64-bit row hashes: a collision has to happen in both at once.
_SEEDS = (101, 202)


def digest(*parts: str | bytes) -> str:
    """The version of a sequence of parts (each part delimited, so ("ab", "c") ≠ ("a", "bc"))."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def stale(wanted: Mapping[K, str], recorded: Mapping[K, str | None]) -> list[K]:
    """The keys whose work is out of date: wanted now and recorded differently or not at all,
    or recorded and no longer wanted (their output must go). Sorted when the keys sort."""
    keys = set(wanted) | set(recorded)
    out = [k for k in keys if wanted.get(k) != recorded.get(k)]
    try:
        return sorted(out)  # type: ignore[type-var]
    except TypeError:
        return out


class Kept(Generic[T]):
    """Work done before, looked up by the version of what it was done from: `get` gives it
    back, or does the work when the version is new. `earlier(version)` reads work kept by an
    earlier run (KeyError when there is none); `used` holds this run's work by version (what to
    keep for the next one: the rest is no longer asked for), `done` and `reused` count."""

    def __init__(self, earlier: Callable[[str], T]):
        self._earlier = earlier
        self.used: dict[str, T] = {}
        self.done = 0
        self.reused = 0

    def get(self, version: str, work: Callable[[], T]) -> T:
        if version in self.used:
            out = self.used[version]
            self.reused += 1
            return out
        try:
            out = self._earlier(version)
        except KeyError:
            out = work()
            self.done += 1
        else:
            self.reused += 1
        self.used[version] = out
        return out


# ------------------------------------------------------------------------------ code


def code_version(files: Iterable[Path], libraries: Iterable[str] = (), fmt: str = "1") -> str:
    """The version of source files, the versions of the libraries they use, the Python version
    and a format number (bumped by hand for a change the sources cannot show)."""
    parts: list[str | bytes] = [f"format {fmt}"]
    for file in files:
        parts += [f"{file.parent.name}/{file.name}", file.read_bytes()]
    parts += [f"{lib}=={importlib.metadata.version(lib)}" for lib in libraries]
    parts.append(f"python {sys.version_info[:2]}")
    return digest(*parts)


def package_files(package: Path) -> list[Path]:
    """The source and template files of a package folder, in a stable order."""
    return sorted(
        p
        for p in package.rglob("*")
        if p.is_file() and p.suffix in {".py", ".html", ".css", ".svg", ".yaml"}
    )


def package_version(*packages: Path, libraries: Iterable[str] = ()) -> str:
    """The code version of whole package folders (an asset's `code_version`)."""
    return code_version([f for p in packages for f in package_files(p)], libraries)


# ------------------------------------------------------------------------------ data


def row_hashes(frame: pl.DataFrame) -> pl.DataFrame:
    """Two independent 64-bit hashes per row, in the frame's row order (columns a, b). Stable
    within one polars version only: code versions that use them include polars' version."""
    a, b = (frame.hash_rows(seed=s) for s in _SEEDS)
    return pl.DataFrame({"a": a, "b": b}, schema={"a": pl.UInt64, "b": pl.UInt64})


def _set_bytes(hashes: pl.DataFrame) -> bytes:
    ordered = hashes.sort("a", "b")
    return ordered["a"].to_numpy().tobytes() + ordered["b"].to_numpy().tobytes()


def frame_version(frame: pl.DataFrame) -> str:
    """The version of a whole frame: its columns and types, and its rows as a set (the order
    rows come out of DuckDB does not matter)."""
    rows = _set_bytes(row_hashes(frame)) if frame.height else b""
    return digest(repr(list(frame.schema.items())), rows)


def versions_per_organisation(frame: pl.DataFrame) -> dict[str, str]:
    """{organisatie_id: version of that organisation's rows as a set}, in one pass."""
    if not frame.height or "organisatie_id" not in frame.columns:
        return {}
    hashes = (
        row_hashes(frame)
        .with_columns(org=frame["organisatie_id"])
        .filter(pl.col("org").is_not_null())
        .sort("org", "a", "b")
    )
    # One sort for all organisations; each one's rows are then a contiguous run, in the order
    # `_set_bytes` would put them.
    orgs = hashes["org"].to_list()
    a, b = hashes["a"].to_numpy(), hashes["b"].to_numpy()
    out, start = {}, 0
    for end in range(1, len(orgs) + 1):
        if end == len(orgs) or orgs[end] != orgs[start]:
            out[orgs[start]] = digest(a[start:end].tobytes() + b[start:end].tobytes())
            start = end
    return out


def file_version(path: Path) -> str:
    """The version of one file's bytes ("-" when it does not exist)."""
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return "-"


def files_version(stats: Iterable[tuple]) -> str:
    """The version of a set of files by their (path, inode, mtime_ns, size): the lake writes
    every file atomically under a new inode, so a rewritten file always gets a new version
    without reading its bytes."""
    return digest(*(repr(tuple(s)) for s in sorted(stats)))
