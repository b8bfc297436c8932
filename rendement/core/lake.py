"""Parquet storage per organisation (`RENDEMENT_HOME/lake/`), the hand-off between stages.

Partitioned assets write here, never to DuckDB: many organisations can be processed without
fighting over the single DuckDB writer, and a re-upload rewrites only its own files. The
warehouse asset loads what changed into DuckDB in one step. Writes are atomic
(`rendement.core.files`); `rendement.core.workers` runs the partitioned assets' work in a
pool of processes.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from rendement.core.files import atomic_path, write_atomic
from schemas.tables import KEYS, MODELS, polars_schema

# Lineage: every accepted row carries the SHA-256 of the upload it came from (the name of the
# original in `archive/<organisatie_id>/`, and `checksum` in `intake.leveringen`), so that any
# figure can be traced to its files. Written by intake, not part of the export contract; rows
# accepted before the column existed have it empty.
LINEAGE_COLUMN = "upload_checksum"
LINEAGE_DESCRIPTION = (
    "SHA-256 van de aanlevering waar deze rij uit komt: de naam van het origineel in "
    "archive/<organisatie_id>/ en de checksum in intake.leveringen (leeg voor rijen van vóór "
    "deze kolom)."
)


def latest_per_key(table: str, stacked: pl.DataFrame) -> pl.DataFrame:
    """The current rows of a canonical table: of rows stacked oldest period first (of one
    organisation or several), the latest row of each organisation and key. Keys are unique
    within a period, so the last row of a key is the latest period's; one hash of the key per
    row. The one rule of "latest delivery wins", for intake (`Lake.accepted_tables`) and the
    warehouse (`canoniek.*`) alike."""
    keys = list(dict.fromkeys(["organisatie_id", *KEYS[table]]))
    return stacked.filter(pl.struct(keys).is_last_distinct())


def read_stacked(files: Sequence[Path], columns: Sequence[str] | None = None) -> pl.DataFrame:
    """Parquet files as one frame, in the order given: in one call when they stack as they are,
    else file by file (e.g. a column's type or set changed between periods). `columns`: only
    these, of those the files have (None: all)."""
    try:
        return pl.read_parquet(list(files), columns=None if columns is None else list(columns))
    except pl.exceptions.PolarsError:
        out = pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")
        return out if columns is None else out.select([c for c in columns if c in out.columns])


class Lake:
    """The lake's folder layout, in one place (`docs/INTERFACES.md`, "Lake"):

    accepted/<table>/<organisatie_id>/<periode>.parquet   accepted rows, per period
    rejected/<organisatie_id>/<checksum[:16]>.parquet     quarantined rows, per upload
    staging/<organisatie_id>/<checksum>/                  read, not yet validated
    status/<organisatie_id>.json                          the latest upload's verdict
    bevestigd/<organisatie_id>/<checksum>.json            a held re-upload, confirmed
    mkba/<result>/<organisatie_id>.parquet                MKBA results
    referentie/kosten_per_deelnemer.parquet               the intake's cost reference
    referentie/effecten.parquet                           the MKBA's sector reference rates
    referentie/bootstrap_intervallen.parquet              the median intervals, by version
    referentie/benchmarkcellen_per_jaar.parquet           an open year's cells, by version
    verwijderd/<organisatie_id>.json                      erased clients (`rendement.core.erasure`)
    """

    def __init__(self, root: Path):
        self.root = root

    # --- paths -------------------------------------------------------------------------
    def staging_root(self, org_id: str) -> Path:
        return self.root / "staging" / org_id

    def staging_dir(self, org_id: str, checksum: str) -> Path:
        return self.staging_root(org_id) / checksum

    def accepted_dir(self, table: str, org_id: str | None = None) -> Path:
        """`accepted/<table>/`, or one organisation's folder in it."""
        folder = self.root / "accepted" / table
        return folder if org_id is None else folder / org_id

    def accepted_path(self, table: str, org_id: str, period: int) -> Path:
        return self.accepted_dir(table, org_id) / f"{period}.parquet"

    def accepted_files(self, table: str, org_id: str) -> list[Path]:
        """An organisation's period files of a table, oldest period first."""
        folder = self.accepted_dir(table, org_id)
        if not folder.is_dir():
            return []
        return sorted(folder.glob("[!.]*.parquet"), key=lambda f: int(f.stem))

    def rejected_dir(self) -> Path:
        """`rejected/`: one folder per organisation."""
        return self.root / "rejected"

    def rejected_path(self, org_id: str, checksum: str) -> Path:
        return self.rejected_dir() / org_id / f"{checksum[:16]}.parquet"

    def mkba_dir(self, result: str) -> Path:
        """`mkba/<result>/`: one file per organisation."""
        return self.root / "mkba" / result

    def mkba_path(self, result: str, org_id: str) -> Path:
        return self.mkba_dir(result) / f"{org_id}.parquet"

    def confirmation_path(self, org_id: str, checksum: str) -> Path:
        """`bevestigd/<organisatie_id>/<checksum>.json`: the organisation confirmed that this
        held upload may replace its earlier rows (`rendement.intake.hold`)."""
        return self.root / "bevestigd" / org_id / f"{checksum}.json"

    def status_path(self, org_id: str) -> Path:
        return self.root / "status" / f"{org_id}.json"

    def reference_path(self) -> Path:
        """The sector's cost per participant that intake compares with
        (`rendement.benchmark.cells.write_cost_reference`)."""
        return self.root / "referentie" / "kosten_per_deelnemer.parquet"

    def bootstrap_path(self) -> Path:
        """The bootstrap intervals of the last run, by version
        (`rendement.benchmark.bootstrap_memo`)."""
        return self.root / "referentie" / "bootstrap_intervallen.parquet"

    def cells_memo_path(self) -> Path:
        """The benchmark cells of the open years of the last run, by version
        (`rendement.benchmark.cells_memo`)."""
        return self.root / "referentie" / "benchmarkcellen_per_jaar.parquet"

    def effects_reference_path(self) -> Path:
        """The sector's reference rates per intervention × outcome for project-years without
        measurements (`rendement.mkba.reference`)."""
        return self.root / "referentie" / "effecten.parquet"

    # --- writing -----------------------------------------------------------------------
    @staticmethod
    def write(df: pl.DataFrame, path: Path) -> Path:
        """Write a frame as Parquet, atomically.

        zstd at level 1 and no column statistics: the files are read whole (the warehouse, the
        MKBA), never filtered by their statistics, and level 1 makes these tables as small as the
        default level 3 (within 1 %, measured on 10M-size organisations) in ≈ 3/4 of the
        write time (8,790 accepted files per rebuild)."""
        with atomic_path(path) as tmp:
            df.write_parquet(tmp, compression="zstd", compression_level=1, statistics=False)
        return path

    @staticmethod
    def write_json(obj: dict, path: Path) -> Path:
        return write_atomic(path, json.dumps(obj, ensure_ascii=False, indent=2, default=str))

    # Staged tables (`receive_org` -> `accept_org`) are Arrow IPC, uncompressed: they are read
    # back once, by the next step, and removed; Parquet's encoding, compression and statistics
    # made writing them ≈ 3× as expensive for nothing. Folders staged by an earlier version
    # hold Parquet and are still read.
    STAGED_SUFFIX = ".arrow"
    STAGED_SUFFIXES = (".arrow", ".parquet")

    @staticmethod
    def write_staged(df: pl.DataFrame, path: Path) -> Path:
        """Write one staged table into an existing staging folder.

        No temp file and rename: a staging folder only counts once its `_upload.json` is
        written (last, atomically by `write_json`), so a half-written table is never read.
        """
        df.write_ipc(path, compression="uncompressed")
        return path

    @staticmethod
    def read_staged(path: Path) -> pl.DataFrame:
        return pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_ipc(path)

    def remove_staging(self, org_id: str, checksum: str) -> None:
        shutil.rmtree(self.staging_dir(org_id, checksum), ignore_errors=True)

    # --- reading -----------------------------------------------------------------------
    def accepted_periods(self, table: str, org_id: str) -> dict[int, pl.DataFrame]:
        """The accepted rows of one organisation for one table, per reporting period."""
        return {int(f.stem): pl.read_parquet(f) for f in self.accepted_files(table, org_id)}

    @staticmethod
    def current(table: str, periods: dict[int, pl.DataFrame]) -> pl.DataFrame:
        """One row per key from a table's frames per period: the latest period wins."""
        if not periods:
            return pl.DataFrame(schema=polars_schema(table))
        if len(periods) == 1:  # keys are unique within a period: nothing to choose
            return next(iter(periods.values()))
        df = pl.concat([df for _, df in sorted(periods.items())], how="diagonal_relaxed")
        return latest_per_key(table, df)

    def accepted_tables(
        self, org_id: str, tables: Sequence[str] | None = None
    ) -> dict[str, pl.DataFrame]:
        """Current accepted tables of one organisation, one row per key (latest period wins);
        `tables`: only these (default: every table).

        A trajectory running over two reporting years is delivered in both; the latest
        period's version is the one that counts. The period files of a table are read in one
        call (the same rows as `current(accepted_periods(...))`, for a fraction of the fixed
        cost per file).
        """
        out = {}
        for table in MODELS if tables is None else tables:
            files = self.accepted_files(table, org_id)
            if len(files) < 2:
                out[table] = self.current(table, {int(f.stem): pl.read_parquet(f) for f in files})
            else:
                out[table] = latest_per_key(table, read_stacked(files))
        return out

    def status(self, org_id: str) -> dict:
        path = self.status_path(org_id)
        return json.loads(path.read_text("utf-8")) if path.exists() else {}

    def is_blocked(self, org_id: str) -> bool:
        """Whether the organisation's latest upload was refused as a whole (intake's status
        file): its data is then kept out of every sector figure
        (`rendement.benchmark.published.countable_projects`)."""
        return bool(self.status(org_id).get("geblokkeerd"))

    def organisations(self) -> list[str]:
        """Organisations with any accepted data."""
        base = self.root / "accepted"
        if not base.is_dir():
            return []
        return sorted({p.name for table_dir in base.iterdir() for p in table_dir.iterdir()})
