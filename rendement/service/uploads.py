"""From a received temp file to a file waiting in `inbox/<ORG>/`, with a receipt; and the list of
an organisation's uploads with their status.

The order for one upload: detect the type by content (415/422) -> refuse an exact duplicate of
what this organisation already delivered (200, nothing written) -> pre-flight check on a hard
link under the final name (the same verdict as `rendement check`) -> under a per-organisation
lock: check for a duplicate once more and rename the temp file to its generated name. The
rename is the only moment the file becomes visible to the intake sensor, and it is atomic.

The stored name is generated, never the sender's: `<UTC time>_<sha256[:12]>[_<tabel>][_<jaar>]`
with `.csv` or `.xlsx` by content. A table name (from the fixed list of canonical tables) and a
reporting year are kept from the original name, because intake reads both from the name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from rendement.core import audit
from rendement.core.files import fsync_dir, locked
from rendement.core.home import Home
from rendement.intake.accept import is_known, pending_uploads, sha256_file
from rendement.intake.hold import WAITING
from rendement.service import sandbox
from rendement.service.errors import ServiceError
from rendement.service.receive import Received
from rendement.service.sniff import Detected, ZipLimits, detect

ACTOR = "uploadservice"
# A pre-flight check of a large file holds it in memory several times over: at most this many
# at once, whatever the number of simultaneous uploads (the others wait their turn).
_CHECKS = threading.BoundedSemaphore(2)
YEAR = re.compile(r"(?<![0-9])(19[89][0-9]|20[0-9][0-9])(?![0-9])")
TABLE_HINTS = (
    "organisatie",
    "project",
    "traject",
    "meting",
    "inzet",
    "kosten",
    "activiteit",
    "projectopgave",
    "export",
    "projectblad",
)
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Settings:
    """Limits of one running service (`rendement serve --max-mb` sets the first)."""

    max_upload_bytes: int = 50 * 1024 * 1024
    zip_limits: ZipLimits = ZipLimits()
    preflight: bool = True  # run the pre-flight check and put its verdict on the receipt
    secure_cookies: bool = False  # behind HTTPS (`rendement serve --https`): Secure cookies
    session_hours: float = 8.0  # a portal session ends this long after signing in
    preflight_limits: sandbox.Limits = sandbox.Limits()  # memory and time of one pre-flight


@dataclass
class Stored:
    """The outcome of one upload: HTTP status and the receipt (JSON-ready)."""

    status: int
    receipt: dict


def year_from_name(name: str) -> int | None:
    found = YEAR.findall(name)
    return int(found[-1]) if found else None


def table_from_name(name: str) -> str | None:
    words = _WORD.findall(Path(name).stem.lower())
    return next((w for w in words if w in TABLE_HINTS), None)


def _hash_part(checksum: str) -> str:
    """The first 12 hex digits, with any run that reads as a year broken by a dash: intake
    takes the reporting year from the last year-like number in the name, and that must be the
    real one."""
    return YEAR.sub(lambda m: f"{m.group(0)[:2]}-{m.group(0)[2:]}", checksum[:12])


def generated_name(
    original: str, checksum: str, suffix: str, when: dt.datetime, year: int | None = None
) -> str:
    """`<UTC time>_<sha256[:12]>[_<tabel>][_<jaar>]<suffix>`; the year from the original name,
    else `year` (the one the pre-flight check read from the data)."""
    parts = [when.strftime("%Y%m%dT%H%M%SZ"), _hash_part(checksum)]
    if table := table_from_name(original):
        parts.append(table)
    if year := year_from_name(original) or year:
        parts.append(str(year))
    return "_".join(parts) + suffix


@contextlib.contextmanager
def org_lock(folder: Path) -> Iterator[None]:
    """Serialise the duplicate check and the rename per organisation (threads and processes)."""
    with locked(folder / ".lock"):
        yield


def find_duplicate(home: Home, org: str, checksum: str, size: int) -> str | None:
    """'archief' when intake already has this content, 'inbox' when it is waiting there."""
    if is_known(home, org, checksum):
        return "archief"
    for path in pending_uploads(home, org):
        with contextlib.suppress(FileNotFoundError):  # intake may take it meanwhile
            if path.stat().st_size == size and sha256_file(path) == checksum:
                return "inbox"
    return None


def _duplicate_receipt(org: str, received: Received, where: str) -> Stored:
    return Stored(
        200,
        {
            "status": "al_ontvangen",
            "melding": "Dit bestand is al eerder ontvangen"
            + (" en wacht nog op verwerking" if where == "inbox" else "")
            + "; er is niets nieuws opgeslagen. Zie GET /api/uploads voor de status.",
            "organisatie_id": org,
            "origineel": received.original,
            "checksum": received.checksum,
            "grootte_bytes": received.temp.size,
        },
    )


def store(
    home: Home,
    org: str,
    received: Received,
    settings: Settings,
    keep: Callable[[dict], bool] | None = None,
) -> Stored:
    """Check, de-duplicate, pre-flight and place one received upload (blocking; run in a thread).
    The temp file is gone afterwards, whatever happens. `keep`: asked with the pre-flight
    verdict whether to store at all (the portal's project sheet form stores only a sheet
    without errors); when it says no, nothing is stored and the answer is 422 `niet_opgeslagen`
    with the verdict."""
    temp = received.temp
    folder = temp.path.parent
    try:
        if temp.size == 0:
            raise ServiceError(400, "leeg_bestand", "Het bestand is leeg.")
        found = detect(temp.path, settings.zip_limits)
        if where := find_duplicate(home, org, received.checksum, temp.size):
            return _duplicate_receipt(org, received, where)
        now = dt.datetime.now(dt.UTC)
        name = generated_name(received.original, received.checksum, found.suffix, now)
        verdict = (
            _preflight(home, temp.path, name, org, settings.preflight_limits)
            if settings.preflight
            else _not_run("uit")
        )
        if verdict.get("reden_code") == "bsn_gevonden":
            raise ServiceError(
                422,
                "bsn_gevonden",
                f"{verdict.get('melding', '')} Het bestand is niet opgeslagen: organisaties in "
                "het sociaal werk mogen geen BSN verwerken (art. 46 UAVG). Haal de kolom weg en "
                "lever het bestand opnieuw aan.".strip(),
            )
        if keep is not None and not keep(verdict):
            return Stored(
                422,
                {"status": "niet_opgeslagen", "organisatie_id": org, "voorcontrole": verdict},
            )
        if verdict.get("periode") and not year_from_name(received.original):
            name = generated_name(
                received.original, received.checksum, found.suffix, now, verdict["periode"]
            )
        with org_lock(folder):
            if where := find_duplicate(home, org, received.checksum, temp.size):
                return _duplicate_receipt(org, received, where)
            target = folder / name
            n = 1
            while target.exists():
                n += 1
                target = folder / f"{Path(name).stem}-{n}{found.suffix}"
            os.chmod(temp.path, 0o640)
            os.replace(temp.path, target)
            temp.kept = True
            fsync_dir(folder)
        return Stored(201, _receipt(org, received, found, target.name, now, verdict))
    finally:
        temp.discard()


def _not_run(reason: str) -> dict:
    return {"oordeel": "niet_uitgevoerd", "reden": reason}


def _preflight(home: Home, temp_path: Path, name: str, org: str, limits: sandbox.Limits) -> dict:
    """The `rendement check --organisatie` verdict on the upload, read under its final name (a
    hard link in a hidden folder, so the sensor cannot see it and the name carries table and
    year), judged with the organisation's earlier deliveries as intake will judge it, in a child
    process with memory and time limits (`sandbox`)."""
    check_dir = Path(tempfile.mkdtemp(prefix=f".controle-{os.getpid()}-", dir=temp_path.parent))
    try:
        link = check_dir / name
        try:
            os.link(temp_path, link)
        except OSError:
            shutil.copyfile(temp_path, link)
        try:
            with _CHECKS:
                return sandbox.run_preflight(
                    link, organisatie_id=org, home_root=home.root, limits=limits
                )
        except sandbox.TooCostly as exc:  # intake would choke on it too: refused, not stored
            raise ServiceError(422, exc.code, exc.message) from None
        except sandbox.Stopped:
            raise ServiceError(
                503,
                "dienst_stopt",
                "De uploadservice wordt gestopt; uw bestand is niet opgeslagen. Probeer het over "
                "enkele minuten opnieuw.",
            ) from None
        except Exception as exc:  # the verdict is advice; the upload itself still counts
            return _not_run(f"{type(exc).__name__}")
    finally:
        shutil.rmtree(check_dir, ignore_errors=True)


def problems(verdict: dict) -> list[str]:
    """The pre-flight findings as Dutch sentences, worst first."""
    out = [str(r) for r in verdict.get("redenen") or []]
    if verdict.get("melding") and verdict.get("oordeel") == "geweigerd":
        out.append(str(verdict["melding"]))
    for r in verdict.get("regels") or []:
        label = {"bestand": "bestand geweigerd", "fout": "rij afgekeurd"}.get(
            r.get("ernst"), "waarschuwing"
        )
        line = f"{r.get('titel', r.get('regel'))} ({label}, {r.get('aantal', 0)}×)"
        if r.get("wat_te_doen"):
            line += f": {r['wat_te_doen']}"
        out.append(line)
    return out


def _receipt(
    org: str, received: Received, found: Detected, name: str, now: dt.datetime, verdict: dict
) -> dict:
    oordeel = verdict.get("oordeel", "niet_uitgevoerd")
    advice = {
        "geaccepteerd": "De voorcontrole vond geen problemen.",
        "deels_geaccepteerd": "Volgens de voorcontrole worden sommige rijen afgekeurd; zie de "
        "problemen hieronder.",
        "geweigerd": "Volgens de voorcontrole wordt dit bestand geweigerd; zie de problemen "
        "hieronder en lever een verbeterd bestand aan.",
        WAITING: "Het wacht op uw bevestiging: "
        + str(verdict.get("melding", "")).replace("{kenmerk}", received.checksum[:16]),
    }.get(oordeel, "De voorcontrole kon niet worden uitgevoerd; het bestand wordt wel verwerkt.")
    replaced = [r["tekst"] for r in verdict.get("vervangt") or [] if r.get("vasthouden")]
    return {
        "status": "ontvangen",
        "melding": f"Uw bestand is ontvangen en wacht op verwerking. {advice}",
        "organisatie_id": org,
        "bestand": name,
        "origineel": received.original,
        "checksum": received.checksum,
        "grootte_bytes": received.temp.size,
        "ontvangen_op": now.isoformat(timespec="seconds"),
        "formaat": found.formaat,
        "systeem": verdict.get("systeem"),
        "dialect": verdict.get("dialect") or found.dialect,
        "periode": verdict.get("periode") or year_from_name(received.original),
        "voorcontrole": {
            "oordeel": oordeel,
            "geaccepteerd": verdict.get("geaccepteerd"),
            "problemen": problems(verdict),
            "vervangt": replaced,
            "rapport": {k: v for k, v in verdict.items() if k not in ("tekst",)},
        },
    }


# --- receipts kept for the portal -------------------------------------------------------------

# --- the list of an organisation's uploads ----------------------------------------------------

STATUS_TEXT = {
    "wacht_op_verwerking": "Ontvangen; wacht in de inbox op verwerking.",
    "in_behandeling": "Wordt verwerkt.",
    "geaccepteerd": "Verwerkt en helemaal aangenomen.",
    "deels_geaccepteerd": "Verwerkt; sommige rijen zijn afgekeurd (zie het rapport).",
    "geweigerd": "Geweigerd; zie het rapport of de reden.",
    "duplicaat": "Al eerder ontvangen; niets veranderd.",
    WAITING: "Zou veel eerder aangenomen gegevens vervangen; wacht op uw bevestiging "
    "(POST /api/uploads/{kenmerk}/bevestigen).",
}


def uploads_overview(home: Home, org: str, audit_frame: pl.DataFrame | None = None) -> list[dict]:
    """Every upload of one organisation that the audit log or its inbox knows, newest first."""
    log = audit.read(home.audit_log) if audit_frame is None else audit_frame
    log = log.with_row_index("_volgorde").filter(pl.col("organisatie_id") == org)
    rows: dict[str, dict] = {}
    service = log.filter(
        (pl.col("actor") == ACTOR)
        & (pl.col("actie") == "upload")
        & (pl.col("uitkomst") == "ontvangen")
    )
    service = service.with_columns(
        pl.col("details").str.json_path_match("$.origineel").alias("origineel")
    )
    for r in service.iter_rows(named=True):
        rows[r["checksum"]] = {
            "checksum": r["checksum"],
            "bestand": r["bestand"],
            "origineel": r["origineel"],
            "ontvangen_op": r["tijdstip"],
            "kanaal": "uploadservice",
            "status": "in_behandeling",
            "periode": None,
            "reden_code": None,
        }
    intake = log.filter((pl.col("actor") == "intake") & pl.col("checksum").is_not_null())
    intake = intake.with_columns(
        pl.col("details")
        .str.json_path_match("$.periode")
        .cast(pl.Int64, strict=False)
        .alias("periode"),
        pl.col("details").str.json_path_match("$.reden_code").alias("reden_code"),
    ).sort("_volgorde")
    for r in intake.iter_rows(named=True):
        row = rows.setdefault(
            r["checksum"],
            {
                "checksum": r["checksum"],
                "bestand": r["bestand"],
                "ontvangen_op": r["tijdstip"],
                "kanaal": "inbox",
                "status": None,
                "periode": None,
                "reden_code": None,
            },
        )
        if r["uitkomst"] == "duplicaat" and row["status"] not in (None, "in_behandeling"):
            continue  # a later duplicate does not hide what happened to the first one
        status = "in_behandeling" if r["uitkomst"] == "ontvangen" else r["uitkomst"]
        row.update(status=status, reden_code=r["reden_code"], bijgewerkt_op=r["tijdstip"])
        row["periode"] = r["periode"] or row["periode"]
    for path in pending_uploads(home, org):
        with contextlib.suppress(FileNotFoundError):
            checksum = sha256_file(path)
            row = rows.setdefault(
                checksum,
                {
                    "checksum": checksum,
                    "bestand": path.name,
                    "kanaal": "inbox",
                    "ontvangen_op": dt.datetime.fromtimestamp(
                        path.stat().st_mtime, dt.UTC
                    ).isoformat(timespec="seconds"),
                    "periode": None,
                    "reden_code": None,
                },
            )
            row["status"] = "wacht_op_verwerking"
    reports = home.org_validation(org)
    out = []
    for row in rows.values():
        row["status"] = row["status"] or "in_behandeling"
        row["periode"] = row["periode"] or year_from_name(row["bestand"] or "")
        row["toelichting"] = STATUS_TEXT.get(row["status"], "").replace(
            "{kenmerk}", row["checksum"][:16]
        )
        row["origineel"] = row.get("origineel") or row["bestand"]
        stem = row["checksum"][:16]
        row["rapport"] = (
            f"/api/rapporten/{org}/validatie/{stem}.html"
            if (reports / f"{stem}.html").is_file()
            else None
        )
        out.append(row)
    return sorted(out, key=lambda r: r["ontvangen_op"] or "", reverse=True)
