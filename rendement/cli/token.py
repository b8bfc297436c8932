"""`rendement token`: make or withdraw API tokens (organisations and analysts).

A new token is printed once; only its argon2 hash is kept in the register.
"""

from __future__ import annotations

import argparse
import sys

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "token",
        help="maak of trek API-tokens in",
        description="Maakt of trekt API-tokens in voor de uploadservice. Een nieuw token wordt "
        "één keer getoond; bewaard wordt alleen een argon2-hash. Een organisatie heeft één "
        "token: een nieuw token vervangt het oude meteen.",
    )
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    actions = p.add_subparsers(dest="token_actie", metavar="ACTIE", parser_class=type(p))
    new = actions.add_parser("new", help="maak een nieuw token (vervangt het oude)")
    new.add_argument("org", metavar="ORG", nargs="?", help="organisatiecode")
    new.add_argument(
        "--analist",
        action="store_true",
        help="maak een analistentoken (voor /analist/leveringen) in plaats daarvan",
    )
    new.add_argument("--omschrijving", default="", help="voor wie het analistentoken is")
    revoke = actions.add_parser("revoke", help="trek een token in")
    revoke.add_argument("org", metavar="ORG", nargs="?", help="organisatiecode")
    revoke.add_argument(
        "--analist", metavar="SLEUTEL", help="trek het analistentoken met deze sleutel in"
    )
    lst = actions.add_parser("list", help="toon de analistentokens (sleutel, omschrijving, status)")
    for action in (new, revoke, lst):  # --home also after the action
        action.add_argument("--home", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def _fail(message: str, code: int = 2) -> int:
    print(f"rendement token: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from rendement.core.registry import Registry, RegistryError

    home = Home.from_env(args.home)
    action = args.token_actie
    try:
        if action == "new":
            if bool(args.org) == bool(args.analist):
                return _fail("geef een organisatiecode óf --analist")
            with Registry.edit(home.registry) as registry:
                if args.analist:
                    key_id, token = registry.issue_analyst_token(args.omschrijving)
                    who, replaced = f"analist (sleutel {key_id})", False
                else:
                    token, replaced = registry.issue_org_token(args.org)
                    who = f"organisatie {args.org}"
            print(
                f"Nieuw token voor {who}. Het wordt maar één keer getoond; geef het veilig "
                "door en bewaar het niet in platte tekst:",
                file=sys.stderr,
            )
            print(token)
            if replaced:
                print("Het vorige token van deze organisatie werkt niet meer.", file=sys.stderr)
            return 0
        if action == "revoke":
            if bool(args.org) == bool(args.analist):
                return _fail("geef een organisatiecode óf --analist SLEUTEL")
            with Registry.edit(home.registry) as registry:
                if args.analist:
                    done = registry.revoke_analyst_token(args.analist)
                    who = f"analistensleutel {args.analist}"
                else:
                    done = registry.revoke_org_token(args.org)
                    who = f"organisatie {args.org}"
            print(f"Token van {who} ingetrokken." if done else f"{who} had geen actief token.")
            return 0
        if action == "list":
            for key_id, entry in Registry.load(home.registry).analysts().items():
                state = f"ingetrokken {entry['ingetrokken']}" if entry["ingetrokken"] else "actief"
                print(f"{key_id}  {state:<36} {entry['omschrijving']}")
            return 0
    except RegistryError as exc:
        return _fail(str(exc), 1)
    return _fail("kies een actie: new, revoke of list")
