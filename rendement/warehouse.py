"""The DuckDB warehouse (`RENDEMENT_HOME/warehouse.duckdb`): what analysts query.

Loaded in one step from the Parquet lake by a single writer; connections are short and closed
even when a statement fails, because DuckDB allows one read-write process per file. Table and
column comments come from the pandera models, so `docs/warehouse.md` and DuckDB's own
`duckdb_columns()` say the same thing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from rendement.lake import TABLE_KEYS
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


def _parquet_glob(folder: Path, pattern: str) -> str | None:
    files = sorted(folder.glob(pattern)) if folder.exists() else []
    return str(folder / pattern) if files else None


def _canonical_table(con: duckdb.DuckDBPyConnection, lake: Path, table: str) -> int:
    columns = polars_schema(table)
    glob = _parquet_glob(lake / "accepted" / table, "*/*.parquet")
    col_list = ", ".join(columns)
    if glob is None:
        ddl = ", ".join(f"{c} {_DUCKDB_TYPES[t]}" for c, t in columns.items())
        con.execute(f"CREATE OR REPLACE TABLE canoniek.{table} ({ddl})")
    else:
        keys = ", ".join(TABLE_KEYS[table])
        con.execute(f"""
            CREATE OR REPLACE TABLE canoniek.{table} AS
            SELECT {col_list} FROM (
                SELECT *, CAST(regexp_extract(filename, '(\\d{{4}})\\.parquet$', 1) AS INTEGER)
                          AS periode
                FROM read_parquet({_sql_str(glob)}, filename = true, union_by_name = true)
            )
            QUALIFY periode = max(periode) OVER (PARTITION BY organisatie_id, {keys})
            ORDER BY organisatie_id, {keys}
        """)
    model = MODELS[table].to_schema()
    con.execute(f"COMMENT ON TABLE canoniek.{table} IS {_sql_str(model.description or '')}")
    for name, col in model.columns.items():
        if col.description:
            con.execute(f"COMMENT ON COLUMN canoniek.{table}.{name} IS {_sql_str(col.description)}")
    return con.execute(f"SELECT count(*) FROM canoniek.{table}").fetchall()[0][0]


def _replace_from_parquet(con, target: str, glob: str | None, empty_ddl: str) -> int:
    if glob is None:
        con.execute(f"CREATE OR REPLACE TABLE {target} ({empty_ddl})")
    else:
        con.execute(
            f"CREATE OR REPLACE TABLE {target} AS "
            f"SELECT * FROM read_parquet({_sql_str(glob)}, union_by_name = true)"
        )
    return con.execute(f"SELECT count(*) FROM {target}").fetchall()[0][0]


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


def load_lake(warehouse: Path, lake: Path, audit_frame: pl.DataFrame) -> dict[str, int]:
    """Rebuild the canonical, quarantine, intake and MKBA tables from the lake in one writer."""
    counts: dict[str, int] = {}
    with connect(warehouse) as con:
        ensure_schemas(con)
        for table in MODELS:
            counts[f"canoniek.{table}"] = _canonical_table(con, lake, table)
        counts["quarantaine.rijen"] = _replace_from_parquet(
            con,
            "quarantaine.rijen",
            _parquet_glob(lake / "rejected", "*/*.parquet"),
            "organisatie_id VARCHAR, checksum VARCHAR, periode BIGINT, tabel VARCHAR, "
            "_bestand VARCHAR, _rij BIGINT, regel VARCHAR, kolom VARCHAR, waarde VARCHAR, "
            "melding VARCHAR",
        )
        counts["intake.audit"] = replace_frame(con, "intake.audit", audit_frame)
        con.execute(UPLOADS_VIEW)
        for result in ("project", "uitkomst", "scenario", "overrides"):
            glob = _parquet_glob(lake / "mkba" / result, "*.parquet")
            if glob is not None:
                counts[f"mkba.{result}"] = _replace_from_parquet(con, f"mkba.{result}", glob, "")
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
