"""Sector benchmarks with disclosure control, as plain functions on polars frames.

Input: the MKBA project result of the whole sector (`mkba.project`, one row per
organisatie_id x project_id x jaar; columns in docs/INTERFACES.md).

Output (`build_benchmarks`):

* ``cells``: the published LONG table, one row per cell and measure, with every cell's
  disclosure status (suppressed cells are present with a null value). Three tables (`tabel`):
  ``domein`` (per domain and the sector total ``totaal``), ``interventie`` (domain x
  intervention type) and ``regio`` (domain x province), each per ``jaar``. Organisations
  appear only as counts.
* ``positie``: private, per project of each organisation: the percentile of its benefit/cost
  ratio and cost per participant within its domain x intervention type x year. It carries the
  organisation's own id and may only feed that organisation's own report.
* ``rules``: the `DisclosureRules` the cells were made with.

The cell definitions, the measures and the stability guarantee are documented in
docs/benchmarks.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from rendement.benchmark import disclosure
from rendement.benchmark.basis import ALL_BASES, BASES, SPLIT, with_benchmark_basis
from rendement.benchmark.cells_memo import CellsMemo
from rendement.benchmark.disclosure import (
    EMPTY,
    PUBLISHED,
    REASONS,
    SUPPRESSED,
    TOO_FEW_ORGS,
    DisclosureRules,
    additive_groups,
    primary_suppression,
    recoverable_cells,
    rounded_count,
    secondary_suppression,
    suppress_empty_with_projects,
)
from rendement.benchmark.regions import REGIONS, with_region
from rendement.core.lake import Lake
from rendement.mkba.status import STATUS_COLUMN, complete_project_years
from schemas.outputs import TOTAL, group_memberships, polars_schema
from schemas.vocabulary import DOMAINS, INTERVENTIONS

TABLES: tuple[str, ...] = ("domein", "interventie", "regio")
KEYS: list[str] = ["tabel", "jaar", "domein", "interventie", "regio", "basis"]
QUANTILES: dict[str, float] = {"p10": 0.10, "p25": 0.25, "mediaan": 0.50, "p75": 0.75, "p90": 0.90}

REQUIRED_COLUMNS: tuple[str, ...] = (
    "organisatie_id",
    "project_id",
    "jaar",
    "domein",
    "interventie",
    "gemeente_code",
    "deelnemers",
    "deelnemers_gemeten",
    "deelnemers_verbeterd",
    "fte",
    "vrijwilligers",
    "kosten",
    "bkr",
    "kosten_per_deelnemer",
    "ncw_per_deelnemer",
    "bkr_p05",
    "bkr_p95",
)

# Internally a key that does not apply is "" (so that joins match); published as null.
_NA = ""


@dataclass(frozen=True)
class Measure:
    """One published measure of a cell.

    kind: how it is computed and which rules apply
      ``organisaties`` number of organisations (minimum organisations only)
      ``projecten``    number of projects (minimum organisations; additive)
      ``personen``     sum of a count of people (minimum organisations, dominance, small count,
                       rounded; additive)
      ``omvang``       sum of a magnitude (minimum organisations, dominance; additive)
      ``aandeel``      pooled share improved: sum(deelnemers_verbeterd) / sum(deelnemers_gemeten)
                       (minimum organisations with measurements, dominance and small count on
                       the measured participants)
      ``verdeling``    a percentile over projects (minimum organisations with a value,
                       dominance on the number of projects per organisation, enough values
                       on either side of the percentile: `DisclosureRules.min_tail`)
    """

    maat: str
    statistiek: str
    kind: str
    source: str | None
    eenheid: str
    label: str
    decimals: int

    @property
    def additive(self) -> bool:
        return self.kind in ("projecten", "personen", "omvang")


def _distribution(maat: str, source: str, eenheid: str, label: str, decimals: int) -> list[Measure]:
    return [
        Measure(
            maat, stat, "verdeling", source, eenheid, f"{label}, {stat} over projecten", decimals
        )
        for stat in QUANTILES
    ]


MEASURES: tuple[Measure, ...] = (
    Measure("organisaties", "aantal", "organisaties", None, "aantal", "Organisaties", 0),
    Measure("projecten", "aantal", "projecten", None, "aantal", "Projecten", 0),
    Measure("deelnemers", "aantal", "personen", "deelnemers", "personen", "Bereikte deelnemers", 0),
    Measure("fte", "som", "omvang", "fte", "fte", "Betaalde formatie", 1),
    Measure("vrijwilligers", "som", "omvang", "vrijwilligers", "personen", "Vrijwilligers", 0),
    Measure("kosten", "som", "omvang", "kosten", "euro", "Kosten (contante waarde)", 0),
    Measure(
        "aandeel_verbeterd",
        "aandeel",
        "aandeel",
        None,
        "fractie",
        "Aandeel gemeten deelnemers met verbetering",
        3,
    ),
    *_distribution(
        "kosten_per_deelnemer", "kosten_per_deelnemer", "euro", "Kosten per deelnemer", 0
    ),
    *_distribution("bkr", "bkr", "verhouding", "Baten/kostenverhouding", 2),
    *_distribution(
        "ncw_per_deelnemer", "ncw_per_deelnemer", "euro", "Netto contante waarde per deelnemer", 0
    ),
    Measure(
        "bkr_mc_breedte",
        "mediaan",
        "verdeling",
        "bkr_mc_breedte",
        "verhouding",
        "Breedte Monte Carlo-interval bkr (p95 - p05), mediaan over projecten",
        2,
    ),
)

# The published cells and the private positions: columns, order and dtypes declared once, by
# the output models in schemas/outputs.py.
CELL_COLUMNS: dict[str, pl.DataType] = polars_schema("benchmark.cellen")

POSITION_COLUMNS: dict[str, pl.DataType] = polars_schema("prive.positie")


@dataclass(frozen=True)
class Benchmarks:
    """The result of `build_benchmarks`.

    cells:   the published long table (columns `CELL_COLUMNS`), suppressed cells included with a
             null `waarde`. Safe to publish as a whole.
    positie: PRIVATE (columns `POSITION_COLUMNS`): each organisation's projects against their
             comparison group; hand each organisation only its own rows.
    rules:   the disclosure rules used; record `rules.as_dict()` with the release.
    """

    cells: pl.DataFrame
    positie: pl.DataFrame
    rules: DisclosureRules

    def legend(self) -> pl.DataFrame:
        return disclosure.legend(self.rules)

    def positie_for(self, organisatie_id: str) -> pl.DataFrame:
        """The private position rows of one organisation, for its own report."""
        return self.positie.filter(pl.col("organisatie_id") == organisatie_id)


def build_benchmarks(
    projects: pl.DataFrame,
    rules: DisclosureRules = DisclosureRules(),  # noqa: B008  (frozen, so a safe default)
    vastgesteld: pl.DataFrame | None = None,
    memo: CellsMemo | None = None,
) -> Benchmarks:
    """Sector benchmark cells with disclosure control, and each organisation's private position.

    `projects` is the MKBA project result of the whole sector; only its complete project-years
    (`status` = "volledig") count, in the cells and in `positie` (an incomplete one gets no
    position row). `vastgesteld`, if given, is the
    `cells` table of an earlier release: every year in it is closed, and its rows are carried
    over unchanged (values and statuses) instead of being recomputed, so that late uploads or
    corrections for a closed year can never be read off as the difference between two
    releases. Those years' projects still count in `positie`.

    `memo`: the cells of years computed by earlier runs, by version (None: compute every open
    year).

    Raises ValueError on missing columns, codes outside the vocabulary or duplicate project
    rows; raises RuntimeError if, after suppression, a hidden value could still be recomputed
    (a safety net that should never trigger).
    """
    prepared = _prepare(projects)
    closed: list[int] = []
    if vastgesteld is not None:
        vastgesteld = _check_cells(vastgesteld)
        closed = sorted(vastgesteld["jaar"].unique().to_list())
    open_years = sorted(y for y in prepared["jaar"].unique().to_list() if y not in closed)

    # One year at a time: no relation between cells crosses years, so each year's cells are
    # the same as those of all years computed together, and a year whose projects did not
    # change is taken from `memo` (`rendement.benchmark.cells_memo`).
    fresh = pl.concat(
        [pl.DataFrame(schema=CELL_COLUMNS)]
        + [_year_cells(prepared, year, rules, memo) for year in open_years],
        how="vertical",
    )
    parts = [fresh] if vastgesteld is None else [vastgesteld, fresh]
    cells = _sorted_cells(pl.concat(parts, how="vertical"))
    return Benchmarks(cells=cells, positie=_positions(prepared, rules), rules=rules)


def _year_cells(
    prepared: pl.DataFrame, year: int, rules: DisclosureRules, memo: CellsMemo | None
) -> pl.DataFrame:
    rows = prepared.filter(pl.col("jaar") == year)

    def compute() -> pl.DataFrame:
        return _cells(rows, [year], rules)

    return compute() if memo is None else memo.year(rows, rules, compute)


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


def _prepare(projects: pl.DataFrame) -> pl.DataFrame:
    """The complete project-years, checked and typed (every row is checked, also the
    incomplete ones, before they are left out)."""
    missing = [c for c in (*REQUIRED_COLUMNS, STATUS_COLUMN) if c not in projects.columns]
    if missing:
        raise ValueError(f"MKBA project result lacks columns: {missing}")
    # codes as text, the year as an integer, every count and amount as a float
    declared = polars_schema("mkba.project")
    text = [c for c in REQUIRED_COLUMNS if declared[c] == pl.String]
    numbers = [c for c in REQUIRED_COLUMNS if c not in text and c != "jaar"]
    frame = with_benchmark_basis(projects).select(*REQUIRED_COLUMNS, STATUS_COLUMN, "basis")
    frame = frame.with_columns(
        pl.col(text).cast(pl.String),
        pl.col("jaar").cast(pl.Int64),
        pl.col(numbers).cast(pl.Float64),
    )
    if frame.select(pl.any_horizontal(pl.col("organisatie_id", "jaar").is_null()).any()).item():
        raise ValueError("MKBA project result has rows without organisatie_id or jaar")
    unknown_domains = sorted(
        set(frame["domein"].drop_nulls().unique().to_list()) - set(DOMAINS)
    ) + (["<leeg>"] if frame["domein"].null_count() else [])
    if unknown_domains:
        raise ValueError(f"domein outside the vocabulary: {unknown_domains}")
    pairs = pl.DataFrame(
        [(d, i) for d, per in INTERVENTIONS.items() for i in per],
        schema={"domein": pl.String, "interventie": pl.String},
        orient="row",
    )
    bad = frame.join(pairs, on=["domein", "interventie"], how="anti")
    if bad.height:
        found = bad.select("domein", "interventie").unique().sort("domein", "interventie")
        raise ValueError(f"interventie outside its domain's vocabulary: {found.rows()}")
    dup = frame.select("organisatie_id", "project_id", "jaar").is_duplicated()
    if dup.any():
        raise ValueError(
            "MKBA project result has duplicate organisatie_id x project_id x jaar rows"
        )

    magnitudes = ["deelnemers", "deelnemers_gemeten", "deelnemers_verbeterd", "fte"]
    magnitudes += ["vrijwilligers", "kosten"]
    negative = [c for c in magnitudes if (frame[c] < 0).any()]
    if negative:
        # The dominance rule and the additive margins assume non-negative contributions.
        raise ValueError(f"MKBA project result has negative values in {negative}")
    frame = complete_project_years(frame).drop(STATUS_COLUMN)

    finite = {
        c: pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None)
        for c in ("bkr", "kosten_per_deelnemer", "ncw_per_deelnemer")
    }
    return with_region(frame).with_columns(
        *(expr.alias(c) for c, expr in finite.items()),
        pl.when((pl.col("bkr_p95") - pl.col("bkr_p05")).is_finite())
        .then(pl.col("bkr_p95") - pl.col("bkr_p05"))
        .otherwise(None)
        .alias("bkr_mc_breedte"),
    )


def _check_cells(cells: pl.DataFrame) -> pl.DataFrame:
    cells = with_legacy_basis(cells)
    missing = [c for c in CELL_COLUMNS if c not in cells.columns]
    if missing:
        raise ValueError(f"vastgesteld is not a benchmark cells table, lacks: {missing}")
    return cells.select([pl.col(c).cast(t) for c, t in CELL_COLUMNS.items()])


def with_legacy_basis(frame: pl.DataFrame) -> pl.DataFrame:
    """A published table of a release made before the `basis` column: every figure was over
    all project-years (`alle`)."""
    if "basis" in frame.columns:
        return frame
    return frame.with_columns(pl.lit(ALL_BASES, pl.String).alias("basis"))


# ---------------------------------------------------------------------------------------------
# Cell definitions
# ---------------------------------------------------------------------------------------------


def cell_definitions(years: Sequence[int]) -> pl.DataFrame:
    """Every cell of the given years, from the vocabulary alone (never from the data).

    Columns `KEYS`; keys that do not apply are "" here (null in the published table). Every
    cell exists for each basis (`BASES`); percentiles are not computed for `alle`.
    """
    rows: list[tuple[str, str, str, str]] = [("domein", TOTAL, _NA, _NA)]
    rows += [("domein", d, _NA, _NA) for d in DOMAINS]
    rows += [("interventie", d, i, _NA) for d, per in INTERVENTIONS.items() for i in per]
    rows += [("regio", d, _NA, r) for d in DOMAINS for r in REGIONS]
    base = pl.DataFrame(rows, schema=["tabel", "domein", "interventie", "regio"], orient="row")
    years_frame = pl.DataFrame({"jaar": list(years)}, schema={"jaar": pl.Int64})
    bases = pl.DataFrame({"basis": list(BASES)}, schema={"basis": pl.String})
    return years_frame.join(base, how="cross").join(bases, how="cross").select(KEYS)


def _memberships(prepared: pl.DataFrame) -> pl.DataFrame:
    """Each project row once per cell it belongs to (sector total, domain, intervention, region),
    under its own basis and under `alle`."""
    both = pl.concat([prepared, prepared.with_columns(pl.lit(ALL_BASES).alias("basis"))])
    return group_memberships(both, ("interventie", "regio"), empty=_NA)


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------


def _cells(prepared: pl.DataFrame, years: list[int], rules: DisclosureRules) -> pl.DataFrame:
    if not years:
        return pl.DataFrame(schema=CELL_COLUMNS)
    defs = cell_definitions(years)
    members = _memberships(prepared)
    frames = [_measure_cells(m, members, defs, rules) for m in MEASURES]
    raw = pl.concat(frames, how="vertical")

    # A measure without contributions in a cell that does have projects (say, no project with
    # a bkr) is "too few organisations", not "no projects".
    has_projects = raw.filter((pl.col("maat") == "projecten") & (pl.col("status") != EMPTY))
    raw = suppress_empty_with_projects(raw, has_projects, KEYS)

    raw = _secondary(raw)
    return _publish(raw, rules)


def _measure_cells(
    measure: Measure, members: pl.DataFrame, defs: pl.DataFrame, rules: DisclosureRules
) -> pl.DataFrame:
    """Primary suppression and the true value of one measure in every cell."""
    kind = measure.kind
    if kind in ("organisaties", "projecten"):
        decided = primary_suppression(
            members.with_columns(pl.lit(1.0).alias("bijdrage")), KEYS, rules, cells=defs
        )
        value = pl.col("organisaties") if kind == "organisaties" else pl.col("waarde")
        decided = decided.with_columns(value.cast(pl.Float64).alias("_waarde"))
    elif kind in ("personen", "omvang"):
        decided = primary_suppression(
            members.with_columns(pl.col(measure.source).alias("bijdrage")),
            KEYS,
            rules,
            dominance=True,
            small_count=kind == "personen",
            cells=defs,
        ).with_columns(pl.col("waarde").alias("_waarde"))
    elif kind == "aandeel":
        measured = members.filter(pl.col("deelnemers_gemeten") > 0)
        decided = primary_suppression(
            measured.with_columns(pl.col("deelnemers_gemeten").alias("bijdrage")),
            KEYS,
            rules,
            dominance=True,
            small_count=True,
            cells=defs,
        )
        shares = measured.group_by(KEYS).agg(
            (
                pl.col("deelnemers_verbeterd").fill_null(0).sum()
                / pl.col("deelnemers_gemeten").sum()
            ).alias("_waarde")
        )
        decided = decided.join(shares, on=KEYS, how="left", maintain_order="left")
    elif kind == "verdeling":
        # never a percentile over measured and reference-based project-years together
        defs = defs.filter(pl.col("basis") != ALL_BASES)
        valued = members.filter(
            pl.col(measure.source).is_not_null() & (pl.col("basis") != ALL_BASES)
        )
        decided = primary_suppression(
            valued.with_columns(pl.lit(1.0).alias("bijdrage")),
            KEYS,
            rules,
            dominance=True,
            quantile=QUANTILES[measure.statistiek],
            cells=defs,
        )
        q = QUANTILES[measure.statistiek]
        values = valued.group_by(KEYS).agg(
            pl.col(measure.source).quantile(q, interpolation="linear").alias("_waarde")
        )
        decided = decided.join(values, on=KEYS, how="left", maintain_order="left")
    else:  # pragma: no cover - guarded by MEASURES
        raise ValueError(f"unknown measure kind {kind!r}")
    return decided.select(
        *KEYS,
        pl.lit(measure.maat).alias("maat"),
        pl.lit(measure.statistiek).alias("statistiek"),
        pl.col("_waarde").cast(pl.Float64).alias("_waarde"),
        "status",
        "reden",
    )


def _cell_id() -> pl.Expr:
    parts = ("maat", "statistiek", "tabel", "domein", "interventie", "regio", "basis")
    return pl.concat_str(
        [pl.col("jaar").cast(pl.String), *(pl.col(c) for c in parts)], separator="|"
    )


def _groups_for(
    years: list[int], maten: list[tuple[str, str]], split_years: set[int] = frozenset()
) -> pl.DataFrame:
    """The additive relations between cells: sector = sum of domains; per domain, domain =
    sum of its interventions and domain = sum of its regions; per basis, and in the years
    split by basis (`split_years`) every cell of `alle` = its `gemeten` + its `referentie`
    cell. Within one year and measure only: no relation ever crosses years."""

    def cid(
        jaar: int,
        maat: str,
        stat: str,
        tabel: str,
        domein: str,
        i: str = _NA,
        r: str = _NA,
        b: str = ALL_BASES,
    ) -> str:
        return "|".join([str(jaar), maat, stat, tabel, domein, i, r, b])

    keys = [("domein", TOTAL, _NA, _NA)]
    keys += [("domein", d, _NA, _NA) for d in DOMAINS]
    keys += [("interventie", d, i, _NA) for d, per in INTERVENTIONS.items() for i in per]
    keys += [("regio", d, _NA, r) for d in DOMAINS for r in REGIONS]
    spec = []
    for jaar in years:
        bases = BASES if jaar in split_years else (ALL_BASES,)
        for maat, stat in maten:
            for b in bases:
                prefix = f"{jaar}|{maat}|{stat}|{b}"
                spec.append(
                    (
                        f"{prefix}|sector",
                        cid(jaar, maat, stat, "domein", TOTAL, b=b),
                        [cid(jaar, maat, stat, "domein", d, b=b) for d in DOMAINS],
                    )
                )
                for d, per in INTERVENTIONS.items():
                    spec.append(
                        (
                            f"{prefix}|interventie|{d}",
                            cid(jaar, maat, stat, "domein", d, b=b),
                            [cid(jaar, maat, stat, "interventie", d, i=i, b=b) for i in per],
                        )
                    )
                    spec.append(
                        (
                            f"{prefix}|regio|{d}",
                            cid(jaar, maat, stat, "domein", d, b=b),
                            [cid(jaar, maat, stat, "regio", d, r=r, b=b) for r in REGIONS],
                        )
                    )
            if jaar in split_years:
                for tabel, d, i, r in keys:
                    spec.append(
                        (
                            f"{jaar}|{maat}|{stat}|basis|{tabel}|{d}|{i}|{r}",
                            cid(jaar, maat, stat, tabel, d, i, r, ALL_BASES),
                            [cid(jaar, maat, stat, tabel, d, i, r, b) for b in SPLIT],
                        )
                    )
    return additive_groups(spec)


def additive_relations(cells: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The additive measures of a cells table as (cells with id `cel`, groups), ready for
    `disclosure.secondary_suppression` or `disclosure.recoverable_cells`.

    Works on the published table too (null keys are read as "not applicable"), which is what
    an auditor of a release would do.
    """
    additive = [(m.maat, m.statistiek) for m in MEASURES if m.additive]
    sub = cells.filter(
        pl.col("maat").is_in([a for a, _ in additive])
        & pl.col("statistiek").is_in([b for _, b in additive])
    ).with_columns(pl.col("interventie", "regio").fill_null(_NA))
    sub = with_legacy_basis(sub).with_columns(_cell_id().alias("cel"))
    years = sorted(sub["jaar"].unique().to_list())
    split = set(sub.filter(pl.col("basis") != ALL_BASES)["jaar"].unique().to_list())
    present = set(sub.select("maat", "statistiek").unique().rows())
    groups = _groups_for(years, [m for m in additive if m in present], split)
    return sub, groups


def _secondary(raw: pl.DataFrame) -> pl.DataFrame:
    sub, groups = additive_relations(raw)
    if sub.height == 0:
        return raw
    done = secondary_suppression(sub, groups, value="_waarde")
    leaks = recoverable_cells(done, groups)
    if leaks:
        raise RuntimeError(f"suppressed cells still recoverable from margins: {leaks[:5]}")
    updated = done.select(
        *KEYS, "maat", "statistiek", pl.col("status").alias("_s"), pl.col("reden").alias("_r")
    )
    return (
        raw.join(updated, on=[*KEYS, "maat", "statistiek"], how="left", maintain_order="left")
        .with_columns(
            pl.coalesce("_s", "status").alias("status"),
            pl.when(pl.col("_s").is_not_null())
            .then(pl.col("_r"))
            .otherwise(pl.col("reden"))
            .alias("reden"),
        )
        .drop("_s", "_r")
    )


def _publish(raw: pl.DataFrame, rules: DisclosureRules) -> pl.DataFrame:
    """True values -> published values: hide suppressed ones, round, add legend columns."""
    spec = pl.DataFrame(
        {
            "maat": [m.maat for m in MEASURES],
            "statistiek": [m.statistiek for m in MEASURES],
            "_kind": [m.kind for m in MEASURES],
            "eenheid": [m.eenheid for m in MEASURES],
            "_decimals": [m.decimals for m in MEASURES],
        }
    )
    frame = raw.join(spec, on=["maat", "statistiek"], how="left", maintain_order="left")
    counted = pl.col("_kind").is_in(["organisaties", "projecten", "personen", "omvang"])
    rounded = (
        pl.when(pl.col("_kind") == "personen")
        .then(rounded_count(pl.col("_waarde"), rules).cast(pl.Float64))
        .otherwise(_round_to(pl.col("_waarde"), pl.col("_decimals")))
    )
    value = (
        pl.when(pl.col("status") == PUBLISHED)
        .then(rounded)
        .when((pl.col("status") == EMPTY) & counted)
        .then(pl.lit(0.0))
        .otherwise(pl.lit(None, dtype=pl.Float64))
    )
    symbols = {code: r.symbol for code, r in REASONS.items()}
    texts = {code: r.text(rules) for code, r in REASONS.items()}
    return frame.with_columns(
        value.alias("waarde"),
        pl.col("interventie").replace(_NA, None),
        pl.col("regio").replace(_NA, None),
        pl.col("reden")
        .replace_strict(symbols, default=None, return_dtype=pl.String)
        .alias("symbool"),
        pl.col("reden")
        .replace_strict(texts, default=None, return_dtype=pl.String)
        .alias("toelichting"),
    ).select([pl.col(c).cast(t) for c, t in CELL_COLUMNS.items()])


def _round_to(expr: pl.Expr, decimals: pl.Expr) -> pl.Expr:
    # decimals per row (0..3): scale, round to a whole number, unscale.
    scale = pl.lit(10.0).pow(decimals)
    return (expr * scale).round(0) / scale + 0.0  # + 0.0 turns -0.0 into 0.0


def _sorted_cells(cells: pl.DataFrame) -> pl.DataFrame:
    order = {
        "tabel": list(TABLES),
        "domein": [TOTAL, *DOMAINS],
        "interventie": [i for per in INTERVENTIONS.values() for i in per],
        "regio": list(REGIONS),
        "maat": list(dict.fromkeys(m.maat for m in MEASURES)),
        "statistiek": ["aantal", "som", "aandeel", *QUANTILES],
        "basis": list(BASES),
    }
    ranks = [
        pl.col(c)
        .replace_strict(
            {v: i for i, v in enumerate(vals)}, default=len(vals), return_dtype=pl.Int64
        )
        .alias(f"_o_{c}")
        for c, vals in order.items()
    ]
    by = ["_o_tabel", "jaar", "_o_domein", "_o_interventie", "_o_regio", "_o_maat", "_o_statistiek"]
    by.append("_o_basis")
    return cells.with_columns(ranks).sort(by, nulls_last=False).drop([f"_o_{c}" for c in order])


# ---------------------------------------------------------------------------------------------
# Private position of each organisation
# ---------------------------------------------------------------------------------------------


def positions(
    projects: pl.DataFrame,
    rules: DisclosureRules = DisclosureRules(),  # noqa: B008  (frozen, so a safe default)
) -> pl.DataFrame:
    """PRIVATE: each project's percentile within its domain x intervention type x year.

    The percentile is the mid-rank percentile over the projects of the comparison group that
    have a value: 100 x (number of lower values + half the number of equal values, itself
    included) / number of values. A low percentile of cost per participant means cheaper than
    most; a high percentile of bkr means a better benefit/cost ratio than most.

    Only complete project-years (`status` = "volledig") have a position and count in a
    comparison group. A comparison group with fewer than `rules.min_orgs` organisations gives
    no position
    (status "onderdrukt", reden "te_weinig_organisaties", counts null), and a percentile needs
    values from at least `rules.min_orgs` organisations: a position must not tell an
    organisation how a handful of named peers did.
    """
    return _positions(_prepare(projects), rules)


def _positions(prepared: pl.DataFrame, rules: DisclosureRules) -> pl.DataFrame:
    # a reference-based project-year is compared with reference-based ones only
    group = ["jaar", "domein", "interventie", "basis"]
    orgs = pl.col("organisatie_id").n_unique().over(group)
    frame = prepared.with_columns(
        orgs.cast(pl.Int64).alias("_orgs"), pl.len().over(group).cast(pl.Int64).alias("_projects")
    )
    enough = pl.col("_orgs") >= rules.min_orgs
    exprs = []
    for metric in ("bkr", "kosten_per_deelnemer"):
        valid = pl.col(metric).is_not_null()
        n_valid = valid.sum().over(group)
        orgs_valid = pl.col("organisatie_id").filter(valid).n_unique().over(group)
        pct = (pl.col(metric).rank("average").over(group) - 0.5) / n_valid * 100.0
        exprs.append(
            pl.when(enough & valid & (orgs_valid >= rules.min_orgs))
            .then(pct)
            .otherwise(None)
            .round(1)
            .alias(f"{metric}_percentiel")
        )
    return (
        frame.with_columns(
            *exprs,
            pl.when(enough)
            .then(pl.col("_orgs"))
            .otherwise(None)
            .alias("vergelijking_organisaties"),
            pl.when(enough)
            .then(pl.col("_projects"))
            .otherwise(None)
            .alias("vergelijking_projecten"),
            pl.when(enough).then(pl.lit(PUBLISHED)).otherwise(pl.lit(SUPPRESSED)).alias("status"),
            pl.when(enough)
            .then(pl.lit(None, dtype=pl.String))
            .otherwise(pl.lit(TOO_FEW_ORGS))
            .alias("reden"),
        )
        .select([pl.col(c).cast(t) for c, t in POSITION_COLUMNS.items()])
        .sort("organisatie_id", "jaar", "project_id")
    )


# ---------------------------------------------------------------------------------------------
# The intake's reference: the low end of the cost per participant per intervention
# ---------------------------------------------------------------------------------------------

# In the lake (`Lake.reference_path`), so that intake never opens the warehouse.
REFERENCE_QUANTILE = 0.10
REFERENCE_COLUMNS: dict[str, pl.DataType] = {
    "domein": pl.String(),
    "interventie": pl.String(),
    "p10": pl.Float64(),
    "organisaties": pl.Int64(),
    "projectjaren": pl.Int64(),
    "eerste_jaar": pl.Int64(),
    "laatste_jaar": pl.Int64(),
}


def cost_reference(
    projects: pl.DataFrame,
    rules: DisclosureRules = DisclosureRules(),  # noqa: B008  (frozen, so a safe default)
) -> pl.DataFrame:
    """Per intervention: the P10 of the cost per participant over the sector's complete
    project-years of every year (euros of the price year), for intake's warning
    `kosten_per_deelnemer_laag` (docs/validatie.md).

    An intervention is listed only when that P10 could be published as a benchmark cell: at
    least `min_orgs` organisations with a value, no (n, k) dominance of the number of
    project-years, and `min_tail` values below the P10 (so 50 project-years). The warning
    quotes the figure to the organisation; it must say no more about its peers than a
    published cell would.
    """
    prepared = _prepare(projects)
    valued = prepared.filter(
        pl.col("kosten_per_deelnemer").is_not_null() & (pl.col("kosten_per_deelnemer") > 0)
    )
    keys = ["domein", "interventie"]
    defs = pl.DataFrame(
        [(d, i) for d, per in INTERVENTIONS.items() for i in per],
        schema={"domein": pl.String, "interventie": pl.String},
        orient="row",
    )
    decided = primary_suppression(
        valued.with_columns(pl.lit(1.0).alias("bijdrage")),
        keys,
        rules,
        dominance=True,
        quantile=REFERENCE_QUANTILE,
        cells=defs,
    ).filter(pl.col("status") == PUBLISHED)
    values = valued.group_by(keys).agg(
        pl.col("kosten_per_deelnemer")
        .quantile(REFERENCE_QUANTILE, interpolation="linear")
        .alias("p10"),
        pl.len().cast(pl.Int64).alias("projectjaren"),
        pl.col("jaar").min().alias("eerste_jaar"),
        pl.col("jaar").max().alias("laatste_jaar"),
    )
    return (
        decided.join(values, on=keys, how="inner")
        .with_columns(pl.col("organisaties").cast(pl.Int64))
        .select([pl.col(c).cast(t) for c, t in REFERENCE_COLUMNS.items()])
        .sort(keys)
    )


def write_cost_reference(lake_root: Path, reference: pl.DataFrame) -> Path:
    """Replace the reference file in the lake (atomically)."""
    path = Lake(lake_root).reference_path()
    return Lake.write(reference.select(list(REFERENCE_COLUMNS)), path)


def read_cost_reference(lake_root: Path) -> pl.DataFrame | None:
    """The reference the benchmark last wrote, or None when there is none yet."""
    path = Lake(lake_root).reference_path()
    try:
        return pl.read_parquet(path)
    except FileNotFoundError:
        return None
