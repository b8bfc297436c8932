"""sociaal-rendement: the sector pipeline behind the MKBA of Dutch social work.

Plain domain logic lives in this package (no Dagster needed); `assets/` and `pipelines/` wire it
into Dagster, `sources/` reads registration-system exports and `schemas/` declares the tables.
"""

__version__ = "0.1.0"
