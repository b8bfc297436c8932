"""`rendement status [--alarm]`: what an operator watches (`rendement.service.health`), and an
exit code for a systemd timer or cron that must tell someone when a delivery has waited or
failed for a day (deploy/rendement-alarm.*, docs/deployment.md)."""

from __future__ import annotations

import argparse
import json
import sys

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "status",
        help="toon de gezondheid van de installatie; met --alarm code 1 bij een probleem",
        description="Toont de laatste geslaagde run, wachtende runs, hoe lang uploads in de "
        "inbox wachten en de vrije schijfruimte. Met --alarm stopt de opdracht met code 1 als "
        "een levering langer dan --uren wacht of mislukt, of de schijf bijna vol is (voor een "
        "systemd-timer of cron die dan een melding stuurt).",
    )
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    p.add_argument("--alarm", action="store_true", help="stop met code 1 bij een alarm")
    p.add_argument(
        "--uren",
        type=float,
        default=24.0,
        help="na hoeveel uur wachten of mislukken een levering een alarm geeft (standaard 24)",
    )
    p.add_argument("--json", action="store_true", help="toon het rapport als JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.health import dagster_probe
    from rendement.core.formatting import nl_datetime, nl_number
    from rendement.service.health import alarms, snapshot

    if args.uren <= 0:
        print("rendement status: --uren moet groter dan 0 zijn", file=sys.stderr)
        return 2
    home = Home.from_env(args.home)
    report = snapshot(home, dagster_probe(home))
    found = alarms(report, limit_hours=args.uren)
    report["alarmen"] = found
    if args.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        runs = report["runs"] or {}
        last = runs.get("laatste_geslaagde_run")
        space = report["schijf"]
        print(f"Datamap:                {home.root}")
        print(f"Laatste geslaagde run:  {nl_datetime(last) if last else 'geen'}")
        print(
            f"Runs in de wachtrij:    {runs.get('runs_wachtend', 'onbekend')} "
            f"(bezig: {runs.get('runs_bezig', 'onbekend')})"
        )
        waiting = report["inbox"]["organisaties"]
        print(
            f"Inbox:                  {len(waiting)} organisatie(s) met wachtende bestanden; "
            f"oudste wacht {nl_number(report['inbox']['oudste_wacht_uren'], 1)} uur"
        )
        print(
            f"Schijf:                 {nl_number(space['vrij_bytes'] / 1e9, 1)} GB vrij "
            f"({nl_number(space['vrij_fractie'] * 100, 1)}%)"
        )
    for message in found:
        print(f"ALARM: {message}", file=sys.stderr)
    return 1 if (args.alarm and found) else 0
