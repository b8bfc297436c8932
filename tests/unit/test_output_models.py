"""The output models (schemas/outputs.py): their value domains agree with the code that sets
the values, the engine's results pass them, and corrupted rows fail with their row index."""

from __future__ import annotations

import os

import polars as pl
import pytest
from pandera.errors import SchemaErrors

from rendement.benchmark import disclosure
from rendement.benchmark.cells import MEASURES, TABLES
from rendement.mkba import compute_mkba, montecarlo, status
from rendement.mkba.params import parse_parameters
from schemas import outputs
from tests.support.mkba_tables import hand_tables, simple_raw, two_years

pytestmark = pytest.mark.unit

ENGINE_TABLES = {
    "mkba.project": "project",
    "mkba.project_looptijd": "looptijd",
    "mkba.uitkomst": "outcome",
    "mkba.scenario": "scenario",
    "mkba.kosten": "kosten",
    "mkba.schakelwaarden": "schakelwaarden",
    "mkba.overrides": "overrides_applied",
}


def test_value_domains_agree_with_the_code():
    assert outputs.MKBA_STATUSES == (status.COMPLETE, status.INCOMPLETE)
    assert outputs.SCENARIOS == montecarlo.SCENARIOS
    assert outputs.DISCLOSURE_STATUSES == disclosure.STATUSES
    assert set(outputs.DISCLOSURE_REASONS) == set(disclosure.REASONS)
    assert outputs.CELL_TABLES == TABLES
    assert set(outputs.STATISTICS) == {m.statistiek for m in MEASURES}
    assert set(outputs.UNITS) == {m.eenheid for m in MEASURES}


def test_every_output_table_is_declared_with_descriptions():
    for table, out in outputs.OUTPUTS.items():
        schema = outputs.schema(table)
        assert out.description, table
        assert schema.ordered and schema.strict, table
        for name, col in schema.columns.items():
            assert col.description, (table, name)
        for check in (c for col in schema.columns.values() for c in col.checks):
            assert check.description or check.name, table


@pytest.fixture(scope="module")
def results():
    params = parse_parameters(simple_raw())
    without_participants = hand_tables()
    without_participants["traject"] = without_participants["traject"].clear()
    without_participants["meting"] = without_participants["meting"].clear()
    return [
        compute_mkba(two_years(kosten_2025=None), params, draws=50),  # an incomplete year
        compute_mkba(without_participants, params, draws=50),
        compute_mkba(two_years(), params, draws=50),
    ]


def test_engine_results_pass_their_models(results):
    for res in results:
        for table, attr in ENGINE_TABLES.items():
            frame = getattr(res, attr)
            outputs.OUTPUTS[table].model.validate(frame, lazy=True)
            assert frame.columns == outputs.columns(table)
            assert dict(frame.schema) == outputs.polars_schema(table)


def test_a_broken_invariant_fails_with_its_row(results):
    project = results[2].project
    broken = project.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.col("ncw") + 1.0)
        .otherwise(pl.col("ncw"))
        .alias("ncw"),
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit(None, pl.Float64))
        .otherwise(pl.col("bkr"))
        .alias("bkr"),
    )
    with pytest.raises(SchemaErrors) as info:
        outputs.OUTPUTS["mkba.project"].model.validate(broken, lazy=True)
    cases = info.value.failure_cases.select("check", "index").rows()
    assert ("ncw_is_baten_min_kosten", 1) in cases
    assert ("bkr_leeg_precies_bij_onvolledig", 0) in cases
    # column order is part of the contract
    with pytest.raises(SchemaErrors):
        outputs.OUTPUTS["mkba.project"].model.validate(
            project.select(reversed(project.columns)), lazy=True
        )


def test_check_metadata_names_rows_rules_and_table_level_errors(results):
    from assets.checks import validate_frame

    project = results[2].project
    assert validate_frame("mkba.project", project) == (True, {"rijen": project.height, "fouten": 0})
    broken = project.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit(-5.0))
        .otherwise(pl.col("kosten"))
        .alias("kosten")
    )
    passed, meta = validate_frame("mkba.project", broken)
    assert not passed and meta["fouten"] == 1 and "tabelfouten" not in meta
    examples = meta["voorbeelden"].value.splitlines()
    assert examples[0].startswith("| rij | organisatie_id | project_id | jaar |")
    assert len(examples) == 3 and examples[2].startswith("| 1 |")
    assert "greater_than_or_equal_to(0)" in examples[2] and "-5.0" in examples[2]
    # a dtype the model does not allow: the table as a whole fails, no row is named
    passed, meta = validate_frame(
        "mkba.project", project.with_columns(pl.col("jaar").cast(pl.Int32))
    )
    assert not passed and meta["fouten"] == 0 and meta["tabelfouten"] >= 1
    assert "dtype" in meta["regels"].value and "Int32" in meta["regels"].value


def test_in_memory_engine_gives_the_same_failures_and_leaves_the_process_alone(results):
    """The checks run pandera on polars' in-memory engine (schemas/in_memory.py) for speed:
    the verdict must be plain `validate`'s, and the process's own engine choice untouched."""
    from schemas.in_memory import validate_in_memory

    model = outputs.OUTPUTS["mkba.project"].model
    broken = results[2].project.with_columns(
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit(-5.0)).otherwise("kosten").alias("kosten")
    )
    before = os.environ.get("POLARS_ENGINE_AFFINITY")
    with pytest.raises(SchemaErrors) as plain:
        model.validate(broken, lazy=True)
    with pytest.raises(SchemaErrors) as ours:
        validate_in_memory(model, broken)
    assert ours.value.failure_cases.equals(plain.value.failure_cases)
    assert ours.value.failure_cases.height >= 1
    assert os.environ.get("POLARS_ENGINE_AFFINITY") == before
    assert validate_in_memory(model, results[2].project).equals(results[2].project)
