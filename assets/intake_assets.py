"""Intake and validation assets, one partition per organisation (thin: logic in rendement.intake.accept)."""

from functools import partial

import dagster as dg

from assets import versions
from assets.partitions import in_batches, organisations, partition_metadata, single_run
from pipelines.resources import HomeResource, ParametersResource, WorkersResource
from rendement.core.workers import per_organisation
from rendement.intake.accept import accept_orgs, receive_org

INTAKE = "inname"
# Organisations per validation call: the row checks run once per table over all files of a
# batch (`accept_orgs`), and a batch's staged tables are in memory at once.
VALIDATION_BATCH = 16


@dg.asset(
    partitions_def=organisations,
    backfill_policy=single_run,
    group_name=INTAKE,
    kinds={"python", "parquet"},
    code_version=versions.INTAKE,
    description="Ontvangen bestanden uit de inbox van de organisatie: controlegetal berekend, "
    "ongewijzigd gearchiveerd, gelezen (systeem en bestandsformaat herkend), gecontroleerd op "
    "BSN's, cliëntnummers gepseudonimiseerd en klaargezet voor validatie. Een onleesbaar "
    "bestand gaat met een Nederlandse reden naar quarantaine; een bestand dat al eerder binnen "
    "was, wordt overgeslagen.",
)
def uploads(
    context: dg.AssetExecutionContext, home: HomeResource, workers: WorkersResource
) -> dg.MaterializeResult:
    """Uploads received from the organisation's inbox: checksummed, archived unchanged, read
    (system and dialect detected), screened for BSNs, client ids pseudonymised, staged as
    Parquet. Unreadable files go to quarantine with a Dutch reason; duplicates are skipped."""
    h = home.home()
    per_org = per_organisation(partial(receive_org, h), context.partition_keys, workers.pool())
    outcomes = [o for org_outcomes in per_org for o in org_outcomes]
    status = _statuses(outcomes)
    context.log.info(f"{len(outcomes)} uploads: {status}")
    by_org = {
        org: {"uploads": len(found), **_statuses(found)}
        for org, found in zip(context.partition_keys, per_org, strict=True)
    }
    return dg.MaterializeResult(
        metadata=partition_metadata(
            context.partition_keys,
            {
                "uploads": len(outcomes),
                **status,
                **_outcomes(context, outcomes),
            },
            by_org,
        )
    )


def _statuses(outcomes) -> dict[str, int]:
    found = sorted({o.status for o in outcomes})
    return {f"status_{s}": sum(o.status == s for o in outcomes) for s in found}


def _row_counts(outcomes) -> tuple[int, int]:
    """Rows read and rows accepted over `outcomes` (intake's counts per table)."""
    rows_in = sum(sum(c.get("rijen", 0) for c in o.aantallen.values()) for o in outcomes)
    rows_ok = sum(sum(c.get("geaccepteerd", 0) for c in o.aantallen.values()) for o in outcomes)
    return rows_in, rows_ok


VALIDATION_CHECK = "validatie"
BLOCKING_CHECK = "niet_alles_afgekeurd"


@dg.asset(
    partitions_def=organisations,
    backfill_policy=single_run,
    group_name=INTAKE,
    kinds={"pandera", "parquet"},
    code_version=versions.INTAKE,
    deps=[uploads],
    description="Aangenomen tabellen per organisatie en verslagjaar, gecontroleerd met de "
    "pandera-modellen en de regels tussen tabellen. Afgekeurde rijen gaan met regel en waarde "
    "naar de quarantainetabel; het validatierapport (HTML en JSON, in het Nederlands) komt op "
    "de eigen pagina's van de organisatie. De standaardkosten van de parameterset schatten de "
    "kosten van een projectjaar voor de waarschuwing over onwaarschijnlijk lage kosten per "
    "deelnemer.",
    check_specs=[
        dg.AssetCheckSpec(
            VALIDATION_CHECK,
            asset="accepted_tables",
            description="Geen levering in deze run is als geheel afgekeurd. Een organisatie "
            "waarvan de laatste levering is afgekeurd blijft buiten de sectorbenchmark.",
        ),
        dg.AssetCheckSpec(
            BLOCKING_CHECK,
            asset="accepted_tables",
            blocking=True,
            description="Blokkeert de rest van de run als elke organisatie in de run is "
            "afgekeurd (bij een losse herlevering: die ene organisatie).",
        ),
    ],
)
def accepted_tables(
    context: dg.AssetExecutionContext,
    home: HomeResource,
    parameters: ParametersResource,
    workers: WorkersResource,
):
    """Accepted canonical tables per organisation and period, validated with the pandera models
    and cross-table rules. Rejected rows go to the quarantine table with rule and value; a
    validation report (HTML and JSON, in Dutch) goes to the organisation's private site. The
    parameter set's standard costs estimate a project-year's costs for the warning about an
    implausibly low cost per participant."""
    h = home.home()
    per_batch = per_organisation(
        partial(accept_orgs, h, parameters=parameters.path),
        in_batches(context.partition_keys, VALIDATION_BATCH),
        workers.pool(),
    )
    per_org = [found for batch in per_batch for found in batch]  # in the partition keys' order
    outcomes = [o for org_outcomes in per_org for o in org_outcomes]
    rows_in, rows_ok = _row_counts(outcomes)
    rejected_files = [o for o in outcomes if o.status == "geweigerd"]
    blocked_orgs = {o.organisatie_id for o in rejected_files}
    by_org = {}
    for org, found in zip(context.partition_keys, per_org, strict=True):
        n_in, n_ok = _row_counts(found)
        by_org[org] = {
            "uploads": len(found),
            "rijen_in": n_in,
            "rijen_geaccepteerd": n_ok,
            "rijen_afgekeurd": n_in - n_ok,
        }
    yield dg.MaterializeResult(
        metadata=partition_metadata(
            context.partition_keys,
            {
                "uploads": len(outcomes),
                "rijen_in": rows_in,
                "rijen_geaccepteerd": rows_ok,
                "rijen_afgekeurd": rows_in - rows_ok,
                **_outcomes(context, outcomes),
            },
            by_org,
        )
    )
    all_blocked = bool(blocked_orgs) and blocked_orgs >= set(context.partition_keys)
    yield dg.AssetCheckResult(
        check_name=BLOCKING_CHECK,
        passed=not all_blocked,
        metadata={"organisaties_afgekeurd": len(blocked_orgs)},
    )
    yield dg.AssetCheckResult(
        check_name=VALIDATION_CHECK,
        passed=not rejected_files,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "bestanden_afgekeurd": len(rejected_files),
            "organisaties_buiten_benchmark": ", ".join(sorted(blocked_orgs)) or "geen",
            "rijen_in": rows_in,
            "rijen_afgekeurd": rows_in - rows_ok,
        },
    )


def _outcomes(context: dg.AssetExecutionContext, outcomes) -> dict:
    """The list of files, for a run of one organisation only. A run over a range of partitions
    records one materialisation per organisation, each with this metadata: a list of other
    organisations' files would be copied into every one of them (the counts are the summary)."""
    if len(context.partition_keys) != 1:
        return {}
    return {"uitkomsten": dg.MetadataValue.md(_outcomes_md(outcomes))}


def _outcomes_md(outcomes) -> str:
    if not outcomes:
        return "Geen nieuwe leveringen."
    lines = ["| organisatie | bestand | status | periode |", "|---|---|---|---|"]
    for o in outcomes[:50]:
        lines.append(f"| {o.organisatie_id} | {o.bestand} | {o.status} | {o.periode or ''} |")
    if len(outcomes) > 50:
        lines.append(f"| … | {len(outcomes) - 50} meer | | |")
    return "\n".join(lines)
