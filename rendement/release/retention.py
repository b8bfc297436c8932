"""How long the raw archive keeps an upload, and the clean-up after that
(`rendement archief opschonen`).

The rule (docs/privacy.md): an archived original is kept while its figures can still change,
and for `RETENTION_DAYS` after that, then deleted.

* An upload with a reporting year (its `periode` in the audit log) is deleted once that year is
  closed by a release (`rendement release`) and `RETENTION_DAYS` have passed since that
  release was published: until then a correction, an objection or an audit of the release may
  need the file; after it, the release's figures are frozen and the accepted rows (pseudonymised)
  stay in the lake.
* An upload refused as a whole without a year (unreadable) fed no figure: deleted
  `RETENTION_DAYS` after it was received.
* Anything else (a year not released yet, an upload the audit log does not know) is kept.

Deleting is an action on the archive only (`rendement.core.archive`); each deletion is
written to the audit log (checksum and year, never content). The clean-up is a dry run unless
asked to delete.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import polars as pl

from rendement.benchmark.releases import list_releases
from rendement.core import archive, audit
from rendement.core.home import Home

RETENTION_DAYS = 365
ACTION = "archief_opschonen"


@dataclass(frozen=True)
class Verdict:
    """What the clean-up does with one archived original, and why (Dutch)."""

    item: archive.Archived
    jaar: int | None
    verwijderen: bool
    reden: str


def _periods(home: Home) -> dict[tuple[str, str], tuple[int | None, bool]]:
    """(organisation, checksum) → (reporting year, refused as a whole) from the audit log."""
    log = audit.read(home.audit_log).filter(
        pl.col("actie").is_in(["ontvangst", "validatie"]) & pl.col("checksum").is_not_null()
    )
    found: dict[tuple[str, str], tuple[int | None, bool]] = {}
    for row in log.iter_rows(named=True):
        details = json.loads(row["details"] or "{}")
        key = (row["organisatie_id"], row["checksum"])
        year, refused = found.get(key, (None, False))
        if details.get("periode") is not None:
            year = int(details["periode"])
        refused = refused or row["uitkomst"] == "geweigerd"
        found[key] = (year, refused)
    return found


def closed_years(home: Home) -> dict[int, tuple[str, dt.datetime]]:
    """Year → (the release that closed it, when that release was published)."""
    closed: dict[int, tuple[str, dt.datetime]] = {}
    for manifest in list_releases(home):
        published = dt.datetime.fromisoformat(manifest["gepubliceerd_op"])
        if published.tzinfo is None:
            published = published.replace(tzinfo=dt.UTC)
        for year in manifest.get("jaren", {}):
            closed.setdefault(int(year), (manifest["release"], published))
    return closed


def plan(
    home: Home, *, now: dt.datetime | None = None, days: int = RETENTION_DAYS
) -> list[Verdict]:
    """The verdict on every archived original (nothing is deleted here)."""
    now = now or dt.datetime.now(dt.UTC)
    term = dt.timedelta(days=days)
    periods = _periods(home)
    closed = closed_years(home)
    verdicts = []
    for item in archive.archived_files(home):
        known = periods.get((item.organisatie_id, item.checksum))
        if known is None:
            verdicts.append(Verdict(item, None, False, "niet in het auditlog: bewaard"))
            continue
        year, refused = known
        if year is None:
            if not refused:
                verdicts.append(Verdict(item, None, False, "verslagjaar onbekend: bewaard"))
                continue
            until = item.received + term
            verdicts.append(
                Verdict(
                    item,
                    None,
                    now >= until,
                    f"geweigerd zonder verslagjaar; bewaartermijn tot {until:%d-%m-%Y}",
                )
            )
            continue
        if year not in closed:
            verdicts.append(Verdict(item, year, False, f"{year} nog niet vastgesteld: bewaard"))
            continue
        release, published = closed[year]
        until = published + term
        verdicts.append(
            Verdict(
                item,
                year,
                now >= until,
                f"{year} vastgesteld in release {release} op {published:%d-%m-%Y}; "
                f"bewaartermijn tot {until:%d-%m-%Y}",
            )
        )
    return verdicts


def clean(home: Home, verdicts: list[Verdict], *, actor: str = "beheer") -> int:
    """Delete the originals whose verdict says so; each deletion goes to the audit log."""
    deleted = 0
    for v in verdicts:
        if not v.verwijderen:
            continue
        archive.remove(v.item)
        audit.append(
            home.audit_log,
            actor=actor,
            action=ACTION,
            outcome="verwijderd",
            organisatie_id=v.item.organisatie_id,
            checksum=v.item.checksum,
            periode=v.jaar,
            reden=v.reden,
        )
        deleted += 1
    return deleted


__all__ = ["RETENTION_DAYS", "Verdict", "clean", "closed_years", "plan"]
