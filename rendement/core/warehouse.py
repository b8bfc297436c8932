"""The DuckDB warehouse (`RENDEMENT_HOME/warehouse.duckdb`): what analysts query.

Kept up to date from the Parquet lake by a single writer, per organisation whose files changed
(`load_lake`); connections are short and closed even when a statement fails, because DuckDB
allows one read-write process per file. Table and
column comments come from the pandera models, so `docs/warehouse.md` and DuckDB's own
`duckdb_columns()` say the same thing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from rendement.core.lake import (
    LINEAGE_COLUMN,
    LINEAGE_DESCRIPTION,
    Lake,
    latest_per_key,
    read_stacked,
)
from rendement.core.versions import digest, files_version, stale
from schemas.outputs import OUTPUTS
from schemas.tables import MODELS, polars_schema

SCHEMAS = {
    "canoniek": "Geaccepteerde rijen per tabel van het exportcontract (laatste levering per periode).",
    "quarantaine": "Afgekeurde rijen met regel, kolom en melding; niets gaat verloren.",
    "intake": "Auditlog en leveringen: wie leverde wat, wanneer, met welke uitkomst.",
    "mkba": "Resultaten van de MKBA per project en jaar, per uitkomst en per scenario.",
    "benchmark": "Gepubliceerde sectorcijfers met status van de onthullingscontrole.",
    "prive": "Alleen voor het eigen rapport van een organisatie; nooit publiceren.",
}

_DUCKDB_TYPES = {pl.String: "VARCHAR", pl.Float64: "DOUBLE", pl.Int64: "BIGINT", pl.Date: "DATE"}


@contextlib.contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection that is always closed."""
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _empty_canonical_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """canoniek.<table> empty, typed from the pandera model, with its comments."""
    columns = canonical_columns(table)
    ddl = ", ".join(f"{c} {_DUCKDB_TYPES[t]}" for c, t in columns.items())
    con.execute(f"CREATE OR REPLACE TABLE canoniek.{table} ({ddl})")
    model = MODELS[table].to_schema()
    con.execute(f"COMMENT ON TABLE canoniek.{table} IS {_sql_str(model.description or '')}")
    for name, col in model.columns.items():
        if col.description:
            con.execute(f"COMMENT ON COLUMN canoniek.{table}.{name} IS {_sql_str(col.description)}")
    con.execute(
        f"COMMENT ON COLUMN canoniek.{table}.{LINEAGE_COLUMN} IS {_sql_str(LINEAGE_DESCRIPTION)}"
    )


def canonical_columns(table: str) -> dict[str, pl.DataType]:
    """The columns of `canoniek.<table>`: the export contract's, then the lineage column."""
    return {**polars_schema(table), LINEAGE_COLUMN: pl.String}


def replace_frame(con: duckdb.DuckDBPyConnection, target: str, df: pl.DataFrame) -> int:
    """Replace a table with the contents of a polars frame (schema from the frame)."""
    con.register("_frame", df.to_arrow())
    try:
        con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM _frame")
    finally:
        con.unregister("_frame")
    return df.height


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for (
        schema
    ) in SCHEMAS:  # DuckDB cannot comment on schemas: docs/warehouse.md says what they hold
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")


# In the order of the files intake writes (`rendement.intake.accept.accept_org`).
QUARANTINE_DDL = (
    "tabel VARCHAR, _bestand VARCHAR, _rij BIGINT, regel VARCHAR, kolom VARCHAR, "
    "waarde VARCHAR, melding VARCHAR, organisatie_id VARCHAR, checksum VARCHAR, periode BIGINT"
)

# Every table loaded from the lake is maintained per organisation: a load replaces only the
# rows of organisations whose lake files changed since the previous load, so that a re-upload
# costs its own rows and files, not the sector's (reading the sector's thousands of small
# Parquet files again costs seconds even for the project-level tables). The version of the
# files each load saw (`rendement.core.versions.files_version`, per table and organisation) is
# kept in LOADED, forgotten before an organisation's rows change and recorded after they are all
# in (`load_table`), so a load that stops half-way is taken up again. Tables have no defined row order (rows
# arrive per organisation; benchmarks and reports are the same on shuffled tables).
LOADED = "intake.lakebestanden"
_LOADED_COLUMNS = ("doel", "organisatie_id", "versie")
_LOADED_DDL = "doel VARCHAR, organisatie_id VARCHAR, versie VARCHAR"
# The MKBA results in the lake (`lake/mkba/<name>/<ORG>.parquet`), each loaded as mkba.<name>:
# the output tables the MKBA stage computes (`schemas.outputs.OUTPUTS`).
MKBA_RESULTS = tuple(
    table.split(".")[1] for table, out in OUTPUTS.items() if out.computed_by == "project_mkba"
)
# Above this share of changed organisations rebuilding the table is cheaper than deleting.
FULL_RELOAD_SHARE = 0.5
# Parquet bytes per INSERT statement (whole organisations): small enough that DuckDB's
# "latest period per key" fits in memory, large enough that statements are few (measured on
# the 10M-trajectory sector: 8 MB ≈ 20 organisations, 27 s and < 1 GB for traject + meting).
CHUNK_BYTES = 8 * 1024 * 1024
# DuckDB's own memory while loading; beyond it DuckDB spills to disk (`warehouse.duckdb.tmp/`).
# Without a limit it takes up to 80 % of the machine's memory for a full load of the sector.
MEMORY_ENV = "RENDEMENT_DUCKDB_MEMORY"
DEFAULT_MEMORY = "1GB"


def _source(lake: Path, target: str) -> tuple[Path, bool]:
    """Where a target's files are in the lake (`Lake`): (folder, one subfolder per
    organisation?)."""
    schema, name = target.split(".")
    if schema == "canoniek":
        return Lake(lake).accepted_dir(name), True
    if schema == "quarantaine":
        return Lake(lake).rejected_dir(), True
    return Lake(lake).mkba_dir(name), False


def _lake_files(lake: Path, target: str) -> dict[str, list[tuple]]:
    """{organisation: [(path, inode, mtime_ns, size), ...]} of the Parquet files of a target."""
    base, per_folder = _source(lake, target)
    out: dict[str, list[tuple]] = {}
    if not base.is_dir():
        return out

    def parquet(entry: os.DirEntry) -> bool:
        return entry.is_file() and entry.name.endswith(".parquet") and entry.name[0] != "."

    for entry in os.scandir(base):
        if per_folder and entry.is_dir():
            files = [f for f in os.scandir(entry.path) if parquet(f)]
            org = entry.name
        elif not per_folder and parquet(entry):
            files, org = [entry], entry.name[: -len(".parquet")]
        else:
            continue
        if files:
            stats = [(f.path, f.stat()) for f in files]
            out[org] = sorted((p, st.st_ino, st.st_mtime_ns, st.st_size) for p, st in stats)
    return out


def _exists(con: duckdb.DuckDBPyConnection, target: str) -> bool:
    schema, name = target.split(".")
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
            [schema, name],
        ).fetchall()[0][0]
    )


def _loaded(con: duckdb.DuckDBPyConnection, target: str) -> dict[str, str] | None:
    """{organisation: version of its files} as the previous load of `target` saw them, or None
    when that cannot be trusted (no table yet, nothing recorded)."""
    if not _exists(con, target):
        return None
    rows = con.execute(
        f"SELECT organisatie_id, versie FROM {LOADED} WHERE doel = ?", [target]
    ).fetchall()
    return dict(rows) or None


def _versions(files: dict[str, list[tuple]]) -> dict[str, str]:
    return {org: files_version(stats) for org, stats in files.items()}


def _record(con, target: str, versions: dict[str, str], orgs: set[str] | None) -> None:
    """Remember `versions` (of the lake files, per organisation) of `orgs` (None: all) as
    loaded into `target`, once their rows are in; what LOADED held of them went first
    (`_forget`)."""
    current = {org: v for org, v in versions.items() if orgs is None or org in orgs}
    if current:
        frame = pl.DataFrame(
            [(target, org, v) for org, v in sorted(current.items())],
            schema=list(_LOADED_COLUMNS),
            orient="row",
        )
        con.register("_files", frame.to_arrow())
        try:
            con.execute(f"INSERT INTO {LOADED} SELECT * FROM _files")
        finally:
            con.unregister("_files")


def loaded_version(con: duckdb.DuckDBPyConnection) -> str:
    """The version of every lake-backed table as the last load left it: the versions of the
    files it loaded, per table and organisation (the `warehouse` asset's data version)."""
    rows = con.execute(f"SELECT * FROM {LOADED} ORDER BY ALL").fetchall()
    return digest(*(repr(row) for row in rows))


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """Create LOADED; a ledger of an older layout is dropped (every table then loads in full
    once, which gives the same rows)."""
    columns = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "ORDER BY column_index",
        LOADED.split("."),
    ).fetchall()
    if columns and tuple(c for (c,) in columns) != _LOADED_COLUMNS:
        con.execute(f"DROP TABLE {LOADED}")
    con.execute(f"CREATE TABLE IF NOT EXISTS {LOADED} ({_LOADED_DDL})")


@contextlib.contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One DuckDB transaction: committed when the block ends, rolled back on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _forget(con: duckdb.DuckDBPyConnection, target: str, orgs: set[str] | None) -> None:
    """Drop what LOADED remembers of `orgs` (None: all) in `target`, committed before their rows
    change: a load that stops half-way leaves them unrecorded, so the next load takes them
    (or, with nothing recorded, the whole table) again."""
    if orgs is None:
        con.execute(f"DELETE FROM {LOADED} WHERE doel = ?", [target])
    else:
        con.execute(
            f"DELETE FROM {LOADED} WHERE doel = ? AND list_contains(?, organisatie_id)",
            [target, sorted(orgs)],
        )


def _full_load(con, lake: Path, target: str, files: dict[str, list[tuple]]) -> int | None:
    """Rebuild a target from all its lake files; None when there is nothing to build from.

    Canonical and quarantine rows are inserted a few organisations at a time (`CHUNK_BYTES`),
    each chunk committed on its own: keys never cross organisations, so "latest period per key"
    needs only one chunk in memory, and DuckDB keeps the rows of an open transaction in memory
    (one transaction over the 10M sector's 25 million measurements held 5 GB)."""
    schema, name = target.split(".")
    if schema == "mkba":  # project-level, small; the columns come from the files
        if not files:  # mkba.overrides exists only when an organisation overrides
            con.execute(f"DROP TABLE IF EXISTS {target}")
            return None
        paths = [path for org in sorted(files) for path, *_stat in files[org]]
        con.execute(
            f"CREATE OR REPLACE TABLE {target} AS "
            "SELECT * FROM read_parquet($paths, union_by_name = true)",
            {"paths": paths},
        )
        return con.execute(f"SELECT count(*) FROM {target}").fetchall()[0][0]
    with _transaction(con):
        if schema == "canoniek":
            _empty_canonical_table(con, name)
        else:
            con.execute(f"CREATE OR REPLACE TABLE {target} ({QUARANTINE_DDL})")
    _insert_organisations(con, target, files, set(files), replace=False)
    return con.execute(f"SELECT count(*) FROM {target}").fetchall()[0][0]


def _insert(con, target: str, paths: list[str]) -> None:
    """Insert the rows of lake files (whole organisations, each's periods oldest first); of a
    canonical table only the current rows (`latest_per_key`, the rule intake reads by too)."""
    schema, name = target.split(".")
    if not paths:
        return
    if schema != "canoniek":
        con.execute(
            f"INSERT INTO {target} BY NAME SELECT * FROM read_parquet($paths, union_by_name = true)",
            {"paths": paths},
        )
        return
    current = latest_per_key(name, read_stacked([Path(p) for p in paths]))
    columns = [
        pl.col(c) if c in current.columns else pl.lit(None, t).alias(c)
        for c, t in canonical_columns(name).items()
    ]
    con.register("_current", current.select(columns).to_arrow())
    try:
        con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM _current")
    finally:
        con.unregister("_current")


def _insert_organisations(
    con, target: str, files: dict[str, list[tuple]], orgs: set[str], *, replace: bool
) -> None:
    """Insert the rows in the lake files of `orgs`, whole organisations per transaction, about
    CHUNK_BYTES of Parquet at a time; `replace`: their rows in `target` are deleted first, in
    the same transaction (an organisation without files keeps no rows)."""
    chunk: list[str] = []
    members: list[str] = []
    size = 0

    def flush() -> None:
        with _transaction(con):
            if replace:
                con.execute(
                    f"DELETE FROM {target} WHERE list_contains(?, organisatie_id)", [members]
                )
            _insert(con, target, chunk)

    for org in sorted(orgs):
        members.append(org)
        for path, _inode, _mtime, nbytes in files.get(org, []):
            chunk.append(path)
            size += nbytes
        if size >= CHUNK_BYTES:
            flush()
            chunk, members, size = [], [], 0
    if members:
        flush()


def load_table(con: duckdb.DuckDBPyConnection, lake: Path, target: str) -> int | None:
    """Bring one lake-backed table up to date: only the organisations whose files changed
    since the previous load, or all of it (first load, many changes, or a file that does not
    fit the table). Returns its row count (None: no such table, nothing in the lake).

    Committed a few organisations at a time, never as one transaction over the table (see
    `_full_load`); LOADED records an organisation only after its rows are in, so a load that
    stops half-way is finished by the next one. Readers never see the half-way state: they
    read the copy published after the run's writers (`rendement.core.readcopy`)."""
    files = _lake_files(lake, target)
    versions = _versions(files)
    before = _loaded(con, target)
    if before is not None:
        changed = set(stale(versions, before))
        if len(changed) <= FULL_RELOAD_SHARE * max(len(files), 1):
            try:
                if changed:
                    _forget(con, target, changed)
                    _insert_organisations(con, target, files, changed, replace=True)
                    _record(con, target, versions, changed)
            except duckdb.Error:
                pass  # e.g. a file with other columns: load it all again
            else:
                return con.execute(f"SELECT count(*) FROM {target}").fetchall()[0][0]
    _forget(con, target, None)
    count = _full_load(con, lake, target, files)
    _record(con, target, versions, None)
    return count


def load_lake(warehouse: Path, lake: Path, audit_frame: pl.DataFrame) -> dict[str, int]:
    """Bring the canonical, quarantine, intake and MKBA tables up to date with the lake, in one
    writer (per changed organisation, see `load_table`)."""
    counts: dict[str, int] = {}
    with connect(warehouse) as con:
        limit = os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY
        con.execute(f"SET memory_limit = {_sql_str(limit)}")
        ensure_schemas(con)
        ensure_ledger(con)
        targets = [f"canoniek.{t}" for t in MODELS] + ["quarantaine.rijen"]
        for target in targets:
            counts[target] = load_table(con, lake, target)
        counts["intake.audit"] = replace_frame(con, "intake.audit", audit_frame)
        con.execute(UPLOADS_VIEW)
        for result in MKBA_RESULTS:
            count = load_table(con, lake, f"mkba.{result}")
            if count is not None:
                counts[f"mkba.{result}"] = count
    return counts


# Every upload with its latest known outcome; `vervangen` marks uploads superseded by a later
# accepted upload of the same organisation, period and table (history stays queryable).
UPLOADS_VIEW = """
CREATE OR REPLACE VIEW intake.leveringen AS
WITH laatste AS (
    SELECT organisatie_id, checksum, bestand,
           min(tijdstip) AS ontvangen_op, max(tijdstip) AS bijgewerkt_op,
           arg_max(uitkomst, tijdstip) AS uitkomst,
           arg_max(json_extract_string(details, '$.systeem'), tijdstip) AS systeem,
           arg_max(TRY_CAST(json_extract_string(details, '$.periode') AS INTEGER), tijdstip)
               AS periode,
           arg_max(json_extract_string(details, '$.reden_code'), tijdstip) AS reden_code,
           arg_max(json_keys(json_extract(details, '$.aantallen')), tijdstip) AS tabellen
    FROM intake.audit
    WHERE actie IN ('ontvangst', 'validatie') AND uitkomst <> 'duplicaat'
    GROUP BY organisatie_id, checksum, bestand
)
SELECT *,
       uitkomst IN ('geaccepteerd', 'deels_geaccepteerd')
       AND EXISTS (
           SELECT 1 FROM laatste later
           WHERE later.organisatie_id = laatste.organisatie_id
             AND later.periode = laatste.periode
             AND later.uitkomst IN ('geaccepteerd', 'deels_geaccepteerd')
             AND list_has_any(later.tabellen, laatste.tabellen)
             AND later.ontvangen_op > laatste.ontvangen_op
       ) AS vervangen
FROM laatste
"""
