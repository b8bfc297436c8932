"""The Dagster instance configuration of a data home (`DAGSTER_HOME/dagster.yaml`), written by
rendement: the one place that decides where Dagster keeps runs, events and schedules.

- Without `RENDEMENT_DAGSTER_PG_URL` (a laptop, the demo, the tests): Dagster's embedded
  SQLite storage in `RENDEMENT_HOME/dagster/`.
- With it (a server, `docs/deployment.md`): PostgreSQL via `dagster-postgres`. The file names
  the variable, not its value, so the password stays in the environment file of the services
  and out of the data home (and out of its backups).

Either way the run queue (Dagster's QueuedRunCoordinator, worked off by `dagster-daemon`)
starts one run at a time, and one step at a time holds the `warehouse` pool: DuckDB allows a
single read-write process per file, so the writer is never contended. Run monitoring fails runs
that hang and frees the slots of finished runs (`pipelines.recovery`).

A file with the marker line is ours and brought up to date; a file written by hand (without
the marker) is left alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from rendement.core.files import write_atomic

PG_URL_ENV = "RENDEMENT_DAGSTER_PG_URL"
PG_SCHEME = "postgresql+psycopg2://"
INSTANCE_MARKER = "# Dagster instance of this data home (written by rendement)."

_COMMON = """\
run_coordinator:
  module: dagster
  class: QueuedRunCoordinator
concurrency:
  runs:
    max_concurrent_runs: 1
  pools:
    default_limit: 1
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  cancel_timeout_seconds: 180
  max_runtime_seconds: 3600
  poll_interval_seconds: 30
  free_slots_after_run_end_seconds: 60
telemetry:
  enabled: false
"""

INSTANCE_YAML = f"""\
{INSTANCE_MARKER} One run at a time and one writer
# in the 'warehouse' pool: DuckDB allows a single read-write process per file. Run monitoring
# (by the daemon of `dagster dev`) fails runs that do not start or cancel in time or run longer
# than an hour, and frees the concurrency slots of a finished run after a minute; dead
# in-process runs are failed at once by `pipelines.recovery`.
{_COMMON}"""

POSTGRES_YAML = f"""\
{INSTANCE_MARKER} Runs, events and schedules in
# PostgreSQL (the URL comes from the environment variable {PG_URL_ENV}); the queued run
# coordinator starts one run at a time and one step holds the 'warehouse' pool: DuckDB allows a
# single read-write process per file. Run monitoring (by `dagster-daemon`) fails runs that do
# not start or cancel in time or run longer than an hour, and frees the concurrency slots of a
# finished run after a minute.
storage:
  postgres:
    postgres_url:
      env: {PG_URL_ENV}
{_COMMON}"""


class InstanceConfigError(RuntimeError):
    """The data home's Dagster instance cannot be opened as configured (message in Dutch)."""


def uses_postgres(environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return bool(env.get(PG_URL_ENV, "").strip())


def check_url(url: str) -> None:
    """Dagster's PostgreSQL storage goes through SQLAlchemy, whose plain `postgresql://` means
    the psycopg 3 driver; the driver installed with dagster-postgres is psycopg2."""
    if not url.startswith(PG_SCHEME):
        raise InstanceConfigError(
            f"{PG_URL_ENV} moet beginnen met {PG_SCHEME} (het stuurprogramma dat met "
            f"dagster-postgres wordt geïnstalleerd), bijvoorbeeld "
            f"{PG_SCHEME}rendement:WACHTWOORD@127.0.0.1:5432/dagster"
        )


def instance_yaml(environ: dict[str, str] | None = None) -> str:
    """The configuration for this environment: PostgreSQL when the URL is set, else SQLite."""
    return POSTGRES_YAML if uses_postgres(environ) else INSTANCE_YAML


def write_instance_config(dagster_home: Path, environ: dict[str, str] | None = None) -> bool:
    """Write or update `dagster.yaml` in `dagster_home`; True when the file changed.

    Refuses to turn a PostgreSQL instance back into SQLite because the variable is missing
    (a shell without the services' environment file): the year's runs would seem gone."""
    env = os.environ if environ is None else environ
    if uses_postgres(env):
        check_url(env[PG_URL_ENV].strip())
    config = dagster_home / "dagster.yaml"
    wanted = instance_yaml(env)
    current = config.read_text("utf-8") if config.exists() else None
    if current is not None and not current.startswith(INSTANCE_MARKER):
        return False  # written by hand
    if current == POSTGRES_YAML and wanted != POSTGRES_YAML:
        raise InstanceConfigError(
            f"De Dagster-instantie in {dagster_home} bewaart zijn runs in PostgreSQL, maar "
            f"{PG_URL_ENV} is niet gezet. Laad eerst het omgevingsbestand van de services "
            "(zie docs/deployment.md), bijvoorbeeld: set -a; . /etc/rendement/rendement.env; "
            "set +a"
        )
    if current == wanted:
        return False
    dagster_home.mkdir(parents=True, exist_ok=True)
    write_atomic(config, wanted)
    return True
