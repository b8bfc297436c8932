"""Releases are frozen: a late upload for a released year changes nothing that was published,
and shows up only where it may (the organisation's own report, its private position).

One module fixture does the expensive part once, on a copy of the session's demo home:
publish the release through the Dagster job the schedule runs, then let a late organisation
upload exports for the released year (with a hostile project and organisation name), give an
existing organisation a parameter override, and run the whole pipeline again.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from rendement.benchmark.cells import build_benchmarks
from rendement.core.formatting import LOCAL_TIME
from rendement.core.home import Home
from rendement.mkba import load_parameters
from rendement.release.publish import (
    ReleaseError,
    late_project_years,
    list_releases,
    publish_release,
    release_for_schedule,
    releases_dir,
    verify_release,
)
from tests.support.browser import Browser, parse_nl, table_rows
from tests.support.homes import DEMO_ORGS, DEMO_SEED, copy_home, restored_env

HOSTILE_PROJECT = 'Buurtkamer <script>alert(1)</script> & "Co"'
HOSTILE_ORG = "Welzijn <img src=x onerror=alert(2)>"
OVERRIDE_NOTE = "Eigen meting met vergelijkingsgroep <b>2024</b>"


@dataclass
class Late:
    home: Home
    year: int
    before: dict[str, bytes]
    late_org: str
    override_org: str
    override_parameter: str


def snapshot(home: Home, year: int) -> dict[str, bytes]:
    """Every byte of a release: its store and its published copy."""
    files = {}
    for base in (releases_dir(home) / str(year), home.site / "releases" / str(year)):
        for path in sorted(base.rglob("*")):
            if path.is_file():
                files[path.relative_to(home.root).as_posix()] = path.read_bytes()
    assert files
    return files


def q(home: Home, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.sql(sql).pl()


def _override(home: Home, params) -> tuple[str, str]:
    """An override for the first project of the first organisation: a lower deadweight on a
    valued outcome of its domain, with a justification containing markup."""
    first = q(home, "SELECT * FROM mkba.project ORDER BY organisatie_id, project_id, jaar LIMIT 1")
    org, project, domain, intervention = (
        first[c][0] for c in ("organisatie_id", "project_id", "domein", "interventie")
    )
    pathway = next(
        pw
        for pw in params.uitkomsten
        if pw.domein == domain
        and pw.gewaardeerd
        and not pw.transfer
        and (not pw.interventies or intervention in pw.interventies)
    )
    parameter = f"uitkomsten.{pathway.code}.deadweight"
    folder = home.root / "parameters"
    folder.mkdir(exist_ok=True)
    (folder / "afwijkingen.csv").write_text(
        "organisatie_id;project_id;parameter;waarde;toelichting\n"
        f"{org};{project};{parameter};0,05;{OVERRIDE_NOTE}\n",
        "utf-8",
    )
    return org, parameter


@pytest.fixture(scope="module")
def late(demo_home, tmp_path_factory) -> Late:
    from pipelines.resources import HomeResource, ParametersResource
    from pipelines.run import run_pipeline
    from pipelines.schedules import release_job, release_run_config
    from rendement.demo import generate_sector, write_exports

    home = copy_home(demo_home, tmp_path_factory.mktemp("late") / "home")
    params = load_parameters()
    today = dt.datetime.now(LOCAL_TIME).date()
    years = q(home, "SELECT DISTINCT jaar FROM mkba.project")["jaar"].to_list()
    year = max(y for y in years if y < today.year)
    with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
        # 1. the release, through the job the annual schedule runs
        result = release_job.execute_in_process(
            run_config=release_run_config(year, today),
            resources={
                "home": HomeResource(root=str(home.root)),
                "parameters": ParametersResource(),
            },
            instance=dg.DagsterInstance.ephemeral(),
        )
        assert result.success
        before = snapshot(home, year)

        # 2. a late organisation uploads its exports for the released year
        org = list(generate_sector(orgs=DEMO_ORGS + 1, seed=DEMO_SEED, years=(year,)))[-1]
        org.file_format = "csv"
        tables = org.tables[year]
        tables["project"] = tables["project"].with_columns(
            pl.when(pl.col("project_id") == tables["project"]["project_id"][0])
            .then(pl.lit(HOSTILE_PROJECT))
            .otherwise(pl.col("naam"))
            .alias("naam")
        )
        tables["organisatie"] = tables["organisatie"].with_columns(
            pl.lit(HOSTILE_ORG).alias("naam")
        )
        write_exports(org, home.inbox)

        # 3. an existing organisation overrides a parameter, with a justification
        override_org, parameter = _override(home, params)

        # 4. the whole pipeline again (the reports asset rebuilds the site)
        run = run_pipeline(home, progress=lambda _stage: None)
        assert run.success
    return Late(home, year, before, org.organisatie_id, override_org, parameter)


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


# ------------------------------------------------------------------------------ frozen


def test_release_bytes_do_not_change(late):
    assert snapshot(late.home, late.year) == late.before
    assert verify_release(late.home, str(late.year)) == []
    manifest = json.loads((releases_dir(late.home) / str(late.year) / "manifest.json").read_text())
    assert manifest["verslagjaar"] == late.year
    params = load_parameters()
    assert manifest["parameterversie"] == params.version
    assert len(manifest["parameterbestand_sha256"]) == 64
    assert set(manifest["bestanden"]) >= {"cellen.parquet", "site/sector.html", "site/index.html"}
    assert manifest["onthullingsregels"]["min_orgs"] == 5


def test_benchmark_keeps_the_published_cells(late):
    frozen = pl.read_parquet(releases_dir(late.home) / str(late.year) / "cellen.parquet")
    keys = ["tabel", "jaar", "domein", "interventie", "regio", "maat", "statistiek", "basis"]
    current = q(late.home, "SELECT * FROM benchmark.cellen").filter(pl.col("jaar") <= late.year)
    assert current.sort(keys, nulls_last=True).equals(
        frozen.select(current.columns).sort(keys, nulls_last=True)
    )
    # ...while the late upload is in the data and would have changed them
    projects = q(late.home, "SELECT * FROM mkba.project")
    assert projects.filter(
        (pl.col("organisatie_id") == late.late_org) & (pl.col("jaar") == late.year)
    ).height
    fresh = build_benchmarks(projects).cells

    def sector_orgs(cells):
        return cells.filter(
            (pl.col("tabel") == "domein")
            & (pl.col("domein") == "totaal")
            & (pl.col("jaar") == late.year)
            & (pl.col("maat") == "organisaties")
            & (pl.col("basis") == "alle")
        )["waarde"][0]

    assert sector_orgs(fresh) == sector_orgs(frozen) + 1


def test_benchmark_keeps_the_published_aggregates(late):
    """benchmark.baathebbers and benchmark.intervallen carry the closed years over from the
    release, like the cells: the late upload changes none of their rows."""
    store = releases_dir(late.home) / str(late.year)
    for name, table in (
        ("baathebbers", "benchmark.baathebbers"),
        ("intervallen", "benchmark.intervallen"),
    ):
        frozen = pl.read_parquet(store / f"{name}.parquet")
        current = q(late.home, f"SELECT * FROM {table}").filter(pl.col("jaar") <= late.year)
        assert frozen.height
        assert current.equals(frozen.select(current.columns)), name


def test_benchmark_keeps_the_published_group_rendementsfactor(late):
    store = releases_dir(late.home) / str(late.year)
    frozen = pl.read_parquet(store / "rendementsfactor.parquet")
    assert (
        "rendementsfactor.parquet" in json.loads((store / "manifest.json").read_text())["bestanden"]
    )
    assert frozen.height and (frozen["status"] == "gepubliceerd").any()
    assert (frozen["jaar"] <= late.year).all()
    keys = ["tabel", "jaar", "domein", "interventie"]
    current = q(late.home, "SELECT * FROM benchmark.rendementsfactor").filter(
        pl.col("jaar") <= late.year
    )
    # the late upload is in the data, but the closed years keep what the release published
    assert current.sort(keys, nulls_last=True).equals(
        frozen.select(current.columns).sort(keys, nulls_last=True)
    )
    page = (store / "site" / "vergelijking.html").read_text("utf-8")
    shown = frozen.filter(
        (pl.col("jaar") == late.year)
        & (pl.col("status") == "gepubliceerd")
        & (pl.col("domein") != "totaal")  # the comparison page is per domain
        & (pl.col("basis") == "alle")  # it shows the ratio over all project-years of a group
    )
    assert shown.height
    # each published group ratio of the release year is on the release's comparison page
    for bkr in shown["bkr"].to_list():
        assert f"{bkr:.2f}".replace(".", ",") in page


def test_late_figures_appear_in_the_organisations_own_report(late, browser):
    projects = q(late.home, f"SELECT * FROM mkba.project WHERE organisatie_id = '{late.late_org}'")
    positie = q(late.home, f"SELECT * FROM prive.positie WHERE organisatie_id = '{late.late_org}'")
    assert projects.height and positie.height
    page, visit = browser.open(
        late.home.org_site(late.late_org) / "index.html", screenshot="late-organisation"
    )
    try:
        visit.assert_clean()
        rows = table_rows(page, "org-projecten")
        assert len(rows) == projects.height
        for row in rows:
            rec = projects.filter(pl.col("project_id") == row["stub"].split(" · ")[0]).row(
                0, named=True
            )
            assert parse_nl(row["cells"]["kosten"]) == round(rec["kosten"])
            assert parse_nl(row["cells"]["bkr"]) == pytest.approx(round(rec["bkr"], 2))
    finally:
        page.close()


def test_hostile_names_are_shown_as_text(late, browser):
    path = late.home.org_site(late.late_org) / "index.html"
    html = path.read_text("utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    page, visit = browser.open(path, screenshot="hostile-names")
    try:
        visit.assert_clean()  # includes: no dialog was opened
        text = page.locator("body").inner_text()
        assert HOSTILE_PROJECT in text
        assert HOSTILE_ORG in page.title()
        assert page.locator("main script").count() == 0
        assert page.locator("main img").count() == 0
    finally:
        page.close()
    for other in late.home.site.rglob("*.html"):
        content = other.read_text("utf-8")
        assert "<script>alert(1)" not in content and "<img src=x" not in content, other


def test_overrides_and_their_justification_are_reported(late, browser):
    eigen = pl.read_parquet(
        late.home.lake / "mkba" / "project_eigen" / f"{late.override_org}.parquet"
    )
    page, visit = browser.open(
        late.home.org_site(late.override_org) / "index.html", screenshot="override-organisation"
    )
    try:
        visit.assert_clean()
        rows = table_rows(page, "org-afwijkingen")
        assert len(rows) == 1
        cells = rows[0]["cells"]
        assert cells["parameter"] == late.override_parameter
        assert cells["toelichting"] == OVERRIDE_NOTE  # shown literally, not as markup
        assert parse_nl(cells["eigen"]) == pytest.approx(0.05)
        effect = table_rows(page, "org-eigen-resultaat")
        assert effect
        for row in effect:
            rec = eigen.filter(
                (pl.col("project_id") == row["stub"].split(" · ")[0])
                & (pl.col("jaar") == int(row["group"]))
            ).row(0, named=True)
            assert parse_nl(row["cells"]["bkr_eigen"]) == pytest.approx(round(rec["bkr"], 2))
    finally:
        page.close()
    others = [
        p for p in late.home.site.glob("org/*/index.html") if p.parent.name != late.override_org
    ]
    assert others and all('id="org-afwijkingen"' not in p.read_text("utf-8") for p in others)


def test_publishing_again_changes_nothing(late):
    result = publish_release(late.home, late.year, load_parameters())
    assert not result.created
    assert snapshot(late.home, late.year) == late.before


def test_a_closed_year_cannot_be_published_again(late):
    with pytest.raises(ReleaseError, match="al vastgesteld"):
        publish_release(late.home, late.year - 1, load_parameters())


def test_release_command(late, capsys):
    from rendement.cli.main import main

    root = str(late.home.root)
    with restored_env("RENDEMENT_HOME", "DAGSTER_HOME"):
        assert main(["release", "--jaar", str(late.year), "--home", root]) == 0
        assert "bestond al" in capsys.readouterr().out
        assert (
            main(["release", "--jaar", str(late.year), "--peildatum", "31-02-2026", "--home", root])
            == 2
        )
        assert main(["release", "--jaar", "2999", "--home", root]) == 1
        assert "peildatum" in capsys.readouterr().err
    assert snapshot(late.home, late.year) == late.before


# ------------------------------------------------------------------------------ more releases


def test_a_new_release_carries_closed_years_verbatim(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    params = load_parameters()
    years = sorted(q(home, "SELECT DISTINCT jaar FROM mkba.project")["jaar"].to_list())
    last = max(y for y in years if y < dt.date.today().year)
    first = publish_release(home, last - 1, params)
    first_bytes = snapshot(home, last - 1)
    second = publish_release(home, last, params)
    assert first.created and second.created
    assert [m["release"] for m in list_releases(home)] == [str(last - 1), str(last)]
    assert snapshot(home, last - 1) == first_bytes  # the earlier release is untouched
    keys = ["tabel", "jaar", "domein", "interventie", "regio", "maat", "statistiek", "basis"]
    old = pl.read_parquet(first.folder / "cellen.parquet")
    new = pl.read_parquet(second.folder / "cellen.parquet")
    assert (
        new.filter(pl.col("jaar") < last)
        .sort(keys, nulls_last=True)
        .equals(old.sort(keys, nulls_last=True))
    )
    for name in ("baathebbers.parquet", "intervallen.parquet"):
        a = pl.read_parquet(first.folder / name)
        b = pl.read_parquet(second.folder / name).filter(pl.col("jaar") < last)
        assert a.equals(b), name
    jaren = second.manifest["jaren"]
    assert jaren[str(last - 1)]["release"] == str(last - 1)
    assert jaren[str(last)]["release"] == str(last)
    # a deleted published copy comes back byte for byte
    (home.site / "releases" / str(last - 1) / "sector.html").unlink()
    from rendement.reports import build_site

    build_site(home, params)
    assert snapshot(home, last - 1) == first_bytes


# ------------------------------------------------------------------------------ units


def test_uploads_after_the_peildatum_are_left_out():
    uploads = pl.DataFrame(
        {
            "organisatie_id": ["A", "B", "C", "D"],
            "periode": [2025, 2025, 2025, 2024],
            "uitkomst": ["geaccepteerd", "deels_geaccepteerd", "geweigerd", "geaccepteerd"],
            # 28-02 23:30 in Amsterdam is still on the peildatum; 01-03 00:30 is not
            "ontvangen_op": [
                "2026-02-28T22:30:00+00:00",
                "2026-02-28T23:30:00+00:00",
                "2026-03-05T10:00:00+00:00",
                "2026-03-02T10:00:00+00:00",
            ],
        }
    )
    late = late_project_years(uploads, dt.date(2026, 2, 28))
    assert late.rows() == [("B", 2025), ("D", 2024)]


def test_schedule_publishes_the_past_year_on_1_march(monkeypatch):
    import pipelines.schedules as schedules

    tick = dt.datetime(2026, 3, 1, 6, 0, tzinfo=LOCAL_TIME)
    context = dg.build_schedule_context(scheduled_execution_time=tick)
    (request,) = schedules.annual_release.evaluate_tick(context).run_requests
    config = request.run_config["ops"]["publish_release_op"]["config"]
    assert config == {"jaar": 2025, "peildatum": "2026-02-28"}
    assert request.run_key == "release-2025"
    assert schedules.annual_release.cron_schedule == "0 6 1 3 *"
    assert schedules.annual_release.execution_timezone == "Europe/Amsterdam"
    assert release_for_schedule(tick) == (2025, dt.date(2026, 2, 28))
    try:
        monkeypatch.setenv("RENDEMENT_RELEASE_CRON", "30 7 15 2 *")
        assert importlib.reload(schedules).annual_release.cron_schedule == "30 7 15 2 *"
    finally:
        monkeypatch.delenv("RENDEMENT_RELEASE_CRON")
        importlib.reload(schedules)
    from pipelines.definitions import defs

    assert defs.resolve_job_def("publiceer_release") is not None
    assert Path(schedules.__file__).name == "schedules.py"
