"""The pre-flight verdict on one export, shared by `rendement check` and the upload service.

Runs intake's reader chain (`rendement.intake.chain`: reading, BSN screening, pseudonymisation
and validation) in memory, with a random key that is thrown away. Nothing is written. Same
file, same verdict and the same row errors as intake.

It sees only the file it is given, not what the organisation delivered before (no `known`
tables): a warning that depends on earlier deliveries (`geen_kosten`) says so in its message,
and the comparison with the sector's costs per participant (`kosten_per_deelnemer_laag`, which
needs the lake) is not made.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from rendement.intake import chain, hold
from rendement.intake.validation_report import report_json, report_text

# The verdict's words in the pre-flight document (docs/validatie.md), per intake outcome.
VERDICT = {
    chain.ACCEPTED: "geaccepteerd",
    chain.PARTLY_ACCEPTED: "deels_afgekeurd",
    chain.REFUSED: "geweigerd",
    chain.WAITING: "wacht_op_bevestiging",
}


@dataclass
class Preflight:
    accepted: bool
    document: dict  # stable machine-readable verdict (see docs/validatie.md)
    text: str  # the same in Dutch sentences, for a terminal


def _refusal(path: Path, code: str, message: str, system=None, dialect=None) -> Preflight:
    document = {
        "bestand": path.name,
        "oordeel": VERDICT[chain.REFUSED],
        "reden_code": code,
        "melding": message,
        "systeem": system,
        "dialect": dialect or {},
    }
    text = f"Bestand: {path.name}\nOordeel: GEWEIGERD\n{message}"
    return Preflight(False, document, text)


def preflight(
    path: Path,
    *,
    system: str | None = None,
    organisatie_id: str = "CONTROLE",
    today: dt.date | None = None,
    lake_root: Path | None = None,
) -> Preflight:
    """`lake_root`: the lake of the organisation's data home, read (never written) to predict
    whether the upload would be held by the re-upload rule (`rendement.intake.hold`); None: not
    judged (`rendement check` on a file alone)."""
    screened = chain.screen(
        path, organisatie_id=organisatie_id, key=secrets.token_bytes(32), system=system
    )
    if screened.refusal is not None:
        return _refusal(path, *screened.refusal, screened.system, screened.dialect)
    outcome = chain.validate(
        screened.tables,
        period=screened.period,
        today=today or dt.date.today(),
        problems=screened.problems,
    )
    kwargs = dict(
        organisatie_id=organisatie_id,
        bestand=path.name,
        checksum=None,
        system=screened.system,
        dialect=screened.dialect,
    )
    document = report_json(outcome, **kwargs)
    status = chain.status(outcome)
    text = report_text(outcome, **kwargs)
    if lake_root is not None and status != chain.REFUSED:
        previous = hold.previous_tables(lake_root, organisatie_id, screened.period, screened.tables)
        found = chain.replacements(screened.tables, period=screened.period, previous=previous)
        document["vervangt"] = hold.as_dicts(found)
        if hold.held(found):
            status = chain.WAITING
            document["reden_code"] = chain.WAITING
            document["melding"] = hold.message(found)
            text += "\nOordeel: WACHT OP BEVESTIGING\n" + document["melding"]
    document["oordeel"] = VERDICT[status]
    document["periode"] = screened.period
    return Preflight(status == chain.ACCEPTED, document, text)
