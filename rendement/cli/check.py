"""`rendement check FILE`: the pre-flight check an organisation runs before uploading.

Reads and validates the file exactly as intake would, in memory, with a throw-away
pseudonymisation key; writes nothing outside a temporary folder. Exit 0 when the file would be
accepted, 1 when not, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "check",
        help="controleer een export voordat u hem aanlevert",
        description="Controleert een export zoals de pijplijn dat doet: herkend systeem en "
        "bestandsformaat, aantallen rijen per tabel en elk probleem met bestand, rij en kolom. "
        "Schrijft niets weg. Ziet alleen dit bestand, niet wat u eerder aanleverde: een "
        "waarschuwing over trajecten zonder inzet of kosten zegt dat erbij. Exitcode 0: wordt "
        "geaccepteerd (ook met waarschuwingen); 1: wordt (deels) afgekeurd; 2: verkeerd gebruik.",
    )
    p.add_argument("bestand", type=Path, help="het exportbestand (CSV of XLSX)")
    p.add_argument(
        "--systeem",
        help="registratiesysteem (bijv. contract, regicare, regas); "
        "standaard wordt het herkend aan de kopregel",
    )
    p.add_argument("--organisatie", default="CONTROLE", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="uitvoer als JSON-document")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rendement.intake.preflight import preflight

    if not args.bestand.is_file():
        print(f"rendement check: bestand niet gevonden: {args.bestand}", file=sys.stderr)
        return 2
    result = preflight(args.bestand, system=args.systeem, organisatie_id=args.organisatie)
    if args.json:
        print(json.dumps(result.document, ensure_ascii=False, indent=2, default=str))
    else:
        print(result.text)
    return 0 if result.accepted else 1
