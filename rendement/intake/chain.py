"""The reader chain every upload goes through: read -> screen -> pseudonymise -> validate.

One chain, so that intake (`rendement.intake.accept`) and the pre-flight check
(`rendement.intake.preflight`: `rendement check` and the upload service) reach the same
verdict and the same row errors on the same file. Intake runs it in two steps with the lake
in between (`screen` in `receive_org`, the tables staged, then in `accept_orgs` each staged
upload as an `upload` validated by `schemas.validate.validate_uploads`, in rounds); the
pre-flight runs both in memory with a throw-away key, validating one upload (`validate`).

What the organisation delivered before (`known`) and the sector's cost reference
(`kostennorm`): intake passes them, and so does the pre-flight when it is given the data home
(the upload service, `rendement check --organisatie`); `rendement check` alone passes neither.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from rendement.core.privacy import pseudonymise
from rendement.intake import hold
from schemas.cross_table import CostNorm
from schemas.validate import (
    Prepared,
    Upload,
    ValidationOutcome,
    prepare_uploads,
    validate_uploads,
)
from sources import UnreadableFile, read_upload
from sources.errors import empty_problems

NO_PERIOD = "periode_onbekend"
NO_PERIOD_MESSAGE = (
    "Het verslagjaar van dit bestand is niet te bepalen. Zet het jaar in de bestandsnaam "
    "(bijvoorbeeld traject_2025.csv) en lever het opnieuw aan."
)
BSN_REFUSED = "bsn_gevonden"

# The outcome of a validated upload, as intake records it (the audit log, `intake.leveringen`).
ACCEPTED = "geaccepteerd"
PARTLY_ACCEPTED = "deels_geaccepteerd"
REFUSED = "geweigerd"
WAITING = hold.WAITING  # would remove much of what was accepted before: held (`hold`)


@dataclass
class Screened:
    """An upload after reading and screening: its canonical tables (pseudonymised), or why it
    is refused as a whole (`refusal`: reden_code, Dutch message)."""

    system: str | None = None
    dialect: dict = field(default_factory=dict)
    period: int | None = None
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    problems: pl.DataFrame = field(default_factory=empty_problems)
    refusal: tuple[str, str] | None = None
    read: bool = False  # False: the file could not be read at all

    @property
    def counts(self) -> dict[str, int]:
        return {t: df.height for t, df in self.tables.items()}


def canonical_tables(result, org_id: str, key: bytes) -> dict[str, pl.DataFrame]:
    """The read tables as the organisation's canonical tables: `organisatie_id` from the inbox
    the file came through (never from the file), client ids replaced by their pseudonym."""
    tables = {}
    for table, df in result.tables.items():
        added = [pl.lit(org_id).alias("organisatie_id")]
        if "client_id" in df.columns:
            added.append(pseudonymise(org_id, df["client_id"], key).alias("client_pseudoniem"))
        # one query per table: the columns in the same order as adding them one by one
        tables[table] = df.select(pl.exclude("client_id"), *added)
    return tables


def screen(
    path: Path,
    *,
    organisatie_id: str,
    key: bytes,
    system: str | None = None,
    data: bytes | None = None,
) -> Screened:
    """Read one upload (under its own name: the reporting year is often in it) and screen it
    as a whole. BSNs are refused by `read_upload` itself, which sees every raw column, also
    the ones no layout reads; a file without a reporting year is refused here."""
    try:
        result = read_upload(path, system=system, data=data)
    except UnreadableFile as exc:
        return Screened(refusal=(exc.code, exc.message))
    screened = Screened(result.system, result.dialect.as_dict(), result.period, read=True)
    if result.period is None:
        screened.refusal = (NO_PERIOD, NO_PERIOD_MESSAGE)
        return screened
    screened.tables = canonical_tables(result, organisatie_id, key)
    screened.problems = result.problems
    return screened


def _in_order(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Tables in name order whatever order they come in (intake reads them back from the
    lake in that order), so that findings are listed the same way everywhere."""
    return {t: tables[t] for t in sorted(tables)}


def prepare(
    uploads: list[tuple[dict[str, pl.DataFrame], int]], *, today: dt.date
) -> list[Prepared]:
    """The row checks of many screened uploads (tables, reporting year) in one pass per table
    (`schemas.validate.prepare_uploads`), for `validate(..., prepared=)` one by one after: the
    rules between tables and what was accepted before stay per upload, in acceptance order."""
    return prepare_uploads([(_in_order(t), period) for t, period in uploads], today=today)


def upload(
    tables: dict[str, pl.DataFrame],
    *,
    period: int | None,
    problems: pl.DataFrame | None = None,
    known: dict[str, pl.DataFrame] | None = None,
    dialect: dict | None = None,
    prepared: Prepared | None = None,
) -> Upload:
    """A screened upload to validate, its canonical tables in table-name order (`_in_order`).
    `dialect`: the reader's description of the file (its `kolommen`: messages name the file's
    own columns). `prepared`: this upload's part of `prepare` (same tables, period and day)."""
    return Upload(
        _in_order(tables),
        period,
        parse_problems=problems if problems is not None else empty_problems(),
        known=known,
        column_names=(dialect or {}).get("kolommen"),
        prepared=prepared,
    )


def validate(
    one: Upload, *, today: dt.date, kostennorm: CostNorm | None = None
) -> ValidationOutcome:
    """Validate one screened upload (`upload`), a round of one; intake validates its rounds
    of many with `schemas.validate.validate_uploads` itself."""
    return validate_uploads([one], today=today, kostennorm=kostennorm)[0]


def replacements(
    tables: dict[str, pl.DataFrame], *, period: int, previous: dict[str, pl.DataFrame | None]
) -> list[hold.Replacement]:
    """What the upload would replace of the rows accepted earlier for its period (`previous`,
    per table), and by the re-upload rule whether it must wait for confirmation
    (`rendement.intake.hold`): intake and the pre-flight judge it here, the same way."""
    return hold.replacements(tables, period, previous)


def status(outcome: ValidationOutcome) -> str:
    """`geweigerd` (the whole file), `deels_geaccepteerd` (rows rejected) or `geaccepteerd`."""
    if outcome.file_rejected:
        return REFUSED
    return PARTLY_ACCEPTED if outcome.rejected.height else ACCEPTED
