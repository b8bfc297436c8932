"""The pre-flight verdict on one export, shared by `rendement check` and the upload service.

Runs intake's reader chain (`rendement.intake.chain`: reading, BSN screening, pseudonymisation
and validation) in memory. Nothing is written. Same file, same verdict and the same row errors
as intake, in two modes:

- **with the organisation's data home** (`home` and `organisatie_id`: the upload service, and
  `rendement check --organisatie ORG`): the file is judged the way `accept_org` will judge it
  now, against what the organisation delivered before (its accepted tables from the lake, so a
  `kosten_2025.csv` may refer to projects delivered last month), with the sector's cost
  reference and the home's own pseudonymisation key (in memory only: the pseudonyms of earlier
  trajectories must match). Uploads still waiting for intake (staged, or in the inbox) that
  intake will take before this file (`accept.acceptance_order`: older periods first, parents
  before children) are replayed first, in memory, as `accept_org` will: a `kosten_2025.csv`
  uploaded a minute after its `project_2025.csv` is judged with those projects. An exact copy
  of a file intake already has, or that is already waiting, is predicted `duplicaat`.
- **standalone** (`rendement check FILE`): only the file itself, with a throw-away key. A warning
  that depends on earlier deliveries (`geen_kosten`) says so in its message; the comparison
  with the sector's costs per participant (`kosten_per_deelnemer_laag`) is not made.

The verdict (`oordeel`) uses intake's own words (`geaccepteerd`, `deels_geaccepteerd`,
`geweigerd`, `duplicaat`), so that a receipt and the delivery list never speak two vocabularies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from rendement.core import erasure
from rendement.core.formatting import nl_today
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.privacy import existing_key
from rendement.intake import chain, hold
from rendement.intake.accept import (
    KnownTables,
    acceptance_order,
    cost_norm,
    is_known,
    merge_accepted,
    pending_uploads,
    read_staged_upload,
    staged_uploads,
)
from rendement.intake.validation_report import report_json, report_text

DUPLICATE = "duplicaat"
DUPLICATE_MESSAGE = (
    "Dit bestand is al eerder ontvangen: bij aanleveren verandert er niets. Stuur alleen een "
    "bestand dat anders is dan wat u al aanleverde."
)
WAITING_MESSAGE = (
    "Dit bestand is al ontvangen en wacht op verwerking: nog een keer aanleveren verandert niets."
)
STANDALONE_ORG = "CONTROLE"
# Rules about references to what may have been delivered before: alone, the check cannot know.
EARLIER_DELIVERIES = ("project_onbekend", "traject_onbekend")
STANDALONE_HINT = (
    "\nDeze controle zag alleen dit bestand. Verwijst het naar projecten of trajecten die u "
    "eerder aanleverde, controleer het dan samen met die leveringen: rendement check BESTAND "
    "--organisatie UW-CODE.\n"
)

# The verdict's words in the pre-flight document (docs/validatie.md): intake's own outcomes.
VERDICT = {
    chain.ACCEPTED: chain.ACCEPTED,
    chain.PARTLY_ACCEPTED: chain.PARTLY_ACCEPTED,
    chain.REFUSED: chain.REFUSED,
    chain.WAITING: chain.WAITING,
}


@dataclass
class Preflight:
    accepted: bool  # intake would take every row (warnings allowed)
    document: dict  # stable machine-readable verdict (see docs/validatie.md)
    text: str  # the same in Dutch sentences, for a terminal

    @property
    def verdict(self) -> str:
        """`geaccepteerd`, `deels_geaccepteerd`, `geweigerd` or `duplicaat`."""
        return self.document["oordeel"]


def _heading(name: str, org: str | None) -> str:
    if org is None:
        return (
            f"Controle vooraf van {name}: alleen dit bestand, nog niets aangeleverd of opgeslagen."
        )
    return (
        f"Controle vooraf van {name} voor {org}, samen met wat {org} eerder aanleverde: nog "
        "niets aangeleverd of opgeslagen."
    )


def _refusal(
    path: Path, org: str | None, code: str, message: str, system=None, dialect=None, **extra
) -> Preflight:
    verdict = DUPLICATE if code == DUPLICATE else chain.REFUSED
    document = {
        "bestand": path.name,
        "oordeel": verdict,
        "reden_code": code,
        "melding": message,
        "systeem": system,
        "dialect": dialect or {},
        **extra,
    }
    outcome = (
        "Dit bestand is al ontvangen." if verdict == DUPLICATE else "Dit bestand wordt geweigerd."
    )
    text = f"{_heading(path.name, org)}\n{outcome}\n{message}\n"
    return Preflight(False, document, text)


@dataclass
class _Waiting:
    """An upload intake has not finished yet, as `accept_org` will see it."""

    order: tuple
    tables: dict
    problems: object
    period: int
    dialect: dict


def _waiting(home: Home, org: str, key: bytes) -> tuple[list[_Waiting], set[str]]:
    """The organisation's uploads waiting for intake (staged first, then the inbox in the order
    `receive_org` takes it: those are staged later), and their checksums. An inbox file intake
    will skip (a duplicate) or refuse whole changes nothing and is left out."""
    found = []
    checksums: set[str] = set()
    for order, staging, meta in staged_uploads(home, org):
        tables, problems = read_staged_upload(staging)
        tables = erasure.without_erased(home, org, tables)  # as intake will see them
        found.append(_Waiting(order, tables, problems, meta["periode"], meta.get("dialect") or {}))
        checksums.add(meta.get("checksum") or "")
    later = time.time_ns()
    for i, path in enumerate(pending_uploads(home, org)):
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # intake took it meanwhile
            continue
        checksum = hashlib.sha256(data).hexdigest()
        if checksum in checksums or is_known(home, org, checksum):
            continue
        checksums.add(checksum)
        screened = chain.screen(path, organisatie_id=org, key=key, data=data)
        if screened.refusal is not None:
            continue
        meta = {"periode": screened.period, "aantallen": screened.counts}
        found.append(
            _Waiting(
                acceptance_order(meta, later + i),
                screened.tables,
                screened.problems,
                screened.period,
                screened.dialect,
            )
        )
    return found, checksums


def _known_after(home: Home, org: str, waiting: list[_Waiting], *, today: dt.date, norm) -> dict:
    """The organisation's accepted tables as intake will have them when it reaches this file:
    the lake, then every upload in `waiting` (in acceptance order) validated and merged, their
    row checks in one pass as intake runs them (`chain.prepare`)."""
    known = KnownTables(Lake(home.lake), org)
    ordered = sorted(waiting, key=lambda w: w.order)
    prepared = chain.prepare([(w.tables, w.period) for w in ordered], today=today)
    for w, rows_checked in zip(ordered, prepared, strict=True):
        one = chain.upload(
            w.tables,
            period=w.period,
            problems=w.problems,
            known=known.tables(),
            dialect=w.dialect,
            prepared=rows_checked,
        )
        result = chain.validate(one, today=today, kostennorm=norm)
        merge_accepted(known, w.tables, result, w.period)
    return known.tables()


def preflight(
    path: Path,
    *,
    home: Home | None = None,
    organisatie_id: str | None = None,
    system: str | None = None,
    today: dt.date | None = None,
    parameters: str | Path | None = None,
) -> Preflight:
    """The verdict intake would give `path`.

    `home` and `organisatie_id` together: judged with that organisation's earlier accepted
    deliveries in that data home (the upload service and `rendement check --organisatie`).
    Without `home`: the file alone (`organisatie_id` only names the organisation in the report).
    `parameters`: the MKBA parameter file the pipeline runs with (None = the shipped set), for
    the standard costs in the cost-per-participant warning."""
    today = today or nl_today()
    extra: dict = {}
    if home is None:
        org = organisatie_id or STANDALONE_ORG
        key, known, norm, data = secrets.token_bytes(32), None, None, None
        extra["met_eerdere_leveringen"] = False
    else:
        if not organisatie_id:
            raise ValueError("preflight: with a data home, say which organisation")
        org = organisatie_id
        data = path.read_bytes()
        checksum = hashlib.sha256(data).hexdigest()
        extra["met_eerdere_leveringen"] = True
        if is_known(home, org, checksum):
            return _refusal(path, org, DUPLICATE, DUPLICATE_MESSAGE, **extra)
        key = existing_key(home.secrets) or secrets.token_bytes(32)
        waiting, waiting_checksums = _waiting(home, org, key)
        if checksum in waiting_checksums:
            return _refusal(path, org, DUPLICATE, WAITING_MESSAGE, **extra)
        norm = cost_norm(home.lake, parameters)
    shown = org if home is not None else None
    screened = chain.screen(path, organisatie_id=org, key=key, system=system, data=data)
    if screened.refusal is not None:
        return _refusal(path, shown, *screened.refusal, screened.system, screened.dialect, **extra)
    if home is not None:
        # this file is staged after everything waiting now: of those, intake takes first what
        # sorts before it
        mine = acceptance_order({"periode": screened.period, "aantallen": screened.counts}, 2**63)
        before = [w for w in waiting if w.order < mine]
        extra["wachtend"] = len(waiting)
        extra["wachtend_meegerekend"] = len(before)
        known = _known_after(home, org, before, today=today, norm=norm)
    one = chain.upload(
        screened.tables,
        period=screened.period,
        problems=screened.problems,
        known=known,
        dialect=screened.dialect,
    )
    outcome = chain.validate(one, today=today, kostennorm=norm)
    kwargs = dict(
        organisatie_id=org,
        bestand=path.name,
        checksum=None,
        system=screened.system,
        dialect=screened.dialect,
    )
    document = report_json(outcome, **kwargs)
    status = chain.status(outcome)
    held_text = ""
    if home is not None and status != chain.REFUSED:
        # the re-upload rule (`rendement.intake.hold`), judged as intake will judge it
        previous = hold.previous_tables(home.lake, org, screened.period, screened.tables)
        found = chain.replacements(screened.tables, period=screened.period, previous=previous)
        document["vervangt"] = hold.as_dicts(found)
        if hold.held(found):
            status = chain.WAITING
            document["reden_code"] = chain.WAITING
            document["melding"] = hold.message(found)
            held_text = "\nOordeel: WACHT OP BEVESTIGING\n" + document["melding"] + "\n"
    document["oordeel"] = VERDICT[status]
    document["periode"] = screened.period
    document.update(extra)
    text = report_text(outcome, **kwargs, heading=_heading(path.name, shown))
    if home is None and any(r["regel"] in EARLIER_DELIVERIES for r in document["regels"]):
        text += STANDALONE_HINT
    if n := extra.get("wachtend"):
        files = (
            "1 eerder ontvangen bestand wacht"
            if n == 1
            else f"{n} eerder ontvangen bestanden wachten"
        )
        text += (
            f"\n{files} nog op verwerking. De controle rekent mee wat de verwerking vóór dit "
            f"bestand neemt ({extra['wachtend_meegerekend']} van de {n}).\n"
        )
    text += held_text
    return Preflight(status == chain.ACCEPTED, document, text)
