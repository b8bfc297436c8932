"""What an operator watches (issue 21, point 4): the last successful run, runs waiting, how
long the oldest upload has waited in the inbox, free disk space, and the alarms that follow.

Shown by the upload service at `GET /gezond/details` (analyst token) and by
`rendement status` (`--alarm` exits 1 when there is an alarm, for a systemd timer or cron:
docs/deployment.md). What Dagster knows of runs comes from a probe passed in (the service
layer does not open the Dagster instance itself; `pipelines/health.py` is the probe), so the
files part works without Dagster too.

An organisation's delivery raises an alarm when it has waited in the inbox longer than the
limit (nothing took it in: the daemon is down, or its runs keep failing before intake), or
when its runs have failed for longer than the limit without a success since.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable

from rendement.core.formatting import LOCAL_TIME, nl_datetime, nl_number
from rendement.core.home import Home
from rendement.intake.accept import organisations_in_inbox, pending_uploads

LIMIT_HOURS = 24.0
MIN_FREE_FRACTION = 0.10

# () -> {"laatste_geslaagde_run": iso | None, "runs_wachtend": int, "runs_bezig": int,
#        "mislukt_sinds": {organisatie_id: iso of its first failure since its last success}}
RunProbe = Callable[[], dict]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(LOCAL_TIME).isoformat(timespec="seconds")


def inbox_waiting(home: Home, now: dt.datetime) -> list[dict]:
    """Per organisation with files waiting: how many, and since when the oldest waits."""
    out = []
    for org in organisations_in_inbox(home):
        files = pending_uploads(home, org)  # oldest first
        if not files:
            continue
        oldest = dt.datetime.fromtimestamp(files[0].stat().st_mtime, tz=dt.UTC)
        out.append(
            {
                "organisatie_id": org,
                "bestanden": len(files),
                "oudste_sinds": _iso(oldest),
                "wacht_uren": round((now - oldest).total_seconds() / 3600, 1),
            }
        )
    return out


def disk(home: Home) -> dict:
    usage = shutil.disk_usage(home.root if home.root.exists() else home.root.parent)
    return {
        "vrij_bytes": usage.free,
        "totaal_bytes": usage.total,
        "vrij_fractie": round(usage.free / usage.total, 4) if usage.total else 0.0,
    }


def snapshot(home: Home, runs: RunProbe | None = None, now: dt.datetime | None = None) -> dict:
    """Everything an operator watches, as a JSON-ready dict."""
    now = now or dt.datetime.now(dt.UTC)
    waiting = inbox_waiting(home, now)
    report: dict = {
        "tijdstip": _iso(now),
        "inbox": {
            "organisaties": waiting,
            "oudste_wacht_uren": max((w["wacht_uren"] for w in waiting), default=0.0),
        },
        "schijf": disk(home),
        "runs": None,
    }
    if runs is not None:
        try:
            report["runs"] = runs()
        except Exception as exc:  # the instance may be unreachable: say so, do not fail
            report["runs"] = {"fout": f"Dagster niet bereikbaar: {type(exc).__name__}"}
    return report


def alarms(
    report: dict,
    *,
    limit_hours: float = LIMIT_HOURS,
    min_free_fraction: float = MIN_FREE_FRACTION,
) -> list[str]:
    """Dutch messages, one per problem an operator must act on; empty when all is well."""
    out = []
    for w in report["inbox"]["organisaties"]:
        if w["wacht_uren"] >= limit_hours:
            out.append(
                f"{w['organisatie_id']}: {w['bestanden']} bestand(en) wachten al "
                f"{nl_number(w['wacht_uren'], 1)} uur op verwerking (sinds "
                f"{nl_datetime(dt.datetime.fromisoformat(w['oudste_sinds']))})."
            )
    now = dt.datetime.fromisoformat(report["tijdstip"])
    runs = report.get("runs") or {}
    if "fout" in runs:
        out.append(f"Runs onbekend: {runs['fout']}.")
    for org, since in sorted((runs.get("mislukt_sinds") or {}).items()):
        began = dt.datetime.fromisoformat(since)
        hours = (now - began).total_seconds() / 3600
        if hours >= limit_hours:
            out.append(
                f"{org}: de verwerking mislukt al {nl_number(hours, 1)} uur (sinds "
                f"{nl_datetime(began)}); bekijk de run in Dagster."
            )
    space = report["schijf"]
    if space["vrij_fractie"] < min_free_fraction:
        out.append(
            f"Schijf bijna vol: nog {nl_number(space['vrij_fractie'] * 100, 1)}% vrij "
            f"({nl_number(space['vrij_bytes'] / 1e9, 1)} GB)."
        )
    return out


__all__ = ["LIMIT_HOURS", "RunProbe", "alarms", "disk", "inbox_waiting", "snapshot"]
