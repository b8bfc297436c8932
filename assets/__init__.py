"""Dagster assets, thin wrappers around the plain functions in `rendement`.

Some parameters used here (backfill policies, pools) are marked beta by Dagster; silence those
warnings once, here, so the CLI and the UI stay readable.
"""

import warnings

import dagster as dg

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
