"""Blocking asset checks from the output models (PUDL style): every table declared in
`schemas/outputs.py` is validated, by the asset that writes it into the warehouse, with its
pandera model; a failure blocks everything downstream (benchmark, read copy, reports) and shows
the failing rows in the check's metadata.

One check per table, named after it (`mkba.project` → `mkba_project`), on the asset named in
`OUTPUTS[table].asset`. The asset declares them (`check_specs=output_check_specs(asset)`) and
yields their results right after its materialisation (`output_check_results`), on the
connection it wrote the tables with. They ran as an op of their own per asset (a
`multi_asset_check`), four per run: each cost a Dagster step (its start, output and success
events and a claim on the warehouse pool, ≈ 45 ms) and a DuckDB connection (≈ 12 ms to open,
whatever the file's size), and held nothing the asset could not hold itself. A blocking check
that fails fails its asset's step (without retries: Dagster raises
`DagsterAssetCheckFailedError`, which no retry policy repeats), after the asset's
materialisation is recorded, so the tables stay as written and what comes after does not run.
A table declared in `OUTPUTS` gets its check without anything else to register.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import duckdb
import polars as pl
from pandera.errors import SchemaError, SchemaErrors

from schemas.in_memory import validate_in_memory
from schemas.outputs import OUTPUTS, RULE_COLUMNS, check_name, schema

# Failing rows shown in the metadata, and characters per value there.
EXAMPLES = 10
MAX_TEXT = 60


def _spec(table: str) -> dg.AssetCheckSpec:
    out = OUTPUTS[table]
    return dg.AssetCheckSpec(
        check_name(table),
        asset=out.asset,
        blocking=True,
        description=f"`{table}` voldoet aan zijn model in schemas/outputs.py: kolommen, types, "
        "volgorde en regels (de tabel en haar kolommen staan in docs/warehouse.md).",
    )


def validate_frame(table: str, frame: pl.DataFrame) -> tuple[bool, dict]:
    """Validate a table's rows with its model: (passed, metadata) with `rijen`, `fouten`
    (failing rows), `regels` (failures per rule) and `voorbeelden` (the first failing rows,
    as a markdown table with the rules each breaks)."""
    try:
        validate_in_memory(OUTPUTS[table].model, frame)
    except SchemaErrors as errors:
        cases = errors.failure_cases
    except SchemaError as error:  # a single, table-level error (pandera may raise it alone)
        cases = pl.DataFrame(
            {"column": [None], "check": [str(error)], "index": [None], "failure_case": [None]},
            schema={
                "column": pl.String,
                "check": pl.String,
                "index": pl.Int64,
                "failure_case": pl.String,
            },
        )
    else:
        return True, {"rijen": frame.height, "fouten": 0}
    cases = cases.select(
        pl.col("column").cast(pl.String),
        pl.col("check").cast(pl.String),
        pl.col("index").cast(pl.Int64),
        pl.col("failure_case").cast(pl.String),
    )
    rows = cases["index"].drop_nulls().unique().sort()
    per_rule = (
        cases.group_by("column", "check")
        .agg(
            pl.col("index").drop_nulls().n_unique().alias("rijen"),
            pl.col("failure_case").first().alias("bijvoorbeeld"),
        )
        .sort("column", "check", nulls_last=True)
        .rename({"column": "kolom", "check": "regel"})
    )
    table_level = cases.filter(pl.col("index").is_null()).height
    return False, {
        "rijen": frame.height,
        "fouten": rows.len(),  # failing rows
        **({"tabelfouten": table_level} if table_level else {}),
        "regels": dg.MetadataValue.md(_markdown(per_rule)),
        "voorbeelden": dg.MetadataValue.md(_examples(table, frame, cases, rows)),
    }


def _examples(table: str, frame: pl.DataFrame, cases: pl.DataFrame, rows: pl.Series) -> str:
    """The first failing rows: their key columns, the columns they fail on, and the rules."""
    if rows.is_empty():
        return "Geen rijfouten: de tabel als geheel wijkt af (zie `regels`)."
    first = rows.head(EXAMPLES)
    keys = schema(table).unique or frame.columns[:3]
    failed = cases.filter(pl.col("index").is_in(first.to_list()))
    involved = set(failed["column"].to_list())
    for name in failed["check"].unique().to_list():
        involved |= RULE_COLUMNS.get(name, set())
    shown = [c for c in frame.columns if c in keys or c in involved]
    rules = failed.group_by("index").agg(
        pl.col("check").unique(maintain_order=True).str.join(", ").alias("regel")
    )
    sample = (
        frame.select(shown)
        .with_row_index("rij")
        .with_columns(pl.col("rij").cast(pl.Int64))
        .join(first.to_frame("rij"), on="rij", how="semi")
        .join(rules, left_on="rij", right_on="index", how="left")
        .sort("rij")
    )
    return _markdown(sample)


def _markdown(frame: pl.DataFrame) -> str:
    """A markdown table; long values are cut short, except the names of the broken rules."""

    def cell(value, column: str) -> str:
        text = "" if value is None else str(value)
        if len(text) > MAX_TEXT and column != "regel":
            text = text[: MAX_TEXT - 1] + "…"
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += [
        "| " + " | ".join(cell(v, c) for v, c in zip(row, frame.columns, strict=True)) + " |"
        for row in frame.iter_rows()
    ]
    return "\n".join(lines)


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema_name, name = table.split(".")
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
            [schema_name, name],
        ).fetchall()[0][0]
    )


def check_table(con: duckdb.DuckDBPyConnection, table: str) -> dg.AssetCheckResult:
    """The check result of one warehouse table (read whole, validated eagerly)."""
    out = OUTPUTS[table]
    key = dict(asset_key=dg.AssetKey(out.asset), check_name=check_name(table))
    if not _exists(con, table):
        return dg.AssetCheckResult(
            **key,
            passed=out.optional,
            metadata={"rijen": 0, "fouten": 0, "tabel": "bestaat niet"},
        )
    frame = con.sql(f"SELECT * FROM {table}").pl()
    passed, metadata = validate_frame(table, frame)
    return dg.AssetCheckResult(**key, passed=passed, metadata=metadata)


def _tables(asset: str) -> list[str]:
    return [t for t, out in OUTPUTS.items() if out.asset == asset]


def output_check_specs(asset: str) -> list[dg.AssetCheckSpec]:
    """The blocking checks of every output table `asset` writes, for its `check_specs`."""
    return [_spec(t) for t in _tables(asset)]


def output_check_results(
    con: duckdb.DuckDBPyConnection, asset: str
) -> Iterator[dg.AssetCheckResult]:
    """The result of every check of `output_check_specs(asset)`, on the asset's connection."""
    for table in _tables(asset):
        yield check_table(con, table)
