"""The validation report of an upload without findings is a plain page without great-tables;
an upload with findings gets the full report. Both say the same in the same frame."""

from __future__ import annotations

import re

import polars as pl

from rendement.intake import validation_report as vr
from schemas.rules import MASK
from tests.support.validation import broken, pseudonym, run, upload

KW = dict(organisatie_id="ORG001", bestand="export_2024.csv", checksum="ab" * 32)


def _cells(html: str) -> list[str]:
    """The texts of the header and body cells of the counts table, in order."""
    table = html[html.index('id="validatie-tabellen"') :]
    table = table[: table.index("</table>")]
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table)
    ]


def test_clean_upload_gets_the_plain_page():
    outcome = run(upload())
    page = vr.report_html(outcome, **KW)
    assert outcome.findings.height == 0
    assert "gt_table" not in page  # no great-tables
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert 'id="validatie-tabellen"' in page
    assert "Uw aanlevering is helemaal aangenomen." in page
    assert "Geen problemen gevonden." in page
    assert "<script" not in page and "http" not in page
    assert page == vr.report_html(run(upload()), **KW)


def test_upload_with_findings_gets_the_full_report():
    outcome = run(broken("project", 4, domein="schulden"))
    page = vr.report_html(outcome, **KW)
    assert "gt_table" in page
    assert 'id="validatie-tabellen"' in page
    assert 'id="validatie-domein_onbekend"' in page
    assert "Geen problemen gevonden." not in page


def test_a_warning_alone_is_a_finding_too():
    tables = upload()
    tables["traject"] = tables["traject"].with_columns(
        pl.when(pl.col("traject_id") == "T2")
        .then(pl.lit(pseudonym(1)))
        .otherwise(pl.col("client_pseudoniem"))
        .alias("client_pseudoniem")
    )
    outcome = run(tables)
    assert outcome.rejected.height == 0 and outcome.findings.height > 0
    page = vr.report_html(outcome, **KW)
    assert "gt_table" in page
    assert 'id="validatie-mogelijk_dubbele_client"' in page
    assert pseudonym(1) not in page and MASK in page  # the client column shows (verborgen)


def test_plain_and_full_counts_tables_show_the_same_cells():
    """The plain counts table says exactly what the great-tables one says (numbers written
    the Dutch way), so a clean and a broken upload's pages read alike."""
    report = vr.report_json(run(upload()), **KW)
    report["tabellen"]["meting"]["rijen"] = 1_234_567
    report["tabellen"]["traject"]["afgekeurd"] = 12_345
    plain = vr._plain_counts_table(report)
    full = vr._counts_table(report)
    assert _cells(plain) == _cells(full)
    assert "1.234.567" in _cells(plain)


def test_json_and_text_do_not_depend_on_the_page_kind():
    outcome = run(upload())
    report = vr.report_json(outcome, **KW)
    assert report["status"] == "geaccepteerd" and report["regels"] == []
    assert "helemaal aangenomen" in vr.report_text(outcome, **KW)


def test_plain_page_escapes_texts_from_the_upload():
    outcome = run(upload())
    page = vr.report_html(outcome, **{**KW, "bestand": "<b>export</b>.csv"})
    assert "<b>export</b>" not in page
    assert "&lt;b&gt;export&lt;/b&gt;.csv" in page


def test_report_tables_are_great_tables_tables_with_escaped_cells():
    """The example tables are great-tables' own HTML (its public API): every cell and the note
    escaped, the id fixed, the same bytes every time."""
    texts = ["", "a & b", "<script>x</script>", 'aan "huis"', "é–€\n\t", "{{ x }}", "0"]
    for rows in (1, 3, 5):
        cells = [[texts[(r + c) % len(texts)] for c in range(6)] for r in range(rows)]
        for note in (None, "De eerste 5 van 12 <meldingen>"):
            table = vr._examples_gt("validatie-x", cells, note)
            assert table == vr._examples_gt("validatie-x", cells, note)
            assert 'id="validatie-x"' in table and "gt_table" in table
            assert "<script>" not in table and "&lt;script&gt;x&lt;/script&gt;" in table
            assert (note is None) == ("&lt;meldingen&gt;" not in table)


def test_the_page_is_written_from_templates_with_autoescape():
    """Texts from the upload in every place of the page are escaped by the template."""
    report = vr.report_json(run(broken("project", 4, domein="schulden")), **KW)
    report["redenen"] = ["<i>reden</i>"]
    report["regels"][0]["titel"] = "<b>titel</b>"
    report["regels"][0]["wat_te_doen"] = "x & y"
    page = vr.render_report_html(report)
    assert "<i>reden</i>" not in page and "&lt;i&gt;reden&lt;/i&gt;" in page
    assert "<b>titel</b>" not in page and "&lt;b&gt;titel&lt;/b&gt;" in page
    assert "Wat te doen: x &amp; y" in page
    assert page.startswith("<!DOCTYPE html>\n") and page.endswith("</body></html>")
