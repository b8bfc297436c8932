"""The MKBA of several organisations in one call, handed back per organisation.

One organisation is a few hundred to a few thousand rows: computed on its own, the fixed cost
of the engine (≈ 150 small polars queries, the Monte Carlo draws of the parameters) is most of
its time. Computed together, that cost is paid once per batch. The figures do not change:
`compute_mkba` takes its matrix products per organisation, and every frame is keyed and
sorted by organisatie_id, so each organisation's slice equals, to the bit, a call with that
organisation alone (tests/unit/test_mkba_batch.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from rendement.mkba import labour, plans
from rendement.mkba.engine import MkbaResult, compute_mkba, prepare_mkba
from rendement.mkba.params import ParameterSet

RESULT_FRAMES = (
    "project",
    "outcome",
    "scenario",
    "overrides_applied",
    "kosten",
    "schakelwaarden",
    "looptijd",
)


@dataclass(frozen=True)
class OrganisationMkba:
    """One organisation's results: with the standard parameters (comparable across the
    sector) and, when it has overrides, with its own (`eigen`, for its own report)."""

    standaard: MkbaResult
    eigen: MkbaResult | None
    # the expected MKBA of its plans (`mkba.raming`) and the labour-market effects of its
    # standard result (`mkba.arbeidsmarkt`): empty frames when it has none
    raming: pl.DataFrame = field(default_factory=plans.empty)
    arbeidsmarkt: pl.DataFrame = field(default_factory=labour.empty)


def combine_tables(
    tables_by_org: Mapping[str, Mapping[str, pl.DataFrame]],
) -> dict[str, pl.DataFrame]:
    """One frame per table over the organisations, in the order given (missing tables and
    columns are left to the engine, which treats them as empty)."""
    names = sorted({name for tables in tables_by_org.values() for name in tables})
    return {
        name: pl.concat(
            [t[name] for t in tables_by_org.values() if name in t], how="diagonal_relaxed"
        )
        for name in names
    }


def organisation_slice(result: MkbaResult, org: str) -> MkbaResult:
    """The rows of one organisation in every frame of `result`."""
    keep = pl.col("organisatie_id") == org
    frames = {name: getattr(result, name).filter(keep) for name in RESULT_FRAMES}
    return MkbaResult(**frames, parameter_versie=result.parameter_versie)


def compute_per_organisation(
    tables_by_org: Mapping[str, Mapping[str, pl.DataFrame]],
    params: ParameterSet,
    overrides: pl.DataFrame | None = None,
    *,
    draws: int = 2000,
    seed: int = 20261128,
    rates: pl.DataFrame | None = None,
) -> dict[str, OrganisationMkba]:
    """Per organisation (keys of `tables_by_org`, each holding only its own rows) its
    standard MKBA and, if `overrides` has rows for it, its MKBA with those overrides.

    The same as `compute_mkba(tables, params, apply_overrides=False)` and
    `compute_mkba(tables, params, overrides=own)` per organisation, with one preparation of
    the data for all of them.
    """
    tables = combine_tables(tables_by_org)
    inputs = prepare_mkba(tables, params, rates)
    standard = compute_mkba(inputs, params, apply_overrides=False, draws=draws, seed=seed)
    # plans in a call of their own: nothing of them reaches the standard result
    expected = plans.compute_plans(tables, params, rates=rates, draws=draws, seed=seed)
    effects = labour.labour_effects(standard.outcome, params)
    out = {}
    for org in tables_by_org:
        own = None
        if overrides is not None and not overrides.is_empty():
            own = overrides.filter(pl.col("organisatie_id").cast(pl.String) == org)
        eigen = None
        if own is not None and own.height:
            # alone: the variants (and so the shape of the products) are this organisation's
            eigen = compute_mkba(
                inputs.organisations([org]),
                params,
                overrides=own,
                apply_overrides=True,
                draws=draws,
                seed=seed,
            )
        mine = pl.col("organisatie_id") == org
        out[org] = OrganisationMkba(
            standaard=organisation_slice(standard, org),
            eigen=eigen,
            raming=expected.filter(mine),
            arbeidsmarkt=effects.filter(mine),
        )
    return out
