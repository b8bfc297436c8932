"""Declarations and checks of the canonical tables (pandera, polars backend).

`RULES_VERSION` is recorded with every upload's outcome so that a result can always be traced
to the rules it was validated with. Bump it when a rule changes meaning.
"""

RULES_VERSION = "2026.2"  # 2026.2: warnings geen_kosten, kosten_per_deelnemer_laag
