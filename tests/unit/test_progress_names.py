"""The CLI's progress names every step of the main job in Dutch (`rendement demo` prints them
one per line); the checks of a stage's output tables run in its step and need no name."""

from __future__ import annotations

from pipelines.definitions import defs
from pipelines.run import STEP_NAMES, step_name


def test_every_step_of_the_job_has_a_dutch_name():
    job = defs.resolve_job_def("verwerk_leveringen")
    steps = {node.name for node in job.graph.node_defs}
    assert steps, "the job has no steps"
    for step in steps:
        name = step_name(step)
        assert "_" not in name, (step, name)
    assert set(STEP_NAMES) == steps  # no name for a step that no longer exists
