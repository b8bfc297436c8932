"""Qualitative effects: what an organisation writes in words per project (`kwalitatieve_effecten`
of `projectopgave`, also in the Excel template): at most 2.000 characters, never a BSN in it
(the row is refused and the number masked in every message), never priced."""

from __future__ import annotations

import datetime as dt

import polars as pl

from rendement.intake import chain
from rendement.intake.sjabloon import workbook_bytes
from rendement.reports.estimates import CARD_WORDS_CHARS, card_words
from schemas.tables import MAX_TEXT_LENGTH
from tests.support.homes import valid_bsns
from tests.support.sjabloon import YEAR, filled_rows
from tests.support.validation import assert_found, broken, run, set_cells, upload

KEY = b"k" * 32
TODAY = dt.date(YEAR + 1, 3, 1)


def test_a_text_within_the_limit_is_kept():
    tables = upload()
    text = "Deelnemers durven weer te bellen; 3 vrijwilligers zijn maatje geworden. " * 20
    text = text[:MAX_TEXT_LENGTH]
    tables["projectopgave"] = set_cells(tables["projectopgave"], 2, kwalitatieve_effecten=text)
    outcome = run(tables)
    assert outcome.rejected.height == 0
    kept = outcome.accepted["projectopgave"]["kwalitatieve_effecten"].drop_nulls().to_list()
    assert kept == [text]


def test_a_text_over_the_limit_is_refused_with_row_and_column():
    outcome = run(broken("projectopgave", 2, kwalitatieve_effecten="x" * (MAX_TEXT_LENGTH + 1)))
    finding = assert_found(outcome, "projectopgave", 2, "kwalitatieve_effecten", "tekst_te_lang")
    assert "te lang" in finding["melding"] and "2.000" in finding["verwacht"]
    # the other rows of the sheet still arrive
    assert outcome.accepted["projectopgave"].height == upload()["projectopgave"].height - 1


def test_a_bsn_in_the_text_refuses_the_row_and_is_never_shown():
    bsn = valid_bsns(1)[0]
    text = f"Mevrouw (BSN {bsn}) kwam elke week."
    outcome = run(broken("projectopgave", 3, kwalitatieve_effecten=text))
    finding = assert_found(outcome, "projectopgave", 3, "kwalitatieve_effecten", "bsn_in_tekst")
    shown = " ".join(str(v) for v in outcome.findings.row(0) if v is not None)
    assert bsn not in shown and bsn not in finding["waarde"]
    assert "*****" + bsn[-4:] in finding["waarde"]
    texts = outcome.accepted["projectopgave"]["kwalitatieve_effecten"].drop_nulls().to_list()
    assert not any(bsn in t for t in texts)


def test_a_number_that_is_no_bsn_is_fine():
    outcome = run(broken("projectopgave", 2, kwalitatieve_effecten="Bereik 123456789 keer."))
    assert not outcome.findings.filter(pl.col("regel") == "bsn_in_tekst").height


def test_the_template_carries_the_text_and_the_budget(tmp_path):
    rows = filled_rows()
    rows["Projectopgave"][0]["kwalitatieve_effecten"] = "Meer rust in de wijk."
    rows["Projectopgave"][3]["begroting"] = 125_000.5
    path = tmp_path / f"projectblad_{YEAR}.xlsx"
    path.write_bytes(workbook_bytes(YEAR, rows))
    screened = chain.screen(path, organisatie_id="ORG077", key=KEY)
    one = chain.upload(screened.tables, period=screened.period, problems=screened.problems)
    outcome = chain.validate(one, today=TODAY)
    assert outcome.rejected.height == 0
    sheet = outcome.accepted["projectopgave"]
    assert sheet.filter(pl.col("kwalitatieve_effecten").is_not_null())[
        "kwalitatieve_effecten"
    ].to_list() == ["Meer rust in de wijk."]
    plan = sheet.filter(pl.col("soort") == "raming").row(0, named=True)
    assert plan["begroting"] == 125_000.5


def test_a_card_shows_the_latest_words_shortened_and_the_report_all_of_them():
    """An Impactkaart is one A4: of the organisation's words it shows the latest, cut at a
    word with a pointer to the report (which shows every text in full)."""
    long = "woord " * 100
    items = [("2025, realisatie", long.strip()), ("2024, realisatie", "eerder")]
    [(head, text)] = card_words(items)
    assert head == "2025, realisatie"
    assert text.endswith("… (volledig in het eigen rapport)")
    assert len(text) <= CARD_WORDS_CHARS + len(" … (volledig in het eigen rapport)")
    assert card_words([("2025, realisatie", "kort")]) == [("2025, realisatie", "kort")]
    assert card_words([]) == []
