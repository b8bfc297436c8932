"""Blocking asset checks from the output models (PUDL style): every table declared in
`schemas/outputs.py` is validated, after the asset that writes it into the warehouse, with its
pandera model; a failure blocks everything downstream (benchmark, reports) and shows the
failing rows in the check's metadata.

One check per table, named after it (`mkba.project` → `mkba_project`), on the asset named in
`OUTPUTS[table].asset`. The checks of one asset run as one op (`multi_asset_check`), with one
read-only connection to the warehouse, in the warehouse pool (DuckDB allows one writer per
file). A table declared in `OUTPUTS` gets its check without anything else to register.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import duckdb
import polars as pl
from pandera.errors import SchemaError, SchemaErrors

from assets.partitions import WAREHOUSE_POOL
from pipelines.resources import HomeResource
from rendement.core.warehouse import connect
from schemas.outputs import OUTPUTS, RULE_COLUMNS, check_name, schema

# Failing rows shown in the metadata, and characters per value there.
EXAMPLES = 10
# The op of a stage's output checks is named `controle_<asset>` (the CLI's progress names it).
CHECKS_PREFIX = "controle_"
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
        OUTPUTS[table].model.validate(frame, lazy=True)
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


def output_checks(asset: str) -> dg.AssetChecksDefinition:
    """The blocking checks of every output table `asset` writes, as one op."""
    tables = [t for t, out in OUTPUTS.items() if out.asset == asset]

    @dg.multi_asset_check(
        name=f"{CHECKS_PREFIX}{asset}",
        specs=[_spec(t) for t in tables],
        pool=WAREHOUSE_POOL,
        description=f"Valideert de tabellen die `{asset}` schrijft met hun modellen.",
    )
    def _check(home: HomeResource) -> Iterator[dg.AssetCheckResult]:
        with connect(home.home().warehouse, read_only=True) as con:
            for table in tables:
                yield check_table(con, table)

    return _check


# One op per writing asset (warehouse: mkba.*; sector_benchmark: benchmark.*, prive.positie).
CHECKS: list[dg.AssetChecksDefinition] = [
    output_checks(asset) for asset in dict.fromkeys(out.asset for out in OUTPUTS.values())
]
