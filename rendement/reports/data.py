"""What the reports read: the warehouse (read-only), the organisations' own MKBA variants from
the lake, and the frozen tables of published releases.

`Published` is everything a public page may show: the benchmark cells and the extra published
aggregates (`aggregates.py`), with for every year whether it is closed (frozen in a release) or
still provisional. `Warehouse` holds the private detail the organisation reports need.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from rendement.benchmark.disclosure import DisclosureRules
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.warehouse import connect
from rendement.mkba.status import complete_project_years
from rendement.reports.aggregates import (
    INTERVAL_COLUMNS,
    STAKEHOLDER_COLUMNS,
    interval_cells,
    stakeholder_cells,
)
from rendement.reports.digest import code_digest, row_hashes

CELL_TABLE = "benchmark.cellen"
# Where the intervals of open years are kept between builds (`cached_interval_cells`): hidden,
# so the upload service never serves it (the figures in it are on the working site anyway).
INTERVAL_CACHE = ".cijfers"
# The columns `interval_cells` reads of the projects.
_INTERVAL_INPUT = (
    "organisatie_id",
    "jaar",
    "domein",
    "interventie",
    "deelnemers_gemeten",
    "deelnemers_verbeterd",
    "bkr",
    "status",
)
# Bump to compute every cached interval again after a change the source hash cannot see.
_INTERVAL_FORMAT = "1"


@dataclass(frozen=True)
class Published:
    """The public tables of a set of years, and which of those years are closed."""

    cells: pl.DataFrame
    stakeholders: pl.DataFrame
    intervals: pl.DataFrame
    rules: DisclosureRules
    closed: dict[int, str] = field(default_factory=dict)  # year -> id of the release that fixed it
    rules_by_year: dict[int, dict] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted(self.cells["jaar"].unique().to_list()) if self.cells.height else []

    def is_closed(self, year: int) -> bool:
        return year in self.closed

    def for_years(self, years: list[int]) -> Published:
        keep = pl.col("jaar").is_in(years)
        return Published(
            self.cells.filter(keep),
            self.stakeholders.filter(keep),
            self.intervals.filter(keep),
            self.rules,
            {y: r for y, r in self.closed.items() if y in years},
            {y: r for y, r in self.rules_by_year.items() if y in years},
        )


@dataclass(frozen=True)
class Warehouse:
    """The warehouse tables the reports use (read once, then closed)."""

    projects: pl.DataFrame  # mkba.project
    outcomes: pl.DataFrame  # mkba.uitkomst
    scenarios: pl.DataFrame  # mkba.scenario
    positie: pl.DataFrame  # prive.positie (PRIVATE)
    project_info: pl.DataFrame  # canoniek.project (names: uploaded text)
    organisations: pl.DataFrame  # canoniek.organisatie (names: uploaded text)
    uploads: pl.DataFrame  # intake.leveringen
    cells: pl.DataFrame  # benchmark.cellen
    rules: DisclosureRules
    # Read when the warehouse has them (empty frames otherwise).
    looptijd: pl.DataFrame = field(default_factory=pl.DataFrame)  # mkba.project_looptijd
    schakelwaarden: pl.DataFrame = field(default_factory=pl.DataFrame)  # mkba.schakelwaarden
    rendementsfactor: pl.DataFrame = field(  # benchmark.rendementsfactor (public: status)
        default_factory=pl.DataFrame
    )
    kosten: pl.DataFrame = field(default_factory=pl.DataFrame)  # mkba.kosten

    @property
    def parameter_versions(self) -> list[str]:
        if "parameter_versie" not in self.projects.columns:
            return []
        return sorted(self.projects["parameter_versie"].drop_nulls().unique().to_list())

    def data_received(self) -> dt.datetime | None:
        """The latest moment an upload was received (for 'data up to')."""
        if not self.uploads.height or "ontvangen_op" not in self.uploads.columns:
            return None
        latest = self.uploads["ontvangen_op"].drop_nulls().max()
        return dt.datetime.fromisoformat(latest) if latest else None


def _table(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame | None:
    schema, table = name.split(".")
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
        [schema, table],
    ).fetchall()[0][0]
    exists = (
        exists
        or con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE schema_name = ? AND view_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )
    return con.sql(f"SELECT * FROM {name}").pl() if exists else None


def read_warehouse(path: Path) -> Warehouse:
    with connect(path, read_only=True) as con:
        t = {
            name: _table(con, name)
            for name in (
                "mkba.project",
                "mkba.uitkomst",
                "mkba.scenario",
                "prive.positie",
                "canoniek.project",
                "canoniek.organisatie",
                "intake.leveringen",
                "benchmark.cellen",
                "benchmark.regels",
                "mkba.project_looptijd",
                "mkba.schakelwaarden",
                "benchmark.rendementsfactor",
                "mkba.kosten",
            )
        }
    missing = [n for n in ("mkba.project", "benchmark.cellen") if t[n] is None]
    if missing:
        raise FileNotFoundError(
            f"het warehouse {path} mist {', '.join(missing)}: draai eerst de pijplijn"
        )
    regels = t["benchmark.regels"]
    rules = (
        DisclosureRules.from_dict(regels.row(0, named=True))
        if regels is not None and regels.height
        else DisclosureRules()
    )
    empty = pl.DataFrame()
    return Warehouse(
        projects=t["mkba.project"],
        outcomes=t["mkba.uitkomst"] if t["mkba.uitkomst"] is not None else empty,
        scenarios=t["mkba.scenario"] if t["mkba.scenario"] is not None else empty,
        positie=t["prive.positie"] if t["prive.positie"] is not None else empty,
        project_info=t["canoniek.project"] if t["canoniek.project"] is not None else empty,
        organisations=t["canoniek.organisatie"] if t["canoniek.organisatie"] is not None else empty,
        uploads=t["intake.leveringen"] if t["intake.leveringen"] is not None else empty,
        cells=t["benchmark.cellen"],
        rules=rules,
        looptijd=t["mkba.project_looptijd"] if t["mkba.project_looptijd"] is not None else empty,
        schakelwaarden=t["mkba.schakelwaarden"] if t["mkba.schakelwaarden"] is not None else empty,
        kosten=t["mkba.kosten"] if t["mkba.kosten"] is not None else empty,
        rendementsfactor=t["benchmark.rendementsfactor"]
        if t["benchmark.rendementsfactor"] is not None
        else empty,
    )


def blocked_organisations(home: Home, organisations: list[str]) -> list[str]:
    """Organisations whose data is blocked (kept out of every sector figure, as in the
    benchmark asset)."""
    lake = Lake(home.lake)
    return sorted(org for org in organisations if lake.status(org).get("geblokkeerd"))


def sector_projects(home: Home, projects: pl.DataFrame) -> pl.DataFrame:
    """The project-years that may count in a sector figure: complete ones (`status` =
    "volledig", `rendement.mkba.status.complete_project_years`) of organisations that are not
    blocked."""
    orgs = projects["organisatie_id"].unique().to_list() if projects.height else []
    blocked = blocked_organisations(home, orgs)
    return complete_project_years(projects).filter(~pl.col("organisatie_id").is_in(blocked))


def own_results(home: Home, organisatie_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """An organisation's own MKBA with its overrides applied, and the overrides applied
    (empty frames when it has none). Read from the lake, where the MKBA stage writes them per
    organisation (a removed override leaves no stale rows behind there)."""
    lake = Lake(home.lake)
    frames = []
    for name in ("project_eigen", "overrides"):
        path = lake.mkba_path(name, organisatie_id)
        frames.append(pl.read_parquet(path) if path.exists() else pl.DataFrame())
    return frames[0], frames[1]


def current_published(
    home: Home, wh: Warehouse, params, frozen, *, cache: Path | None = None
) -> Published:
    """The public tables as they stand: closed years from the latest release (verbatim),
    open years from the warehouse's benchmark cells and freshly computed aggregates (the
    intervals of a year whose projects did not change come from `cache`, when given)."""
    closed_years = sorted(frozen.published.closed) if frozen is not None else []
    open_cells = wh.cells.filter(~pl.col("jaar").is_in(closed_years))
    open_years = sorted(open_cells["jaar"].unique().to_list())
    projects = sector_projects(home, wh.projects)
    stake = (
        stakeholder_cells(projects, wh.outcomes, open_years, list(params.baathebbers), wh.rules)
        if wh.outcomes.height
        else pl.DataFrame(schema=STAKEHOLDER_COLUMNS)
    )
    inter = cached_interval_cells(projects, open_years, wh.rules, cache)
    if frozen is None:
        return Published(open_cells, stake, inter, wh.rules)
    return Published(
        pl.concat([frozen.published.cells, open_cells.select(frozen.published.cells.columns)]),
        pl.concat([frozen.published.stakeholders, stake]),
        pl.concat([frozen.published.intervals, inter]),
        wh.rules,
        dict(frozen.published.closed),
        dict(frozen.published.rules_by_year),
    )


@functools.cache
def _interval_code_version() -> str:
    """A hash of the code behind the intervals: the aggregates, the disclosure rules, the
    vocabulary (the cells), and the libraries that compute them (numpy's generator draws the
    bootstrap; polars' row hashes key the cache)."""
    import rendement.benchmark.cells
    import rendement.benchmark.disclosure
    import rendement.mkba.status
    import rendement.reports.aggregates
    import schemas.vocabulary

    modules = (
        rendement.reports.aggregates,
        rendement.benchmark.cells,
        rendement.mkba.status,  # which project-years count (`complete_project_years`)
        rendement.benchmark.disclosure,
        schemas.vocabulary,
    )
    return code_digest((Path(m.__file__) for m in modules), ("numpy", "polars"), _INTERVAL_FORMAT)


def _interval_key(part: pl.DataFrame, year: int, rules: DisclosureRules) -> str:
    """The key of one year's intervals: its input rows in their order (a different order is
    a different key: no chance that a sum adds up differently), the rules and the code."""
    h = hashlib.sha256(f"{_interval_code_version()}|{year}|{rules!r}|".encode())
    h.update(repr(list(part.schema.items())).encode())
    h.update(part.height.to_bytes(8, "little"))
    if part.height:
        hashes = row_hashes(part)
        h.update(hashes["a"].to_numpy().tobytes())
        h.update(hashes["b"].to_numpy().tobytes())
    return h.hexdigest()[:40]


def cached_interval_cells(
    projects: pl.DataFrame, years: list[int], rules: DisclosureRules, cache: Path | None
) -> pl.DataFrame:
    """`interval_cells` of `years`, each year taken from `cache` when its projects are the
    same as when it was computed.

    The bootstrap of a year costs about half a second at the sector's size, and a re-upload
    changes one organisation's years only. Every year's intervals depend on that year's
    projects alone, so the result is the same as computing all years at once. A cached year
    is a Parquet file whose name holds the key (`_interval_key`); one file per year is kept."""
    if cache is None or not years:
        return interval_cells(projects, years, rules)
    columns = [c for c in _INTERVAL_INPUT if c in projects.columns]
    frames = []
    for year in years:
        part = projects.select(columns).filter(pl.col("jaar").cast(pl.Int64) == year)
        path = cache / f"intervallen-{year}-{_interval_key(part, year, rules)}.parquet"
        try:
            frames.append(pl.read_parquet(path))
            continue
        except (FileNotFoundError, OSError, pl.exceptions.ComputeError):
            pass
        frame = interval_cells(part, [year], rules)
        _store(cache, path, frame)
        frames.append(frame)
    return pl.concat(frames)


def _store(cache: Path, path: Path, frame: pl.DataFrame) -> None:
    """Keep `frame` as the year's only cached file (written under a temporary name and then
    renamed, so a reader never sees half a file)."""
    cache.mkdir(parents=True, exist_ok=True)
    year_prefix = path.name.rsplit("-", 1)[0] + "-"
    for old in cache.glob(f"{year_prefix}*.parquet"):
        old.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        frame.write_parquet(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def empty_published(rules: DisclosureRules) -> Published:
    from rendement.benchmark.cells import CELL_COLUMNS

    return Published(
        pl.DataFrame(schema=CELL_COLUMNS),
        pl.DataFrame(schema=STAKEHOLDER_COLUMNS),
        pl.DataFrame(schema=INTERVAL_COLUMNS),
        rules,
    )
