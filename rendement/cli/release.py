"""`rendement release --jaar 2025 [--peildatum dd-mm-jjjj]`: publish the annual overview.

Builds the release of a reporting year from the data accepted up to the peildatum, freezes it
(`RENDEMENT_HOME/releases/<jaar>/`) and publishes its pages at `site/releases/<jaar>/`. A year
that is already released is left exactly as it is. Exit 0 when the release exists afterwards,
1 when it cannot be made (reason in Dutch), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "release",
        help="stel het jaaroverzicht van een verslagjaar vast en publiceer het",
        description="Maakt de release van een verslagjaar: het jaaroverzicht, de "
        "interventievergelijking en de verantwoording, gemaakt van de gegevens die tot en met "
        "de peildatum zijn aangenomen. Een release wordt daarna nooit meer gewijzigd; latere "
        "aanleveringen komen in een volgende release. Bestaat de release al, dan blijft hij "
        "zoals hij is.",
    )
    p.add_argument("--jaar", type=int, required=True, help="het verslagjaar, bijv. 2025")
    p.add_argument(
        "--peildatum",
        help="laatste dag waarvan aanleveringen meetellen, dd-mm-jjjj (standaard vandaag)",
    )
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    p.add_argument("--parameters", help="parameterset (YAML; standaard de meegeleverde set)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rendement.mkba import load_parameters
    from rendement.release.publish import (
        ReleaseError,
        parse_peildatum,
        publish_release,
        verify_release,
    )
    from rendement.reports import build_site

    home = Home.from_env(args.home)
    try:
        peildatum = parse_peildatum(args.peildatum) if args.peildatum else None
    except ReleaseError as exc:
        print(f"rendement release: {exc}", file=sys.stderr)
        return 2
    if not home.warehouse.exists():
        print(
            f"rendement release: geen warehouse in {home.root}; draai eerst de pijplijn "
            "(bijvoorbeeld 'rendement demo').",
            file=sys.stderr,
        )
        return 1
    params = load_parameters(args.parameters)
    try:
        result = publish_release(home, args.jaar, params, peildatum=peildatum)
    except ReleaseError as exc:
        print(f"rendement release: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # e.g. the warehouse is locked by a running Dagster process
        print(f"rendement release: niet gelukt: {exc}", file=sys.stderr)
        return 1
    m = result.manifest
    problems = verify_release(home, result.release_id)
    if problems:
        print(
            f"rendement release: release {result.release_id} is beschadigd: " + ", ".join(problems),
            file=sys.stderr,
        )
        return 1
    try:
        build_site(home.ensure(), params)
    except Exception as exc:  # the release stands; only the index could not be refreshed
        print(f"rendement release: index niet bijgewerkt: {exc}", file=sys.stderr)
    period = m["dataperiode"]
    what = "gepubliceerd" if result.created else "bestond al en is niet gewijzigd"
    print(
        f"Release {result.release_id} {what}.\n"
        f"  Verslagjaar:   {m['verslagjaar']} (jaren {period['van']}–{period['tot_en_met']})\n"
        f"  Peildatum:     {m['peildatum'][8:10]}-{m['peildatum'][5:7]}-{m['peildatum'][:4]}\n"
        f"  Parameterset:  {m['parameterversie']}\n"
        f"  Pagina's:      {result.site_folder / 'index.html'}\n"
        f"  Vastgelegd in: {result.folder}"
    )
    return 0
