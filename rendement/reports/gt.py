"""great-tables as this project uses it: import `GT` from here, not from great_tables.

great-tables 1.1 is written for a handful of tables; the reports render thousands (seven per
organisation page, one per validation report), and a few of its fixed costs per table dominate
that. They are replaced here, once, with versions that produce the same HTML byte for byte
(`tests/test_reports_incremental.py` renders tables with and without them):

* **Locale files.** great-tables re-reads its locale CSV files from disk on every locale-aware
  format call (about 7 ms each). They are package data that never change while the process
  runs: parsed once, handed out as one list of read-only rows (a caller that tries to change a
  row gets an error instead of changing what every later table sees).
* **Setting cells one by one.** Every cell of the output goes into great-tables' body through
  polars `DataFrame.__setitem__` (≈ 70 µs a cell, a new Series and a scatter each time: about
  half of a report page). Here the formatted values are collected per column and each column is
  replaced once, in place. The values and the cells chosen are exactly great-tables' own.
* **Selecting columns by name.** Every `cols_label`, `cols_align`, `fmt` … resolves its
  columns with polars selectors, one polars query each; a list of existing names is resolved
  directly (same columns, same order).
* **The empty body.** `DataFrame.clear(n)` builds every null column from a Python list; a
  null String column of length n is made directly.
* **The table CSS.** great-tables reads and compiles its SCSS template again for every table,
  though it depends only on the table's options and id; compiled CSS is cached by those.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

import polars as pl
from great_tables import GT, _export, _gt_data, _locale, _scss, _tbl_data, _utils, loc, md, style
from great_tables import gt as _gt_module

__all__ = ["GT", "loc", "md", "style"]

# ------------------------------------------------------------------------------ locale files

_uncached_read_csv = _locale.read_csv


@functools.cache
def _rows(fname: str) -> tuple[MappingProxyType, ...]:
    return tuple(MappingProxyType(row) for row in _uncached_read_csv(fname))


def _cached_read_csv(fname) -> list:
    """The parsed rows of a great-tables data file (read-only views, parsed once)."""
    return list(_rows(str(fname)))


# ------------------------------------------------------------------------------ cell setting


def _is_polars(frame: object) -> bool:
    return isinstance(frame, pl.DataFrame)


def _set_columns(body: pl.DataFrame, updates: dict[str, dict[int, Any]]) -> pl.DataFrame:
    """`body` with `updates` ({column: {row: value}}) applied, as great-tables'
    `body[row, column] = value` would, but one column at a time.

    Only String columns receiving strings are replaced whole (what the reports and validation
    reports hand over; the body great-tables makes is all String); anything else is set cell
    by cell exactly as great-tables does."""
    for column, cells in updates.items():
        if not cells:
            continue
        if body.schema[column] != pl.String or not all(type(v) is str for v in cells.values()):
            for row, value in cells.items():
                _tbl_data._set_cell(body, row, column, value)
            continue
        values = body.get_column(column).to_list()
        for row, value in cells.items():
            values[row] = value
        # in place, as great-tables' own cell setting (no query: `with_columns` is one)
        body.replace_column(body.get_column_index(column), pl.Series(column, values, pl.String))
    return body


_original_render_formats = _gt_data.Body.render_formats


def _render_formats(self, data_tbl, formats, context) -> set[tuple[str, int]]:
    """great-tables' `Body.render_formats` with the results set per column."""
    if not (_is_polars(self.body) and _is_polars(data_tbl)):
        return _original_render_formats(self, data_tbl, formats, context)
    formatted: set[tuple[str, int]] = set()
    updates: dict[str, dict[int, Any]] = {}
    for fmt in formats:
        eval_func = getattr(fmt.func, context, fmt.func.default)
        if eval_func is None:  # pragma: no cover  (as in great-tables)
            raise Exception("Internal Error")
        for col, row in fmt.cells.resolve():
            result = eval_func(_tbl_data._get_cell(data_tbl, row, col))
            if isinstance(result, _gt_data.FormatterSkipElement):
                continue
            formatted.add((col, row))
            updates.setdefault(col, {})[row] = result
    self.body = _set_columns(self.body, updates)
    return formatted


_original_migrate = _utils._migrate_unformatted_to_output


def _column_values(data_tbl: pl.DataFrame, column: str) -> list:
    """The cells of a column as great-tables' `_get_cell` returns them one by one."""
    return data_tbl.get_column(column).to_list()


def _migrate_unformatted_to_output(data, data_tbl, formatted_cells, context):
    """great-tables' `_migrate_unformatted_to_output` (escape the cells no formatter
    produced) with the escaped text set per column."""
    if not (_is_polars(data._body.body) and _is_polars(data_tbl)):
        return _original_migrate(data, data_tbl, formatted_cells, context)
    n = _tbl_data.n_rows(data_tbl)
    updates: dict[str, dict[int, Any]] = {}
    for column in _tbl_data.get_column_names(data_tbl):
        rows = [r for r in range(n) if (column, r) not in formatted_cells]
        if not rows:
            continue
        values = _column_values(data_tbl, column)
        cells = updates.setdefault(column, {})
        for row in rows:
            value = values[row]
            if value is None or _tbl_data.is_na(data_tbl, value):
                continue
            cells[row] = _utils._process_text(str(value), context=context)
    data._body.body = _set_columns(data._body.body, updates)
    return data


# ------------------------------------------------------------------------------ column selection

_original_eval_select = _tbl_data.eval_select.dispatch(pl.DataFrame)
_faster = True


@_tbl_data.eval_select.register(pl.DataFrame)
def _eval_select(data: pl.DataFrame, expr, strict: bool = True):
    """great-tables' column selection for polars, without a polars query for the common case:
    a list of names that are all columns of the frame selects those columns (first occurrence,
    in the order given), as the selectors `cs.by_name(name)` great-tables builds would."""
    if _faster and isinstance(expr, (str, list)):
        names = [expr] if isinstance(expr, str) else expr
        positions = {name: i for i, name in enumerate(data.columns)}
        if all(type(name) is str and name in positions for name in names):
            return [(name, positions[name]) for name in dict.fromkeys(names)]
    return _original_eval_select(data, expr, strict)


# ------------------------------------------------------------------------------ empty body


_original_create_empty_frame = _gt_data.create_empty_frame


def _create_empty_frame(df):
    """All-null String columns of the frame's names and height, as great-tables'
    `df.clear(n).cast(pl.String)` for polars (which builds each null column from a list)."""
    if not _is_polars(df):
        return _original_create_empty_frame(df)
    n = df.height
    return pl.DataFrame([pl.Series(name, [None] * n, dtype=pl.String) for name in df.columns])


# ------------------------------------------------------------------------------ table CSS

_uncached_compile_scss = _scss.compile_scss
_css_cache: dict[tuple, str] = {}
_CSS_CACHE_MAX = 4096


def _compile_scss(data, id: str | None, compress: bool = True, all_important: bool = False) -> str:
    """great-tables' CSS for a table, cached by everything `compile_scss` reads: the options,
    the Google font imports, the id and the two flags."""
    key = (
        id,
        compress,
        all_important,
        repr(data._options),
        data._google_font_imports.to_css(),
    )
    css = _css_cache.get(key)
    if css is None:
        css = _uncached_compile_scss(data, id, compress=compress, all_important=all_important)
        if len(_css_cache) >= _CSS_CACHE_MAX:
            _css_cache.clear()
        _css_cache[key] = css
    return css


# ------------------------------------------------------------------------------ installing

_PATCHES = (
    (_locale, "read_csv", _cached_read_csv, _uncached_read_csv),
    (_gt_data.Body, "render_formats", _render_formats, _original_render_formats),
    (
        _gt_module,
        "_migrate_unformatted_to_output",
        _migrate_unformatted_to_output,
        _original_migrate,
    ),
    (_gt_data, "create_empty_frame", _create_empty_frame, _original_create_empty_frame),
    (_scss, "compile_scss", _compile_scss, _uncached_compile_scss),
    (_export, "compile_scss", _compile_scss, _uncached_compile_scss),
)


def _install(faster: bool) -> None:
    global _faster
    _faster = faster  # the column selection (registered with great-tables' dispatcher)
    for owner, name, replacement, original in _PATCHES:
        setattr(owner, name, replacement if faster else original)


@contextlib.contextmanager
def great_tables_as_shipped() -> Iterator[None]:
    """great-tables without the replacements of this module, for a test that compares the
    HTML of both (not for concurrent use: it changes the modules for the whole process)."""
    _install(False)
    try:
        yield
    finally:
        _install(True)


_install(True)
