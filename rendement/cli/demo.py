"""`rendement demo`: a demo sector from scratch to published reports, in one command."""

from __future__ import annotations

import argparse
import sys

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="maak een demosector en draai de hele pijplijn",
        description="Genereert exports van een demosector, zet ze in de inbox, verwerkt ze met "
        "Dagster (inname, validatie, MKBA, warehouse, benchmark, rapporten) en toont een "
        "samenvatting. Twee keer draaien geeft dezelfde tabellen.",
    )
    p.add_argument("--orgs", type=int, default=40, help="aantal organisaties (standaard 40)")
    p.add_argument("--seed", type=int, default=7, help="startwaarde van de generator (standaard 7)")
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    p.add_argument("--verbose", action="store_true", help="toon het volledige Dagster-logboek")
    p.set_defaults(run=run)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from pipelines.run import run_pipeline
    from rendement.cli.summary import audit_position, sector_summary
    from rendement.core.privacy import load_or_create_key
    from rendement.demo import generate_demo, write_exports
    from rendement.demo.profiles import OTHER_ORGANISATIONS

    if args.orgs < 1:
        _say("rendement demo: --orgs moet minstens 1 zijn")
        return 2
    home = Home.from_env(args.home).ensure()
    key_file = home.secrets / "pseudoniem.key"
    had_key = key_file.exists()
    load_or_create_key(home.secrets)
    if not had_key and key_file.exists():
        _say(
            f"Sleutel voor pseudonimisering aangemaakt: {key_file} (alleen leesbaar voor de eigenaar)."
        )
    total = args.orgs + len(OTHER_ORGANISATIONS)
    _say(
        f"Demosector maken in {home.root} ({args.orgs} organisaties met cliëntregistratie en "
        f"{len(OTHER_ORGANISATIONS)} met activiteiten, een projectblad of een plan; "
        f"seed {args.seed}) …"
    )
    for i, org in enumerate(generate_demo(orgs=args.orgs, seed=args.seed), start=1):
        write_exports(org, home.inbox)
        _register(home, org.organisatie_id, org.naam)
        if i % 10 == 0 or i == total:
            _say(f"  exports geschreven: {i}/{total}")
    write_demo_override(home)
    before = audit_position(home)
    _say("Verwerken met Dagster (één run voor de hele sector) …")
    result = run_pipeline(home, verbose=args.verbose, progress=lambda s: _say(f"  · {s}"))
    if not result.success:
        _say("De run is niet geslaagd; draai opnieuw met --verbose voor het logboek.")
        return 1
    print(sector_summary(home, since=before))
    return 0


# The organisation of the demo's override, for all its projects. It lengthens the effect of
# a stabilised debt (a priced pathway of the schulden_armoede domain), so it changes the
# benefits of ORG001's debt projects (the default demo, seed 7, and the test sector, seed
# 11, both give ORG001 debt-counselling projects). An override of `kosten.fte` would change
# nothing there: ORG001 delivers its own personeel cost lines, and the standard cost per FTE
# is only used without them.
DEMO_OVERRIDE_ORG = "ORG001"
DEMO_OVERRIDE = (
    "organisatie_id;project_id;parameter;waarde;toelichting\r\n"
    f"{DEMO_OVERRIDE_ORG};;uitkomsten.schulden_gestabiliseerd.duur;3;"
    "Na afsluiting van de schuldhulp volgen wij cliënten twee jaar met nazorg (eigen "
    "nazorgprotocol). In onze nazorgregistratie 2023-2025 was de schuldsituatie na drie jaar "
    "bij de meeste cliënten nog stabiel (bron: eigen nazorgregistratie, demogegevens)\r\n"
)


def write_demo_override(home: Home) -> None:
    """One organisation overrides a parameter with a justification (no `;` in it: the file
    is semicolon-separated), so the demo shows how an override is recorded and what it
    changes in its own report, while the benchmark keeps the standard set."""
    path = home.overrides
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(DEMO_OVERRIDE, "utf-8")


def _register(home: Home, org_id: str, naam: str) -> None:
    """Demo organisations are in the register, so delivery status and the upload service know
    them (`rendement token new ORG001` then works on the demo home)."""
    from rendement.core.registry import Registry

    with Registry.edit(home.registry) as registry:
        if not registry.has(org_id):
            registry.add(org_id, naam)
