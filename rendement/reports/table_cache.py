"""The great-tables HTML of the site's shared pages, kept by the version of what each table is
made from, so a site build renders only the tables that changed.

The shared pages (the entry page, the jaaroverzicht of every year, vergelijking,
verantwoording) are rendered at every site build: one organisation's re-upload moves the
provisional figures of its domains, and with them parts of these pages. Most of their tables do
not move: the earlier years, the other domains, the parameter tables. A great-tables table costs
≈ 10 ms however small (its styles are compiled and every cell is set one by one), and these
pages have ≈ 40 of them.

A table's key is the version (`rendement.core.versions`, kept as a `versions.Kept`) of its frame (names, types and every
row, in order), its id and options, and the code that renders it (`rendement.reports.tables`
with the versions of great-tables and polars): a table whose key is known is the same HTML, so
nothing can be stale. The tables live in the site version itself, `site/.tabellen/<key>.html`
(hidden: the portal serves no hidden names, `openbaar/` copies none), so they are switched with
the site and hard-linked into the next version like its pages; a build keeps exactly the tables
its shared pages used. The organisation pages do not use it: their own part is kept whole
(`rendement.reports.org_pages`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path

from rendement.core.files import write_atomic
from rendement.core.versions import Kept

TABLE_CACHE = ".tabellen"
_ACTIVE: ContextVar[TableCache | None] = ContextVar("table_cache", default=None)


class TableCache(Kept[str]):
    """The tables of one build in `folder` (`done`: rendered, `reused`: read back)."""

    def __init__(self, folder: Path):
        super().__init__(self._read)
        self.folder = folder

    def _read(self, key: str) -> str:
        try:
            return (self.folder / f"{key}.html").read_text(encoding="utf-8")
        except FileNotFoundError:
            raise KeyError(key) from None

    def html(self, key: str, render: Callable[[], str]) -> str:
        """The table of `key`: read back when an earlier build made it, else rendered."""

        def rendered() -> str:
            out = render()
            write_atomic(self.folder / f"{key}.html", out)
            return out

        return self.get(key, rendered)

    def prune(self) -> None:
        """Remove the tables this build did not use (and any temporary file left behind)."""
        for entry in self.folder.iterdir():
            if entry.name.removesuffix(".html") not in self.used:
                entry.unlink(missing_ok=True)


def active() -> TableCache | None:
    """The cache of the build that is rendering now (None: render every table)."""
    return _ACTIVE.get()


@contextlib.contextmanager
def tables_kept(site: Path) -> Iterator[TableCache]:
    """Render the shared pages of the site version `site` with its table cache; when they are
    all rendered, only the tables they used stay."""
    cache = TableCache(site / TABLE_CACHE)
    cache.folder.mkdir(parents=True, exist_ok=True)
    token = _ACTIVE.set(cache)
    try:
        yield cache
    finally:
        _ACTIVE.reset(token)
    cache.prune()


__all__ = ["TABLE_CACHE", "TableCache", "active", "tables_kept"]
