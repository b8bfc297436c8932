"""The bootstrap intervals of the median benefit/cost ratio kept between runs, by the version of
what each is computed from, so a run bootstraps only the cells whose values changed.

`sector_intervals` bootstraps the median ratio of every open cell (2,000 draws over its
organisations, `rendement.benchmark.aggregates._median_interval`): ≈ 0,5 s at 540
organisations and ten million trajectories, every run, also after one organisation's re-upload,
which changes the values of the few cells it has projects in. An interval is a function of the
cell's key (its seed), its values per organisation (as a set of sorted lists: the draws do not
depend on which organisation has which id) and the code, so it is kept under the version of
those (`rendement.core.versions`, kept as a `versions.Kept`) in the lake (`Lake.bootstrap_path`). The file holds versions
and bounds, no values; each run keeps exactly the entries it used, so it is as large as the
open years' cells.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from rendement.benchmark import aggregates
from rendement.core import versions
from rendement.core.lake import Lake
from rendement.core.versions import Kept

Bounds = tuple[float, float] | None
_SCHEMA = {"versie": pl.String, "onder": pl.Float64, "boven": pl.Float64}


@functools.cache
def _code() -> str:
    """The bootstrap's code (its draws, seeds and level live in `aggregates`) and numpy's
    version (its generator makes the draws)."""
    return versions.code_version([Path(aggregates.__file__)], ["numpy"])


def cell_version(key: tuple, per_org: Sequence[np.ndarray]) -> str:
    """The version of one cell's bootstrap: its key and its organisations' values."""
    values = sorted(tuple(sorted(v.tolist())) for v in per_org)
    return versions.digest(_code(), repr(key), repr(values))


class BootstrapMemo(Kept[Bounds]):
    """The intervals of earlier runs by version (`known`); `done`: how many this run
    bootstrapped, `reused`: how many it took over."""

    def __init__(self, known: dict[str, Bounds] | None = None):
        super().__init__(dict(known or {}).__getitem__)

    @classmethod
    def load(cls, lake: Lake) -> BootstrapMemo:
        path = lake.bootstrap_path()
        if not path.is_file():
            return cls()
        frame = pl.read_parquet(path)
        return cls(
            {
                v: (None if lo is None else (lo, hi))
                for v, lo, hi in frame.select(list(_SCHEMA)).iter_rows()
            }
        )

    def interval(
        self,
        key: tuple,
        per_org: Sequence[np.ndarray],
        compute: Callable[[list[np.ndarray], tuple], Bounds],
    ) -> Bounds:
        """The interval of a cell: kept when its version is known, else `compute`d."""
        return self.get(cell_version(key, per_org), lambda: compute(list(per_org), key))

    def save(self, lake: Lake) -> Path:
        """Keep the intervals this run used, and no others."""
        rows = [(v, *(b if b is not None else (None, None))) for v, b in sorted(self.used.items())]
        return Lake.write(pl.DataFrame(rows, schema=_SCHEMA, orient="row"), lake.bootstrap_path())


__all__ = ["BootstrapMemo", "cell_version"]
