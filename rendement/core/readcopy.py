"""The warehouse's read copy (`warehouse-lezen.duckdb`): what analysts, the CLI and the reports
read, so that reading never blocks a run.

DuckDB lets one process open a file read-write only while no other process has it open, not
even read-only: an analyst's notebook with a connection to `warehouse.duckdb` made the
warehouse step fail. So only the pipeline opens `warehouse.duckdb`; once per run, after the
steps that write it (`publish_read_copy`, called by the asset `warehouse_read_copy` in the
warehouse pool, so no writer changes the file meanwhile) the file is copied beside it under a
hidden temporary name and renamed over `warehouse-lezen.duckdb` in one step. A reader that has
the previous copy open keeps reading it (the rename does not touch the open file), the next
connection sees the new one, and the writer never meets a reader. The copy is read-only (mode
0444) and holds the last completed run: once, not after every writing step, because a copy
costs what the file weighs (≈ 0,5 s at ten million trajectories), not what the run changed.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from rendement.core.files import atomic_path
from rendement.core.home import Home
from rendement.core.warehouse import connect

READ_ONLY_MODE = 0o444


def publish_read_copy(home: Home) -> Path | None:
    """Copy the warehouse to its read copy in one rename; None when there is no warehouse yet.

    Called by the one writer right after it closed its connection, so the file is complete:
    should a write-ahead log be left (a writer that did not checkpoint), it is first folded
    into the file, because the copy is opened read-only and would not see it."""
    source = home.warehouse
    if not source.is_file():
        return None
    if source.with_name(source.name + ".wal").exists():
        with connect(source) as con:
            con.execute("CHECKPOINT")
    with atomic_path(home.warehouse_read, mode=READ_ONLY_MODE) as tmp:
        shutil.copyfile(source, tmp)
    return home.warehouse_read


def reading_path(home: Home) -> Path:
    """The file a reader opens: the read copy, or the warehouse itself in a home that has no
    copy yet (written before read copies existed, until its next run)."""
    return home.warehouse_read if home.warehouse_read.is_file() else home.warehouse


@contextlib.contextmanager
def read_warehouse(home: Home) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-only connection to the read copy (`reading_path`), always closed."""
    with connect(reading_path(home), read_only=True) as con:
        yield con


__all__ = ["READ_ONLY_MODE", "publish_read_copy", "read_warehouse", "reading_path"]
