"""Sector-scale benchmark of the pipeline against a plain polars/pandera/DuckDB baseline.

`python bench/run.py --help`; what it measures and the latest table: `docs/performance.md`.
"""
