"""`rendement sjabloon PAD`: write the Excel template (projectblad) an office fills in by hand.

The filled template is read back by the reader chain like any export (system `sjabloon`), so
`rendement check` and an upload accept it without further steps.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "sjabloon",
        help="schrijf het Excel-sjabloon (projectblad) om met de hand in te vullen",
        description="Schrijft het Excel-sjabloon waarin een organisatie zonder registratie per "
        "cliënt per project en jaar haar bereik, contacten, afgeronde trajecten, aantallen per "
        "uitkomst, activiteiten, inzet en kosten invult, met keuzelijsten voor de codes en een "
        "toelichting. Het ingevulde bestand wordt aangeleverd als elke andere export en is "
        "vooraf te controleren met `rendement check`.",
    )
    p.add_argument(
        "pad",
        type=Path,
        help="het XLSX-bestand om te schrijven, of een map (projectblad_<jaar>.xlsx)",
    )
    p.add_argument(
        "--jaar", type=int, help="verslagjaar voor de toelichting (standaard: vorig jaar)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rendement.intake.sjabloon import file_name, write_template

    if args.jaar is not None and not 2000 <= args.jaar <= 2100:
        print("rendement sjabloon: --jaar moet tussen 2000 en 2100 liggen", file=sys.stderr)
        return 2
    target = args.pad
    if not target.is_dir() and target.suffix.lower() != ".xlsx":
        print("rendement sjabloon: geef een map of een bestandsnaam op .xlsx", file=sys.stderr)
        return 2
    if not target.is_dir() and not target.parent.is_dir():
        print(f"rendement sjabloon: map bestaat niet: {target.parent}", file=sys.stderr)
        return 2
    written = write_template(target, args.jaar)
    print(f"geschreven: {written}")
    if not re.search(r"(?<!\d)20\d{2}(?!\d)", written.stem):
        example = file_name(args.jaar) if args.jaar else "projectblad_2025.xlsx"
        print(
            f"Let op: zet het verslagjaar in de bestandsnaam voordat u het aanlevert "
            f"(bijvoorbeeld {example}).",
            file=sys.stderr,
        )
    return 0
