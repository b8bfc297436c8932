"""Intake: from a file in an organisation's inbox to accepted canonical rows, losing nothing.

Two steps, each a Dagster asset per organisation partition (and plain functions here):

1. `receive_org` — checksum every waiting upload, archive the original (encrypted), skip exact
   duplicates, read it with `sources`, reject BSN files, pseudonymise client ids, and stage the
   pseudonymised tables as Parquet. Unreadable files go to quarantine with a reason.
2. `accept_org` — validate the staged tables against the pandera models and cross-table rules,
   write the accepted rows for that organisation and period (superseding the earlier upload of
   the same period and table), keep rejected rows in the quarantine table, write the
   organisation's validation report. A rejected upload never removes accepted data. Rows of
   clients erased on request are dropped first (`rendement.core.erasure`). `accept_orgs` does
   it for a batch of organisations, the pandera row checks of all their staged files once per
   table (`chain.prepare`), the rules between tables in rounds of one upload per organisation
   (`validate_uploads` over `chain.upload`s), each organisation's uploads in acceptance order.

Every outcome is appended to the audit log. Raw client ids exist only in memory in step 1 (and
in the encrypted original, `rendement.core.archive`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from rendement.benchmark.cells import read_cost_reference
from rendement.core import archive, audit, erasure
from rendement.core.files import write_atomic
from rendement.core.formatting import nl_today
from rendement.core.home import Home
from rendement.core.lake import LINEAGE_COLUMN, Lake
from rendement.core.privacy import load_or_create_key
from rendement.core.receipts import original_name
from rendement.intake import chain, hold
from rendement.intake.validation_report import render_report_html, report_json
from rendement.mkba import load_parameters
from schemas import RULES_VERSION
from schemas.bsn import mask_nested, mask_value
from schemas.cross_table import CostNorm
from schemas.tables import KEYS, MODELS
from schemas.validate import Prepared, validate_uploads

TABLE_ORDER = list(MODELS)

UPLOAD_SUFFIXES = {".csv", ".txt", ".xlsx"}
PROBLEMS_STEM = "_problemen"  # a staged table of that name only when reading found problems


@dataclass
class UploadOutcome:
    """What happened to one upload; the same facts go to the audit log and the run metadata."""

    organisatie_id: str
    bestand: str
    checksum: str
    status: str  # ontvangen | duplicaat | geweigerd | geaccepteerd | deels_geaccepteerd
    # | wacht_op_bevestiging (held by the re-upload rule, `rendement.intake.hold`)
    systeem: str | None = None
    dialect: dict = field(default_factory=dict)
    periode: int | None = None
    reden_code: str | None = None
    melding: str | None = None
    aantallen: dict = field(default_factory=dict)


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def pending_uploads(home: Home, org_id: str) -> list[Path]:
    """Files waiting in one organisation's inbox, oldest first (hidden/temp files skipped)."""
    folder = home.org_inbox(org_id)
    if not folder.is_dir():
        return []
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in UPLOAD_SUFFIXES
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def organisations_in_inbox(home: Home) -> list[str]:
    if not home.inbox.is_dir():
        return []
    return sorted(
        p.name for p in home.inbox.iterdir() if p.is_dir() and pending_uploads(home, p.name)
    )


def archived_path(home: Home, org_id: str, checksum: str, suffix: str) -> Path:
    """Where the original is kept, encrypted (`rendement.core.archive`)."""
    return archive.archived_path(home, org_id, checksum, suffix)


def is_known(home: Home, org_id: str, checksum: str) -> bool:
    return checksum in archive.checksums(home, org_id)


def _archive(home: Home, path: Path, org_id: str, checksum: str, data: bytes) -> Path:
    """Keep the original as received: exactly the bytes that were hashed and read (not a second
    read of the inbox file, which could differ if it changed meanwhile), encrypted, read-only."""
    return archive.store(home, org_id, checksum, path.suffix, data)


def _quarantine(home: Home, outcome: UploadOutcome) -> None:
    """Record why an upload was refused as a whole; the original stays in the archive."""
    folder = home.quarantine / outcome.organisatie_id
    folder.mkdir(parents=True, exist_ok=True)
    reason = {
        "checksum": outcome.checksum,
        "bestand": outcome.bestand,
        "reden_code": outcome.reden_code,
        "melding": outcome.melding,
        "archief": (
            None
            if outcome.reden_code == chain.BSN_REFUSED
            else str(
                archived_path(
                    home, outcome.organisatie_id, outcome.checksum, Path(outcome.bestand).suffix
                ).relative_to(home.root)
            )
        ),
    }
    Lake.write_json(reason, folder / f"{outcome.checksum[:16]}.json")


def _log(home: Home, outcome: UploadOutcome, action: str, actor: str = "intake", **extra) -> None:
    audit.append(
        home.audit_log,
        actor=actor,
        action=action,
        outcome=outcome.status,
        organisatie_id=outcome.organisatie_id,
        checksum=outcome.checksum,
        bestand=outcome.bestand,
        systeem=outcome.systeem,
        dialect=outcome.dialect,
        periode=outcome.periode,
        reden_code=outcome.reden_code,
        melding=outcome.melding,
        aantallen=outcome.aantallen,
        regelversie=RULES_VERSION,
        **extra,
    )


def receive_org(home: Home, org_id: str, *, system: str | None = None) -> list[UploadOutcome]:
    """Step 1 for one organisation: archive, read, screen and stage every waiting upload
    (`chain.screen`)."""
    lake = Lake(home.lake)
    key = load_or_create_key(home.secrets)
    outcomes = []
    archived = archive.checksums(home, org_id)
    for path in pending_uploads(home, org_id):
        # read once: hashed, parsed and archived from the same bytes
        data = path.read_bytes()
        checksum = hashlib.sha256(data).hexdigest()
        # a number passing the BSN 11-proef in the file name is not repeated anywhere
        outcome = UploadOutcome(org_id, mask_value(path.name), checksum, "ontvangen")
        if checksum in archived:
            outcome.status = "duplicaat"
            outcome.melding = "Dit bestand is al eerder ontvangen; er is niets veranderd."
            path.unlink()
            _log(home, outcome, "ontvangst")
            outcomes.append(outcome)
            continue
        screened = chain.screen(path, organisatie_id=org_id, key=key, system=system, data=data)
        refusal = screened.refusal
        # a file with BSNs may not be kept at all (art. 46 UAVG)
        if refusal is None or refusal[0] != chain.BSN_REFUSED:
            _archive(home, path, org_id, checksum, data)
            archived.add(checksum)
        path.unlink()
        outcome.systeem, outcome.dialect, outcome.periode = (
            screened.system,
            mask_nested(screened.dialect),  # sheet names, notes: as the file name
            screened.period,
        )
        if refusal:
            outcome.status, outcome.reden_code, outcome.melding = chain.REFUSED, *refusal
            _quarantine(home, outcome)
            _log(home, outcome, "ontvangst")
            outcomes.append(outcome)
            continue
        staging = lake.staging_dir(org_id, checksum)
        staging.mkdir(parents=True, exist_ok=True)
        for table, df in screened.tables.items():
            Lake.write_staged(df, staging / f"{table}{Lake.STAGED_SUFFIX}")
        if screened.problems.height:  # almost always empty; `accept_org` reads none as none
            Lake.write_staged(screened.problems, staging / f"{PROBLEMS_STEM}{Lake.STAGED_SUFFIX}")
        outcome.aantallen = screened.counts
        Lake.write_json(asdict(outcome), staging / "_upload.json")
        _log(home, outcome, "ontvangst")
        outcomes.append(outcome)
    return outcomes


def _read_staged(home: Home, org_id: str) -> list[tuple[int, Path, dict]]:
    """Staging folders with the time and content of their `_upload.json` (each read once)."""
    folder = Lake(home.lake).staging_root(org_id)
    if not folder.is_dir():
        return []
    found = []
    for staging in folder.iterdir():
        meta_path = staging / "_upload.json"
        try:
            text = meta_path.read_text("utf-8")
            mtime = meta_path.stat().st_mtime_ns
        except (FileNotFoundError, NotADirectoryError):
            continue
        found.append((mtime, staging, json.loads(text)))
    return found


def _staged(home: Home, org_id: str) -> list[tuple[Path, dict]]:
    """Staging folders with their `_upload.json`, in acceptance order."""
    found = sorted(staged_uploads(home, org_id), key=lambda item: item[0])
    return [(staging, meta) for _order, staging, meta in found]


def acceptance_order(meta: dict, mtime_ns: int) -> tuple:
    """Older periods first, and within a period parents before children (projects before
    trajectories before measurements), so that the cross-table rules see what they refer to
    even when one delivery arrives as several CSV files in any order."""
    ranks = [TABLE_ORDER.index(t) for t in meta.get("aantallen", {}) if t in TABLE_ORDER]
    return (meta.get("periode") or 0, min(ranks, default=len(TABLE_ORDER)), mtime_ns)


class KnownTables:
    """An organisation's accepted tables while `accept_org` works through its uploads.

    Read from the lake once and kept equal to what `Lake.accepted_tables` would read back
    after every write (only the tables a file changed are recomputed), instead of reading
    every accepted table again for every staged file.
    """

    def __init__(self, lake: Lake, org_id: str):
        self._periods = {t: lake.accepted_periods(t, org_id) for t in TABLE_ORDER}
        self._current: dict[str, pl.DataFrame] = {}

    def tables(self) -> dict[str, pl.DataFrame]:
        for table, periods in self._periods.items():
            if table not in self._current:
                self._current[table] = Lake.current(table, periods)
        return dict(self._current)

    def previous(self, table: str, period: int) -> pl.DataFrame | None:
        return self._periods.get(table, {}).get(period)

    def replace(self, table: str, period: int, df: pl.DataFrame) -> None:
        self._periods.setdefault(table, {})[period] = df
        self._current.pop(table, None)


def cost_norm(lake_root: Path, parameters: str | Path | None = None):
    """What intake compares a project-year's costs with (`schemas.cross_table.CostNorm`): the
    standard costs of the parameter set (None = the shipped standard set; base values in its
    price year) and the sector's reference per intervention that the benchmark last wrote to
    the lake. None while there is no reference yet: then there is nothing to compare with."""
    reference = read_cost_reference(lake_root)
    if reference is None or not reference.height:
        return None
    ps = _parameter_set(str(parameters) if parameters is not None else None)
    base = {k: ps.in_price_year(ps.kosten[k]).basis for k in ps.kosten}
    return CostNorm(
        fte=base["fte"],
        vrijwilliger=base["vrijwilliger_coordinatie"] + base["vrijwilliger_onkosten"],
        referentie=reference,
    )


@functools.cache
def _parameter_set(path: str | None):
    return load_parameters(path)


@dataclass
class _Waiting:
    """A staged upload to validate in this run, read back with its row checks to come."""

    staging: Path
    outcome: UploadOutcome
    confirmed: bool
    tables: dict[str, pl.DataFrame]
    problems: pl.DataFrame | None
    prepared: Prepared | None = None  # its part of `chain.prepare`


def _waiting(home: Home, org_id: str) -> list[_Waiting]:
    """The organisation's staged uploads to validate now, in acceptance order: held uploads
    that are not confirmed wait (they were reported when they were held)."""
    found = []
    for staging, meta in _staged(home, org_id):
        outcome = UploadOutcome(**meta)
        confirmed = hold.is_confirmed(home.lake, org_id, outcome.checksum)
        if (staging / hold.HELD_MARKER).exists() and not confirmed:
            continue  # held and already reported: waits for the organisation's confirmation
        tables, problems = read_staged_upload(staging)
        tables = erasure.without_erased(home, org_id, tables)  # erased clients stay out
        found.append(_Waiting(staging, outcome, confirmed, tables, problems))
    return found


def accept_org(
    home: Home,
    org_id: str,
    *,
    today: dt.date | None = None,
    parameters: str | Path | None = None,
) -> list[UploadOutcome]:
    """Step 2 for one organisation: validate staged uploads and store what passes
    (`accept_orgs` for this organisation alone)."""
    return accept_orgs(home, [org_id], today=today, parameters=parameters)[0]


def accept_orgs(
    home: Home,
    org_ids: Sequence[str],
    *,
    today: dt.date | None = None,
    parameters: str | Path | None = None,
) -> list[list[UploadOutcome]]:
    """Step 2 for a batch of organisations: validate their staged uploads and store what
    passes; outcomes per organisation, in the order of `org_ids`.

    The cost of a validation is mostly fixed per call, not per row, so the batch is judged
    together where it can be: the row checks of every staged file once per table over all
    those files (`chain.prepare`); the rules between tables in rounds, the k-th upload of
    every organisation together (`schemas.validate.validate_uploads`), as an organisation's
    uploads are judged one by one in acceptance order (the rules between tables and the
    re-upload rule need what the uploads before accepted) but never need another
    organisation's.
    `parameters`: the MKBA parameter file whose standard costs intake uses to estimate a
    project-year's costs (None = the shipped standard set)."""
    today = today or nl_today()
    lake = Lake(home.lake)
    waiting = {org: _waiting(home, org) for org in org_ids}
    every = [w for org in org_ids for w in waiting[org]]
    prepared = chain.prepare([(w.tables, w.outcome.periode) for w in every], today=today)
    for w, p in zip(every, prepared, strict=True):
        w.prepared = p
    norm = cost_norm(home.lake, parameters) if every else None
    known = {org: KnownTables(lake, org) for org in org_ids if waiting[org]}
    outcomes: dict[str, list[UploadOutcome]] = {org: [] for org in org_ids}
    for turn in range(max((len(w) for w in waiting.values()), default=0)):
        judged = [(org, waiting[org][turn]) for org in org_ids if turn < len(waiting[org])]
        results = validate_uploads(
            [
                chain.upload(
                    w.tables,
                    period=w.outcome.periode,
                    problems=w.problems,
                    known=known[org].tables(),
                    dialect=w.outcome.dialect,
                    prepared=w.prepared,
                )
                for org, w in judged
            ],
            today=today,
            kostennorm=norm,
        )
        for (org, w), result in zip(judged, results, strict=True):
            outcomes[org].append(_store(home, lake, org, w, result, known[org]))
    return [outcomes[org] for org in org_ids]


def _store(
    home: Home, lake: Lake, org_id: str, w: _Waiting, result, known: KnownTables
) -> UploadOutcome:
    """One judged upload stored: held by the re-upload rule, or its accepted rows merged into
    its period (`known` follows), its rejected rows, reports, status and audit entry."""
    staging, outcome, confirmed, tables = w.staging, w.outcome, w.confirmed, w.tables
    w.tables = w.prepared = None  # the batch's other uploads need the memory
    outcome.aantallen = result.counts
    outcome.status = chain.status(result)
    extra: dict = {}
    if not result.file_rejected:
        found = chain.replacements(
            tables,
            period=outcome.periode,
            previous={t: known.previous(t, outcome.periode) for t in tables},
        )
        if hold.held(found) and confirmed and not hold.as_confirmed(staging, found):
            hold.withdraw(home.lake, org_id, outcome.checksum)  # the period changed since
            confirmed = False
        if hold.held(found) and not confirmed:
            outcome.status, outcome.reden_code = chain.WAITING, chain.WAITING
            outcome.melding = hold.message(found, outcome.checksum[:16])
            hold.mark_held(staging, found)  # nothing else changes: the rows stay staged
            _log(home, outcome, "validatie", vervangt=hold.as_dicts(found))
            return outcome
        if confirmed and hold.held(found):
            extra = {"bevestigd": True, "vervangt": hold.as_dicts(found)}
    if result.file_rejected:
        outcome.reden_code = "bestand_afgekeurd"
        outcome.melding = " ".join(result.file_reasons)
        _quarantine(home, outcome)
    for table, df in merge_accepted(
        known, tables, result, outcome.periode, checksum=outcome.checksum
    ).items():
        Lake.write(df, lake.accepted_path(table, org_id, outcome.periode))
    if result.rejected.height:
        Lake.write(
            result.rejected.with_columns(
                pl.lit(org_id).alias("organisatie_id"),
                pl.lit(outcome.checksum).alias("checksum"),
                pl.lit(outcome.periode, pl.Int64).alias("periode"),
            ),
            lake.rejected_path(org_id, outcome.checksum),
        )
    _write_reports(home, outcome, result)
    Lake.write_json(
        {
            "geblokkeerd": result.file_rejected,
            "reden": outcome.melding,
            "checksum": outcome.checksum,
            "periode": outcome.periode,
        },
        lake.status_path(org_id),
    )
    _log(home, outcome, "validatie", **extra)
    lake.remove_staging(org_id, outcome.checksum)
    return outcome


def read_staged_upload(staging: Path) -> tuple[dict[str, pl.DataFrame], pl.DataFrame | None]:
    """A staged upload's tables (in name order, as they were staged) and the problems reading
    found (None: none)."""
    files: dict[str, Path] = {}
    for p in sorted(staging.iterdir()):
        if p.suffix not in Lake.STAGED_SUFFIXES or p.name.startswith("."):
            continue
        earlier = files.get(p.stem)
        if earlier is None or earlier.suffix != Lake.STAGED_SUFFIX:  # Arrow over Parquet
            files[p.stem] = p
    tables = {t: Lake.read_staged(p) for t, p in files.items() if not t.startswith("_")}
    problems_path = files.get(PROBLEMS_STEM)
    return tables, (Lake.read_staged(problems_path) if problems_path else None)


def merge_accepted(
    known: KnownTables,
    tables: dict[str, pl.DataFrame],
    result,
    period: int,
    *,
    checksum: str | None = None,
) -> dict[str, pl.DataFrame]:
    """What a validated upload leaves as the accepted rows of its period, per table (nothing
    when the file is refused), recorded in `known` for the uploads after it. With `checksum`
    (intake; the pre-flight keeps rows in memory only) every new row carries the upload's
    checksum (`LINEAGE_COLUMN`)."""
    if result.file_rejected:
        return {}
    out = {}
    for table, df in result.accepted.items():
        if checksum is not None:
            df = df.with_columns(pl.lit(checksum, pl.String).alias(LINEAGE_COLUMN))
        df = _keep_previous_of_rejected(df, tables.get(table), known.previous(table, period), table)
        known.replace(table, period, df)
        out[table] = df
    return out


def staged_uploads(home: Home, org_id: str) -> list[tuple[tuple, Path, dict]]:
    """An organisation's staged uploads in acceptance order: (order, folder, `_upload.json`)."""
    return [
        (acceptance_order(meta, mtime), staging, meta)
        for mtime, staging, meta in _read_staged(home, org_id)
    ]


def _keep_previous_of_rejected(
    accepted: pl.DataFrame, staged: pl.DataFrame | None, previous: pl.DataFrame | None, table: str
) -> pl.DataFrame:
    """A superseding upload replaces the period's rows, except where its own row for a key was
    rejected: then the previously accepted row for that key stays (a failed row never removes
    accepted data, and references to it keep working)."""
    if staged is None or previous is None:
        return accepted
    keys = KEYS[table]
    rejected_keys = (
        staged.select(keys)
        .unique()
        .join(accepted.select(keys).unique(), on=keys, how="anti", nulls_equal=True)
    )
    if rejected_keys.height == 0:
        return accepted
    kept = previous.join(rejected_keys, on=keys, how="semi", nulls_equal=True)
    # a kept row keeps the checksum of the upload it came from (none: accepted before lineage)
    return pl.concat([accepted, kept], how="diagonal_relaxed").select(accepted.columns)


def _write_reports(home: Home, outcome: UploadOutcome, result) -> None:
    """The upload's validation report, JSON and HTML from one report dict."""

    own = original_name(home, outcome.organisatie_id, outcome.checksum)
    kwargs = dict(
        organisatie_id=outcome.organisatie_id,
        bestand=own or outcome.bestand,
        checksum=outcome.checksum,
        system=outcome.systeem,
        dialect=outcome.dialect,
    )
    folder = home.org_validation(outcome.organisatie_id)
    folder.mkdir(parents=True, exist_ok=True)
    stem = outcome.checksum[:16]
    report = report_json(result, **kwargs)
    Lake.write_json(report, folder / f"{stem}.json")
    write_atomic(folder / f"{stem}.html", render_report_html(report))


__all__ = [
    "KnownTables",
    "UploadOutcome",
    "accept_org",
    "accept_orgs",
    "acceptance_order",
    "merge_accepted",
    "read_staged_upload",
    "staged_uploads",
    "archived_path",
    "is_known",
    "load_or_create_key",
    "organisations_in_inbox",
    "pending_uploads",
    "receive_org",
    "sha256_file",
]
