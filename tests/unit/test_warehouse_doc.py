"""docs/warehouse.md lists the output tables and their columns generated from the output models
(schemas/outputs.py); the hand-written prose around the generated parts stays as it is."""

from __future__ import annotations

import pytest

from rendement.docsgen import warehouse as docs_gen
from schemas.outputs import OUTPUTS

pytestmark = pytest.mark.unit


def test_warehouse_doc_is_up_to_date():
    text = docs_gen.TARGET.read_text("utf-8")
    assert text == docs_gen.render(text), (
        "docs/warehouse.md is out of date: run `python -m rendement.docsgen.warehouse`"
    )


def test_every_output_table_and_column_is_in_the_doc():
    text = docs_gen.TARGET.read_text("utf-8")
    overview = docs_gen.section(text, docs_gen.OVERVIEW)
    columns = docs_gen.section(text, docs_gen.COLUMNS)
    for table in OUTPUTS:
        schema_name, name = table.split(".")
        assert f"| `{schema_name}` | `{name}` |" in overview, table
        assert f"### `{table}`" in columns, table
    assert "| `bkr_p05` | getal | ja |" in columns
    # the prose outside the markers is kept
    assert text.startswith("# The warehouse (`RENDEMENT_HOME/warehouse.duckdb`)")
    assert "## Kept up to date per organisation" in text
