"""The costing rule the MKBA and intake's plausibility check share, so that intake estimates a
project-year's costs exactly the way the MKBA counts them.

A project-year costs its own cost lines, plus its paid FTE at the standard wage cost unless it
has an own line of kostensoort ``personeel``, plus its volunteers at the standard coordination
and expenses unless it has an own line of kostensoort ``vrijwilligers`` (docs/mkba.md).
"""

from __future__ import annotations

import polars as pl

# Own cost lines of these kinds replace the standard cost of paid staff and of volunteers.
OWN_STAFF = "personeel"
OWN_VOLUNTEERS = "vrijwilligers"


def own_costs(lines: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Per `keys`: the sum of the own cost lines (`eigen`, summed in sorted order so the sum
    does not depend on the order rows arrived in) and whether an own staff or volunteer line
    replaces the standard cost (`eigen_personeel`, `eigen_vrijwilligers`)."""
    return lines.group_by(keys).agg(
        pl.col("bedrag").fill_null(0.0).sort().sum().alias("eigen"),
        (pl.col("kostensoort") == OWN_STAFF).any().alias("eigen_personeel"),
        (pl.col("kostensoort") == OWN_VOLUNTEERS).any().alias("eigen_vrijwilligers"),
    )
