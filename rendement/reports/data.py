"""What the reports read: the warehouse (read-only), the organisations' own MKBA variants from
the lake, and the frozen tables of published releases.

`Published` (rendement.benchmark.published) is everything a public page may show: the
benchmark cells and the published aggregates, with for every year whether it is closed (frozen
in a release) or still provisional. The reports compute none of it: the benchmark assets write
the tables (`benchmark.cellen`, `benchmark.baathebbers`, `benchmark.intervallen`,
`benchmark.rendementsfactor`), a release freezes them, and `current_published` reads them.
`Warehouse` holds the private detail the organisation reports need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import polars as pl

from rendement.benchmark.aggregates import INTERVAL_COLUMNS, STAKEHOLDER_COLUMNS
from rendement.benchmark.cells import CELL_COLUMNS, QUANTILES
from rendement.benchmark.disclosure import DisclosureRules
from rendement.benchmark.published import Frozen, Published
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.warehouse import connect
from rendement.mkba.overrides import LAKE_NAME

__all__ = [
    "Published",
    "Warehouse",
    "current_published",
    "empty_published",
    "organisation_comparison",
    "own_results",
    "read_warehouse",
]


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
    stakeholders: pl.DataFrame = field(  # benchmark.baathebbers
        default_factory=lambda: pl.DataFrame(schema=STAKEHOLDER_COLUMNS)
    )
    intervals: pl.DataFrame = field(  # benchmark.intervallen
        default_factory=lambda: pl.DataFrame(schema=INTERVAL_COLUMNS)
    )
    # Read when the warehouse has them (empty frames otherwise).
    looptijd: pl.DataFrame = field(default_factory=pl.DataFrame)  # mkba.project_looptijd
    schakelwaarden: pl.DataFrame = field(default_factory=pl.DataFrame)  # mkba.schakelwaarden
    rendementsfactor: pl.DataFrame = field(  # benchmark.rendementsfactor (public: status)
        default_factory=pl.DataFrame
    )
    kosten: pl.DataFrame = field(default_factory=pl.DataFrame)  # mkba.kosten
    # Plans, labour-market effects and what organisations wrote in words (read when present).
    raming: pl.DataFrame = field(default_factory=pl.DataFrame)  # mkba.raming (never public)
    arbeidsmarkt: pl.DataFrame = field(default_factory=pl.DataFrame)  # mkba.arbeidsmarkt
    opgave: pl.DataFrame = field(default_factory=pl.DataFrame)  # canoniek.projectopgave

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
                "benchmark.baathebbers",
                "benchmark.intervallen",
                "benchmark.regels",
                "mkba.project_looptijd",
                "mkba.schakelwaarden",
                "benchmark.rendementsfactor",
                "mkba.kosten",
                "mkba.raming",
                "mkba.arbeidsmarkt",
                "canoniek.projectopgave",
            )
        }
    required = (
        "mkba.project",
        "benchmark.cellen",
        "benchmark.baathebbers",
        "benchmark.intervallen",
    )
    missing = [n for n in required if t[n] is None]
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
        stakeholders=_typed(t["benchmark.baathebbers"], STAKEHOLDER_COLUMNS),
        intervals=_typed(t["benchmark.intervallen"], INTERVAL_COLUMNS),
        looptijd=t["mkba.project_looptijd"] if t["mkba.project_looptijd"] is not None else empty,
        schakelwaarden=t["mkba.schakelwaarden"] if t["mkba.schakelwaarden"] is not None else empty,
        kosten=t["mkba.kosten"] if t["mkba.kosten"] is not None else empty,
        raming=t["mkba.raming"] if t["mkba.raming"] is not None else empty,
        arbeidsmarkt=t["mkba.arbeidsmarkt"] if t["mkba.arbeidsmarkt"] is not None else empty,
        opgave=t["canoniek.projectopgave"] if t["canoniek.projectopgave"] is not None else empty,
        rendementsfactor=t["benchmark.rendementsfactor"]
        if t["benchmark.rendementsfactor"] is not None
        else empty,
    )


def own_rows(frame: pl.DataFrame, org: str, project_id: str | None = None) -> pl.DataFrame:
    """The rows of `frame` (a warehouse table) of one organisation, or of one of its projects:
    an organisation's pages read only these."""
    if not frame.height or "organisatie_id" not in frame.columns:
        return frame.clear() if frame.columns else frame
    rows = frame.filter(pl.col("organisatie_id") == org)
    return rows.filter(pl.col("project_id") == project_id) if project_id is not None else rows


def with_registered_names(wh: Warehouse, registered: dict[str, str]) -> Warehouse:
    """`wh` with a name for every registered organisation that never delivered an
    `organisatie` table (the hand-filled Excel template has no such sheet): the register's name,
    so its pages and Impactkaarten name it instead of showing its code."""
    known = (
        set(wh.organisations["organisatie_id"].to_list())
        if "organisatie_id" in wh.organisations.columns
        else set()
    )
    extra = {org: name for org, name in registered.items() if org not in known and name}
    if not extra:
        return wh
    rows = pl.DataFrame({"organisatie_id": list(extra), "naam": list(extra.values())})
    return replace(wh, organisations=pl.concat([wh.organisations, rows], how="diagonal_relaxed"))


def own_results(home: Home, organisatie_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """An organisation's own MKBA with its deviations applied, and its deviations, applied
    and refused (`rendement.mkba.overrides.records`; empty frames when it has none). Read from
    the lake, where the MKBA stage writes them per organisation (a removed deviation leaves no
    stale rows behind there)."""
    lake = Lake(home.lake)
    frames = []
    for name in ("project_eigen", LAKE_NAME):
        path = lake.mkba_path(name, organisatie_id)
        frames.append(pl.read_parquet(path) if path.exists() else pl.DataFrame())
    return frames[0], frames[1]


def _typed(frame: pl.DataFrame, columns: dict) -> pl.DataFrame:
    return frame.select([pl.col(c).cast(t) for c, t in columns.items()])


def current_published(wh: Warehouse, frozen: Frozen | None) -> Published:
    """The public tables as they stand: closed years from the latest release (verbatim, also
    before the benchmark assets ran again after it), open years from the warehouse tables the
    benchmark assets wrote."""
    if frozen is None:
        return Published(wh.cells, wh.stakeholders, wh.intervals, wh.rules)
    fixed = frozen.published
    is_open = ~pl.col("jaar").is_in(sorted(frozen.closed))
    return Published(
        pl.concat([fixed.cells, wh.cells.filter(is_open).select(fixed.cells.columns)]),
        pl.concat([fixed.stakeholders, wh.stakeholders.filter(is_open)]),
        pl.concat([fixed.intervals, wh.intervals.filter(is_open)]),
        wh.rules,
        dict(fixed.closed),
        dict(fixed.rules_by_year),
    )


# What an organisation's page compares with in a year without a release: the distribution of
# the rendementsfactor (its percentiles and median) per domain and per intervention type.
# Never a count or a sum: two provisional versions of a sum would let a reader subtract one
# organisation's figure.
PROVISIONAL_MEASURES = {"bkr": tuple(QUANTILES)}
PROVISIONAL_TABLES = ("domein", "interventie")


def organisation_comparison(pub: Published) -> Published:
    """The sector figures an organisation's own page compares with: every published figure of
    the closed years (as the release fixed them), and of the open years only the current
    cells of `PROVISIONAL_MEASURES` (`benchmark.cellen`, made under the same disclosure rules as
    published cells: a suppressed cell stays suppressed), which the page labels voorlopig."""
    closed = pub.for_years(sorted(pub.closed))
    is_open = ~pl.col("jaar").is_in(sorted(pub.closed))
    measures = pl.any_horizontal(
        *(
            (pl.col("maat") == m) & pl.col("statistiek").is_in(list(stats))
            for m, stats in PROVISIONAL_MEASURES.items()
        )
    )
    provisional = pub.cells.filter(is_open & pl.col("tabel").is_in(PROVISIONAL_TABLES) & measures)
    return Published(
        pl.concat([closed.cells, provisional.select(closed.cells.columns)]),
        closed.stakeholders,
        closed.intervals,
        closed.rules,
        dict(closed.closed),
        dict(closed.rules_by_year),
    )


def empty_published(rules: DisclosureRules) -> Published:
    return Published(
        pl.DataFrame(schema=CELL_COLUMNS),
        pl.DataFrame(schema=STAKEHOLDER_COLUMNS),
        pl.DataFrame(schema=INTERVAL_COLUMNS),
        rules,
    )
