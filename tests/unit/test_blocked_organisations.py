"""The one filter of blocked organisations: an organisation whose latest upload was refused
whole (intake's status file in the lake) counts in no sector figure."""

from __future__ import annotations

import polars as pl

from rendement.benchmark.published import blocked_organisations, countable_projects
from rendement.core.home import Home
from rendement.core.lake import Lake


def test_blocked_organisations_are_left_out(tmp_path):
    home = Home(tmp_path)
    lake = Lake(home.lake)
    lake.write_json({"geblokkeerd": True, "reden": "x"}, lake.status_path("ORG2"))
    lake.write_json({"geblokkeerd": False}, lake.status_path("ORG3"))
    projects = pl.DataFrame(
        {"organisatie_id": ["ORG1", "ORG2", "ORG3", "ORG2"], "project_id": ["P1", "P1", "P1", "P2"]}
    )
    assert [lake.is_blocked(o) for o in ("ORG1", "ORG2", "ORG3")] == [False, True, False]
    assert blocked_organisations(home, ["ORG1", "ORG2", "ORG3"]) == ["ORG2"]
    assert countable_projects(home, projects)["organisatie_id"].to_list() == ["ORG1", "ORG3"]
