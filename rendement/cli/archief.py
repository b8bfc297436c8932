"""`rendement archief opschonen` (the retention of the raw archive, `rendement.release.retention`)
and `rendement archief versleutelen` (encrypt originals archived before encryption)."""

from __future__ import annotations

import argparse
import sys

from rendement.core.home import Home

DAYS_HELP = "bewaartermijn in dagen na de release van het jaar (standaard %(default)s)"


def add_parser(sub) -> None:
    from rendement.release.retention import RETENTION_DAYS

    p = sub.add_parser(
        "archief",
        help="bewaartermijn en versleuteling van het ruwe archief",
        description="Het archief (RENDEMENT_HOME/archive) bewaart elke upload zoals ontvangen, "
        "versleuteld. 'opschonen' verwijdert originelen waarvan het jaar is vastgesteld in een "
        "release en de bewaartermijn daarna is verstreken (zie docs/privacy.md); zonder "
        "--uitvoeren toont het alleen wat het zou doen. 'versleutelen' versleutelt originelen "
        "die nog van voor de versleuteling zijn.",
    )
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    actions = p.add_subparsers(dest="archief_actie", metavar="ACTIE", parser_class=type(p))
    clean = actions.add_parser("opschonen", help="verwijder originelen na de bewaartermijn")
    clean.add_argument("--home", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    clean.add_argument(
        "--uitvoeren", action="store_true", help="verwijder echt (anders: alleen tonen)"
    )
    clean.add_argument("--bewaartermijn", type=int, default=RETENTION_DAYS, help=DAYS_HELP)
    encrypt = actions.add_parser("versleutelen", help="versleutel onversleutelde originelen")
    encrypt.add_argument("--home", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rendement.core import archive
    from rendement.release import retention

    home = Home.from_env(args.home)
    if args.archief_actie == "versleutelen":
        done = archive.encrypt_plain_files(home)
        print(f"{len(done)} origineel/originelen versleuteld in {home.archive}.")
        return 0
    if args.archief_actie != "opschonen":
        print("rendement archief: kies een actie: opschonen of versleutelen", file=sys.stderr)
        return 2
    if args.bewaartermijn < 0:
        print("rendement archief: de bewaartermijn kan niet negatief zijn", file=sys.stderr)
        return 2
    verdicts = retention.plan(home, days=args.bewaartermijn)
    for v in verdicts:
        action = "verwijderen" if v.verwijderen else "bewaren    "
        print(f"  {action}  {v.item.organisatie_id}  {v.item.checksum[:16]}  {v.reden}")
    due = sum(v.verwijderen for v in verdicts)
    kept = len(verdicts) - due
    if not args.uitvoeren:
        print(
            f"Proefdraai: {due} bestand(en) zouden worden verwijderd, {kept} blijven bewaard. "
            "Niets is verwijderd; gebruik --uitvoeren om te verwijderen."
        )
        return 0
    deleted = retention.clean(home, verdicts)
    print(f"{deleted} bestand(en) verwijderd, {kept} blijven bewaard (vastgelegd in het auditlog).")
    return 0
