"""Organisations are a dynamic partition: the inbox sensor adds one when it first uploads."""

import math

import dagster as dg

from rendement.core.runs import ORGANISATIONS

organisations = dg.DynamicPartitionsDefinition(name=ORGANISATIONS)

# A full-sector rebuild runs as one run over all organisations, not one run per organisation.
single_run = dg.BackfillPolicy.single_run()


def in_batches(orgs: list[str], size: int) -> list[tuple[str, ...]]:
    """The organisations in consecutive batches of at most `size`, as equal as possible: the
    work of a per-organisation asset that pays a fixed cost per call pays it once per batch."""
    n = max(1, math.ceil(len(orgs) / size))
    step = math.ceil(len(orgs) / n) if orgs else 1
    return [tuple(orgs[i : i + step]) for i in range(0, len(orgs), step)]


# Assets that write the DuckDB file share this pool; the instance limits it to one at a time.
WAREHOUSE_POOL = "warehouse"


def partition_metadata(
    partition_keys: list[str], totals: dict, per_org: dict[str, dict] | None = None
) -> dict:
    """The metadata of one materialization of a per-organisation asset.

    Dagster records a run's metadata on every partition it materialized (there is no metadata
    per partition in a run over a range of them). A run for one organisation (the inbox
    sensor's) gets its own figures; a run over several (a sector rebuild) names its figures as
    the whole run's (`run_…`, `organisaties_in_run`), so that an organisation's partition never
    shows the sector's totals as its own, and lists each organisation's figures in a table."""
    if len(partition_keys) == 1:
        return totals
    out: dict = {"organisaties_in_run": len(partition_keys)}
    out.update({f"run_{k}": v for k, v in totals.items() if not isinstance(v, dg.MetadataValue)})
    out.update({k: v for k, v in totals.items() if isinstance(v, dg.MetadataValue)})
    if per_org:
        out["per_organisatie"] = dg.MetadataValue.md(_per_org_md(per_org))
    return out


MAX_TABLE_ROWS = 100


def _per_org_md(per_org: dict[str, dict]) -> str:
    columns = sorted({c for figures in per_org.values() for c in figures})
    lines = ["| organisatie | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for org in sorted(per_org)[:MAX_TABLE_ROWS]:
        figures = per_org[org]
        lines.append(f"| {org} | " + " | ".join(str(figures.get(c, "")) for c in columns) + " |")
    if len(per_org) > MAX_TABLE_ROWS:
        lines.append(f"| … {len(per_org) - MAX_TABLE_ROWS} meer |" + " |" * len(columns))
    return "\n".join(lines)
