"""The assets' code versions (`rendement.core.versions`): the packages whose code decides what
each stage writes. Dagster compares them with the code version of the last materialisation and
shows a stage as stale after a change of its code; the data versions the assets report come
from the same module."""

from pathlib import Path

import rendement
import schemas
import sources
from rendement.core.versions import package_version

_ROOT = Path(rendement.__file__).parent
_CORE = _ROOT / "core"
_SCHEMAS = Path(schemas.__file__).parent
_SOURCES = Path(sources.__file__).parent

INTAKE = package_version(_ROOT / "intake", _SCHEMAS, _SOURCES, _CORE)
MKBA = package_version(_ROOT / "mkba", _ROOT / "params", _CORE, libraries=("numpy", "polars"))
WAREHOUSE = package_version(_CORE, _SCHEMAS, libraries=("duckdb",))
BENCHMARK = package_version(_ROOT / "benchmark", _ROOT / "mkba", _CORE, _SCHEMAS)
REPORTS = package_version(
    _ROOT / "reports",
    _ROOT / "benchmark",
    _CORE,
    libraries=("great-tables", "htmltools", "polars"),
)
