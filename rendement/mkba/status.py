"""Whether a project-year's MKBA is complete (`mkba.project.status`), in one place.

A project-year without costs is incomplete ("onvolledig", with a Dutch `reden` such as "geen
kosten over 2024 aangeleverd"): its benefits would stand against nothing, so it has no ratio
and counts in no sector figure (cells, positions, the reports' aggregates, group ratios, the
intake's cost reference). The engine sets the status; everything downstream filters with
`complete_project_years`.
"""

from __future__ import annotations

import polars as pl

STATUS_COLUMN = "status"
COMPLETE = "volledig"
INCOMPLETE = "onvolledig"


def complete_project_years(projects: pl.DataFrame) -> pl.DataFrame:
    """The complete project-years of an MKBA project result (`status` = "volledig").

    An incomplete project-year (say 65 participants and no costs delivered) has a benefit but
    no cost: counted, it would put a cost per participant of 0 in a percentile, its
    participants in the reach and its organisation in the count of a cell, and give it a
    position against its peers. Raises ValueError when the column is missing (a result from
    before the column existed: run the MKBA again) or holds another value.
    """
    if STATUS_COLUMN not in projects.columns:
        raise ValueError(
            "MKBA project result lacks the column 'status' (volledig/onvolledig): "
            "compute the MKBA again"
        )
    status = projects[STATUS_COLUMN].cast(pl.String)
    unknown = sorted(set(status.drop_nulls().unique().to_list()) - {COMPLETE, INCOMPLETE})
    if unknown or status.null_count():
        shown = unknown + (["<leeg>"] if status.null_count() else [])
        raise ValueError(
            f"MKBA project result has status values outside volledig/onvolledig: {shown}"
        )
    return projects.filter(status == COMPLETE)
