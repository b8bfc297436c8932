"""Measured and reference-based project-years, apart: the benchmark's `basis` dimension.

A project-year's figures rest on client trajectories and measurements (`gemeten`) or, for an
organisation without client-level registrations, on its own aggregate counts or a reference
rate (`mkba.project.basis`, derived once by `rendement.mkba.reference.project_basis`). Their
percentiles are never pooled: every benchmark cell exists per basis (`gemeten`,
`referentie`), and the sums and counts also for both together (`alle`), so a reader sees which
part of the sector is measured (docs/benchmarks.md, "Gemeten en referentie").
"""

from __future__ import annotations

import polars as pl

from schemas.outputs import (
    ALL_BASES,
    BENCHMARK_BASES,
    MEASURED_BASIS,
    QUANTITY_BASES,
    REFERENCE_BASIS,
)

__all__ = [
    "ALL_BASES",
    "BASES",
    "MEASURED_BASIS",
    "REFERENCE_BASIS",
    "SPLIT",
    "benchmark_basis",
    "with_benchmark_basis",
]

BASES = BENCHMARK_BASES
SPLIT = (MEASURED_BASIS, REFERENCE_BASIS)  # the two parts; `alle` is their sum


def benchmark_basis(project_basis: pl.Expr) -> pl.Expr:
    """`gemeten` for a measured project-year, `referentie` for every other basis (own counts
    and reference rates alike: neither comes from the sector's measurements). A result made
    before the column existed (null) was measured: reference-based ones did not exist then."""
    unknown = ~project_basis.is_in(list(QUANTITY_BASES)) & project_basis.is_not_null()
    return (
        pl.when(unknown)
        .then(pl.lit(None, pl.String))
        .when(project_basis.is_null() | (project_basis == QUANTITY_BASES[0]))
        .then(pl.lit(MEASURED_BASIS))
        .otherwise(pl.lit(REFERENCE_BASIS))
    )


def with_benchmark_basis(projects: pl.DataFrame, name: str = "basis") -> pl.DataFrame:
    """`projects` (mkba.project rows) with column `name` holding the benchmark basis; raises
    ValueError on a basis outside the vocabulary."""
    source = pl.col("basis") if "basis" in projects.columns else pl.lit(None, pl.String)
    out = projects.with_columns(benchmark_basis(source).alias(name))
    if out[name].null_count():
        bad = projects.filter(out[name].is_null())["basis"].unique().to_list()
        raise ValueError(f"mkba.project.basis outside the vocabulary: {bad}")
    return out
