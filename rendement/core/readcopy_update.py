"""An older read copy of the warehouse brought up to date in place, at the cost of what changed.

Copying the warehouse whole costs what it weighs, however little a run changed: at ten million
trajectories ≈ 1 s of a re-upload's ≈ 8 s, for the rows of one organisation. The tables that
weigh are loaded per organisation from the lake, and the warehouse's ledger of lake files
(`intake.lakebestanden`: per table and organisation the version of the files its rows came
from, `rendement.core.warehouse`) says which organisations' rows changed between two states of
the warehouse: those whose ledger rows differ. So the copy's rows of exactly those organisations
are replaced by the warehouse's, every other table (small: results, sector figures, the audit
log) is replaced whole, in one transaction, and the row count of every table is compared before
it is committed.

Refused (the caller then copies the file whole) when the two do not have the same tables,
columns, comments and views, or when many organisations changed (a copy is then cheaper).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from rendement.core.warehouse import LOADED

# Above this share of changed (table, organisation) pairs in the ledger, copying the file whole
# is cheaper than replacing their rows.
COPY_SHARE = 0.2
_COPY, _SOURCE = "kopie", "bron"
# What must be the same in both files for rows to be all that differs.
_STRUCTURE = (
    "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE database_name = ?",
    "SELECT schema_name, table_name, column_index, column_name, data_type, comment, "
    "is_nullable, column_default FROM duckdb_columns() WHERE database_name = ?",
    "SELECT schema_name, view_name, sql FROM duckdb_views() "
    "WHERE database_name = ? AND NOT internal",
    "SELECT schema_name, index_name, sql FROM duckdb_indexes() WHERE database_name = ?",
    "SELECT schema_name, sequence_name FROM duckdb_sequences() WHERE database_name = ?",
    "SELECT schema_name, constraint_type, table_name, constraint_text FROM duckdb_constraints() "
    "WHERE database_name = ?",
    "SELECT schema_name, function_name, macro_definition FROM duckdb_functions() "
    "WHERE database_name = ? AND NOT internal",
    "SELECT schema_name FROM duckdb_schemas() WHERE database_name = ?",
)


@dataclass(frozen=True)
class Update:
    """What an update in place did: the organisations whose rows it replaced, the tables it
    replaced per organisation and whole; or why it refused (nothing changed then)."""

    organisations: tuple[str, ...] = ()
    tables_per_organisation: int = 0
    tables_whole: int = 0
    refused: str = ""


def update_in_place(copy: Path, source: Path) -> Update:
    """Make the DuckDB file `copy` (an earlier copy of `source`) hold what `source` holds.

    Both are attached to one in-memory connection: `copy` read-write (DuckDB's file lock keeps
    others out meanwhile), `source` read-only."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH ? AS {_COPY}", [str(copy)])
        con.execute(f"ATTACH ? AS {_SOURCE} (READ_ONLY)", [str(source)])
        if _structure(con, _COPY) != _structure(con, _SOURCE):
            return Update(refused="tabellen of kolommen veranderd")
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
            "WHERE database_name = ? ORDER BY 1",
            [_SOURCE],
        ).fetchall()
        tables = [name for (name,) in tables]
        changed, pairs = _changed(con, tables)
        if sum(len(orgs) for orgs in changed.values()) > COPY_SHARE * max(pairs, 1):
            return Update(refused="veel organisaties veranderd")
        keyed = _with_organisation(con)
        per_org = [t for t in tables if t in changed and t in keyed]
        whole = [t for t in tables if t not in per_org]
        con.execute("BEGIN TRANSACTION")
        try:
            for table in per_org:
                _replace(con, table, sorted(changed[table]))
            for table in whole:
                _replace(con, table, None)
            differ = _counts(con, _COPY, tables) != _counts(con, _SOURCE, tables)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        if differ:
            con.execute("ROLLBACK")
            return Update(refused="aantallen rijen verschillen")
        con.execute("COMMIT")
        con.execute(f"CHECKPOINT {_COPY}")
        organisations = sorted({org for orgs in changed.values() for org in orgs})
        return Update(
            organisations=tuple(organisations),
            tables_per_organisation=sum(1 for t in per_org if changed[t]),
            tables_whole=len(whole),
        )
    finally:
        con.close()


def _structure(con: duckdb.DuckDBPyConnection, database: str) -> list[list[tuple]]:
    return [con.execute(f"{query} ORDER BY ALL", [database]).fetchall() for query in _STRUCTURE]


def _changed(con: duckdb.DuckDBPyConnection, tables: list[str]) -> tuple[dict[str, set], int]:
    """({table: organisations whose ledger rows differ between copy and source}, ledger rows in
    the source) for every table in the source's ledger; ({}, 0) without a ledger."""
    if LOADED not in tables:
        return {}, 0
    rows = con.execute(
        f"""
        WITH a AS (SELECT * FROM {_COPY}.{LOADED}), b AS (SELECT * FROM {_SOURCE}.{LOADED})
        SELECT doel, organisatie_id FROM ((FROM a EXCEPT FROM b) UNION (FROM b EXCEPT FROM a))
        """
    ).fetchall()
    changed: dict[str, set] = {
        doel: set()
        for (doel,) in con.execute(f"SELECT DISTINCT doel FROM {_SOURCE}.{LOADED}").fetchall()
    }
    for doel, org in rows:
        changed.setdefault(doel, set()).add(org)
    pairs = con.execute(f"SELECT count(*) FROM {_SOURCE}.{LOADED}").fetchone()[0]
    return {t: orgs for t, orgs in changed.items() if t in tables}, pairs


def _with_organisation(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The source's tables with an `organisatie_id` column (whose rows can be replaced per
    organisation)."""
    rows = con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_columns() "
        "WHERE database_name = ? AND column_name = 'organisatie_id'",
        [_SOURCE],
    ).fetchall()
    return {name for (name,) in rows}


def _replace(con: duckdb.DuckDBPyConnection, table: str, orgs: list[str] | None) -> None:
    """The copy's rows of `orgs` in `table` (None: all its rows) replaced by the source's."""
    if orgs == []:
        return
    where = "" if orgs is None else " WHERE list_contains($orgs, organisatie_id)"
    params = {} if orgs is None else {"orgs": orgs}
    con.execute(f"DELETE FROM {_COPY}.{table}{where}", params)
    con.execute(f"INSERT INTO {_COPY}.{table} SELECT * FROM {_SOURCE}.{table}{where}", params)


def _counts(con: duckdb.DuckDBPyConnection, database: str, tables: list[str]) -> list[int]:
    return [con.execute(f"SELECT count(*) FROM {database}.{t}").fetchone()[0] for t in tables]


__all__ = ["COPY_SHARE", "Update", "update_in_place"]
