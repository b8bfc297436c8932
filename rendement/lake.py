"""Parquet storage per organisation (`RENDEMENT_HOME/lake/`), the hand-off between stages.

Partitioned assets write here, never to DuckDB: many organisations can be processed without
fighting over the single DuckDB writer, and a re-upload rewrites only its own files. The
warehouse asset loads the lake into DuckDB in one step. Writes are atomic (temp file + rename).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import polars as pl

from schemas.tables import KEYS, MODELS, polars_schema

# The key of each canonical table within one organisation (declared once, in schemas.tables).
# A later period's row with the same key replaces an earlier period's (a trajectory delivered
# in two reporting years).
TABLE_KEYS = KEYS


class Lake:
    def __init__(self, root: Path):
        self.root = root

    # --- paths -------------------------------------------------------------------------
    def staging_dir(self, org_id: str, checksum: str) -> Path:
        return self.root / "staging" / org_id / checksum

    def accepted_path(self, table: str, org_id: str, period: int) -> Path:
        return self.root / "accepted" / table / org_id / f"{period}.parquet"

    def rejected_path(self, org_id: str, checksum: str) -> Path:
        return self.root / "rejected" / org_id / f"{checksum[:16]}.parquet"

    def mkba_path(self, result: str, org_id: str) -> Path:
        return self.root / "mkba" / result / f"{org_id}.parquet"

    def status_path(self, org_id: str) -> Path:
        return self.root / "status" / f"{org_id}.json"

    # --- writing -----------------------------------------------------------------------
    @staticmethod
    def write(df: pl.DataFrame, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        df.write_parquet(tmp)
        os.replace(tmp, path)
        return path

    @staticmethod
    def write_json(obj: dict, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=2, default=str), "utf-8")
        os.replace(tmp, path)
        return path

    def remove_staging(self, org_id: str, checksum: str) -> None:
        shutil.rmtree(self.staging_dir(org_id, checksum), ignore_errors=True)

    # --- reading -----------------------------------------------------------------------
    def accepted(self, table: str, org_id: str) -> pl.DataFrame:
        """All current accepted rows of one organisation for one table (every period)."""
        folder = self.root / "accepted" / table / org_id
        files = sorted(folder.glob("*.parquet")) if folder.exists() else []
        if not files:
            return pl.DataFrame(schema=polars_schema(table))
        frames = [
            pl.read_parquet(f).with_columns(pl.lit(int(f.stem), pl.Int64).alias("_periode"))
            for f in files
        ]
        return pl.concat(frames, how="vertical_relaxed")

    def accepted_tables(self, org_id: str) -> dict[str, pl.DataFrame]:
        """Current accepted tables of one organisation, one row per key (latest period wins).

        A trajectory running over two reporting years is delivered in both; the latest
        period's version is the one that counts.
        """
        out = {}
        for table in MODELS:
            df = self.accepted(table, org_id)
            if "_periode" in df.columns:
                latest = pl.col("_periode") == pl.col("_periode").max().over(TABLE_KEYS[table])
                df = df.filter(latest).drop("_periode")
            out[table] = df
        return out

    def status(self, org_id: str) -> dict:
        path = self.status_path(org_id)
        return json.loads(path.read_text("utf-8")) if path.exists() else {}

    def organisations(self) -> list[str]:
        """Organisations with any accepted data."""
        base = self.root / "accepted"
        if not base.exists():
            return []
        return sorted({p.name for table_dir in base.iterdir() for p in table_dir.iterdir()})
