"""Own values through a real Dagster run (issue 18, point 7): one organisation's bad deviation
('=1+1', the issue's case) is refused with its row and does not stop anyone's results; an
accepted proposal changes only that organisation's own report, never the standard results or
the benchmark."""

from __future__ import annotations

import html

import duckdb
import polars as pl
import pytest

from rendement.core.proposals import ProposalStore
from rendement.mkba.overrides import LAKE_NAME
from rendement.service import portal_deviations
from tests.support.homes import copy_home, restored_env

STANDARD = {
    "mkba.project": "SELECT * FROM mkba.project ORDER BY ALL",
    "benchmark.cellen": "SELECT * FROM benchmark.cellen ORDER BY ALL",
    "benchmark.rendementsfactor": "SELECT * FROM benchmark.rendementsfactor ORDER BY ALL",
}


def q(home, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.sql(sql).pl()


@pytest.fixture(scope="module")
def run(demo_home, tmp_path_factory):
    from pipelines.run import run_pipeline

    home = copy_home(demo_home, tmp_path_factory.mktemp("afwijkingen") / "home")
    before = {name: q(home, sql) for name, sql in STANDARD.items()}
    orgs = sorted(before["mkba.project"]["organisatie_id"].unique().to_list())
    broken, own = orgs[1], orgs[2]  # ORG001 keeps the demo's line of the file
    # the outcome that weighs most in `own`'s benefits: its attribution set to 0 raises them
    heaviest = q(
        home,
        f"SELECT uitkomst FROM mkba.uitkomst WHERE organisatie_id = '{own}' AND pv > 0 "
        "GROUP BY uitkomst ORDER BY sum(pv) DESC LIMIT 1",
    )["uitkomst"][0]
    parameter = f"uitkomsten.{heaviest}.attributie"
    demo_line = home.overrides.read_text("utf-8").splitlines()[1]
    home.overrides.write_text(
        "organisatie_id;project_id;parameter;waarde;toelichting\n"
        f"{demo_line}\n"
        f"{broken};;kosten.fte;=1+1;een formule uit Excel\n"
        "ORG999;;kosten.fte;70000;een organisatie die niet bestaat\n",
        "utf-8",
    )
    with ProposalStore.edit(home.proposals) as store:
        ident = store.propose(
            organisatie_id=own,
            project_id=None,
            parameter=parameter,
            waarde=0.0,
            tekst="0",
            toelichting="Wij zijn de enige aanbieder in de gemeente",
            bron="Gemeentelijke inkoopgegevens 2025",
            door="g-organisatie",
        )
        store.decide(ident, accept=True, door="g-analist01")
    with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
        result = run_pipeline(home, progress=lambda _stage: None)
    assert result.success
    return home, before, broken, own, parameter, result


def test_a_bad_deviation_stops_no_ones_results_and_is_shown_with_its_row(run):
    home, before, broken, _own, _parameter, result = run
    after = q(home, STANDARD["mkba.project"])
    assert set(after["organisatie_id"]) == set(before["mkba.project"]["organisatie_id"])
    assert after.filter(pl.col("organisatie_id") == broken).height > 0
    page = html.unescape((home.org_site(broken) / "index.html").read_text("utf-8"))
    assert 'id="org-afwijkingen-geweigerd"' in page
    assert "afwijkingen.csv, rij 3, kolom waarde" in page and "'=1+1' is geen getal" in page
    records = pl.read_parquet(home.lake / "mkba" / LAKE_NAME / f"{broken}.parquet")
    assert records["status"].to_list() == ["geweigerd"]
    # the analyst sees every refusal in the run, also the one of an unregistered organisation
    counts = {
        e.materialization.metadata["afwijkingen_geweigerd"].value
        for e in result.get_asset_materialization_events()
        if e.asset_key.path[-1] == "project_mkba"
    }
    assert counts == {2}
    # and in the portal: the organisation its own refusal, the analyst every one
    (refused,) = portal_deviations.org_view(home, broken)["refused"]
    assert (refused["plaats"], refused["kolom"]) == ("afwijkingen.csv, rij 3", "Waarde")
    problems = portal_deviations.analyst_view(home)["problems"]
    assert "afwijkingen.csv, rij 3, kolom waarde: '=1+1' is geen getal" in problems
    assert any(m.startswith("afwijkingen.csv, rij 4, kolom organisatie_id: ") for m in problems)


def test_an_accepted_proposal_changes_only_that_organisations_own_report(run):
    home, before, _broken, own, parameter, _result = run
    eigen = pl.read_parquet(home.lake / "mkba" / "project_eigen" / f"{own}.parquet")
    standard = before["mkba.project"].filter(pl.col("organisatie_id") == own)
    joined = eigen.join(standard, on=["project_id", "jaar"], suffix="_std")
    assert (joined["baten"] > joined["baten_std"] + 1).any()  # its own result changed
    page = html.unescape((home.org_site(own) / "index.html").read_text("utf-8"))
    assert 'id="org-afwijkingen"' in page and parameter in page
    assert "Gemeentelijke inkoopgegevens 2025" in page and "analist g-analist01" in page
    assert "Wat uw afwijkingen veranderen" in page
    others = [p for p in home.site.glob("org/*/index.html") if p.parent.name not in (own, "ORG001")]
    assert others and all('id="org-afwijkingen"' not in p.read_text("utf-8") for p in others)


def test_the_standard_results_and_the_benchmark_ignore_every_deviation(run):
    home, before, *_ = run
    for name, sql in STANDARD.items():
        assert q(home, sql).equals(before[name]), name
