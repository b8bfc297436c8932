"""The export contract in docs/ is generated from the pandera models and must stay in step."""

from rendement.docsgen import exportcontract as docs_gen


def test_exportcontract_doc_is_up_to_date():
    assert docs_gen.TARGET.read_text("utf-8") == docs_gen.render(), (
        "docs/exportcontract.md is out of date: run `python -m rendement.docsgen.exportcontract`"
    )


def test_example_files_pass_intake_reading_and_validation():
    """docs/voorbeelden/ shows one file per contract table; together they are a valid delivery."""
    import datetime as dt
    import secrets

    from rendement.docsgen.examples import EXAMPLES, YEAR
    from rendement.intake.chain import canonical_tables
    from schemas.tables import MODELS
    from schemas.validate import validate_upload
    from sources import read_upload

    tables, problems = {}, []
    for table in MODELS:
        result = read_upload(EXAMPLES / f"{table}_{YEAR}.csv")
        assert result.system == "contract" and result.period == YEAR
        assert list(result.tables) == [table]
        problems.append(result.problems)
        tables |= canonical_tables(result, "ORG001", secrets.token_bytes(32))
    import polars as pl

    outcome = validate_upload(
        tables, period=YEAR, today=dt.date(2026, 11, 28), parse_problems=pl.concat(problems)
    )
    assert not outcome.file_rejected
    assert outcome.rejected.height == 0
    assert all(outcome.accepted[t].height > 0 for t in MODELS)


def test_mkba_calibration_section_is_up_to_date(demo_sector):
    """The calibration section of docs/mkba.md is generated from the default demo sector
    (`python -m rendement.docsgen.kalibratie`); it fails when the committed text is stale."""
    from rendement.docsgen import kalibratie

    text = kalibratie.TARGET.read_text("utf-8")
    assert text.index("## Calibration") < text.index(kalibratie.BEGIN)
    assert kalibratie.section(text) == kalibratie.render(demo_sector.warehouse), (
        "the calibration section of docs/mkba.md is out of date: run "
        "`python -m rendement.docsgen.kalibratie`"
    )
