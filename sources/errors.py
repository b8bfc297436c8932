"""What a reader reports: a whole file it cannot read, and the row-level problems it found."""

from __future__ import annotations

import polars as pl

from schemas.bsn import mask_text, mask_value

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
    worker who made the export, and never contains a value from the file (a header cell it
    quotes that passes the BSN 11-proef is masked).
    """

    def __init__(self, code: str, message: str) -> None:
        message = mask_value(message)
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


_NO_PROBLEMS = pl.DataFrame(schema=PROBLEM_SCHEMA)


def empty_problems() -> pl.DataFrame:
    # a clone of one empty frame: every file asks for a few, and building a frame from a
    # schema costs more than cloning one (a clone shares the empty columns)
    return _NO_PROBLEMS.clone()


def concat_problems(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The problems of several steps as one frame; a value passing the BSN 11-proef is masked
    in `waarde` and `melding` (`schemas.bsn`)."""
    frames = [f.select(list(PROBLEM_SCHEMA)).cast(PROBLEM_SCHEMA) for f in frames if f.height]
    if not frames:
        return empty_problems()
    out = pl.concat(frames, how="vertical").sort("tabel", "_rij", maintain_order=True)
    return out.with_columns(mask_text(out["waarde"]), mask_text(out["melding"]))
