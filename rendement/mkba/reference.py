"""MKBA by reference: outcome quantities for project-years without client-level measurements.

Much of the sector registers activities or yearly counts, not trajectories with T0/T1
measurements (`activiteit`, `projectopgave`). For such a project-year (no trajectory active in
the year, but a number of people reached) every applicable outcome pathway gets its quantity
from the first of:

1. `opgegeven`: the organisation's own aggregate count of that outcome in `projectopgave`
   (soort realisatie), at most the number reached;
2. `referentie sector`: the sector's pooled rate for the project's intervention and the
   outcome, from measured project-years of at least `MIN_ORGANISATIONS` organisations
   (`sector_rates`), times the number reached; its 90 % interval enters the Monte Carlo;
3. `referentie literatuur`: a sourced rate per person reached in the parameter set
   (`uitkomsten[].referentie`), times the number reached, with its range;
4. otherwise the outcome gets no quantity: the people reached are counted, nothing is priced.

Every quantity carries its `basis`; quantities from trajectories and measurements are
`gemeten`. See docs/mkba.md ("MKBA op referentie") for the method and its limits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from rendement.core.lake import Lake, read_stacked
from rendement.mkba.params import ParameterSet
from rendement.mkba.status import COMPLETE
from schemas.outputs import QUANTITY_BASES
from schemas.tables import polars_schema
from schemas.vocabulary import ALL_INTERVENTIONS

KEYS = ["organisatie_id", "project_id", "jaar"]
MEASURED, REPORTED, SECTOR, LITERATURE = QUANTITY_BASES
# The bases as ranks, strongest (0, measured) to weakest: every "weakest of" and "strongest
# first" in the MKBA and its reports reads this one order.
BASIS_RANK = {b: i for i, b in enumerate(QUANTITY_BASES)}
BASIS_OF_RANK = dict(enumerate(QUANTITY_BASES))


def bases_strongest_first(bases: pl.Expr) -> pl.Expr:
    """The distinct bases of `bases` (in an aggregation), strongest first, joined with ', '
    (`gemeten, referentie sector`)."""
    unique = bases.unique()
    return unique.sort_by(unique.replace_strict(BASIS_RANK, default=len(BASIS_RANK))).str.join(", ")


MIN_ORGANISATIONS = 5
Z90 = 1.6448536269514722  # two-sided 90 %: the interval the Monte Carlo reports

RATE_SCHEMA = {
    "interventie": pl.String,
    "uitkomst": pl.String,
    "organisaties": pl.Int64,
    "deelnemers": pl.Int64,
    "rate_laag": pl.Float64,
    "rate": pl.Float64,
    "rate_hoog": pl.Float64,
}
# Per reference-based quantity: its basis and relative range (low/base, high/base), and the
# key whose draw it shares (one rate per intervention × outcome).
SPREAD_SCHEMA = {
    **{k: pl.Int64 if k == "jaar" else pl.String for k in KEYS},
    "uitkomst": pl.String,
    "basis": pl.String,
    "s_laag": pl.Float64,
    "s_hoog": pl.Float64,
    "sleutel": pl.Int64,
}


def empty_rates() -> pl.DataFrame:
    return pl.DataFrame(schema=RATE_SCHEMA)


def sector_rates(project: pl.DataFrame, outcome: pl.DataFrame) -> pl.DataFrame:
    """Pooled rates per intervention × outcome from measured, complete project-years.

    `project`, `outcome`: the MKBA results (`mkba.project`, `mkba.uitkomst`) of the sector.
    The rate is Σ quantity / Σ participants over the organisations; its interval comes from
    the spread between organisations (a cluster-robust standard error, organisations as
    clusters: participants of one organisation are not independent draws), ± 1.645 SE,
    never below 0. Only where at least `MIN_ORGANISATIONS` organisations measured it.
    """
    if project.is_empty() or outcome.is_empty():
        return empty_rates()
    measured = project.filter((pl.col("status") == COMPLETE) & (pl.col("deelnemers") > 0))
    rows = outcome
    if "basis" in rows.columns:
        rows = rows.filter(pl.col("basis") == MEASURED)
    quantity = rows.group_by([*KEYS, "uitkomst"]).agg(pl.col("hoeveelheid").first())
    per_org = (
        quantity.join(measured.select(*KEYS, "interventie", "deelnemers"), on=KEYS, how="inner")
        .group_by("interventie", "uitkomst", "organisatie_id")
        .agg(pl.col("hoeveelheid").sum().alias("q"), pl.col("deelnemers").sum().alias("n"))
    )
    pooled = per_org.group_by("interventie", "uitkomst").agg(
        pl.len().cast(pl.Int64).alias("organisaties"),
        pl.col("n").sum().cast(pl.Int64).alias("deelnemers"),
        (pl.col("q").sum() / pl.col("n").sum()).alias("rate"),
    )
    spread = (
        per_org.join(pooled, on=["interventie", "uitkomst"])
        .with_columns(((pl.col("q") / pl.col("n") - pl.col("rate")) * pl.col("n")).alias("_d"))
        .group_by("interventie", "uitkomst")
        .agg(
            (
                (pl.col("_d") ** 2).sum()
                * pl.len()
                / (pl.len() - 1)
                / pl.col("n").sum().cast(pl.Float64) ** 2
            )
            .sqrt()
            .alias("_se")
        )
    )
    return (
        pooled.join(spread, on=["interventie", "uitkomst"])
        .filter(pl.col("organisaties") >= MIN_ORGANISATIONS)
        .with_columns(
            (pl.col("rate") - Z90 * pl.col("_se")).clip(lower_bound=0.0).alias("rate_laag"),
            (pl.col("rate") + Z90 * pl.col("_se")).alias("rate_hoog"),
        )
        .sort("interventie", "uitkomst")
        .select(list(RATE_SCHEMA))
    )


def _table(tables: dict[str, pl.DataFrame], name: str) -> pl.DataFrame:
    schema = polars_schema(name)
    df = tables.get(name)
    if df is None:
        return pl.DataFrame(schema=schema)
    return df.select(
        pl.col(c).cast(t) if c in df.columns else pl.lit(None, t).alias(c)
        for c, t in schema.items()
    )


def reach(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """People reached per project-year: `bereikt` of the realised project sheet, else the
    sum of the distinct participants of the activities that started in the year (an upper
    bound when people join several activities). KEYS + bereikt (Int64)."""
    sheet = (
        _table(tables, "projectopgave")
        .filter(
            (pl.col("soort") == "realisatie")
            & pl.col("uitkomst").is_null()
            & pl.col("bereikt").is_not_null()
        )
        .group_by(KEYS)
        .agg(pl.col("bereikt").max())
    )
    activities = (
        _table(tables, "activiteit")
        .filter(pl.col("unieke_deelnemers").is_not_null())
        .with_columns(pl.col("startdatum").dt.year().cast(pl.Int64).alias("jaar"))
        .group_by(KEYS)
        .agg(pl.col("unieke_deelnemers").sum().alias("_act"))
    )
    return (
        sheet.join(activities, on=KEYS, how="full", coalesce=True)
        .select(*KEYS, pl.coalesce("bereikt", "_act").cast(pl.Int64).alias("bereikt"))
        .filter(pl.col("bereikt") > 0)
    )


def _reported(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return (
        _table(tables, "projectopgave")
        .filter(
            (pl.col("soort") == "realisatie")
            & pl.col("uitkomst").is_not_null()
            & pl.col("aantal").is_not_null()
        )
        .group_by([*KEYS, "uitkomst"])
        .agg(pl.col("aantal").max().cast(pl.Float64).alias("_opgegeven"))
    )


def _literature(params: ParameterSet) -> pl.DataFrame:
    rows = [
        (pw.code, pw.referentie.laag, pw.referentie.basis, pw.referentie.hoog)
        for pw in params.uitkomsten
        if not pw.referentie.is_null
    ]
    return pl.DataFrame(
        rows,
        schema={
            "uitkomst": pl.String,
            "_l_laag": pl.Float64,
            "_l": pl.Float64,
            "_l_hoog": pl.Float64,
        },
        orient="row",
    )


def _key(interventie: pl.Expr, uitkomst: pl.Expr, params: ParameterSet) -> pl.Expr:
    """A stable integer per intervention × outcome (the same whatever else is computed), so
    that an organisation's draws do not depend on the batch it is computed in."""
    i = interventie.replace_strict(
        {c: n for n, c in enumerate(ALL_INTERVENTIONS)}, default=len(ALL_INTERVENTIONS)
    )
    o = uitkomst.replace_strict({pw.code: n for n, pw in enumerate(params.uitkomsten)})
    return (i.cast(pl.Int64) * 1000 + o.cast(pl.Int64)).alias("sleutel")


@dataclass(frozen=True)
class Referenced:
    """Quantities with their basis, participant counts with the reach of reference-based
    project-years (per year, and per project over its years: the largest year's reach, as
    people of different years cannot be told apart), and the spread of the reference-based
    quantities (`SPREAD_SCHEMA`)."""

    quantities: pl.DataFrame
    counts: pl.DataFrame
    spread: pl.DataFrame
    reach: pl.DataFrame

    def project_counts(self, measured: pl.DataFrame) -> pl.DataFrame:
        """`measured` (organisatie_id, project_id, deelnemers over the whole period) with the
        projects that only have a reach added."""
        pkeys = ["organisatie_id", "project_id"]
        reached = self.reach.group_by(pkeys).agg(pl.col("bereikt").max().alias("deelnemers"))
        extra = reached.join(measured, on=pkeys, how="anti").select(measured.columns)
        if extra.is_empty():
            return measured
        return pl.concat([measured, extra.cast(measured.schema)]).sort(pkeys)


def apply_reference(
    quantities: pl.DataFrame,
    counts: pl.DataFrame,
    py: pl.DataFrame,
    tables: dict[str, pl.DataFrame],
    params: ParameterSet,
    rates: pl.DataFrame | None,
) -> Referenced:
    """Quantities by reference for project-years without trajectories that have a reach.

    Project-years with an active trajectory keep their quantities (`gemeten`); so do
    project-years with neither trajectories nor a reach (nothing to refer to: their
    quantities are the zeros the registration shows).
    """
    rates = rates if rates is not None else empty_rates()
    reached = reach(tables).join(
        counts.filter(pl.col("deelnemers") == 0).select(KEYS), on=KEYS, how="semi"
    )
    q = quantities.join(reached, on=KEYS, how="left", maintain_order="left").join(
        py.select(*KEYS, "interventie"), on=KEYS, how="left", maintain_order="left"
    )
    q = (
        q.join(_reported(tables), on=[*KEYS, "uitkomst"], how="left", maintain_order="left")
        .join(
            rates.select("interventie", "uitkomst", "rate_laag", "rate", "rate_hoog"),
            on=["interventie", "uitkomst"],
            how="left",
            maintain_order="left",
        )
        .join(_literature(params), on="uitkomst", how="left", maintain_order="left")
    )
    by_ref = pl.col("bereikt").is_not_null()
    n = pl.col("bereikt").cast(pl.Float64)
    basis = (
        pl.when(~by_ref)
        .then(pl.lit(MEASURED))
        .when(pl.col("_opgegeven").is_not_null())
        .then(pl.lit(REPORTED))
        .when(pl.col("rate").is_not_null())
        .then(pl.lit(SECTOR))
        .when(pl.col("_l").is_not_null())
        .then(pl.lit(LITERATURE))
    )
    q = q.with_columns(basis.alias("basis")).filter(pl.col("basis").is_not_null())
    amount = (
        pl.when(pl.col("basis") == MEASURED)
        .then(pl.col("hoeveelheid"))
        .when(pl.col("basis") == REPORTED)
        .then(pl.min_horizontal("_opgegeven", n))
        .when(pl.col("basis") == SECTOR)
        .then(pl.col("rate") * n)
        .otherwise(pl.col("_l") * n)
    )

    def relative(level: str, lit: str) -> pl.Expr:
        return (
            pl.when(pl.col("basis") == SECTOR)
            .then(pl.when(pl.col("rate") > 0).then(pl.col(level) / pl.col("rate")))
            .when(pl.col("basis") == LITERATURE)
            .then(pl.when(pl.col("_l") > 0).then(pl.col(lit) / pl.col("_l")))
            .fill_null(1.0)
        )

    q = q.with_columns(
        amount.alias("hoeveelheid"),
        relative("rate_laag", "_l_laag").alias("s_laag"),
        relative("rate_hoog", "_l_hoog").alias("s_hoog"),
        _key(pl.col("interventie"), pl.col("uitkomst"), params),
    )
    spread = q.filter(pl.col("basis").is_in([SECTOR, LITERATURE])).select(list(SPREAD_SCHEMA))
    referenced_counts = (
        counts.join(reached, on=KEYS, how="left", maintain_order="left")
        .with_columns(
            pl.coalesce(pl.col("bereikt"), pl.col("deelnemers")).cast(pl.Int64).alias("deelnemers")
        )
        .drop("bereikt")
    )
    return Referenced(
        quantities=q.select(*quantities.columns, "basis"),
        counts=referenced_counts,
        spread=spread,
        reach=reached,
    )


def project_basis(
    py: pl.DataFrame, quantities: pl.DataFrame, reached: pl.DataFrame | None
) -> pl.Series:
    """What each project-year of `py` rests on (`mkba.project.basis`), in `py`'s order.

    `gemeten` for a project-year computed from trajectories and measurements; for one computed
    by reference (it has a reach, `Referenced.reach`) the weakest basis among its quantities
    (counted ones included: the label is conservative), or `opgegeven` when no pathway applied
    (its one figure, the people reached, is the organisation's own count). Derived here once;
    the benchmark maps it to `gemeten` / `referentie` (`rendement.benchmark.basis`)."""
    rank = BASIS_RANK
    if reached is None or reached.is_empty():
        return pl.Series("basis", [MEASURED] * py.height, dtype=pl.String)
    weakest = (
        quantities.filter(pl.col("basis") != MEASURED)
        .group_by(KEYS)
        .agg(pl.col("basis").replace_strict(rank, return_dtype=pl.Int64).max().alias("_r"))
    )
    flagged = (
        reached.select(KEYS)
        .unique()
        .join(weakest, on=KEYS, how="left")
        .with_columns(pl.col("_r").fill_null(rank[REPORTED]))
    )
    return (
        py.select(KEYS)
        .join(flagged, on=KEYS, how="left", maintain_order="left")
        .select(
            pl.col("_r")
            .fill_null(rank[MEASURED])
            .replace_strict(BASIS_OF_RANK, return_dtype=pl.String)
            .alias("basis")
        )
        .to_series()
    )


def period_basis(project: pl.DataFrame) -> pl.DataFrame:
    """Per project (organisatie_id, project_id) the weakest `basis` of its project-years, for
    `mkba.project_looptijd`: a period with one reference-based year rests partly on it."""
    return project.group_by("organisatie_id", "project_id").agg(
        pl.col("basis")
        .replace_strict(BASIS_RANK, return_dtype=pl.Int64)
        .max()
        .replace_strict(BASIS_OF_RANK, return_dtype=pl.String)
        .alias("basis")
    )


def rate_cells(
    spread: pl.DataFrame, py: pl.DataFrame, j_of: dict[str, int], variant: dict
) -> tuple[np.ndarray, ...]:
    """(pathway column, project-year row, key, low, high) per reference-based quantity, for
    `montecarlo.simulate` (the columns as the engine's quantity matrix has them)."""
    if spread.is_empty():
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0), np.zeros(0)
    index = py.select(KEYS).with_row_index("_p")
    cells = spread.join(index, on=KEYS, how="left", maintain_order="left")
    p = cells["_p"].cast(pl.Int64).to_numpy()
    j = np.array(
        [
            variant[(org, project)] * len(j_of) + j_of[o]
            for org, project, o in cells.select("organisatie_id", "project_id", "uitkomst").rows()
        ],
        dtype=np.int64,
    )
    return j, p, cells["sleutel"].to_numpy(), cells["s_laag"].to_numpy(), cells["s_hoog"].to_numpy()


def lake_rates(lake: Lake) -> pl.DataFrame | None:
    """The reference rates last written to the lake (None before the first)."""
    path = lake.effects_reference_path()
    return pl.read_parquet(path) if path.is_file() else None


# The columns `sector_rates` reads of each MKBA result: reading only these halves the time of
# reading the sector's files (1.080 at 540 organisations: 0,15-0,20 → 0,10 s).
RATE_INPUTS = {
    "project": (*KEYS, "status", "deelnemers", "interventie"),
    "uitkomst": (*KEYS, "uitkomst", "hoeveelheid", "basis"),
}


def rates_from_lake(lake: Lake) -> pl.DataFrame:
    """`sector_rates` over the MKBA results in the lake of every organisation not blocked."""

    def frames(result: str) -> pl.DataFrame | None:
        files = [
            f
            for f in sorted(lake.mkba_dir(result).glob("[!.]*.parquet"))
            if not lake.is_blocked(f.stem)
        ]
        return read_stacked(files, RATE_INPUTS[result]) if files else None

    project, outcome = frames("project"), frames("uitkomst")
    if project is None or outcome is None:
        return empty_rates()
    return sector_rates(project, outcome)
