"""How long validation takes next to reading the same data from CSV.

A realistic large upload (default 1M trajectories, 2M measurements, 2,000 projects, about 1 %
bad rows and some duplicate clients) is built with numpy/polars, written as Dutch CSV (`;`,
decimal comma, dd-mm-jjjj), read back with polars (the reader's cost: parse and type), and
validated with `validate_upload`. The ratio validate / read is printed.

    .venv/bin/python -m tests.unit.test_validation_perf --trajecten 1000000
    RENDEMENT_PERF=1 .venv/bin/pytest -s tests/unit/test_validation_perf.py

The always-on test runs a small size to keep the code path honest; the full size is opt-in.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from schemas.tables import polars_schema
from schemas.validate import validate_upload
from schemas.vocabulary import AGE_BANDS, DOMAINS, INTERVENTIONS

PERIOD = 2024
TODAY = dt.date(2025, 3, 1)


def build(n_traject: int, *, seed: int = 7, bad_share: float = 0.01) -> dict[str, pl.DataFrame]:
    """Canonical frames of one large organisation (as a reader delivers them)."""
    rng = np.random.default_rng(seed)
    n_project = max(4, n_traject // 500)
    domains = list(DOMAINS)
    proj_domain = rng.integers(0, 4, n_project)
    project = pl.DataFrame(
        {
            "organisatie_id": ["ORG001"] * n_project,
            "project_id": [f"P{i:05d}" for i in range(n_project)],
            "naam": [f"Project {i}" for i in range(n_project)],
            "domein": [domains[d] for d in proj_domain],
            "interventie": [
                list(INTERVENTIONS[domains[d]])[i % 3] for i, d in enumerate(proj_domain)
            ],
            "erkenning": [None] * n_project,
            "startdatum": [dt.date(2020, 1, 1)] * n_project,
            "einddatum": [None] * n_project,
            "gemeente_code": ["GM0363"] * n_project,
        },
        schema=polars_schema("project"),
    )

    start = dt.date(2023, 1, 1) + pl.duration(days=pl.Series(rng.integers(0, 700, n_traject)))
    length = pl.Series(rng.integers(30, 400, n_traject))
    ended = pl.Series(rng.random(n_traject) < 0.6)
    client = rng.integers(0, int(n_traject * 0.995), n_traject)  # a few clients twice
    traject = (
        pl.DataFrame(
            {
                "traject_id": pl.int_range(0, n_traject, eager=True).cast(pl.String),
                "p": rng.integers(0, n_project, n_traject),
                "c": client,
                "len": length,
                "ended": ended,
                "age": rng.integers(0, len(AGE_BANDS), n_traject),
            }
        )
        .select(
            pl.lit("ORG001").alias("organisatie_id"),
            pl.concat_str(pl.lit("T"), pl.col("traject_id")).alias("traject_id"),
            pl.format("P{}", pl.col("p").cast(pl.String).str.zfill(5)).alias("project_id"),
            pl.col("c")
            .cast(pl.String)
            .hash()
            .cast(pl.String)
            .str.zfill(32)
            .str.slice(0, 32)
            .alias("client_pseudoniem"),
            pl.lit(None, pl.Date).alias("startdatum"),
            pl.col("len"),
            pl.col("ended"),
            pl.col("age")
            .replace_strict(dict(enumerate(AGE_BANDS)), return_dtype=pl.String)
            .alias("leeftijdsklasse"),
            pl.lit("GM0363").alias("gemeente_code"),
        )
        .with_columns(start.alias("startdatum"))
        .with_columns(
            # an export for 2024 holds the trajectories that ran in 2024, ended ones included
            (pl.col("startdatum") + pl.duration(days=pl.col("len")))
            .clip(dt.date(PERIOD, 1, 2), TODAY)
            .alias("__einde"),
        )
        .with_columns(
            pl.when(pl.col("ended") & (pl.col("__einde") > pl.col("startdatum")))
            .then(pl.col("__einde"))
            .alias("einddatum"),
        )
        .with_columns(
            pl.when(pl.col("einddatum").is_not_null())
            .then(pl.lit("afgerond"))
            .alias("reden_einde"),
            # pseudonyms must look like intake's: 32 hex characters
            pl.col("client_pseudoniem").str.replace_all("[^0-9]", "0").alias("client_pseudoniem"),
        )
        .select(list(polars_schema("traject")))
    )

    # two measurements per trajectory: T0 and T1 of one instrument
    n_meting = 2 * n_traject
    idx = np.repeat(np.arange(n_traject), 2)
    meting = pl.DataFrame(
        {
            "organisatie_id": ["ORG001"] * n_meting,
            "traject_id": traject["traject_id"].gather(idx),
            "instrument": ["djg11"] * n_meting,
            "onderdeel": pl.Series([None] * n_meting, dtype=pl.String),
            "moment": np.tile(["T0", "T1"], n_traject),
            "datum": traject["startdatum"].gather(idx),
            "score": rng.integers(0, 12, n_meting).astype(float),
        },
        schema=polars_schema("meting"),
    )

    # about bad_share of the rows broken, in different ways
    def spoil(df: pl.DataFrame, column: str, value, share: float) -> pl.DataFrame:
        mask = pl.Series(rng.random(df.height) < share)
        return df.with_columns(
            pl.when(mask)
            .then(pl.lit(value, df.schema[column]))
            .otherwise(pl.col(column))
            .alias(column)
        )

    traject = spoil(traject, "leeftijdsklasse", "18-25", bad_share / 2)
    traject = spoil(traject, "project_id", "P99999", bad_share / 2)
    meting = spoil(meting, "score", 14.0, bad_share)
    return {
        t: df.with_columns(
            pl.int_range(2, df.height + 2, dtype=pl.Int64).alias("_rij"),
            pl.lit(f"{t}_{PERIOD}.csv").alias("_bestand"),
        )
        for t, df in {"project": project, "traject": traject, "meting": meting}.items()
    }


def write_dutch_csv(df: pl.DataFrame, path: Path) -> None:
    out = df.drop("_rij", "_bestand").with_columns(
        pl.col(pl.Date).dt.strftime("%d-%m-%Y"),
    )
    out.write_csv(path, separator=";", decimal_comma=True)


def read_dutch_csv(path: Path, table: str) -> pl.DataFrame:
    """What a reader at least has to do: parse, type the columns, add the bookkeeping."""
    schema = polars_schema(table)
    text = {c: pl.String for c in schema}
    df = pl.read_csv(path, separator=";", schema_overrides=text, infer_schema=False)
    casts = []
    for column, dtype in schema.items():
        if dtype == pl.Date:
            casts.append(pl.col(column).str.to_date("%d-%m-%Y", strict=False))
        elif dtype == pl.Float64:
            casts.append(pl.col(column).str.replace(",", ".", literal=True).cast(pl.Float64))
        elif dtype == pl.Int64:
            casts.append(pl.col(column).cast(pl.Int64))
    return df.with_columns(casts).with_columns(
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("_rij"),
        pl.lit(path.name).alias("_bestand"),
    )


def measure(n_traject: int, folder: Path) -> dict:
    tables = build(n_traject)
    paths = {}
    for table, df in tables.items():
        paths[table] = folder / f"{table}_{PERIOD}.csv"
        write_dutch_csv(df, paths[table])
    t0 = time.perf_counter()
    read = {t: read_dutch_csv(p, t) for t, p in paths.items()}
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    outcome = validate_upload(read, period=PERIOD, today=TODAY)
    t_validate = time.perf_counter() - t0
    return {
        "trajecten": tables["traject"].height,
        "metingen": tables["meting"].height,
        "projecten": tables["project"].height,
        "csv_mb": round(sum(p.stat().st_size for p in paths.values()) / 1e6, 1),
        "read_s": round(t_read, 2),
        "validate_s": round(t_validate, 2),
        "ratio": round(t_validate / t_read, 2),
        "afgekeurd": outcome.rejected.height,
        "bevindingen": outcome.findings.height,
        "geweigerd": outcome.file_rejected,
        "outcome": outcome,
    }


def test_large_upload_small_size(tmp_path):
    result = measure(20_000, tmp_path)
    outcome = result["outcome"]
    assert not outcome.file_rejected
    assert 0 < result["afgekeurd"] < 0.05 * (result["trajecten"] + result["metingen"])
    rules = set(outcome.findings["regel"].unique())
    assert {
        "leeftijdsklasse_onbekend",
        "project_onbekend",
        "score_buiten_schaal",
        "mogelijk_dubbele_client",
    } <= rules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajecten", type=int, default=1_000_000)
    parser.add_argument("--herhalingen", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.herhalingen):
            result = measure(args.trajecten, Path(folder))
            print({k: v for k, v in result.items() if k != "outcome"}, flush=True)


if __name__ == "__main__":
    main()
