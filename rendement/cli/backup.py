"""`rendement backup DOEL`: a consistent, versioned snapshot of a data home while the services
run (`rendement.core.backup`; how often and where: docs/deployment.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "backup",
        help="maak een backup van de datamap (terwijl de services draaien)",
        description="Schrijft in DOEL een nieuwe map rendement-backup-<tijd> met wat niet "
        "opnieuw te berekenen is (archief, inbox, register en tokens, accounts, eigen "
        "parameters, auditlog, releases, ontvangstbewijzen, de lake, sleutels), een kopie van "
        "het warehouse en manifest.json met de controlegetallen. De services hoeven niet te "
        "stoppen. Herstellen: rendement herstel.",
    )
    p.add_argument("doel", metavar="DOEL", help="map waarin de backup komt")
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    p.add_argument(
        "--sleutels",
        metavar="MAP",
        help="schrijf de sleutels (secrets/) in deze map in plaats van bij de gegevens, om ze "
        "apart te bewaren",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rendement.core.backup import BackupError, make_backup, read_manifest
    from rendement.core.formatting import nl_number

    home = Home.from_env(args.home)
    keys = Path(args.sleutels).expanduser().resolve() if args.sleutels else None
    try:
        folder = make_backup(home, Path(args.doel).expanduser().resolve(), keys_to=keys)
    except BackupError as exc:
        print(f"rendement backup: {exc}", file=sys.stderr)
        return 1
    manifest = read_manifest(folder)
    size = sum(f["bytes"] for f in manifest["bestanden"].values())
    print(
        f"Backup geschreven: {folder} ({nl_number(len(manifest['bestanden']))} bestanden, "
        f"{nl_number(size / 1e6, 1)} MB)."
    )
    if keys is not None:
        print(f"Sleutels apart geschreven: {keys / folder.name}")
    else:
        print(
            "Let op: de sleutels zitten in deze backup. Bewaar hem even zorgvuldig als de "
            "datamap zelf, of gebruik --sleutels om ze apart te bewaren.",
            file=sys.stderr,
        )
    return 0
