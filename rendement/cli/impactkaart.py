"""`rendement impactkaart ORG PROJECT PAD.pdf`: a project's Impactkaart as a PDF, for analysts.

Prints the card the site holds (`site/org/<ORG>/impactkaart/<PROJECT>.html`, made with the
organisation's report) with headless Chromium (`rendement.reports.pdf`). Exit 0 when the PDF
is written, 1 when it cannot be made (reason in Dutch), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "impactkaart",
        help="maak de Impactkaart van een project als pdf",
        description="Maakt de Impactkaart van een project (één A4-pagina voor de gemeente: "
        "rendementsfactor met interval, kosten, bereik, uitkomsten, wie profiteert en de "
        "methode) als pdf, met de headless Chromium van het systeem. De kaart zelf staat bij "
        "het rapport van de organisatie (site/org/ORG/impactkaart/PROJECT.html) en wordt "
        "gemaakt als de pijplijn draait. Exitcode 0: pdf geschreven; 1: niet gelukt; "
        "2: verkeerd gebruik.",
    )
    p.add_argument("org", metavar="ORG", help="organisatiecode, bijv. ORG001")
    p.add_argument("project", metavar="PROJECT", help="projectcode zoals aangeleverd, bijv. P001")
    p.add_argument("pad", metavar="PAD.pdf", type=Path, help="waar de pdf moet komen")
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rendement.core.files import write_atomic
    from rendement.reports.pdf import PdfError, impactkaart_pdf, page_count

    if args.pad.suffix.lower() != ".pdf":
        print(
            f"rendement impactkaart: fout: {args.pad} eindigt niet op .pdf; geef een "
            "bestandsnaam als kaart.pdf.",
            file=sys.stderr,
        )
        return 2
    if args.pad.parent and not args.pad.parent.resolve().is_dir():
        print(
            f"rendement impactkaart: de map {args.pad.parent} bestaat niet.",
            file=sys.stderr,
        )
        return 1
    home = Home.from_env(args.home)
    try:
        pdf = impactkaart_pdf(home, args.org, args.project)
    except PdfError as exc:
        print(f"rendement impactkaart: {exc}", file=sys.stderr)
        return 1
    write_atomic(args.pad, pdf)
    pages = page_count(pdf)
    print(
        f"Impactkaart van {args.project} ({args.org}) geschreven naar {args.pad} "
        f"({pages} {'pagina' if pages == 1 else 'pagina’s'})."
    )
    return 0
