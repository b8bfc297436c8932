"""Reading the project's YAML files (the MKBA parameter sets, the layouts of registration
systems) in one way: PyYAML's safe loader, in its C form (LibYAML) when PyYAML was built with
it, as its wheels are.

Every stage of a run reads the parameter set (intake's cost norm, the MKBA, the benchmarks, the
reports), and every worker process the layouts: the pure-Python loader took ≈ 37 ms for the
25 kB parameter file, the C loader ≈ 4 ms, with the same safe constructor and resolver (what a
file means does not change; `tests/unit/test_yamlfile.py` checks every shipped file both ways).
"""

from __future__ import annotations

from typing import IO, Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(source: str | bytes | IO) -> Any:
    """The YAML document in `source` (text, bytes or an open file), safely."""
    return yaml.load(source, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)


__all__ = ["SAFE_LOADER", "load_yaml"]
