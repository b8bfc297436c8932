"""`rendement org`: the organisation register (add, list) and the analysts' delivery page."""

from __future__ import annotations

import argparse
import sys

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "org",
        help="beheer het register van organisaties",
        description="Het register van organisaties die mogen aanleveren "
        "(RENDEMENT_HOME/organisaties.json). Tokens maakt u met 'rendement token'.",
    )
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    actions = p.add_subparsers(dest="org_actie", metavar="ACTIE", parser_class=type(p))
    add = actions.add_parser("add", help="voeg een organisatie toe")
    add.add_argument(
        "org",
        metavar="ORG",
        help="organisatiecode, bijv. ORG001 (hoofdletters, cijfers, '-' en '_', 2 tot 32 tekens)",
    )
    add.add_argument("--naam", required=True, help="naam van de organisatie")
    lst = actions.add_parser("list", help="toon de organisaties en of ze een token hebben")
    lev = actions.add_parser(
        "leveringen", help="leveringsstatus per verslagjaar; schrijft site/leveringen.html"
    )
    lev.add_argument("--jaar", type=int, help="verslagjaar (standaard het laatst geleverde)")
    for action in (add, lst, lev):  # --home also after the action
        action.add_argument("--home", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rendement.core.registry import Registry, RegistryError

    home = Home.from_env(args.home)
    try:
        if args.org_actie == "add":
            with Registry.edit(home.registry) as registry:
                registry.add(args.org, args.naam)
            print(
                f"Organisatie {args.org} ({args.naam.strip()}) toegevoegd. Maak een token met "
                f"'rendement token new {args.org}'."
            )
            return 0
        if args.org_actie == "list":
            registry = Registry.load(home.registry)
            orgs = registry.organisations()
            if not orgs:
                print("Het register is leeg.")
            for org, naam in orgs.items():
                state = "token actief" if registry.org_token_hash(org) else "geen token"
                print(f"{org:<12} {state:<13} {naam}")
            return 0
        if args.org_actie == "leveringen":
            return _deliveries(home, args.jaar)
    except RegistryError as exc:
        print(f"rendement org: {exc}", file=sys.stderr)
        return 1
    print("rendement org: kies een actie: add, list of leveringen", file=sys.stderr)
    return 2


def _deliveries(home: Home, year: int | None) -> int:
    from rendement.core import audit
    from rendement.core.registry import Registry
    from rendement.intake.delivery import STATUS_LABELS, delivery_status, latest_year
    from rendement.reports.deliveries import write_delivery_page

    log = audit.read(home.audit_log)
    year = year or latest_year(log)
    df = delivery_status(Registry.load(home.registry).organisations(), log, year)
    print(f"Leveringen over verslagjaar {year}:")
    for row in df.iter_rows(named=True):
        print(
            f"  {row['organisatie_id']:<12} {STATUS_LABELS[row['status']]:<32} "
            f"{row['bestanden']} {'bestand' if row['bestanden'] == 1 else 'bestanden'}  "
            f"{row['naam'] or ''}"
        )
    path = write_delivery_page(home, year)
    print(f"Pagina geschreven: {path}")
    return 0
