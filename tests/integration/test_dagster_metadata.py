"""What the Dagster UI shows: Dutch descriptions, and per-organisation partitions that do not
present a whole run's totals as their own."""

from __future__ import annotations

import re

import dagster as dg

from pipelines.run import run_pipeline
from rendement.core.home import Home
from rendement.demo import generate_sector, write_exports
from tests.support.homes import restored_env

ENGLISH = re.compile(r"\b(the|and|with|which|from|into|are|its|their|every)\b")


def test_every_asset_check_sensor_and_job_is_described_in_dutch():
    from pipelines.definitions import defs

    repo = defs.get_repository_def()
    described = []
    for key in repo.asset_graph.get_all_asset_keys():
        described.append((key.to_user_string(), repo.asset_graph.get(key).description))
    for check_key in repo.asset_graph.asset_check_keys:
        described.append((check_key.name, repo.asset_graph.get(check_key).description))
    described += [(s.name, s.description) for s in repo.sensor_defs]
    described += [(s.name, s.description) for s in repo.schedule_defs]
    described += [(j.name, j.description) for j in repo.get_all_jobs() if j.name != "__ASSET_JOB"]
    for name, text in described:
        assert text, f"{name} has no description"
        assert not ENGLISH.search(text), (name, text)


def _latest(instance: dg.DagsterInstance, asset: str, partition: str) -> dict:
    found = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[partition]), limit=1
    ).records
    assert found, (asset, partition)
    return {k: v.value for k, v in found[0].asset_materialization.metadata.items()}


def test_a_partition_never_shows_the_runs_totals_as_its_own(tmp_path):
    home = Home(tmp_path / "home").ensure()
    orgs = list(generate_sector(orgs=2, seed=5, years=(2025,), trajectories_per_org=20))
    for org in orgs:
        write_exports(org, home.inbox)
    with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
        assert run_pipeline(home, progress=lambda _s: None).success  # both in one run
        instance = dg.DagsterInstance.get()
        first, second = (o.organisatie_id for o in orgs)
        meta = _latest(instance, "accepted_tables", first)
        assert meta["organisaties_in_run"] == 2
        assert "rijen_geaccepteerd" not in meta and meta["run_rijen_geaccepteerd"] > 0
        assert first in meta["per_organisatie"] and second in meta["per_organisatie"]
        assert meta["run_rijen_afgekeurd"] == 0  # rows read minus rows accepted
        assert "projectjaren" not in _latest(instance, "project_mkba", first)

        # a run for one organisation (as the inbox sensor starts): its own figures
        write_exports(orgs[0], home.inbox)  # the same files again: duplicates
        assert run_pipeline(home, organisations=[first], progress=lambda _s: None).success
        meta = _latest(instance, "uploads", first)
        assert "organisaties_in_run" not in meta
        assert meta["uploads"] == meta["status_duplicaat"] > 0
