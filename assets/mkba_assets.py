"""The project MKBA per organisation (thin: the engine is rendement.mkba)."""

from functools import partial

import dagster as dg
import polars as pl

from assets import versions
from assets.intake_assets import accepted_tables
from assets.partitions import in_batches, organisations, partition_metadata, single_run
from pipelines.resources import HomeResource, ParametersResource
from rendement.core.home import Home
from rendement.core.lake import Lake, per_organisation
from rendement.mkba.batch import compute_per_organisation
from rendement.mkba.engine import INPUT_TABLES
from rendement.mkba.reference import lake_rates, rates_from_lake

MKBA = "mkba"
# Lake name → attribute of the engine's result; each becomes the warehouse table mkba.<name>.
RESULTS = {
    "project": "project",
    "uitkomst": "outcome",
    "scenario": "scenario",
    "kosten": "kosten",
    "schakelwaarden": "schakelwaarden",
    "project_looptijd": "looptijd",
}
# Organisations per engine call: the engine's fixed cost is paid once per batch; a batch's
# tables are in memory at once, so not the whole sector.
BATCH_SIZE = 16


@dg.asset(
    partitions_def=organisations,
    backfill_policy=single_run,
    group_name=MKBA,
    kinds={"polars", "parquet"},
    code_version=versions.MKBA,
    deps=[accepted_tables],
    description="De MKBA per project en jaar: kosten, baten per baathebber na deadweight, "
    "verdringing, attributie en drop-off, verdisconteerd met de standaardvoet; netto contante "
    "waarde, rendementsfactor, scenario's en een Monte Carlo-interval met vaste startwaarde. "
    "Altijd met de standaardparameters (vergelijkbaar in de hele sector); de eigen afwijkingen "
    "van een organisatie geven een tweede uitkomst, alleen voor haar eigen rapport.",
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
    lake = Lake(h.lake)
    used = lake_rates(lake)
    work = partial(mkba_orgs, h, params, overrides, used)
    per_batch = per_organisation(work, batches(context.partition_keys))
    counts = [n for batch in per_batch for n in batch]  # in the order of the partition keys
    # the sector's reference rates follow from the measured results just written; where
    # they changed, the organisations that rest on them are computed again with the new ones
    rates = rates_from_lake(lake)
    lake.write(rates, lake.effects_reference_path())
    again = (
        [] if used is not None and used.equals(rates) else referencing(lake, context.partition_keys)
    )
    if again:
        per_organisation(partial(mkba_orgs, h, params, overrides, rates), batches(again))
    by_org = {
        org: {"projectjaren": n} for org, n in zip(context.partition_keys, counts, strict=True)
    }
    metadata = partition_metadata(context.partition_keys, {"projectjaren": sum(counts)}, by_org)
    return dg.MaterializeResult(
        metadata={
            **metadata,
            "parameterversie": params.version,
            "referentie_effecten": rates.height,
            "opnieuw_op_referentie": len(again),
        }
    )


def referencing(lake: Lake, orgs: list[str]) -> list[str]:
    """The organisations (of `orgs`) with project-years without trajectories but with a reach:
    their quantities may rest on the sector's reference rates."""
    return [
        org
        for org in orgs
        if lake.accepted_files("projectopgave", org) or lake.accepted_files("activiteit", org)
    ]


def batches(orgs: list[str], size: int = BATCH_SIZE) -> list[tuple[str, ...]]:
    """The organisations in consecutive batches of at most `size` (`in_batches`)."""
    return in_batches(orgs, size)


def mkba_orgs(
    h: Home, params, overrides: pl.DataFrame, rates: pl.DataFrame | None, orgs: tuple[str, ...]
) -> list[int]:
    """The MKBA of a batch of organisations into the lake, one file per organisation and
    result; returns their numbers of project-years. (Module level, so that batches can be
    computed in a pool of processes.)"""
    lake = Lake(h.lake)
    results = compute_per_organisation(
        {org: lake.accepted_tables(org, INPUT_TABLES) for org in orgs},
        params,
        overrides,
        rates=rates,
    )
    counts = []
    for org, res in results.items():
        for name, attr in RESULTS.items():
            lake.write(getattr(res.standaard, attr), lake.mkba_path(name, org))
        if res.eigen is not None:
            lake.write(res.eigen.project, lake.mkba_path("project_eigen", org))
            lake.write(res.eigen.overrides_applied, lake.mkba_path("overrides", org))
        else:
            for name in ("project_eigen", "overrides"):
                lake.mkba_path(name, org).unlink(missing_ok=True)
        counts.append(res.standaard.project.height)
    return counts
