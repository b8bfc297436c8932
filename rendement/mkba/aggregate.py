"""The rendementsfactor of a group of projects (a domain, an intervention, the sector): the sum
of their benefits over the sum of their costs, with a Monte Carlo interval and switching
values.

The interval of a group is not a combination of its projects' intervals: a parameter (the
WELLBY, the cost of an FTE) has one uncertain value for every project at once, so the group's
draws take each parameter once per iteration across all its projects. Benefits are linear in
the quantities and costs in the standard rates, so a group needs only its summed quantities
per outcome pathway and its summed cost lines (from `mkba.uitkomst` and `mkba.kosten`); the
parameter draws are those of `montecarlo.draw_parameters` with the engine's seed, the same
draws every project-year was computed with.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from rendement.mkba.effects import KEYS
from rendement.mkba.engine import cost_ranges, nan_to_null, pathway_ranges
from rendement.mkba.montecarlo import (
    draw_parameters,
    interval,
    multiplier_without,
    ratio,
    switching_correction,
)
from rendement.mkba.params import PATHWAY_KINDS, ParameterSet
from rendement.mkba.status import complete_project_years
from schemas.outputs import group_memberships, polars_schema

# tabel → the columns that make a group (besides jaar); `domein` also gets the sector total.
GROUPINGS: dict[str, list[str]] = {"domein": ["domein"], "interventie": ["domein", "interventie"]}
# The published table `benchmark.rendementsfactor` is declared in schemas/outputs.py;
# `group_ratios` gives its columns before `rendement.benchmark.published.published_ratios`
# adds the disclosure status.
PUBLISHED_COLUMNS: dict[str, pl.DataType] = polars_schema("benchmark.rendementsfactor")
_DISCLOSURE = ("status", "reden", "basis")  # added by published_ratios
RATIO_COLUMNS: dict[str, pl.DataType] = {
    c: t for c, t in PUBLISHED_COLUMNS.items() if c not in _DISCLOSURE
}
_GROUP = ["tabel", "jaar", "domein", "interventie"]


def _memberships(projects: pl.DataFrame) -> pl.DataFrame:
    """Every project-year once per group it belongs to (KEYS + _GROUP)."""
    base = projects.select(*KEYS, "domein", "interventie")  # KEYS hold jaar
    return group_memberships(base, ("interventie",), empty=None).select(
        *KEYS, "tabel", "domein", "interventie"
    )


def group_ratios(
    projects: pl.DataFrame,
    outcomes: pl.DataFrame,
    kosten: pl.DataFrame,
    params: ParameterSet,
    *,
    draws: int = 2000,
    seed: int = 20261128,
) -> pl.DataFrame:
    """`RATIO_COLUMNS` per year and group (per domain, the sector total `totaal`, and per
    domain × intervention) over the complete project-years in `projects` (`mkba.project`,
    standard parameters), with `outcomes` = `mkba.uitkomst` and `kosten` = `mkba.kosten` of
    the same run. Incomplete project-years are left out.

    - bkr: Σ baten / Σ kosten;
    - bkr_p05, bkr_p95: the 90 % interval of Σ baten / Σ kosten over the Monte Carlo draws,
      each parameter drawn once per draw for all projects of the group;
    - switching values as per project-year (`docs/mkba.md`), for the group's sums.
    """
    complete = complete_project_years(projects)
    if complete.is_empty():
        return pl.DataFrame(schema=RATIO_COLUMNS)
    member = _memberships(complete)
    groups = (
        member.join(complete.select(*KEYS, "kosten", "baten"), on=KEYS, how="left")
        .group_by(_GROUP)
        .agg(
            pl.len().cast(pl.Int64).alias("projecten"),
            pl.col("organisatie_id").n_unique().cast(pl.Int64).alias("organisaties"),
            pl.col("kosten").sort().sum(),
            pl.col("baten").sort().sum(),
        )
        .sort(_GROUP, nulls_last=True)
        .with_row_index("_g")
    )
    member = member.join(groups.select(*_GROUP, "_g"), on=_GROUP, how="left", nulls_equal=True)
    n_groups = groups.height

    # summed welfare quantities per group and pathway (a quantity is repeated per stakeholder)
    order = {pw.code: i for i, pw in enumerate(params.uitkomsten)}
    welfare = (
        outcomes.filter(pl.col("gewaardeerd") & ~pl.col("is_transfer"))
        .unique([*KEYS, "uitkomst"])
        .select(*KEYS, "uitkomst", "hoeveelheid")
        .join(member.select(*KEYS, "_g"), on=KEYS, how="inner")
    )
    q = np.zeros((n_groups, len(order)))
    np.add.at(
        q,
        (
            welfare["_g"].to_numpy(),
            welfare["uitkomst"].replace_strict(order, return_dtype=pl.Int64).to_numpy(),
        ),
        welfare["hoeveelheid"].to_numpy(),
    )
    # summed cost lines per group: own lines, and the standard-costed staff and volunteers
    lines = kosten.join(member.select(*KEYS, "_g"), on=KEYS, how="inner")

    def summed(keep: pl.Expr) -> np.ndarray:
        part = lines.filter(keep).group_by("_g").agg(pl.col("bedrag").sort().sum())
        out = np.zeros(n_groups)
        out[part["_g"].to_numpy()] = part["bedrag"].to_numpy()
        return out

    standard = pl.col("herkomst") == "standaard"
    fixed = summed(~standard)
    staff = summed(standard & (pl.col("kostensoort") == "personeel"))
    volunteers = summed(standard & (pl.col("kostensoort") == "vrijwilligers"))

    pr, cr = pathway_ranges([params]), cost_ranges([params])
    rate = params.discount_rate
    m, c = draw_parameters(pr, cr, rate, draws, seed)  # (D, J), per kind (D, 1)
    base = {k: v[1][0] for k, v in cr.values.items()}
    per_volunteer = c["vrijwilliger_coordinatie"][:, 0] + c["vrijwilliger_onkosten"][:, 0]
    base_volunteer = base["vrijwilliger_coordinatie"] + base["vrijwilliger_onkosten"]
    benefit_draws = q @ m.T  # (G, D)
    cost_draws = (
        fixed[:, None]
        + staff[:, None] * (c["fte"][:, 0] / base["fte"])[None, :]
        + volunteers[:, None] * (per_volunteer / base_volunteer)[None, :]
    )
    bounds = interval(ratio(benefit_draws, cost_draws), inplace=True)

    base_values = {k: pr.values[k][1] for k in PATHWAY_KINDS}
    cost = groups["kosten"].to_numpy()
    benefits = groups["baten"].to_numpy()

    def switching(correction: str) -> np.ndarray:
        return switching_correction(q @ multiplier_without(base_values, rate, correction), cost)

    values = {
        "bkr": ratio(benefits, cost),
        "bkr_p05": bounds[0],
        "bkr_p95": bounds[1],
        "deadweight_bij_bkr_1": switching("deadweight"),
        "attributie_bij_bkr_1": switching("attributie"),
        "eenheidswaarden_factor_bij_bkr_1": ratio(cost, benefits),
    }
    return groups.with_columns(nan_to_null(v, k) for k, v in values.items()).select(
        list(RATIO_COLUMNS)
    )
