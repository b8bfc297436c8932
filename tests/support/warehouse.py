"""The warehouse as a test compares it: every table a load of the lake writes, row for row."""

from __future__ import annotations

from pathlib import Path

import duckdb

from rendement.core import audit
from rendement.core.warehouse import LOADED, load_lake


def loaded_tables(path: Path, names: list[str] | None = None) -> dict[str, list[tuple]]:
    """The rows of `names` (None: every table in the file but the load's ledger), sorted."""
    with duckdb.connect(str(path), read_only=True) as con:
        if names is None:
            names = [
                name
                for (name,) in con.execute(
                    "SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1"
                ).fetchall()
                if name != LOADED
            ]
        return {
            name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall() for name in names
        }


def all_tables(path: Path) -> dict[str, list[tuple]]:
    """Every table in the file, the load's ledger included, its rows sorted."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1"
        ).fetchall()
    return loaded_tables(path, [name for (name,) in names])


def assert_as_fresh_load(warehouse: Path, lake: Path, audit_log: Path, scratch: Path) -> None:
    """`warehouse` holds, table for table, what a fresh load of `lake` into `scratch` gives
    (its other tables, benchmarks say, are not compared)."""
    fresh = scratch / "fresh.duckdb"
    load_lake(fresh, lake, audit.read(audit_log))
    expected = loaded_tables(fresh)
    assert "canoniek.traject" in expected
    assert loaded_tables(warehouse, list(expected)) == expected
