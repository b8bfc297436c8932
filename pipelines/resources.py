"""Resources: where the data home is, the parameter set, and the run's worker processes.
Chosen from the environment, never from globals in assets."""

from __future__ import annotations

import dagster as dg
from pydantic import PrivateAttr

from rendement.core.home import Home
from rendement.core.workers import Workers
from rendement.mkba import load_parameters
from rendement.mkba.overrides import gather


class HomeResource(dg.ConfigurableResource):
    """The data home (`RENDEMENT_HOME`, default `./data`) with inbox, lake, warehouse and site."""

    root: str | None = None

    def home(self) -> Home:
        return Home.from_env(self.root).ensure()


class ParametersResource(dg.ConfigurableResource):
    """The MKBA parameter set (a versioned YAML file; None = the shipped standard set) and
    the organisations' own deviations: the analysts' file (`RENDEMENT_HOME/parameters/
    afwijkingen.csv`) and the accepted proposals from the portal (`parameters/voorstellen.json`),
    checked per organisation by `rendement.mkba.overrides.check` before use."""

    path: str | None = None

    def load(self):
        return load_parameters(self.path)

    def overrides(self, home: Home):
        """(every deviation given, the refusal of an unreadable file)."""
        return gather(home.overrides, home.proposals)


class WorkersResource(dg.ConfigurableResource):
    """The run's pool of worker processes for its per-organisation steps
    (`rendement.core.workers`): started by the first step that needs it and kept for the next,
    so intake, validation and the MKBA start their workers once per run, not once per step.
    Dagster sets a resource up once per run and process and tears it down after the run
    (the job's in-process executor: once per run), which stops the workers. A step after which
    the run needs the memory more than the workers (the MKBA, before the warehouse load)
    `release`s them. `processes`: how many (default: `RENDEMENT_WORKERS`, else the cores)."""

    processes: int | None = None
    _workers: Workers = PrivateAttr(default_factory=Workers)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._workers = Workers(self.processes)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.release()

    def pool(self) -> Workers:
        return self._workers

    def release(self) -> None:
        """Stop the workers now; a later step that needs them starts new ones."""
        self._workers.close()


def build_resources() -> dict[str, object]:
    return {
        "home": HomeResource(),
        "parameters": ParametersResource(),
        "workers": WorkersResource(),
    }
