"""The pre-flight verdict on one export, shared by `rendement check` and the upload service.

Runs the same reading, BSN screening, pseudonymisation and validation as intake, in memory,
with a random key that is thrown away. Nothing is written.

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

from rendement.intake.accept import NO_PERIOD_MESSAGE, canonical_tables


@dataclass
class Preflight:
    accepted: bool
    document: dict  # stable machine-readable verdict (see docs/validatie.md)
    text: str  # the same in Dutch sentences, for a terminal


def _refusal(path: Path, code: str, message: str, system=None, dialect=None) -> Preflight:
    document = {
        "bestand": path.name,
        "oordeel": "geweigerd",
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
) -> Preflight:
    from rendement.intake.validation_report import report_json, report_text
    from schemas.validate import validate_upload
    from sources import UnreadableFile, read_upload

    try:
        result = read_upload(path, system=system)
    except UnreadableFile as exc:
        return _refusal(path, exc.code, exc.message)
    dialect = result.dialect.as_dict()
    if result.period is None:
        return _refusal(path, "periode_onbekend", NO_PERIOD_MESSAGE, result.system, dialect)
    tables = canonical_tables(result, organisatie_id, secrets.token_bytes(32))
    outcome = validate_upload(
        tables, period=result.period, today=today or dt.date.today(), parse_problems=result.problems
    )
    kwargs = dict(
        organisatie_id=organisatie_id,
        bestand=path.name,
        checksum=None,
        system=result.system,
        dialect=dialect,
    )
    document = report_json(outcome, **kwargs)
    accepted = not outcome.file_rejected and outcome.rejected.height == 0
    document["oordeel"] = (
        "geaccepteerd"
        if accepted
        else ("geweigerd" if outcome.file_rejected else "deels_afgekeurd")
    )
    document["periode"] = result.period
    return Preflight(accepted, document, report_text(outcome, **kwargs))
