"""Organisations are a dynamic partition: the inbox sensor adds one when it first uploads."""

import dagster as dg

from rendement.core.runs import ORGANISATIONS

organisations = dg.DynamicPartitionsDefinition(name=ORGANISATIONS)

# A full-sector rebuild runs as one run over all organisations, not one run per organisation.
single_run = dg.BackfillPolicy.single_run()

# Assets that write the DuckDB file share this pool; the instance limits it to one at a time.
WAREHOUSE_POOL = "warehouse"
