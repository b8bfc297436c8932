"""Resources: where the data home is. Chosen from the environment, never from globals in assets."""

from __future__ import annotations

import dagster as dg

from rendement.core.home import Home
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


def build_resources() -> dict[str, object]:
    return {"home": HomeResource(), "parameters": ParametersResource()}
