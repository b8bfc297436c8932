"""The short Dutch summary printed after a run: what came in, what was kept, where to look."""

from __future__ import annotations

from rendement.core.formatting import nl_number
from rendement.core.home import Home
from rendement.core.warehouse import connect
from schemas.tables import MODELS


def sector_summary(home: Home) -> str:
    with connect(home.warehouse, read_only=True) as con:

        def one(sql: str) -> int:
            return con.execute(sql).fetchall()[0][0] or 0

        orgs = one("SELECT count(DISTINCT organisatie_id) FROM canoniek.project")
        projects = one("SELECT count(*) FROM canoniek.project")
        accepted = sum(one(f"SELECT count(*) FROM canoniek.{t}") for t in MODELS)
        quarantined = one("SELECT count(*) FROM quarantaine.rijen")
        refused = one("SELECT count(*) FROM intake.leveringen WHERE uitkomst = 'geweigerd'")
    lines = [
        "Klaar.",
        f"  Organisaties:          {nl_number(orgs)}",
        f"  Projecten:             {nl_number(projects)}",
        f"  Rijen geaccepteerd:    {nl_number(accepted)}",
        f"  Rijen in quarantaine:  {nl_number(quarantined)}",
        f"  Bestanden geweigerd:   {nl_number(refused)}",
        f"  Warehouse:             {home.warehouse}",
        f"  Rapport:               {home.site / 'index.html'}",
    ]
    return "\n".join(lines)
