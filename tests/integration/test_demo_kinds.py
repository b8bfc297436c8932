"""The demo's organisations without client registrations (`rendement.demo.kinds`): every kind
is there, its files read back the way its path expects and pass validation, the same seed gives
the same bytes; and through `rendement demo` (the default sector, shared with test_docs) each
kind reaches its path: the activities-only and sheet-only organisations an MKBA by reference
with an interval, the Excel template accepted, the plan accepted into canoniek.projectopgave."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from rendement.demo import generate_demo, load_municipalities, write_exports
from rendement.demo import profiles as P
from rendement.demo.generator import DEFAULT_YEARS
from rendement.demo.kinds import (
    ACTIVITIES,
    KINDS,
    PLAN,
    REGISTRATION,
    SHEET,
    TEMPLATE,
    generate_others,
)
from rendement.intake.chain import canonical_tables
from rendement.mkba.reference import MEASURED, REPORTED, SECTOR
from schemas.validate import validate_upload
from sources import read_upload

SEED = 7
TODAY = dt.date(2026, 11, 28)
BY_REFERENCE = (ACTIVITIES, SHEET, TEMPLATE)


def _others(after: int = 40) -> list:
    return list(generate_others(SEED, after, DEFAULT_YEARS, load_municipalities()))


@pytest.fixture(scope="module")
def others():
    return {org.organisatie_id: org for org in _others()}


@pytest.fixture(scope="module")
def written(others, tmp_path_factory):
    inbox = tmp_path_factory.mktemp("inbox")
    return inbox, {org_id: write_exports(org, inbox) for org_id, org in others.items()}


# --- the generator ----------------------------------------------------------------------------


def test_every_kind_follows_the_registering_organisations():
    orgs = list(generate_demo(orgs=3, seed=SEED))
    assert [o.kind for o in orgs[:3]] == [REGISTRATION] * 3
    assert [o.kind for o in orgs[3:]] == [spec.kind for spec in P.OTHER_ORGANISATIONS]
    assert set(o.kind for o in orgs) == set(KINDS)
    first = P.OTHER_FIRST_NUMBER
    assert [o.organisatie_id for o in orgs[3:]] == [
        f"ORG{first + k}" for k in range(len(P.OTHER_ORGANISATIONS))
    ]
    assert len({o.naam for o in orgs}) == len(orgs)
    for org in orgs[3:]:
        assert org.trajecten == 0
        assert all("traject" not in t and "meting" not in t for t in org.tables.values())


def test_the_other_organisations_do_not_depend_on_how_many_come_before():
    for a, b in zip(_others(2), _others(25), strict=True):
        assert (a.organisatie_id, a.naam, a.kind, a.encoding) == (
            b.organisatie_id, b.naam, b.kind, b.encoding,
        )  # fmt: skip
        for year, tables in a.tables.items():
            for name, frame in tables.items():
                assert_frame_equal(frame, b.tables[year][name])
        for year, frame in a.attendance.items():
            assert_frame_equal(frame, b.attendance[year])


def test_the_same_seed_writes_the_same_bytes(others, tmp_path):
    def digests(inbox):
        return {
            p.relative_to(inbox).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for org in others.values()
            for p in write_exports(org, inbox)
        }

    first = digests(tmp_path / "a")
    assert any(name.endswith(".xlsx") for name in first)
    assert first == digests(tmp_path / "b")


def test_each_kind_writes_the_files_of_its_path(others, written):
    _inbox, paths = written
    for org_id, org in others.items():
        names = [p.name for p in paths[org_id]]
        years = sorted(org.tables)
        if org.kind in (TEMPLATE, PLAN):
            assert names == [f"projectblad_{y}.xlsx" for y in years]
        elif org.kind == ACTIVITIES:
            for y in years:
                assert names.index(f"presentielijst_{y}.csv") < names.index(f"project_{y}.csv")
            assert not any(n.startswith("projectopgave") for n in names)
        else:
            assert org.kind == SHEET
            assert all(f"projectopgave_{y}.csv" in names for y in years)
    plan = [o for o in others.values() if o.kind == PLAN]
    assert len(plan) == 1 and list(plan[0].tables) == [DEFAULT_YEARS[-1]]


def _expected_system(name: str) -> str:
    if name.startswith("presentielijst"):
        return "presentielijst"
    return "sjabloon" if name.startswith("projectblad") else "contract"


def test_files_read_back_and_pass_validation(others, written):
    """Per organisation and year, the files together are a delivery without a rejected row;
    attendance becomes activities with the generated meetings, attendances and participants;
    the template gives back the tables typed into it."""
    _inbox, paths = written
    key = secrets.token_bytes(32)
    for org_id, org in others.items():
        for year in sorted(org.tables):
            tables, problems = {}, []
            for path in [p for p in paths[org_id] if str(year) in p.name]:
                result = read_upload(path)
                assert result.system == _expected_system(path.name), path.name
                assert result.period == year
                assert result.problems.height == 0, (path.name, result.problems)
                problems.append(result.problems)
                tables |= canonical_tables(result, org_id, key)
            outcome = validate_upload(
                tables, period=year, today=TODAY, parse_problems=pl.concat(problems)
            )
            assert not outcome.file_rejected, (org_id, year)
            assert outcome.rejected.height == 0, (org_id, year, outcome.rejected)
            accepted = outcome.accepted
            if org.kind == ACTIVITIES:
                _check_activities(accepted["activiteit"], org.attendance[year])
            if org.kind in (TEMPLATE, PLAN):
                for name, frame in org.tables[year].items():
                    got = accepted[name].select(frame.columns).sort(frame.columns)
                    assert_frame_equal(got, frame.sort(frame.columns), check_dtypes=False)
            if org.kind == PLAN:
                sheet = accepted["projectopgave"]
                assert sheet["soort"].unique().to_list() == ["raming"]
                assert sheet["jaar"].unique().to_list() == [year + 1]
                assert accepted.get("inzet") is None or accepted["inzet"].height == 0


def _check_activities(activities: pl.DataFrame, attendance: pl.DataFrame) -> None:
    expected = (
        attendance.group_by("Activiteitnummer")
        .agg(
            pl.col("Datum bijeenkomst").n_unique().alias("bijeenkomsten"),
            pl.len().alias("aanwezigheden"),
            pl.col("Deelnemernummer").drop_nulls().n_unique().alias("uniek"),
        )
        .with_columns(pl.when(pl.col("uniek") > 0).then(pl.col("uniek")).alias("unieke_deelnemers"))
        .rename({"Activiteitnummer": "activiteit_id"})
        .select("activiteit_id", "bijeenkomsten", "aanwezigheden", "unieke_deelnemers")
        .sort("activiteit_id")
    )
    got = activities.select(expected.columns).sort("activiteit_id")
    assert_frame_equal(got, expected, check_dtypes=False)
    # the walk-in of a meeting group has no participant numbers: attendances, no people
    assert got["unieke_deelnemers"].null_count() > 0


# --- through `rendement demo` -----------------------------------------------------------------


def _q(home, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.sql(sql).pl()


def test_every_kind_is_taken_in_by_its_path(demo_sector, others):
    delivered = _q(
        demo_sector,
        "SELECT organisatie_id, systeem, uitkomst FROM intake.leveringen "
        "WHERE organisatie_id >= 'ORG9'",
    )
    assert set(delivered["uitkomst"]) == {"geaccepteerd"}
    systems = {
        org_id: set(frame["systeem"]) for (org_id,), frame in delivered.group_by("organisatie_id")
    }
    expected = {
        ACTIVITIES: {"presentielijst", "contract"},
        SHEET: {"contract"},
        TEMPLATE: {"sjabloon"},
        PLAN: {"sjabloon"},
    }
    assert systems == {org_id: expected[org.kind] for org_id, org in others.items()}
    quarantined = _q(
        demo_sector, "SELECT count(*) AS n FROM quarantaine.rijen WHERE organisatie_id >= 'ORG9'"
    )
    assert quarantined["n"].item() == 0
    # the projects keep the details of the project files, not the attendance list's
    projects = _q(
        demo_sector,
        "SELECT organisatie_id, project_id, startdatum, gemeente_code FROM canoniek.project "
        "WHERE organisatie_id >= 'ORG9' ORDER BY ALL",
    )
    for org_id, org in others.items():
        frame = org.tables[max(org.tables)]["project"]
        mine = projects.filter(pl.col("organisatie_id") == org_id).drop("organisatie_id")
        assert_frame_equal(mine, frame.select(mine.columns).sort("project_id"))


def test_activities_and_sheets_get_an_mkba_by_reference(demo_sector, others):
    referenced = [o for o, org in others.items() if org.kind in BY_REFERENCE]
    ids = ", ".join(f"'{o}'" for o in referenced)
    outcome = _q(
        demo_sector,
        "SELECT DISTINCT organisatie_id, project_id, jaar, uitkomst, basis, hoeveelheid "
        f"FROM mkba.uitkomst WHERE organisatie_id IN ({ids})",
    )
    project = _q(
        demo_sector,
        "SELECT organisatie_id, project_id, jaar, deelnemers, baten, bkr, bkr_p05, bkr_p95, "
        f"status FROM mkba.project WHERE organisatie_id IN ({ids})",
    )
    reach = _q(
        demo_sector,
        "SELECT organisatie_id, project_id, jaar, bereikt AS verwacht FROM canoniek.projectopgave "
        "WHERE soort = 'realisatie' AND uitkomst IS NULL UNION ALL "
        "SELECT organisatie_id, project_id, year(startdatum) AS jaar, "
        "sum(unieke_deelnemers) AS verwacht FROM canoniek.activiteit GROUP BY ALL",
    )
    own = _q(
        demo_sector,
        "SELECT organisatie_id, project_id, jaar, uitkomst, aantal FROM canoniek.projectopgave "
        "WHERE soort = 'realisatie' AND uitkomst IS NOT NULL",
    )
    for org_id in referenced:
        mine = outcome.filter(pl.col("organisatie_id") == org_id)
        assert set(mine["basis"]) <= {SECTOR, REPORTED} and SECTOR in set(mine["basis"]), org_id
        years = {y for y, t in others[org_id].tables.items() if "inzet" in t}
        rows = project.filter(pl.col("organisatie_id") == org_id)
        assert set(rows["jaar"]) == years
        for r in rows.iter_rows(named=True):
            assert r["status"] == "volledig" and r["baten"] > 0, r
            assert r["bkr_p05"] < r["bkr"] < r["bkr_p95"], r
    checked = project.join(
        reach.cast({"jaar": pl.Int64}), on=["organisatie_id", "project_id", "jaar"]
    )
    assert checked.height == project.height
    assert (checked["deelnemers"] == checked["verwacht"]).all()
    # the organisation's own count comes first
    reported = outcome.filter(pl.col("basis") == REPORTED).join(
        own, on=["organisatie_id", "project_id", "jaar", "uitkomst"]
    )
    assert reported.height > 0
    assert (reported["hoeveelheid"] == reported["aantal"]).all()
    measured = _q(
        demo_sector,
        "SELECT DISTINCT basis FROM mkba.uitkomst WHERE organisatie_id < 'ORG9'",
    )
    assert measured["basis"].to_list() == [MEASURED]


def test_the_plan_is_accepted_gets_an_estimate_and_nothing_is_realised(demo_sector, others):
    [(org_id, plan)] = [(o, org) for o, org in others.items() if org.kind == PLAN]
    year = max(plan.tables)
    sheet = _q(
        demo_sector,
        "SELECT project_id, jaar, soort, uitkomst, bereikt, contacten, afgerond, aantal, "
        "vastgesteld, begroting, kwalitatieve_effecten FROM canoniek.projectopgave "
        f"WHERE organisatie_id = '{org_id}'",
    )
    expected = plan.tables[year]["projectopgave"].select(sheet.columns)
    assert_frame_equal(
        sheet.sort("project_id", "uitkomst"), expected.sort("project_id", "uitkomst")
    )
    assert set(sheet["soort"]) == {"raming"} and set(sheet["jaar"]) == {year + 1}
    assert sheet["begroting"].drop_nulls().len() == len(plan.tables[year]["project"])
    realised = _q(
        demo_sector,
        f"SELECT count(*) AS n FROM mkba.project WHERE organisatie_id = '{org_id}' "
        f"AND jaar <= {year}",
    )
    assert realised["n"].item() == 0
    # its budget makes the expected MKBA complete: costs from the plan, benefits by reference
    estimate = _q(
        demo_sector,
        f"SELECT * FROM mkba.raming WHERE organisatie_id = '{org_id}' AND jaar = {year + 1}",
    )
    assert estimate.height == len(plan.tables[year]["project"])
    assert (estimate["kosten"] > 0).all() and (estimate["baten"] > 0).all()
    assert (estimate["bkr"] > 0).all() and set(estimate["kostenbron"]) == {"begroting"}
    in_benchmark = _q(
        demo_sector,
        f"SELECT count(*) AS n FROM mkba.project WHERE organisatie_id = '{org_id}'",
    )
    assert in_benchmark["n"].item() == 0
