"""The project MKBA per organisation (thin: the engine is rendement.mkba)."""

from functools import partial

import dagster as dg
import polars as pl

from assets.intake_assets import accepted_tables
from assets.partitions import organisations, single_run
from pipelines.resources import HomeResource, ParametersResource
from rendement.home import Home
from rendement.lake import Lake, per_organisation
from rendement.mkba import compute_mkba

MKBA = "mkba"
RESULTS = {"project": "project", "uitkomst": "outcome", "scenario": "scenario"}


@dg.asset(
    partitions_def=organisations,
    backfill_policy=single_run,
    group_name=MKBA,
    kinds={"polars", "parquet"},
    deps=[accepted_tables],
)
def project_mkba(
    context: dg.AssetExecutionContext, home: HomeResource, parameters: ParametersResource
) -> dg.MaterializeResult:
    """Project-level MKBA per project and year: costs, benefits per stakeholder after
    deadweight, displacement, attribution and drop-off, discounted at the standard rate; NPV,
    benefit/cost ratio, scenarios and a seeded Monte Carlo interval. Always computed with the
    standard parameter set (comparable across the sector); an organisation's own overrides
    give a second result for its own report only."""
    h = home.home()
    params = parameters.load()
    overrides = parameters.overrides(h)
    work = partial(mkba_org, h, params, overrides)
    projects = sum(per_organisation(work, context.partition_keys))
    return dg.MaterializeResult(
        metadata={"projectjaren": projects, "parameterversie": params.version}
    )


def mkba_org(h: Home, params, overrides: pl.DataFrame, org: str) -> int:
    """The MKBA of one organisation into the lake; returns its number of project-years.
    (Module level, so that organisations can be computed in a pool of processes.)"""
    lake = Lake(h.lake)
    tables = lake.accepted_tables(org)
    result = compute_mkba(tables, params, apply_overrides=False)
    for name, attr in RESULTS.items():
        lake.write(getattr(result, attr), lake.mkba_path(name, org))
    own = overrides.filter(pl.col("organisatie_id") == org)
    if own.height:
        eigen = compute_mkba(tables, params, overrides=own, apply_overrides=True)
        lake.write(eigen.project, lake.mkba_path("project_eigen", org))
        lake.write(eigen.overrides_applied, lake.mkba_path("overrides", org))
    else:
        for name in ("project_eigen", "overrides"):
            lake.mkba_path(name, org).unlink(missing_ok=True)
    return result.project.height
