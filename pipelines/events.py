"""Dagster's events per run: proportional to stages, not to organisations or files.

What a run writes to the instance's event log (counted per type by `bench/child.py`): per step
a start, outputs and a success; per asset check a planned and an evaluation event; per asset a
planned and a materialisation event. The assets summarise: one `MaterializeResult` per stage with
counts (and at most 50 rows of outcomes), one log line per stage, nothing per file.

What remains per organisation is Dagster's record of partitions: the three per-organisation
assets (`uploads`, `accepted_tables`, `project_mkba`) are partitioned, and a run over a range of
partitions writes, per asset, one materialisation per partition (that is how the UI and the
sensor's partition status know what is fresh) and, on the open-source storages by default, one
planned event per partition as well. The planned events are batched into one per asset with
Dagster's own switch for single-run backfills (`DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS`,
the maintainers' advice in dagster-io/dagster#32242). Its price, as Dagster documents in #29288:
when such a run fails, its partitions are not shown as failed in the UI (the run is); nothing in
this project reads partition failure.
"""

from __future__ import annotations

import os

PLANNED_EVENTS_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


def batch_planned_events() -> None:
    """One planned event per asset, not per partition, for runs created in this process (unless
    the variable is set already: an operator's choice wins)."""
    os.environ.setdefault(PLANNED_EVENTS_ENV, "true")


__all__ = ["PLANNED_EVENTS_ENV", "batch_planned_events"]
