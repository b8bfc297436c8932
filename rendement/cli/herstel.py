"""`rendement herstel BRON`: restore a backup of `rendement backup` into an empty data home and,
when asked, rebuild the warehouse and the site from it (`rendement.core.backup`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "herstel",
        help="zet een backup terug in een lege datamap",
        description="Controleert elk bestand van de backup in BRON tegen manifest.json en zet "
        "hem terug in een lege (of nieuwe) datamap; een map met inhoud wordt geweigerd.",
    )
    p.add_argument("bron", metavar="BRON", help="de map rendement-backup-<tijd>")
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    p.add_argument(
        "--sleutels",
        metavar="MAP",
        help="waar de sleutels van deze backup staan, als ze apart zijn bewaard",
    )
    p.add_argument(
        "--opnieuw-opbouwen",
        action="store_true",
        help="verwerk daarna alle organisaties opnieuw (warehouse, benchmark, rapporten)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rendement.core.backup import BackupError, restore

    home = Home.from_env(args.home)
    keys = Path(args.sleutels).expanduser().resolve() if args.sleutels else None
    try:
        manifest = restore(Path(args.bron).expanduser().resolve(), home, keys_from=keys)
    except BackupError as exc:
        print(f"rendement herstel: {exc}", file=sys.stderr)
        return 1
    print(
        f"Backup van {manifest['gemaakt_op']} teruggezet in {home.root} "
        f"({len(manifest['bestanden'])} bestanden gecontroleerd)."
    )
    if not args.opnieuw_opbouwen:
        print(
            "Bouw warehouse en rapporten opnieuw op met: rendement herstel … --opnieuw-opbouwen, "
            "of start de services (docs/deployment.md).",
            file=sys.stderr,
        )
        return 0
    from pipelines.run import run_pipeline

    print("Opnieuw opbouwen met Dagster (alle organisaties) …", file=sys.stderr, flush=True)
    result = run_pipeline(home, progress=lambda s: print(f"  · {s}", file=sys.stderr, flush=True))
    if not result.success:
        print("De run is niet geslaagd; bekijk hem in de Dagster-UI.", file=sys.stderr)
        return 1
    print(f"Opnieuw opgebouwd: {home.site / 'index.html'}")
    return 0
