"""The export contract in docs/ is generated from the pandera models and must stay in step."""

from rendement import docs_gen


def test_exportcontract_doc_is_up_to_date():
    assert docs_gen.TARGET.read_text("utf-8") == docs_gen.render(), (
        "docs/exportcontract.md is out of date: run `python -m rendement.docs_gen`"
    )
