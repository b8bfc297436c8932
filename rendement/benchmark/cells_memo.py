"""The benchmark cells of an open year kept between runs, by the version of what they are
computed from, so a run computes only the years whose projects changed.

`sector_benchmark` computes every cell of every open year with its disclosure control
(`rendement.benchmark.cells`): ≈ 0,47 s at 540 organisations and ten million trajectories,
every run, also after one organisation's re-upload, which usually changes one year. The cells
of one year depend on that year's complete project-years only (every additive relation, and so
every complementary suppression, stays within one year and measure: `cells._groups_for`), so a
year's cells are a function of its prepared project rows (as a set), the disclosure rules and
the code, and are kept under the version of those (a `versions.Kept`) in the lake
(`Lake.cells_memo_path`): the published form only (a suppressed cell's value is not in it),
the same rows `benchmark.cellen` holds. Each run keeps exactly the years it used.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import polars as pl

from rendement.benchmark.disclosure import DisclosureRules
from rendement.core import versions
from rendement.core.lake import Lake
from rendement.core.versions import Kept

_VERSION = "versie"


@functools.cache
def _code() -> str:
    """The benchmark package's code (cells, disclosure, vocabulary) and polars' version."""
    return versions.package_version(Path(__file__).parent, libraries=("polars",))


def year_version(rows: pl.DataFrame, rules: DisclosureRules) -> str:
    """The version of one year's cells: its prepared project rows as a set, and the rules."""
    return versions.digest(_code(), repr(rules), versions.frame_version(rows))


class CellsMemo(Kept[pl.DataFrame]):
    """The cells of earlier runs' years by version; `done`: the years this run computed,
    `reused`: the years it took over."""

    def __init__(self, known: dict[str, pl.DataFrame] | None = None):
        super().__init__(dict(known or {}).__getitem__)

    @classmethod
    def load(cls, lake: Lake) -> CellsMemo:
        path = lake.cells_memo_path()
        if not path.is_file():
            return cls()
        frame = pl.read_parquet(path)
        if frame.is_empty():  # a run with every year closed by a release kept none
            return cls()
        return cls(
            {
                key[0]: part.drop(_VERSION)
                for key, part in frame.partition_by(_VERSION, as_dict=True).items()
            }
        )

    def year(
        self, rows: pl.DataFrame, rules: DisclosureRules, compute: Callable[[], pl.DataFrame]
    ) -> pl.DataFrame:
        """One year's cells: kept when the version of its rows is known, else `compute`d."""
        return self.get(year_version(rows, rules), compute)

    def save(self, lake: Lake) -> Path:
        """Keep the years this run used, and no others."""
        parts = [
            cells.with_columns(pl.lit(version, pl.String).alias(_VERSION))
            for version, cells in sorted(self.used.items())
        ]
        frame = pl.concat(parts, how="vertical") if parts else pl.DataFrame({_VERSION: []})
        return Lake.write(frame, lake.cells_memo_path())


__all__ = ["CellsMemo", "year_version"]
