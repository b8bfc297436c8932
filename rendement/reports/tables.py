"""Shared great-tables builders and the cells of published figures for the reports.

Every table goes through `gt_html`: a fixed `id` (reproducible HTML), `locale="nl"`, the system
font stack (great-tables never links a web font unless asked to; `gt_html` checks that), and
one rule for HTML in cells:

* text columns (project names, anything from an upload) are handed to great-tables as plain
  strings: great-tables 1.1 escapes cell text, titles, labels and notes itself;
* `raw` columns carry markup (a formatted number passed through `core.templates.escape`, a
  disclosure symbol or reason from a template macro, an SVG chart from `templates/chart.svg`):
  they pass through great-tables unescaped via `fmt(fns=...)`, so every dynamic part in them
  was escaped by the template engine that made it, never by the caller.

Numbers are formatted with the Dutch formatter (`rendement.core.formatting`) rather than with
great-tables' `fmt_currency`, because the Dutch convention is `€ 1.234` (with a space) and
suppressed cells show a symbol instead of a number.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from great_tables import GT

from rendement.benchmark.cells import QUANTILES as PERCENTILES
from rendement.core import versions
from rendement.core.formatting import nl_euro, nl_number, nl_percent, nl_ratio
from rendement.core.templates import Markup, escape, fragment
from rendement.reports import table_cache
from schemas.outputs import ALL_BASES, MEASURED_BASIS, REFERENCE_BASIS

FONT_STACK = [
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Roboto",
    "Helvetica Neue",
    "Arial",
    "sans-serif",
]


# ------------------------------------------------------------------------------- numbers


def by_unit(value: float | None, eenheid: str) -> str:
    """A published benchmark value in the format of its unit."""
    if eenheid == "euro":
        return nl_euro(value)
    if eenheid == "fractie":
        return nl_percent(value)
    if eenheid == "verhouding":
        return nl_ratio(value)
    if eenheid == "fte":
        return nl_number(value, 1)
    return nl_number(value, 0)


def symbol_html(symbol: str | None, toelichting: str | None) -> Markup:
    """The disclosure symbol of a cell without a number, its reason as tooltip."""
    return fragment("rendement.reports", "parts.html", "symbol", symbol, toelichting)


# ------------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class Cell:
    waarde: float | None
    eenheid: str
    status: str
    symbool: str | None
    toelichting: str | None

    @property
    def published(self) -> bool:
        return self.waarde is not None

    def text(self) -> str:
        """Plain text: the formatted value, or the legend symbol."""
        return by_unit(self.waarde, self.eenheid) if self.published else (self.symbool or "x")

    def html(self) -> Markup:
        """HTML for a raw table column: the value, or the symbol with its reason as tooltip."""
        if self.published:
            return escape(by_unit(self.waarde, self.eenheid))
        return symbol_html(self.symbool, self.toelichting)


MISSING_CELL = Cell(None, "aantal", "onderdrukt", "x", "Geen cel gepubliceerd")


class CellIndex:
    """Look-up of the published benchmark cells (the long `benchmark.cellen` table).

    `CellIndex.of(cells)` reuses the index of the frame it was last asked for: the pages of one
    build look up the same frame a few dozen times (every organisation page the same one)."""

    _last: tuple[pl.DataFrame, CellIndex] | None = None

    @classmethod
    def of(cls, cells: pl.DataFrame) -> CellIndex:
        last = cls._last
        if last is not None and last[0] is cells and last[1].height == cells.height:
            return last[1]
        index = cls(cells)
        cls._last = (cells, index)
        return index

    def __init__(self, cells: pl.DataFrame):
        self.cells = cells
        cols = ["tabel", "jaar", "domein", "interventie", "regio", "maat", "statistiek"]
        basis = pl.col("basis") if "basis" in cells.columns else pl.lit(ALL_BASES)
        rows = cells.select(
            *cols, basis.alias("basis"), "waarde", "eenheid", "status", "symbool", "toelichting"
        ).rows()
        # The key is the first eight values, the cell the last five (a later row wins).
        self._index: dict[tuple, Cell] = {row[:8]: Cell(*row[8:]) for row in rows}
        self.height = cells.height
        self.years: list[int] = sorted(cells["jaar"].unique().to_list()) if cells.height else []

    def get(
        self,
        jaar: int,
        domein: str,
        maat: str,
        statistiek: str,
        *,
        interventie: str | None = None,
        regio: str | None = None,
        basis: str | None = None,
    ) -> Cell:
        """The cell of these keys. `basis` (`alle`, `gemeten`, `referentie`): by default `alle`
        for counts and sums and `gemeten` for a percentile (none is published over both); a
        year of a release made before the split has its percentiles under `alle`."""
        tabel = "interventie" if interventie else ("regio" if regio else "domein")
        key = (tabel, jaar, domein, interventie, regio, maat, statistiek)
        percentile = statistiek in PERCENTILES
        wanted = basis or (MEASURED_BASIS if percentile else ALL_BASES)
        found = self._index.get((*key, wanted))
        if found is None and percentile and wanted != REFERENCE_BASIS:
            found = self._index.get((*key, ALL_BASES))
        return found or MISSING_CELL

    def value(self, jaar: int, domein: str, maat: str, statistiek: str, **kw) -> float | None:
        return self.get(jaar, domein, maat, statistiek, **kw).waarde


# ------------------------------------------------------------------------------- tables


def _raw(value: object) -> str:
    return "" if value is None else str(value)


@functools.cache
def _code() -> str:
    """What renders a table besides its frame and options: this module (the house style) and
    the libraries (`rendement.reports.table_cache` keys tables by it)."""
    return versions.code_version([Path(__file__)], ["great-tables", "polars"])


@dataclass(frozen=True)
class _Options:
    """A table's options as `gt_html` takes them, made plain (its repr is part of its key)."""

    labels: tuple[tuple[str, str], ...]
    raw: tuple[str, ...]
    right: tuple[str, ...]
    center: tuple[str, ...]
    stub: str | None
    group: str | None
    title: str | None
    subtitle: str | None
    notes: tuple[str, ...]
    spanners: tuple[tuple[str, tuple[str, ...]], ...]
    width: str | None
    hide: tuple[str, ...]


def gt_html(
    df: pl.DataFrame,
    table_id: str,
    *,
    labels: Mapping[str, str] | None = None,
    raw: Iterable[str] = (),
    right: Iterable[str] = (),
    center: Iterable[str] = (),
    stub: str | None = None,
    group: str | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    notes: Sequence[str] = (),
    spanners: Sequence[tuple[str, Sequence[str]]] = (),
    width: str | None = "100%",
    hide: Iterable[str] = (),
) -> str:
    """A great-tables table as HTML with the house style (see the module docstring); read
    back from the build's table cache when one is active and has it."""
    options = _Options(
        labels=tuple((labels or {}).items()),
        raw=tuple(raw),
        right=tuple(right),
        center=tuple(center),
        stub=stub,
        group=group,
        title=title,
        subtitle=subtitle,
        notes=tuple(notes),
        spanners=tuple((label, tuple(cols)) for label, cols in spanners),
        width=width,
        hide=tuple(hide),
    )
    cache = table_cache.active()
    if cache is None:
        return _render(df, table_id, options)
    key = versions.digest(
        _code(),
        table_id,
        repr(options),
        repr(list(df.schema.items())),
        versions.row_hashes(df).to_numpy().tobytes(),  # every row, in order
    )
    return cache.html(key, lambda: _render(df, table_id, options))


def _render(df: pl.DataFrame, table_id: str, o: _Options) -> str:
    raw = [c for c in o.raw if c in df.columns]
    gt = GT(df, id=table_id, locale="nl", rowname_col=o.stub, groupname_col=o.group)
    if raw:
        gt = gt.fmt(columns=raw, fns=_raw)
    if o.labels:
        gt = gt.cols_label(**{k: v for k, v in o.labels if k in df.columns})
    right = [c for c in o.right if c in df.columns]
    center = [c for c in o.center if c in df.columns]
    if right:
        gt = gt.cols_align(align="right", columns=right)
    if center:
        gt = gt.cols_align(align="center", columns=center)
    for label, cols in o.spanners:
        gt = gt.tab_spanner(label=label, columns=list(cols))
    hide = [c for c in o.hide if c in df.columns]
    if hide:
        gt = gt.cols_hide(columns=hide)
    if o.title:
        gt = gt.tab_header(title=o.title, subtitle=o.subtitle)
    for note in o.notes:
        gt = gt.tab_source_note(note)
    options = dict(
        table_font_names=FONT_STACK,
        table_font_size="14px",
        table_margin_left="0px",
        heading_align="left",
        heading_title_font_size="16px",
        heading_subtitle_font_size="13px",
        column_labels_font_weight="600",
        data_row_padding="5px",
        row_group_font_weight="600",
        source_notes_font_size="12px",
        table_border_top_color="#0b6e69",
    )
    if o.width:
        options["table_width"] = o.width
    gt = gt.tab_options(**options)
    out = gt.as_raw_html(inline_css=False)
    # Self-contained pages: great-tables only imports a web font when asked to (opt_table_font
    # with google_font); make sure nothing of the kind slipped in.
    if "@import" in out or "fonts.googleapis" in out:
        raise RuntimeError(f"table {table_id} links an external font")
    return out


def gt_markup(df: pl.DataFrame, table_id: str, **options) -> Markup:
    """`gt_html` as markup for a template: the one place that trusts a table's HTML, because
    great-tables escapes the text it formats and `raw` columns hold markup from templates."""
    return Markup(gt_html(df, table_id, **options))


def empty_text(message: str) -> Markup:
    return fragment("rendement.reports", "parts.html", "note", message)
