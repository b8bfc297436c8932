"""great-tables as this project uses it: import `GT` from here, not from great_tables.

great-tables 1.1 re-reads its locale CSV files from disk on every locale-aware format call
(about 7 ms each; a validation report with a few formatted columns spent 90 % of its time
there). The files are package data that never change while the process runs, so their parsed
rows are cached here once. The cached rows are handed out as fresh lists of copied dicts, so a
caller that mutates them cannot affect another.
"""

from __future__ import annotations

import functools

from great_tables import GT, _locale, loc, md, style  # noqa: F401  (re-exported)

_uncached_read_csv = _locale.read_csv


@functools.cache
def _rows(fname: str) -> tuple[dict, ...]:
    return tuple(_uncached_read_csv(fname))


def _cached_read_csv(fname) -> list[dict]:
    return [dict(row) for row in _rows(str(fname))]


_locale.read_csv = _cached_read_csv

__all__ = ["GT", "loc", "md", "style"]
