"""`rendement check FILE`: the pre-flight check an organisation runs before uploading.

Reads and validates the file exactly as intake would, in memory; writes nothing. Standalone it
sees only the file (with a throw-away pseudonymisation key); with `--organisatie ORG` it judges
the file together with what ORG delivered before, from the data home (RENDEMENT_HOME or
`--home`), as intake will (`rendement.intake.preflight`). Exit 0 when the file would be
accepted (or is already there), 1 when not, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "check",
        help="controleer een export voordat u hem aanlevert",
        description="Controleert een export zoals de verwerking dat doet: herkend systeem en "
        "bestandsformaat, aantallen rijen per tabel en elk probleem met bestand, rij en kolom. "
        "Er wordt niets aangeleverd of opgeslagen. Zonder --organisatie ziet de controle alleen "
        "dit bestand; met --organisatie ORG beoordeelt zij het samen met wat ORG eerder "
        "aanleverde (uit de datamap), zoals de verwerking dat zal doen. Exitcode 0: wordt "
        "aangenomen (ook met waarschuwingen) of is al ontvangen; 1: wordt (deels) afgekeurd; "
        "2: verkeerd gebruik.",
    )
    p.add_argument("bestand", type=Path, help="het exportbestand (CSV of XLSX)")
    p.add_argument(
        "--systeem",
        help="registratiesysteem (bijv. contract, regicare, regas); "
        "standaard wordt het herkend aan de kopregel",
    )
    p.add_argument(
        "--organisatie",
        metavar="ORG",
        help="organisatiecode: beoordeel het bestand samen met wat deze organisatie eerder "
        "aanleverde (leest de datamap, schrijft er niets in)",
    )
    p.add_argument(
        "--home",
        help="datamap voor --organisatie (standaard $RENDEMENT_HOME of ./data)",
    )
    p.add_argument("--json", action="store_true", help="uitvoer als JSON-document")
    p.set_defaults(run=run)


def _known_organisation(home: Home, org: str) -> bool:
    """Registered, or intake has ever seen a file of it (inbox, archive or lake)."""
    from rendement.core.registry import Registry

    if home.registry.exists() and Registry.load(home.registry).has(org):
        return True
    return any(p.is_dir() for p in (home.org_inbox(org), home.archive / org))


def run(args: argparse.Namespace) -> int:
    from rendement.intake.preflight import DUPLICATE, preflight

    if not args.bestand.is_file():
        print(f"rendement check: bestand niet gevonden: {args.bestand}", file=sys.stderr)
        return 2
    home = None
    if args.organisatie:
        home = Home.from_env(args.home)
        if not home.root.is_dir():
            print(f"rendement check: datamap niet gevonden: {home.root}", file=sys.stderr)
            return 2
        if not _known_organisation(home, args.organisatie):
            print(
                f"rendement check: organisatie {args.organisatie} is onbekend in {home.root} "
                "(niet in het register en nooit aangeleverd)",
                file=sys.stderr,
            )
            return 2
    elif args.home:
        print("rendement check: --home hoort bij --organisatie", file=sys.stderr)
        return 2
    result = preflight(
        args.bestand, home=home, organisatie_id=args.organisatie, system=args.systeem
    )
    if args.json:
        print(json.dumps(result.document, ensure_ascii=False, indent=2, default=str))
    else:
        print(result.text, end="")
    return 0 if result.accepted or result.verdict == DUPLICATE else 1
