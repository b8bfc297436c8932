"""A round: uploads of different organisations judged together by the rules between tables.

The rules between rows and tables (`schemas.cross_table`) used to run once per upload: some
forty small polars queries each, whose fixed cost is most of a validation. Uploads of
different organisations do not depend on each other, so a batch is judged in rounds (the
k-th upload of every organisation in the batch together) and each rule runs once per round
over the round's uploads stacked, with the upload as part of every key:

- every stacked frame and every frame of earlier accepted data carries `UPLOAD` (the upload's
  position in the round) and `PERIOD` (its reporting year), and each rule keys, groups and
  joins by `UPLOAD` as well, so an upload's findings never depend on the others;
- a row's position `IDX` in a stack is its position in its upload's frame plus
  `UPLOAD · 2³²` (`stacked_index`), unique in the stack and back to the upload's own by
  `local_index`: hits on stacked rows need no other provenance column.

An upload judged alone is a round of one, so there is one way the rules run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from schemas.hits import IDX

# Bookkeeping columns of the rows of many uploads checked together: per row the position of
# its upload in the batch and that upload's reporting year (the period rules read it).
UPLOAD = "__levering"
PERIOD = "__periode"

_SPAN = 2**32  # more rows than any one file can have


def stacked_index(upload: int) -> pl.Expr:
    """IDX of a row of upload `upload` in a stack (its own IDX plus the upload's span)."""
    return pl.col(IDX) + pl.lit(upload * _SPAN, pl.Int64)


def local_index() -> pl.Expr:
    """A stacked IDX back to the row's position in its own upload's frame."""
    return pl.col(IDX) % _SPAN


def upload_of_index() -> pl.Expr:
    """The upload a stacked IDX belongs to."""
    return pl.col(IDX) // _SPAN


@dataclass
class Round:
    """The usable tables of a round's uploads, stacked, and what each upload needs besides.

    frames: per table the rows of every upload that delivers it usable, with `UPLOAD`,
        `PERIOD`, stacked IDX, OK and COPY; absent when no upload of the round delivers it.
    known: per table what was accepted before, for each upload the rows of its own
        organisation, with `UPLOAD` and `PERIOD`; absent when there is none.
    delivering: per table the uploads that deliver it usable, also when without rows.
    refused: per table the uploads that deliver it unusable (a required column missing or
        unreadable: the upload is refused, and its children are not judged against it).
    periods: per upload its reporting year (None: not known).
    first_file: per upload the table and file a finding about the upload as a whole is shown
        at (its first usable table).
    only_this_upload: nothing beyond the uploads' own files can be seen (the pre-flight).
    repeated: the tables in which a key occurs more than once in some upload (only there can
        the rules on repeated keys find anything, `cross_table.uploads_with_repeated_keys`).
    knowing: per table the uploads with rows of it in `known` (`uploads_knowing`).
    """

    frames: dict[str, pl.DataFrame]
    known: dict[str, pl.DataFrame]
    delivering: dict[str, frozenset[int]]
    refused: dict[str, frozenset[int]]
    periods: dict[int, int | None]
    first_file: dict[int, tuple[str, str]]
    only_this_upload: bool = False
    repeated: frozenset[str] = field(default_factory=frozenset)
    knowing: dict[str, frozenset[int]] = field(default_factory=dict)

    def uploads(self, table: str) -> frozenset[int]:
        """The uploads that deliver `table` usable (also those without rows)."""
        return self.delivering.get(table, frozenset())

    def known_of(self, table: str, uploads: frozenset[int] | set[int]) -> pl.DataFrame | None:
        """What was accepted before of `table` for the given uploads only (None: nothing)."""
        df = _of(self.known.get(table), uploads, self.uploads_knowing(table))
        return df if df is not None and df.height else None

    def uploads_knowing(self, table: str) -> frozenset[int]:
        """The uploads for which rows of `table` were accepted before."""
        return self.knowing.get(table, frozenset())

    def rows(self, table: str, uploads: frozenset[int] | set[int]) -> pl.DataFrame | None:
        """The stacked rows of `table` of the given uploads only (None: none of them delivers
        it; a frame without rows when they deliver it empty)."""
        return _of(self.frames.get(table), uploads, self.uploads(table))


def _of(
    stack: pl.DataFrame | None, uploads: frozenset[int] | set[int], present: frozenset[int]
) -> pl.DataFrame | None:
    """The rows of a stack that belong to `uploads` (`present`: the uploads it holds rows of;
    when `uploads` covers them all, the stack itself)."""
    if stack is None or not uploads:
        return None
    if uploads >= present:
        return stack
    return stack.filter(pl.col(UPLOAD).is_in(sorted(uploads)))
