"""The whole graph materialised by Dagster on a small generated sector, asserted on the DuckDB
tables and the published HTML."""

from __future__ import annotations

import re

import duckdb

from rendement.demo.profiles import OTHER_ORGANISATIONS
from schemas.vocabulary import DOMAINS
from tests.support.homes import DEMO_ORGS, DEMO_SEED

# `rendement demo` adds organisations without client registrations after the registering ones
ALL_ORGS = DEMO_ORGS + len(OTHER_ORGANISATIONS)


def q(home, sql):
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_organisation_is_taken_in_and_accepted(demo_home):
    (orgs,) = q(demo_home, "SELECT count(DISTINCT organisatie_id) FROM canoniek.project")[0]
    assert orgs == ALL_ORGS
    (registering,) = q(demo_home, "SELECT count(DISTINCT organisatie_id) FROM canoniek.traject")[0]
    assert registering == DEMO_ORGS
    for table in (
        "organisatie", "project", "traject", "meting", "inzet", "kosten", "activiteit",
        "projectopgave",
    ):  # fmt: skip
        (n,) = q(demo_home, f"SELECT count(*) FROM canoniek.{table}")[0]
        assert n > 0, table
    assert not any(demo_home.inbox.rglob("*.csv")), "inbox should be empty after intake"
    assert not any(demo_home.inbox.rglob("*.xlsx")), "inbox should be empty after intake"
    assert any(demo_home.archive.rglob("*")), "originals are archived"


def test_client_ids_are_pseudonymised_everywhere(demo_home):
    cols = {
        c
        for (c,) in q(
            demo_home, "SELECT column_name FROM duckdb_columns() WHERE table_name='traject'"
        )
    }
    assert "client_pseudoniem" in cols and "client_id" not in cols
    pseudonyms = q(demo_home, "SELECT client_pseudoniem FROM canoniek.traject LIMIT 50")
    assert all(re.fullmatch(r"[0-9a-f]{32}", p) for (p,) in pseudonyms)
    # the demo's local client numbers look like K000123: none may survive intake
    raw = re.compile(rb"\bK\d{5,}\b")
    for path in [
        demo_home.warehouse,
        demo_home.audit_log,
        *demo_home.site.rglob("*.html"),
        *demo_home.lake.rglob("*.parquet"),
    ]:
        assert not raw.search(path.read_bytes()), path


def test_mkba_results_cover_the_four_domains(demo_home):
    rows = q(
        demo_home,
        "SELECT domein, count(*), median(bkr), min(parameter_versie) FROM mkba.project GROUP BY domein",
    )
    assert {r[0] for r in rows} == set(DOMAINS)
    for domein, n, ratio, version in rows:
        assert n > 0 and ratio is not None and ratio > 0, domein
        assert version


def test_cost_breakdown_and_switching_values_match_the_project_results(demo_home):
    """mkba.kosten itemises each project-year's costs (they add up to mkba.project.kosten);
    mkba.schakelwaarden has one row per project-year."""
    rows = q(
        demo_home,
        """SELECT count(*), count(k.organisatie_id), max(abs(p.kosten - k.bedrag))
           FROM mkba.project p LEFT JOIN (
               SELECT organisatie_id, project_id, jaar, sum(bedrag) AS bedrag
               FROM mkba.kosten GROUP BY ALL) k USING (organisatie_id, project_id, jaar)""",
    )
    (n, matched, worst) = rows[0]
    assert n > 0 and matched == n and worst < 0.01
    (pairs,) = q(
        demo_home,
        """SELECT count(*) FROM mkba.project p
           JOIN mkba.schakelwaarden s USING (organisatie_id, project_id, jaar)""",
    )[0]
    (total,) = q(demo_home, "SELECT count(*) FROM mkba.schakelwaarden")[0]
    assert pairs == total == n


def test_own_override_results_are_queryable_in_the_warehouse(demo_home):
    """The demo's ORG001 overrides a parameter with a justification: its own-value results and
    the overrides applied are in the warehouse, next to (not instead of) the standard ones."""
    eigen = q(demo_home, "SELECT DISTINCT organisatie_id FROM mkba.project_eigen")
    applied = q(demo_home, "SELECT DISTINCT organisatie_id FROM mkba.overrides")
    assert eigen == [("ORG001",)] and applied == [("ORG001",)]
    (standard,) = q(demo_home, "SELECT count(*) FROM mkba.project WHERE organisatie_id = 'ORG001'")[
        0
    ]
    (own,) = q(demo_home, "SELECT count(*) FROM mkba.project_eigen")[0]
    assert own == standard > 0


def test_benchmark_cells_carry_a_status(demo_home):
    rows = q(demo_home, "SELECT DISTINCT status FROM benchmark.cellen")
    assert rows
    names = {
        c
        for (c,) in q(
            demo_home, "SELECT column_name FROM duckdb_columns() WHERE schema_name='benchmark'"
        )
    }
    assert "organisatie_id" not in names


def test_site_index_links_the_reports(demo_home):
    index = (demo_home.site / "index.html").read_text("utf-8")
    for label in DOMAINS.values():
        assert label in index or label in (demo_home.site / "sector.html").read_text("utf-8")
    links = re.findall(r'href="([^"#]+)"', index)
    assert links
    for link in links:
        if not link.startswith("http"):
            assert (demo_home.site / link).exists(), link


def _versions(home, asset: str) -> list[tuple[str | None, str | None]]:
    """(data version, code version) of the asset's materialisations, newest first."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(home.dagster))
    records = instance.fetch_materializations(dg.AssetKey(asset), limit=100).records
    tags = [r.asset_materialization.tags or {} for r in records]
    return [(t.get("dagster/data_version"), t.get("dagster/code_version")) for t in tags]


VERSIONED = ("warehouse", "sector_benchmark", "sector_intervals", "reports")


def test_demo_twice_changes_nothing(demo_home, tmp_path):
    from rendement.cli.main import main

    tables = ["canoniek.traject", "canoniek.meting", "mkba.project", "benchmark.cellen"]
    before = {t: q(demo_home, f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {t}") for t in tables}
    runs_before = {a: len(_versions(demo_home, a)) for a in VERSIONED}
    assert (
        main(
            [
                "demo",
                "--orgs",
                str(DEMO_ORGS),
                "--seed",
                str(DEMO_SEED),
                "--home",
                str(demo_home.root),
            ]
        )
        == 0
    )
    after = {t: q(demo_home, f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {t}") for t in tables}
    assert before == after
    (dups,) = q(demo_home, "SELECT count(*) FROM intake.audit WHERE uitkomst = 'duplicaat'")[0]
    assert dups > 0
    # Dagster sees the same: each stage after the warehouse reports the same data version
    # (what it wrote) and code version as the run before. The warehouse's own version changed:
    # intake.audit now also lists the duplicates.
    for asset in VERSIONED:
        history = _versions(demo_home, asset)
        assert len(history) > runs_before[asset] >= 1, asset
        (data_now, code_now), (data_before, code_before) = history[0], history[1]
        assert data_now and code_now and code_now == code_before, asset
        assert (data_now == data_before) is (asset != "warehouse"), asset


def test_definitions_load():
    import dagster as dg

    from pipelines.definitions import defs

    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {
        "uploads",
        "accepted_tables",
        "project_mkba",
        "warehouse",
        "sector_benchmark",
        "reports",
    } <= keys


def test_delivery_status_lists_every_registered_organisation(demo_home):
    rows = q(demo_home, "SELECT jaar, status, count(*) FROM intake.leveringsstatus GROUP BY ALL")
    latest = max(r[0] for r in rows)
    per_status = {status: n for jaar, status, n in rows if jaar == latest}
    assert sum(per_status.values()) == ALL_ORGS
    assert per_status.get("geleverd", 0) + per_status.get("deels_afgekeurd", 0) == ALL_ORGS
    assert "ORG001" in (demo_home.site / "leveringen.html").read_text("utf-8")
