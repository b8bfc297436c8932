"""MKBA engine: a project-level social cost-benefit analysis as plain functions on polars frames.

    from rendement.mkba import load_parameters, compute_mkba
    params = load_parameters()                      # the shipped standard set
    result = compute_mkba(tables, params)           # tables: canonical frames by name
    result.project                                  # one row per organisatie × project × jaar

See docs/mkba.md for the method and the parameter file.
"""

from rendement.mkba.engine import MkbaResult, compute_mkba
from rendement.mkba.params import ParameterSet, load_parameters
from rendement.mkba.verantwoording import verantwoording_markdown, verantwoording_table

__all__ = [
    "MkbaResult",
    "ParameterSet",
    "compute_mkba",
    "load_parameters",
    "verantwoording_markdown",
    "verantwoording_table",
]
