"""`rendement audit controleer`: check the audit log's hash chain (`rendement.core.audit`)."""

from __future__ import annotations

import argparse
import sys

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "audit",
        help="controleer het auditlog",
        description="Het auditlog (RENDEMENT_HOME/audit.jsonl) is een hashketen: elke regel "
        "bevat de hash van de regel ervoor. 'controleer' rekent de keten na.",
    )
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    actions = p.add_subparsers(dest="audit_actie", metavar="ACTIE", parser_class=type(p))
    check = actions.add_parser(
        "controleer",
        help="reken de hashketen na; stopt met code 1 bij de eerste gebroken regel",
    )
    check.add_argument("--home", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rendement.core import audit

    if args.audit_actie != "controleer":
        print("rendement audit: kies een actie: controleer", file=sys.stderr)
        return 2
    home = Home.from_env(args.home)
    report = audit.verify(home.audit_log)
    if not report.intact:
        entry = report.entry or {}
        which = ", ".join(
            f"{label} {entry[key]}"
            for key, label in (
                ("tijdstip", "tijdstip"),
                ("actie", "actie"),
                ("organisatie_id", "organisatie"),
            )
            if entry.get(key)
        )
        print(
            f"Auditlog {home.audit_log} is NIET in orde: regel {report.broken_line}"
            + (f" ({which})" if which else "")
            + f": {report.reason}. De {report.chained} regel(s) ervoor kloppen.",
            file=sys.stderr,
        )
        return 1
    if not report.entries:
        print(f"Auditlog {home.audit_log} is leeg of bestaat niet: niets te controleren.")
        return 0
    older = (
        f" {report.unchained_before} oudere regel(s) zonder hash gaan aan de keten vooraf en "
        "zijn in de eerste schakel vastgelegd."
        if report.unchained_before
        else ""
    )
    print(
        f"Auditlog in orde: {report.entries} regel(s), waarvan {report.chained} in de keten."
        f"{older} Laatste hash: {report.last_hash}. Bewaar die elders om ook afgeknipte "
        "regels aan het eind te kunnen zien."
    )
    return 0
