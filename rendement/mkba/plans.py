"""Plans (ex ante): the expected MKBA of a project sheet of soort `raming`.

A plan says what an organisation expects to reach in a year: people reached, optionally how
many of them reach an outcome, its budget and, in words, its qualitative effects. Its
expected MKBA is the same computation as a realisation's MKBA by reference
(`rendement.mkba.reference`), on tables made from the plan alone:

- reach and outcome counts: the plan's own rows of `projectopgave` (`opgegeven`), else the
  sector's reference rate or a literature rate times the people it expects to reach, with
  that rate's uncertainty in the Monte Carlo interval; no trajectories or measurements (a
  plan has none);
- costs: the plan's `begroting` (on its totals row); without one, the paid FTE, volunteers
  and own cost lines of the project's latest realised year before or in the plan's year,
  indexed to the price year (`eerder jaar`); without either, no costs: the estimate is
  incomplete (benefits shown, no ratio).

The result (`mkba.raming`) is kept apart from every realised figure: it is computed in its own
call, written to its own table, and never read by the benchmark, the published tables or a
release. Reports show it as a raming (estimate).
"""

from __future__ import annotations

import polars as pl

from rendement.mkba import effects
from rendement.mkba.engine import compute_mkba
from rendement.mkba.params import ParameterSet
from rendement.mkba.reference import bases_strongest_first
from rendement.mkba.status import COMPLETE, INCOMPLETE
from schemas.outputs import PLAN_COST_SOURCES, columns, polars_schema

KEYS = ["organisatie_id", "project_id", "jaar"]
TABLE = "mkba.raming"
PLAN = "raming"
REALISED = "realisatie"
BUDGET, EARLIER, NONE = PLAN_COST_SOURCES
# The cost line a budget becomes inside the plan's computation (own costs, so no standard
# staff or volunteer costs are added to it).
_BUDGET_KIND = "overhead"
NO_COSTS_REASON = "geen begroting in de raming en geen eerder jaar met kosten"


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(TABLE))


def plan_rows(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The project-sheet rows of kind raming (the canonical columns)."""
    sheet = effects.table(tables, "projectopgave")
    return sheet.filter(pl.col("soort") == PLAN)


def _totals(plans: pl.DataFrame) -> pl.DataFrame:
    """Per plan (project × year) its totals row: reach and budget."""
    return (
        plans.filter(pl.col("uitkomst").is_null())
        .group_by(KEYS)
        .agg(pl.col("bereikt").max(), pl.col("begroting").max())
        .sort(KEYS)
    )


def _earlier_year(tables: dict[str, pl.DataFrame], totals: pl.DataFrame) -> pl.DataFrame:
    """Per plan without a budget: the project's latest realised year (with inzet or kosten)
    in or before the plan's year (KEYS + `_van`)."""
    realised = effects.project_years(tables).select(
        "organisatie_id", "project_id", pl.col("jaar").alias("_van")
    )
    return (
        totals.filter(pl.col("begroting").is_null())
        .select(KEYS)
        .join(realised, on=["organisatie_id", "project_id"], how="inner")
        .filter(pl.col("_van") <= pl.col("jaar"))
        .group_by(KEYS)
        .agg(pl.col("_van").max())
    )


def _plan_costs(
    tables: dict[str, pl.DataFrame], totals: pl.DataFrame, params: ParameterSet
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(inzet, kosten, source per plan): the effort and cost lines the plan's computation
    reads, in the plan's year, and where they came from (`kostenbron`)."""
    inzet_schema = effects.table(tables, "inzet").schema
    kosten_schema = effects.table(tables, "kosten").schema
    budget = totals.filter(pl.col("begroting").is_not_null())
    budget_lines = budget.select(
        *KEYS,
        pl.lit(_BUDGET_KIND).alias("kostensoort"),
        # a budget is in euros of its own year: the engine indexes it like any cost line
        pl.col("begroting").cast(pl.Float64).alias("bedrag"),
    )
    earlier = _earlier_year(tables, totals)
    inzet = (
        effects.table(tables, "inzet")
        .rename({"jaar": "_van"})
        .join(earlier, on=["organisatie_id", "project_id", "_van"], how="inner")
    )
    kosten = (
        effects.table(tables, "kosten")
        .rename({"jaar": "_van"})
        .join(earlier, on=["organisatie_id", "project_id", "_van"], how="inner")
    )
    if kosten.height:
        # indexed from their own year to the plan's year, so that the engine's indexing of
        # the plan's year brings them to the price year exactly once
        pairs = kosten.select("_van", "jaar").unique()
        factors = pairs.with_columns(
            pl.Series(
                "_f",
                [
                    params.index_factor(int(a)) / params.index_factor(int(b))
                    for a, b in pairs.iter_rows()
                ],
                dtype=pl.Float64,
            )
        )
        kosten = kosten.join(factors, on=["_van", "jaar"], how="left").with_columns(
            pl.col("bedrag") * pl.col("_f")
        )
    # every plan is a project-year of the computation, also without any cost (an empty
    # effort row), so that its expected benefits are shown
    no_cost = (
        totals.select(KEYS)
        .join(budget.select(KEYS), on=KEYS, how="anti")
        .join(earlier.select(KEYS), on=KEYS, how="anti")
    )
    empty_effort = no_cost.with_columns(
        pl.lit(0.0).alias("fte_betaald"),
        pl.lit(0.0).alias("uren_betaald"),
        pl.lit(0).alias("vrijwilligers"),
        pl.lit(0.0).alias("uren_vrijwilligers"),
    )
    inzet_frames = [
        inzet.drop("_van").select(inzet_schema.keys()).cast(inzet_schema),
        empty_effort.select(
            [
                pl.col(c).cast(t) if c in empty_effort.columns else pl.lit(None, t).alias(c)
                for c, t in inzet_schema.items()
            ]
        ),
    ]
    kosten_frames = [
        kosten.select(kosten_schema.keys()).cast(kosten_schema),
        budget_lines.select(
            [
                pl.col(c).cast(t) if c in budget_lines.columns else pl.lit(None, t).alias(c)
                for c, t in kosten_schema.items()
            ]
        ),
    ]
    source = (
        totals.select(KEYS)
        .join(budget.select(*KEYS, pl.lit(True).alias("_b")), on=KEYS, how="left")
        .join(earlier.select(*KEYS, pl.lit(True).alias("_e")), on=KEYS, how="left")
        .select(
            *KEYS,
            pl.when(pl.col("_b"))
            .then(pl.lit(BUDGET))
            .when(pl.col("_e"))
            .then(pl.lit(EARLIER))
            .otherwise(pl.lit(NONE))
            .alias("kostenbron"),
        )
    )
    return pl.concat(inzet_frames), pl.concat(kosten_frames), source


def plan_tables(
    tables: dict[str, pl.DataFrame], params: ParameterSet
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """The tables of the plans' computation and the cost source per plan (empty tables when
    there is no plan with a totals row)."""
    plans = plan_rows(tables)
    totals = _totals(plans)
    # a plan counts as the realisation of its own computation: the reference method reads
    # realised reach and counts
    sheet = plans.join(totals.select(KEYS), on=KEYS, how="semi").with_columns(
        pl.lit(REALISED).alias("soort")
    )
    inzet, kosten, source = _plan_costs(tables, totals, params)
    out = {
        "project": effects.table(tables, "project"),
        "inzet": inzet,
        "kosten": kosten,
        "projectopgave": sheet,
    }
    return out, source


def compute_plans(
    tables: dict[str, pl.DataFrame],
    params: ParameterSet,
    *,
    rates: pl.DataFrame | None = None,
    draws: int = 2000,
    seed: int = 20261128,
) -> pl.DataFrame:
    """`mkba.raming`: the expected MKBA of every plan in `tables` (standard parameters, the
    sector's reference `rates`), one row per organisatie × project × jaar."""
    inputs, source = plan_tables(tables, params)
    if source.is_empty():
        return empty()
    result = compute_mkba(
        inputs, params, apply_overrides=False, draws=draws, seed=seed, rates=rates
    )
    bases = result.outcome.group_by(KEYS).agg(bases_strongest_first(pl.col("basis")).alias("basis"))
    reach = _totals(plan_rows(tables)).select(*KEYS, pl.col("bereikt").fill_null(0))
    project = (
        result.project.join(source, on=KEYS, how="inner")
        .join(bases, on=KEYS, how="left")
        .join(reach, on=KEYS, how="left")
        .with_columns(pl.col("bereikt").fill_null(0).cast(pl.Int64))
    )
    no_costs = ~(pl.col("kosten") > 0)
    return (
        project.with_columns(
            pl.when(no_costs).then(pl.lit(INCOMPLETE)).otherwise(pl.lit(COMPLETE)).alias("status"),
            pl.when(no_costs).then(pl.lit(NO_COSTS_REASON)).alias("reden"),
        )
        .with_columns(
            pl.when(~no_costs).then(pl.col(c)).alias(c) for c in ("bkr", "bkr_p05", "bkr_p95")
        )
        .sort(KEYS)
        .select(columns(TABLE))
        .cast(polars_schema(TABLE))
    )
