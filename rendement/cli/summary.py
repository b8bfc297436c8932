"""The short Dutch summary printed after a run: what this run did with the files it found, what
the warehouse holds in all, where to look.

What the run did comes from the audit log lines it appended (intake's `ontvangst` and
`validatie` lines), not from the warehouse: a second `rendement demo` whose files were all
received before accepts nothing, even though the warehouse still holds every row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl

from rendement.core import audit
from rendement.core.formatting import nl_number
from rendement.core.home import Home
from rendement.core.readcopy import read_warehouse
from schemas.tables import MODELS


def audit_position(home: Home) -> int:
    """How many lines the audit log has now: pass it to `sector_summary` after the run."""
    return audit.read(home.audit_log).height


@dataclass(frozen=True)
class RunCounts:
    """What one run's intake did, from its audit lines."""

    received: int = 0  # files read (new content)
    duplicates: int = 0  # files skipped: the same content was received before
    refused: int = 0  # files refused whole (on reading or on validation)
    rows_accepted: int = 0
    rows_rejected: int = 0


def run_counts(lines: pl.DataFrame) -> RunCounts:
    intake = lines.filter(pl.col("actor") == "intake")
    received = intake.filter(pl.col("actie") == "ontvangst")
    validated = intake.filter(pl.col("actie") == "validatie")
    accepted = rejected = 0
    for details in validated["details"].to_list():
        for counts in (json.loads(details or "{}").get("aantallen") or {}).values():
            accepted += int(counts.get("opgeslagen", counts.get("geaccepteerd", 0)) or 0)
            rejected += int(counts.get("afgekeurd", 0) or 0) + int(
                counts.get("niet_gelezen", 0) or 0
            )
    return RunCounts(
        received=received.filter(pl.col("uitkomst") != "duplicaat").height,
        duplicates=received.filter(pl.col("uitkomst") == "duplicaat").height,
        refused=intake.filter(pl.col("uitkomst") == "geweigerd").height,
        rows_accepted=accepted,
        rows_rejected=rejected,
    )


def _files(n: int) -> str:
    return f"{nl_number(n)} {'bestand' if n == 1 else 'bestanden'}"


def sector_summary(home: Home, since: int | None = None) -> str:
    """The summary; `since`: the audit log's length before the run (`audit_position`), for the
    part about this run (left out when None)."""
    lines = ["Klaar."]
    if since is not None:
        run = run_counts(audit.read(home.audit_log).slice(since))
        received = _files(run.received + run.duplicates)
        if run.duplicates:
            received += (
                f", waarvan {nl_number(run.duplicates)} al eerder ontvangen (niets veranderd)"
            )
        lines += [
            "  Deze run:",
            f"    Bestanden gevonden:    {received}",
            f"    Rijen aangenomen:      {nl_number(run.rows_accepted)}",
            f"    Rijen afgekeurd:       {nl_number(run.rows_rejected)}",
            f"    Bestanden geweigerd:   {nl_number(run.refused)}",
        ]
    with read_warehouse(home) as con:

        def one(sql: str) -> int:
            return con.execute(sql).fetchall()[0][0] or 0

        orgs = one("SELECT count(DISTINCT organisatie_id) FROM canoniek.project")
        projects = one("SELECT count(*) FROM canoniek.project")
        stored = sum(one(f"SELECT count(*) FROM canoniek.{t}") for t in MODELS)
        quarantined = one("SELECT count(*) FROM quarantaine.rijen")
        refused = one("SELECT count(*) FROM intake.leveringen WHERE uitkomst = 'geweigerd'")
    lines += [
        "  In het warehouse (alle aanleveringen samen):",
        f"    Organisaties:          {nl_number(orgs)}",
        f"    Projecten:             {nl_number(projects)}",
        f"    Rijen:                 {nl_number(stored)}",
        f"    Rijen in quarantaine:  {nl_number(quarantined)}",
        f"    Bestanden geweigerd:   {nl_number(refused)}",
        f"  Warehouse:               {home.warehouse}",
        f"  Om te lezen:             {home.warehouse_read}",
        f"  Rapport:                 {home.site / 'index.html'}",
    ]
    return "\n".join(lines)
