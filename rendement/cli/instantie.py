"""`rendement instantie`: write the data home's Dagster instance configuration
(`RENDEMENT_HOME/dagster/dagster.yaml`, `pipelines.instance`) before the Dagster webserver and
daemon start (`deploy/*.service` run it as `ExecStartPre`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "instantie",
        help="schrijf de Dagster-configuratie van de datamap",
        description="Schrijft RENDEMENT_HOME/dagster/dagster.yaml: runs, gebeurtenissen en "
        "planningen in PostgreSQL als RENDEMENT_DAGSTER_PG_URL gezet is, anders in SQLite in de "
        "datamap; één run tegelijk via de wachtrij van dagster-daemon. DAGSTER_HOME moet naar "
        "RENDEMENT_HOME/dagster wijzen.",
    )
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.instance import InstanceConfigError, uses_postgres, write_instance_config

    home = Home.from_env(args.home).ensure()
    dagster_home = os.environ.get("DAGSTER_HOME")
    if dagster_home and Path(dagster_home).expanduser().resolve() != home.dagster:
        print(
            f"rendement instantie: DAGSTER_HOME ({dagster_home}) moet {home.dagster} zijn, de "
            "Dagster-map van de datamap.",
            file=sys.stderr,
        )
        return 2
    try:
        changed = write_instance_config(home.dagster)
    except InstanceConfigError as exc:
        print(f"rendement instantie: {exc}", file=sys.stderr)
        return 1
    opslag = "PostgreSQL" if uses_postgres() else "SQLite in de datamap"
    state = "geschreven" if changed else "ongewijzigd"
    print(f"Dagster-instantie {home.dagster / 'dagster.yaml'}: {state} (opslag: {opslag}).")
    return 0
