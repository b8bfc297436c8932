"""`rendement verwijder-client ORG CLIENT_ID`: an erasure request for one client of one
organisation (`rendement.core.erasure`)."""

from __future__ import annotations

import argparse
import sys

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "verwijder-client",
        help="verwijder één cliënt van één organisatie (verzoek tot verwijdering)",
        description="Verwijdert de trajecten en metingen van één cliënt uit het datameer, bij "
        "de volgende run uit het warehouse en de rapporten, en houdt de cliënt buiten elke "
        "latere levering (ook een oud bestand dat opnieuw wordt geüpload). Het auditlog krijgt "
        "een kenmerk, nooit het cliëntnummer. Geef '-' als CLIENT_ID om het nummer van de "
        "standaardinvoer te lezen (dan komt het niet in de shellgeschiedenis).",
    )
    p.add_argument("organisatie", metavar="ORG", help="code van de organisatie, bijv. ORG001")
    p.add_argument("client_id", metavar="CLIENT_ID", help="het eigen cliëntnummer, of '-'")
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rendement.core.erasure import erase_client
    from rendement.core.registry import Registry
    from rendement.core.tokens import valid_org_id

    home = Home.from_env(args.home)
    client_id = sys.stdin.readline().strip() if args.client_id == "-" else args.client_id.strip()
    if not client_id:
        print("rendement verwijder-client: geen cliëntnummer opgegeven", file=sys.stderr)
        return 2
    org = args.organisatie
    in_lake = valid_org_id(org) and any((home.lake / "accepted").glob(f"*/{org}"))
    if not valid_org_id(org) or not (Registry.load(home.registry).has(org) or in_lake):
        print(f"rendement verwijder-client: organisatie {org} is onbekend", file=sys.stderr)
        return 2
    result = erase_client(home, args.organisatie, client_id)
    counts = result.verwijderd
    print(
        f"Cliënt van {result.organisatie_id} verwijderd (kenmerk {result.kenmerk}): "
        f"{counts.get('traject', 0)} traject(en), {counts.get('meting', 0)} meting(en), "
        f"{counts.get('quarantaine', 0)} rij(en) in quarantaine. "
        "Het warehouse en de rapporten volgen bij de volgende run; latere leveringen laten "
        "deze cliënt weg."
        + (" (Deze cliënt was al eerder verwijderd.)" if result.al_verwijderd else "")
    )
    return 0
