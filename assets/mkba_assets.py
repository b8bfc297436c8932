"""The project MKBA per organisation (thin: the engine is rendement.mkba)."""

from functools import partial

import dagster as dg
import polars as pl

from assets import versions
from assets.intake_assets import accepted_tables
from assets.partitions import in_batches, organisations, partition_metadata, single_run
from pipelines.resources import HomeResource, ParametersResource, WorkersResource
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.registry import Registry
from rendement.core.workers import per_organisation
from rendement.mkba import overrides as deviations
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
# Results that exist only for some organisations (plans; labour-market effects): written when
# the organisation has rows, removed when it no longer has, so no stale rows stay behind.
SOMETIMES = {"raming": "raming", "arbeidsmarkt": "arbeidsmarkt"}
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
    context: dg.AssetExecutionContext,
    home: HomeResource,
    parameters: ParametersResource,
    workers: WorkersResource,
) -> dg.MaterializeResult:
    """Project-level MKBA per project and year: costs, benefits per stakeholder after
    deadweight, displacement, attribution and drop-off, discounted at the standard rate; NPV,
    benefit/cost ratio, scenarios and a seeded Monte Carlo interval. Always computed with the
    standard parameter set (comparable across the sector); an organisation's own overrides
    give a second result for its own report only."""
    h = home.home()
    params = parameters.load()
    given, unreadable = parameters.overrides(h)
    registered = frozenset(Registry.load(h.registry).organisations())
    overrides = (given, registered)
    lake = Lake(h.lake)
    used = lake_rates(lake)
    work = partial(mkba_orgs, h, params, overrides, used)
    pool = workers.pool()
    per_batch = per_organisation(work, in_batches(context.partition_keys, BATCH_SIZE), pool)
    counts = [n for batch in per_batch for n in batch]  # in the order of the partition keys
    # the sector's reference rates follow from the measured results just written; where
    # they changed, the organisations that rest on them are computed again with the new ones
    rates = rates_from_lake(lake)
    lake.write(rates, lake.effects_reference_path())
    again = (
        [] if used is not None and used.equals(rates) else referencing(lake, context.partition_keys)
    )
    if again:
        per_organisation(
            partial(mkba_orgs, h, params, overrides, rates), in_batches(again, BATCH_SIZE), pool
        )
    # the last step of the run that uses the workers before the warehouse load, which needs
    # the memory they hold more than the report pages need them warm
    workers.release()
    refused = _refusals(lake, params, context.partition_keys, given, registered, unreadable)
    for message in refused:
        context.log.warning(f"afwijking geweigerd: {message}")
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
            "afwijkingen_geweigerd": len(refused),
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


def _refusals(lake: Lake, params, orgs, given, registered, unreadable) -> list[str]:
    """What the analyst sees in the run: the refused deviations of these organisations (as
    written beside their results), of organisations not in the register, and an unreadable
    file."""
    out = [r.message for r in unreadable]
    out += [r.message for org in orgs for r in deviations.refused_at_last_run(lake, org)]
    strangers = [d for d in given if d.organisatie_id not in registered]
    out += [r.message for r in deviations.check(strangers, params, registered).refused]
    return out


def mkba_orgs(
    h: Home,
    params,
    overrides: tuple[list, frozenset[str]],
    rates: pl.DataFrame | None,
    orgs: tuple[str, ...],
) -> list[int]:
    """The MKBA of a batch of organisations into the lake, one file per organisation and
    result; returns their numbers of project-years. `overrides`: every deviation given and
    the registered organisations; those of this batch are checked here, against each
    organisation's delivered projects, and a refused one only leaves that deviation out.
    (Module level, so that batches can be computed in a pool of processes.)"""
    lake = Lake(h.lake)
    given, registered = overrides
    tables = {org: lake.accepted_tables(org, INPUT_TABLES) for org in orgs}
    projects = {
        org: set(t["project"]["project_id"].to_list()) if "project" in t else set()
        for org, t in tables.items()
    }
    mine = [d for d in given if d.organisatie_id in tables]
    checked = deviations.check(mine, params, registered, projects)
    results = compute_per_organisation(
        tables, params, deviations.engine_frame(checked.accepted), rates=rates
    )
    counts = []
    for org, res in results.items():
        own = deviations.for_organisation(checked, org)
        record_path = lake.mkba_path(deviations.LAKE_NAME, org)
        if own.accepted or own.refused:
            lake.write(deviations.records(own, params), record_path)
        else:
            record_path.unlink(missing_ok=True)
        for name, attr in RESULTS.items():
            lake.write(getattr(res.standaard, attr), lake.mkba_path(name, org))
        if res.eigen is not None:
            lake.write(res.eigen.project, lake.mkba_path("project_eigen", org))
            lake.write(res.eigen.overrides_applied, lake.mkba_path("overrides", org))
        else:
            for name in ("project_eigen", "overrides"):
                lake.mkba_path(name, org).unlink(missing_ok=True)
        for name, attr in SOMETIMES.items():
            frame = getattr(res, attr)
            if frame.height:
                lake.write(frame, lake.mkba_path(name, org))
            else:
                lake.mkba_path(name, org).unlink(missing_ok=True)
        counts.append(res.standaard.project.height)
    return counts
