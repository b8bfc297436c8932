"""The CLI's progress names every step of the main job in Dutch: the stages and the checks of
their output tables (`rendement demo` prints them one per line)."""

from __future__ import annotations

from assets.checks import CHECKS
from pipelines.definitions import defs
from pipelines.run import STEP_NAMES, step_name


def test_every_step_of_the_job_has_a_dutch_name():
    job = defs.resolve_job_def("verwerk_leveringen")
    steps = {node.name for node in job.graph.node_defs} | {c.node_def.name for c in CHECKS}
    assert steps, "the job has no steps"
    for step in steps:
        name = step_name(step)
        assert "_" not in name, (step, name)
    assert step_name("controle_sector_intervals") == f"controle {STEP_NAMES['sector_intervals']}"
