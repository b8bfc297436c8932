"""`rendement gebruiker`: personal accounts for the portal (people of an organisation, and
analysts), next to the API tokens of `rendement token` for scripts.

A new account has no password: the command prints a one-time link (valid for
`accounts.LINK_HOURS` hours) where the person chooses one. Only the link's hash and, later, the
argon2 hash of the password are kept (`RENDEMENT_HOME/gebruikers.json`).
"""

from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import urlencode

from rendement.core.home import Home

ADDRESS_VAR = "RENDEMENT_PORTAAL_ADRES"
DEFAULT_ADDRESS = "http://127.0.0.1:8000"


def add_parser(sub) -> None:
    p = sub.add_parser(
        "gebruiker",
        help="maak of beheer persoonlijke accounts voor het portaal",
        description="Maakt persoonlijke accounts voor het portaal van de uploadservice: mensen "
        "van een organisatie (zien alleen hun eigen organisatie) en analisten (zien het "
        "leveringsoverzicht). Een nieuw account krijgt een eenmalige link waarmee de persoon "
        "zelf een wachtwoord kiest; de link wordt één keer getoond.",
    )
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    actions = p.add_subparsers(dest="gebruiker_actie", metavar="ACTIE", parser_class=type(p))
    add = actions.add_parser("add", help="maak een account en toon de link voor het wachtwoord")
    add.add_argument("email", metavar="E-MAILADRES", help="e-mailadres van de persoon")
    # one of the two, checked by the account store (a Dutch message, not argparse's English)
    add.add_argument("--organisatie", metavar="ORG", help="organisatiecode (bijv. ORG001)")
    add.add_argument("--analist", action="store_true", help="een analist van het sectorbureau")
    reset = actions.add_parser("reset", help="maak een nieuwe link om een wachtwoord te kiezen")
    reset.add_argument("email", metavar="E-MAILADRES")
    revoke = actions.add_parser("revoke", help="trek een account in (beëindigt ook de sessies)")
    revoke.add_argument("email", metavar="E-MAILADRES")
    lst = actions.add_parser("list", help="toon de accounts (zonder wachtwoorden)")
    for action in (add, reset):
        action.add_argument(
            "--adres",
            default=None,
            help=f"adres van het portaal in de link (standaard ${ADDRESS_VAR} of {DEFAULT_ADDRESS})",
        )
    for action in (add, reset, revoke, lst):  # --home also after the action
        action.add_argument("--home", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def _fail(message: str, code: int = 2) -> int:
    print(f"rendement gebruiker: {message}", file=sys.stderr)
    return code


def link(address: str | None, code: str) -> str:
    base = (address or os.environ.get(ADDRESS_VAR) or DEFAULT_ADDRESS).rstrip("/")
    return f"{base}/wachtwoord?{urlencode({'code': code})}"


def _show_link(email: str, url: str) -> None:
    from rendement.core.accounts import LINK_HOURS

    print(
        f"Eenmalige link voor {email} om een wachtwoord te kiezen (geldig {LINK_HOURS} uur; "
        "wordt maar één keer getoond, stuur hem alleen naar deze persoon):",
        file=sys.stderr,
    )
    print(url)


def run(args: argparse.Namespace) -> int:
    from rendement.core.accounts import AccountError, AccountStore
    from rendement.core.registry import Registry

    home = Home.from_env(args.home)
    action = args.gebruiker_actie
    try:
        if action == "add":
            if bool(args.organisatie) == bool(args.analist):
                return _fail("geef een organisatie (--organisatie ORG) óf --analist")
            if args.organisatie and not Registry.load(home.registry).has(args.organisatie):
                return _fail(
                    f"organisatie {args.organisatie} staat niet in het register; voeg haar eerst "
                    f"toe met 'rendement org add {args.organisatie} --naam \"...\"'.",
                    1,
                )
            with AccountStore.edit(home.accounts) as store:
                account, code = store.add(
                    args.email, organisatie_id=args.organisatie, analyst=args.analist
                )
            who = "analist" if account.is_analyst else f"organisatie {account.organisatie_id}"
            print(f"Account gemaakt voor {account.email} ({who}).", file=sys.stderr)
            _show_link(account.email, link(args.adres, code))
            return 0
        if action == "reset":
            with AccountStore.edit(home.accounts) as store:
                account, code = store.reset(args.email)
            _show_link(account.email, link(args.adres, code))
            return 0
        if action == "revoke":
            with AccountStore.edit(home.accounts) as store:
                done = store.revoke(args.email)
            print(
                f"Account van {args.email} ingetrokken; lopende sessies zijn beëindigd."
                if done
                else f"Het account van {args.email} was al ingetrokken."
            )
            return 0
        if action == "list":
            for a in AccountStore.load(home.accounts).accounts():
                who = "analist" if a["rol"] == "analist" else a["organisatie_id"]
                print(f"{a['id']}  {a['email']:<40} {who:<12} {a['status']}")
            return 0
    except AccountError as exc:
        return _fail(str(exc), 1)
    return _fail("kies een actie: add, reset, revoke of list")
