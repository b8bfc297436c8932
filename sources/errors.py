"""What a reader reports: a whole file it cannot read, and the row-level problems it found."""

from __future__ import annotations

import polars as pl

# The columns of `ReadResult.problems`, one row per problem.
PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "tabel": pl.String(),
    "_rij": pl.Int64(),
    "kolom": pl.String(),
    "waarde": pl.String(),
    "regel": pl.String(),
    "melding": pl.String(),
}

# Shown instead of a value that identifies a person (client id, birth date, postcode).
MASK = "(verborgen)"


class UnreadableFile(Exception):
    """The upload cannot be read at all.

    `code` is machine-readable (`leeg_bestand`, `onbekend_formaat`, `geen_kopregel`,
    `onbekende_kolommen`, `kapot_xlsx`, `bsn_gevonden`); `message` is Dutch, for the office
    worker who made the export, and never contains a value from the file.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def concat_problems(frames: list[pl.DataFrame]) -> pl.DataFrame:
    frames = [f.select(list(PROBLEM_SCHEMA)).cast(PROBLEM_SCHEMA) for f in frames if f.height]
    if not frames:
        return empty_problems()
    return pl.concat(frames, how="vertical").sort("tabel", "_rij", maintain_order=True)
