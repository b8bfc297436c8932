"""The published tables: what they are, which projects count in them, and how each is computed,
once, for the asset graph and for a release alike.

Every published table is an entry of `PUBLISHED_TABLES`: its name (the release file
`<name>.parquet`), its warehouse table, its columns, and the function that computes it from a
`Sector` (the projects that count, the benchmark cells, the rules, the parameter set) and the
`Frozen` tables of the latest release. Years a release closed are carried over from the
release verbatim; only the open years are computed. So a later upload for a closed year can
never change (or be read off from) a published figure.

Callers:

* the benchmark assets (`assets/benchmark_assets.py`): `sector_benchmark` computes the cells
  (`benchmark_cells`) and `benchmark.rendementsfactor`; every other table has its own asset
  downstream of it (`sector_stakeholders`, `sector_intervals`), made from its entry here;
* the release job (`rendement.release.publish.publish_release`): the same functions over the
  release's own project set. It cannot read the warehouse tables instead: those are computed
  from every upload accepted so far, the release from the uploads accepted up to its peildatum
  (a project-year with an accepted upload after it is left out entirely), and the warehouse
  keeps only each project's latest results, so the figures without the late project-years
  exist nowhere to be read;
* the reports read the warehouse tables (`rendement.reports.data`) and never compute one.

Adding a published table: its function (here or in a module of this package), an entry in
`PUBLISHED_TABLES` (its asset follows from the entry), its pandera model in
`schemas/outputs.py`, and the page code that shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from rendement.benchmark.aggregates import (
    INTERVAL_COLUMNS,
    STAKEHOLDER_COLUMNS,
    interval_cells,
    stakeholder_cells,
)
from rendement.benchmark.basis import ALL_BASES, BASES, SPLIT, with_benchmark_basis
from rendement.benchmark.cells import (
    CELL_COLUMNS,
    Benchmarks,
    build_benchmarks,
    with_legacy_basis,
)
from rendement.benchmark.cells_memo import CellsMemo
from rendement.benchmark.disclosure import PUBLISHED, SECONDARY, SUPPRESSED, DisclosureRules
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.mkba.aggregate import GROUPINGS, PUBLISHED_COLUMNS, RATIO_COLUMNS, group_ratios
from rendement.mkba.status import complete_project_years

# ------------------------------------------------------------------------------ the tables


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
class Frozen:
    """The published tables of the latest release (every closed year), by table name."""

    tables: dict[str, pl.DataFrame]
    closed: dict[int, str]  # year -> id of the release that fixed it
    rules_by_year: dict[int, dict]
    rules: DisclosureRules  # the rules of the latest release
    manifests: list[dict]

    @property
    def published(self) -> Published:
        return Published(
            self.tables[CELLS],
            self.tables[STAKEHOLDERS],
            self.tables[INTERVALS],
            self.rules,
            dict(self.closed),
            dict(self.rules_by_year),
        )

    @property
    def factors(self) -> pl.DataFrame:
        """benchmark.rendementsfactor of the closed years (empty for a release made before
        it existed)."""
        return self.tables[FACTORS]


@dataclass(frozen=True)
class Sector:
    """What the published tables are computed from."""

    projects: pl.DataFrame  # mkba.project rows that may count (`countable_projects`)
    cells: pl.DataFrame  # benchmark.cellen: every year, closed ones carried over
    rules: DisclosureRules
    params: Any  # the parameter set (rendement.mkba.params)
    outcomes: pl.DataFrame = field(default_factory=pl.DataFrame)  # mkba.uitkomst
    kosten: pl.DataFrame = field(default_factory=pl.DataFrame)  # mkba.kosten
    # the median intervals of the last run (`bootstrap_memo.BootstrapMemo`; None: bootstrap all)
    bootstrap: Any = None


@dataclass(frozen=True)
class PublishedTable:
    """One published table."""

    name: str  # the release file `<name>.parquet`, the key in `Frozen.tables`
    table: str  # the warehouse table
    columns: dict[str, pl.DataType]
    compute: Callable[[Sector, Frozen | None], pl.DataFrame]
    reads: tuple[str, ...] = ()  # the warehouse tables `compute` reads besides projects, cells
    optional: bool = False  # releases made before the table existed lack it (read as empty)
    asset: str | None = None  # its own asset, downstream of sector_benchmark (None: in it)
    # its asset keeps the bootstrap intervals of the last run (`bootstrap_memo`)
    bootstrap: bool = False
    description: str = ""

    @property
    def file(self) -> str:
        return f"{self.name}.parquet"

    def typed(self, frame: pl.DataFrame) -> pl.DataFrame:
        if "basis" in self.columns:  # a release made before the column: all project-years
            frame = with_legacy_basis(frame)
        return frame.select([pl.col(c).cast(t) for c, t in self.columns.items()])

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema=self.columns)


def open_years(cells: pl.DataFrame, frozen: Frozen | None) -> list[int]:
    """The years of `cells` no release has closed: the years whose figures are computed."""
    closed = set(frozen.closed) if frozen is not None else set()
    return sorted(y for y in cells["jaar"].unique().to_list() if y not in closed)


def benchmark_cells(
    projects: pl.DataFrame,
    rules: DisclosureRules,
    frozen: Frozen | None,
    memo: CellsMemo | None = None,
) -> Benchmarks:
    """The benchmark cells and the private positions (`build_benchmarks`), closed years
    carried over from the release, open years whose projects did not change from `memo`."""
    return build_benchmarks(
        projects,
        rules,
        vastgesteld=frozen.tables[CELLS] if frozen is not None else None,
        memo=memo,
    )


def _cells(sector: Sector, frozen: Frozen | None) -> pl.DataFrame:
    """The cells are computed first, with the positions (`benchmark_cells`); every other
    table is computed from them."""
    return sector.cells


# The values of a group ratio, shown only where its cost cell is published.
_VALUES = [c for c in RATIO_COLUMNS if c not in ("tabel", "jaar", "domein", "interventie", "basis")]
# The benchmark cell that decides whether a group ratio may be published.
_COST_CELL = {"maat": "kosten", "statistiek": "som"}


def published_ratios(
    ratios: pl.DataFrame,
    cells: pl.DataFrame,
    closed_years: frozenset[int] = frozenset(),
    basis: str = ALL_BASES,
) -> pl.DataFrame:
    """The group ratios as they may be published: a group's figures are shown only where the
    benchmark cell of its cost sum (`benchmark.cellen`, maat kosten, statistiek som, no region)
    is published, since both rest on the same organisations and the same costs (minimum number
    of organisations, dominance); otherwise its values are null and it carries that cell's
    status and reason. Years closed by a release are left out: their published figures are
    the release's, and this table did not exist before. `ratios` are those of the
    project-years of `basis`, and their cost cell is that of the same basis."""
    cells = with_legacy_basis(cells)
    cost_cells = cells.filter(
        (pl.col("basis") == basis)
        & (pl.col("maat") == _COST_CELL["maat"])
        & (pl.col("statistiek") == _COST_CELL["statistiek"])
        & pl.col("regio").is_null()
        & pl.col("tabel").is_in(list(GROUPINGS))
    ).select("tabel", "jaar", "domein", "interventie", "status", "reden")
    ratios = ratios.filter(~pl.col("jaar").is_in(sorted(closed_years)))
    joined = ratios.join(
        cost_cells, on=["tabel", "jaar", "domein", "interventie"], how="inner", nulls_equal=True
    )
    return _shown_only(joined.with_columns(pl.lit(basis).alias("basis")))


def _shown_only(frame: pl.DataFrame) -> pl.DataFrame:
    shown = pl.col("status") == PUBLISHED
    return frame.with_columns(
        pl.when(shown).then(pl.col(c)).otherwise(None).alias(c) for c in _VALUES
    ).select(list(PUBLISHED_COLUMNS))


def split_ratios(sector: Sector, closed: frozenset[int]) -> pl.DataFrame:
    """The group ratios of all project-years (`alle`) and of the measured and the
    reference-based ones apart. A part is shown only where the other part's cost cell is not
    suppressed: with the total (here and in `benchmark.baathebbers`) and one part shown, the
    other part's baten would follow by subtraction. Otherwise it is `secundair`. (An empty
    part, without projects, is a known zero: the other part is then the total.)"""
    projects = with_benchmark_basis(sector.projects, name="_basis")
    parts = []
    for basis in BASES:
        subset = projects if basis == ALL_BASES else projects.filter(pl.col("_basis") == basis)
        ratios = group_ratios(subset.drop("_basis"), sector.outcomes, sector.kosten, sector.params)
        parts.append(published_ratios(ratios, sector.cells, closed, basis))
    frame = pl.concat(parts)
    group = ["tabel", "jaar", "domein", "interventie"]
    split = pl.col("basis").is_in(list(SPLIT))
    cost = with_legacy_basis(sector.cells).filter(
        (pl.col("maat") == _COST_CELL["maat"])
        & (pl.col("statistiek") == _COST_CELL["statistiek"])
        & pl.col("regio").is_null()
        & pl.col("basis").is_in(list(SPLIT))
    )
    hidden = cost.group_by(group).agg((pl.col("status") == SUPPRESSED).any().alias("_hidden_part"))
    hide = split & (pl.col("status") == PUBLISHED) & pl.col("_hidden_part").fill_null(False)
    frame = frame.join(hidden, on=group, how="left", nulls_equal=True).with_columns(
        pl.when(hide).then(pl.lit(SUPPRESSED)).otherwise(pl.col("status")).alias("status"),
        pl.when(hide).then(pl.lit(SECONDARY)).otherwise(pl.col("reden")).alias("reden"),
    )
    order = {b: i for i, b in enumerate(BASES)}
    return (
        _shown_only(frame)
        .with_columns(pl.col("basis").replace_strict(order, return_dtype=pl.Int64).alias("_o"))
        .sort("tabel", "jaar", "domein", "interventie", "_o", nulls_last=True)
        .drop("_o")
    )


def factor_table(sector: Sector, frozen: Frozen | None) -> pl.DataFrame:
    """`benchmark.rendementsfactor`: Σ baten / Σ kosten per domain and intervention with its
    Monte Carlo interval and switching values, published where the group's cost cell is
    (`published_ratios`)."""
    closed = frozenset(frozen.closed) if frozen is not None else frozenset()
    ratios = split_ratios(sector, closed)
    if frozen is None:
        return ratios
    return pl.concat([frozen.factors, ratios]).sort(
        "tabel", "jaar", "domein", "interventie", nulls_last=True, maintain_order=True
    )


def stakeholder_table(sector: Sector, frozen: Frozen | None) -> pl.DataFrame:
    """`benchmark.baathebbers`: benefits per domain x stakeholder and transfers per domain
    (`rendement.benchmark.aggregates.stakeholder_cells`)."""
    years = open_years(sector.cells, frozen)
    fresh = (
        stakeholder_cells(
            sector.projects, sector.outcomes, years, list(sector.params.baathebbers), sector.rules
        )
        if sector.outcomes.height
        else pl.DataFrame(schema=STAKEHOLDER_COLUMNS)
    )
    return fresh if frozen is None else pl.concat([frozen.tables[STAKEHOLDERS], fresh])


def interval_table(sector: Sector, frozen: Frozen | None) -> pl.DataFrame:
    """`benchmark.intervallen`: 90 % intervals of the share improved and the median
    benefit/cost ratio (`rendement.benchmark.aggregates.interval_cells`)."""
    fresh = interval_cells(
        sector.projects, open_years(sector.cells, frozen), sector.rules, memo=sector.bootstrap
    )
    return fresh if frozen is None else pl.concat([frozen.tables[INTERVALS], fresh])


CELLS, STAKEHOLDERS, INTERVALS, FACTORS = "cellen", "baathebbers", "intervallen", "rendementsfactor"

PUBLISHED_TABLES: tuple[PublishedTable, ...] = (
    PublishedTable(CELLS, "benchmark.cellen", CELL_COLUMNS, _cells),
    PublishedTable(
        STAKEHOLDERS,
        "benchmark.baathebbers",
        STAKEHOLDER_COLUMNS,
        stakeholder_table,
        reads=("mkba.uitkomst",),
        asset="sector_stakeholders",
        description="Wie profiteert: de contante waarde van de maatschappelijke baten per "
        "domein en baathebber, met de randtotalen, en de overdrachten per domein, per jaar, "
        "met dezelfde onthullingsregels als de benchmarkcellen (minimum aantal organisaties, "
        "dominantie, aanvullende onderdrukking over de tabel met haar randtotalen).",
    ),
    PublishedTable(
        INTERVALS,
        "benchmark.intervallen",
        INTERVAL_COLUMNS,
        interval_table,
        asset="sector_intervals",
        bootstrap=True,
        description="De 90%-intervallen van de vergelijking van interventies: het aandeel "
        "verbeterde deelnemers (cluster-robuust) en de mediane baten/kostenverhouding "
        "(clusterbootstrap), per domein en per interventietype, per jaar, met dezelfde "
        "onthullingsregels als de gepubliceerde cijfers.",
    ),
    PublishedTable(
        FACTORS,
        "benchmark.rendementsfactor",
        PUBLISHED_COLUMNS,
        factor_table,
        reads=("mkba.uitkomst", "mkba.kosten"),
        optional=True,
    ),
)
TABLES_BY_NAME = {t.name: t for t in PUBLISHED_TABLES}


def published_tables(sector: Sector, frozen: Frozen | None) -> dict[str, pl.DataFrame]:
    """Every published table of `sector` ({name: frame}, typed to its columns)."""
    return {t.name: t.typed(t.compute(sector, frozen)) for t in PUBLISHED_TABLES}


# ------------------------------------------------------------------------------ the projects


def blocked_organisations(home: Home, organisations: list[str]) -> list[str]:
    """Organisations whose data is blocked: kept out of every sector figure."""
    lake = Lake(home.lake)
    return sorted(org for org in organisations if lake.is_blocked(org))


def countable_projects(home: Home, projects: pl.DataFrame) -> pl.DataFrame:
    """The project rows of organisations that are not blocked (each table leaves out the
    incomplete project-years itself)."""
    orgs = projects["organisatie_id"].unique().to_list() if projects.height else []
    return projects.filter(~pl.col("organisatie_id").is_in(blocked_organisations(home, orgs)))


def sector_projects(home: Home, projects: pl.DataFrame) -> pl.DataFrame:
    """The project-years that may count in a sector figure: complete ones (`status` =
    "volledig", `rendement.mkba.status.complete_project_years`) of organisations that are not
    blocked."""
    return complete_project_years(countable_projects(home, projects))


def read_rules(con) -> DisclosureRules:
    """The disclosure rules the benchmark asset wrote (`benchmark.regels`)."""
    frame = con.sql("SELECT * FROM benchmark.regels").pl()
    return (
        DisclosureRules.from_dict(frame.row(0, named=True)) if frame.height else DisclosureRules()
    )


def read_sector(con, home: Home, params, reads: tuple[str, ...] = ()) -> Sector:
    """The sector as the benchmark asset left it in the warehouse (`con`): the countable
    projects, the cells, the rules, and the tables in `reads` (mkba.uitkomst, mkba.kosten)."""
    projects = con.sql("SELECT * FROM mkba.project").pl()
    cells = con.sql("SELECT * FROM benchmark.cellen").pl()
    rules = read_rules(con)
    extra = {name: con.sql(f"SELECT * FROM {name}").pl() for name in reads}
    return Sector(
        countable_projects(home, projects),
        cells,
        rules,
        params,
        outcomes=extra.get("mkba.uitkomst", pl.DataFrame()),
        kosten=extra.get("mkba.kosten", pl.DataFrame()),
    )
