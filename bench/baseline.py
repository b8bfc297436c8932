"""The baseline: what plain polars, pandera and DuckDB cost on the same files.

No Dagster, no per-file bookkeeping, no reports: read every export file once (`pl.read_csv`,
`;`, decimal comma, dates parsed; XLSX with calamine), one frame per table for the whole
sector, validate each table once with the same pandera model (`schemas.tables.MODELS[t]`,
`lazy=True`) and drop the failing rows, aggregate per organisation and domain (streaming), and
write the same rows to a DuckDB file. Each stage is timed; the pipeline's stages are expressed
as ratios to these times.

Two shortcuts a real pipeline may not take, named so that the comparison stays honest:
- client ids get a vectorised stand-in pseudonym (two 64-bit polars hashes written as digits,
  32 characters, so the model's pattern check runs on the same kind of values); the pipeline
  uses a keyed HMAC-SHA256 per distinct id (`rendement.core.privacy.pseudonymise`);
- the dialect of a file (encoding, title row) is known from its bytes with two cheap tests,
  not sniffed: no vendor layouts, no header mapping.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb
import pandera.errors
import polars as pl

from rendement.demo import export_schema
from schemas.tables import MODELS, polars_schema

TABLES = list(MODELS)
_CSV_NAME = re.compile(r"^(?P<table>[a-z]+)_(?P<year>\d{4})\.csv$")


def _decoded(data: bytes) -> bytes:
    """UTF-8 bytes of a file written as UTF-8 (with or without BOM) or Windows-1252."""
    if data.isascii():
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        return data.decode("cp1252").encode("utf-8")


def _typed(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """The export columns of a whole table in canonical form: dates parsed, a stand-in
    pseudonym for the client id, columns in the model's order and dtypes."""
    exprs = []
    for name, dtype in export_schema(table).items():
        col = pl.col(name)
        have = frame.schema.get(name)
        if have is None:
            exprs.append(pl.lit(None, dtype).alias(name))
        elif dtype == pl.Date and have == pl.String:
            exprs.append(col.str.to_date("%d-%m-%Y", strict=False).alias(name))
        elif have != dtype:
            exprs.append(col.cast(dtype, strict=False).alias(name))
        else:
            exprs.append(col)
    frame = frame.select(*exprs, "organisatie_id")
    if "client_id" in frame.columns:
        key = pl.col("organisatie_id") + pl.lit("\x1f") + pl.col("client_id")
        digits = [key.hash(seed).cast(pl.String).str.zfill(20) for seed in (1, 2)]
        frame = frame.with_columns(
            pl.concat_str(digits).str.slice(0, 32).alias("client_pseudoniem")
        ).drop("client_id")
    return frame.select(list(polars_schema(table)))


def _text_schema(table: str) -> dict[str, pl.DataType]:
    """The export columns with dates as text (parsed once per table, after concatenation)."""
    return {n: (pl.String if t == pl.Date else t) for n, t in export_schema(table).items()}


def _conformed(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """An XLSX sheet in the CSV's column types, so that the files of a table concatenate."""
    exprs = []
    for name, want in _text_schema(table).items():
        have = frame.schema.get(name)
        if have is None:
            exprs.append(pl.lit(None, want).alias(name))
        elif have == pl.Date or isinstance(have, pl.Datetime):
            exprs.append(pl.col(name).dt.strftime("%d-%m-%Y").alias(name))
        elif have != want:
            exprs.append(pl.col(name).cast(want, strict=False).alias(name))
        else:
            exprs.append(pl.col(name))
    return frame.select(exprs)


def _read_csv(data: bytes | list[Path], table: str, skip: int) -> pl.DataFrame:
    """One file's bytes, or many files of one layout in one go (with their paths)."""
    options = dict(
        separator=";",
        decimal_comma=True,
        skip_rows=skip,
        schema=_text_schema(table),
        encoding="utf8",
    )
    if isinstance(data, list):
        return pl.scan_csv(data, include_file_paths="__pad", **options).collect()
    return pl.read_csv(data, **options)


def read_sector(inbox: Path) -> dict[str, pl.DataFrame]:
    """Every export file in `inbox/<organisatie>/`, one frame per table for the whole sector.

    UTF-8 CSV files of one table and layout (with or without a title row) are read in one
    multi-file `scan_csv`; files in another encoding are decoded and read one `read_csv` each; XLSX workbooks with calamine. The organisation column, dropping the empty
    lines some systems write after the data, parsing dates and the stand-in pseudonym are done
    once per table on the concatenated frame: polars has a fixed cost per call, which over
    thousands of small files would otherwise dominate."""
    groups: dict[tuple[str, int], list[Path]] = {}
    parts: dict[str, list[tuple[str, pl.DataFrame]]] = {t: [] for t in TABLES}
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir()):
        org = folder.name
        for path in sorted(folder.iterdir()):
            if path.name.startswith("."):
                continue
            if path.suffix == ".xlsx":
                sheets = pl.read_excel(
                    path, sheet_id=0, engine="calamine", infer_schema_length=None
                )
                for table, frame in sheets.items():
                    if table in parts:
                        parts[table].append((org, _conformed(frame, table)))
                continue
            match = _CSV_NAME.match(path.name)
            if not match or match["table"] not in parts:
                continue
            table = match["table"]
            raw = path.read_bytes()
            data = _decoded(raw)
            head = data[3:] if data.startswith(b"\xef\xbb\xbf") else data  # polars skips a BOM
            header = next(iter(export_schema(table))).encode()
            skip = 0 if head.startswith(header) else 1  # a title row above the header
            if data is raw:
                groups.setdefault((table, skip), []).append(path)
            else:
                parts[table].append((org, _read_csv(data, table, skip)))
    for (table, skip), paths in groups.items():
        frame = _read_csv(paths, table, skip)
        org = pl.col("__pad").str.split("/").list.get(-2).alias("organisatie_id")
        parts[table].append(("", frame.with_columns(org).drop("__pad")))
    out = {}
    for table, files in parts.items():
        if not files:
            out[table] = pl.DataFrame(schema=polars_schema(table))
            continue
        frames = []
        for org, frame in files:
            if "organisatie_id" not in frame.columns:
                frame = frame.with_columns(pl.lit(org).alias("organisatie_id"))
            frames.append(frame)
        frame = pl.concat(frames)
        # empty lines after the data arrive as rows of nulls
        frame = frame.filter(~pl.all_horizontal(pl.exclude("organisatie_id").is_null()))
        out[table] = _typed(frame, table)
    return out


def validate(tables: dict[str, pl.DataFrame]) -> tuple[dict[str, pl.DataFrame], dict[str, int]]:
    """Each table once through its pandera model; rows with a failure case are dropped."""
    accepted, failures = {}, {}
    for table, frame in tables.items():
        try:
            MODELS[table].validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            cases = exc.failure_cases
            bad = cases.get_column("index").drop_nulls().cast(pl.UInt32).unique()
            failures[table] = cases.height
            frame = (
                frame.with_row_index("__i").filter(~pl.col("__i").is_in(bad.implode())).drop("__i")
            )
        else:
            failures[table] = 0
        accepted[table] = frame
    return accepted, failures


def aggregate(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Per organisation and domain: trajectories, clients, completed, measurements, mean
    score, costs and paid FTE (streaming engine)."""
    project = tables["project"].lazy().select("organisatie_id", "project_id", "domein")
    keys = ["organisatie_id", "domein"]
    traject = tables["traject"].lazy().join(project, on=["organisatie_id", "project_id"])
    per_traject = traject.group_by(keys).agg(
        pl.len().alias("trajecten"),
        pl.col("client_pseudoniem").n_unique().alias("clienten"),
        (pl.col("reden_einde") == "afgerond").sum().alias("afgerond"),
    )
    meting = (
        tables["meting"]
        .lazy()
        .join(
            traject.select("organisatie_id", "traject_id", "domein"),
            on=["organisatie_id", "traject_id"],
        )
        .group_by(keys)
        .agg(pl.len().alias("metingen"), pl.col("score").mean().alias("gemiddelde_score"))
    )
    kosten = (
        tables["kosten"]
        .lazy()
        .join(project, on=["organisatie_id", "project_id"])
        .group_by(keys)
        .agg(pl.col("bedrag").sum().alias("kosten"))
    )
    inzet = (
        tables["inzet"]
        .lazy()
        .join(project, on=["organisatie_id", "project_id"])
        .group_by(keys)
        .agg(pl.col("fte_betaald").sum().alias("fte"))
    )
    out = per_traject
    for other in (meting, kosten, inzet):
        out = out.join(other, on=keys, how="full", coalesce=True)
    return out.sort(keys).collect(engine="streaming")


def persist(tables: dict[str, pl.DataFrame], result: pl.DataFrame, db: Path) -> None:
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    try:
        for name, frame in {**tables, "per_organisatie_domein": result}.items():
            con.register("_frame", frame.to_arrow())
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM _frame")
            con.unregister("_frame")
    finally:
        con.close()


def run_baseline(inbox: Path, db: Path) -> dict:
    """The four stages, timed. Returns seconds per stage, row counts and failure counts."""
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(stage: str, fn, *args):
        t, c = time.perf_counter(), time.process_time()
        out = fn(*args)
        seconds[stage] = time.perf_counter() - t
        cpu[stage] = time.process_time() - c
        return out

    tables = timed("read", read_sector, inbox)
    accepted, failures = timed("validate", validate, tables)
    del tables
    result = timed("aggregate", aggregate, accepted)
    timed("persist", persist, accepted, result, db)
    return {
        "seconds": seconds,
        "total_seconds": sum(seconds.values()),
        "cpu_seconds": cpu,
        "total_cpu_seconds": sum(cpu.values()),
        "rows": {t: f.height for t, f in accepted.items()},
        "failure_cases": failures,
        "groups": result.height,
    }
