"""The demo sector generator: determinism, export formats, contract validity, calibration."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from rendement.demo import (
    export_schema,
    generate_sector,
    load_municipalities,
    write_exports,
    write_sector,
)
from rendement.demo import profiles as P
from rendement.demo.generator import TABLES, loneliness_baseline, organisation_names
from rendement.mkba import load_parameters
from rendement.mkba.effects import measurement_pairs, project_years, quantities
from schemas.tables import MODELS
from schemas.vocabulary import INSTRUMENTS, INTERVENTIONS

SEED = 7
WRITTEN_ORGS = 16  # with seed 7 these include every encoding, an XLSX org, title rows, blanks
PLACEHOLDER_PSEUDONYM = "0123456789abcdef" * 2


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sector():
    """The default demo sector (40 organisations, seed 7) as frames."""
    return list(generate_sector())


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The first organisations of seed 7, written to an inbox."""
    inbox = tmp_path_factory.mktemp("inbox")
    orgs = list(generate_sector(WRITTEN_ORGS, SEED))
    paths = {org.organisatie_id: write_exports(org, inbox) for org in orgs}
    return inbox, orgs, paths


def _stack(sector, table: str) -> pl.DataFrame:
    """One table over all organisations and years, with `org` and `export_jaar`."""
    return pl.concat(
        [
            tables[table].with_columns(
                pl.lit(org.organisatie_id).alias("org"), pl.lit(year).alias("export_jaar")
            )
            for org in sector
            for year, tables in org.tables.items()
        ]
    )


@pytest.fixture(scope="module")
def measured(sector):
    """Every measurement with its trajectory's intervention, age band and end reason."""
    trajectories = (
        _stack(sector, "traject").sort("export_jaar").group_by("org", "traject_id").last()
    )
    projects = _stack(sector, "project").unique(["org", "project_id"])
    facts = trajectories.join(
        projects.select("org", "project_id", "domein", "interventie"), on=["org", "project_id"]
    ).select("org", "traject_id", "domein", "interventie", "leeftijdsklasse", "reden_einde")
    return _stack(sector, "meting").join(facts, on=["org", "traject_id"])


@pytest.fixture(scope="module")
def pairs(measured):
    """T0 and T1 side by side, with the improvement in the instrument's good direction."""
    wide = measured.pivot(
        on="moment",
        index=["org", "traject_id", "instrument", "onderdeel", "interventie", "reden_einde"],
        values="score",
    ).drop_nulls(["T0", "T1"])
    lower_is_better = [code for code, spec in INSTRUMENTS.items() if not spec[3]]
    return wide.with_columns(
        verbetering=pl.when(pl.col("instrument").is_in(lower_is_better))
        .then(pl.col("T0") - pl.col("T1"))
        .otherwise(pl.col("T1") - pl.col("T0"))
    )


# --- reading the files back, as the brief's reader would ------------------------------------


@pytest.fixture(scope="module")
def canonical(sector):
    """The sector as the MKBA engine sees it after intake: canonical tables over all years.

    A trajectory is taken from its latest export; the client id stands in for the pseudonym.
    """
    out = {}
    for table in ("project", "traject", "meting", "inzet", "kosten"):
        frame = _stack(sector, table).rename({"org": "organisatie_id"})
        if table == "traject":
            frame = frame.with_columns(
                (pl.col("organisatie_id") + pl.col("client_id")).alias("client_pseudoniem")
            ).drop("client_id")
        if table in ("project", "traject"):
            key = f"{table}_id"
            frame = frame.sort("export_jaar").unique(["organisatie_id", key], keep="last")
        out[table] = frame.drop("export_jaar")
    return out


def _read_csv(path: Path, org, table: str) -> pl.DataFrame:
    raw = pl.read_csv(
        path,
        separator=";",
        decimal_comma=True,
        encoding=org.encoding,
        skip_rows=1 if org.titelregel else 0,
        infer_schema_length=None,
    )
    # trailing empty lines come back as all-null rows: a reader drops them
    return _typed(raw.filter(~pl.all_horizontal(pl.all().is_null())), table)


def _typed(raw: pl.DataFrame, table: str) -> pl.DataFrame:
    schema = export_schema(table)
    assert raw.columns == list(schema), f"{table}: columns {raw.columns}"
    return raw.select(
        pl.col(c).str.to_date("%d-%m-%Y")
        if dtype == pl.Date and raw.schema[c] == pl.String
        else pl.col(c).cast(dtype)
        for c, dtype in schema.items()
    )


def _canonical(frame: pl.DataFrame, org_id: str, table: str) -> pl.DataFrame:
    frame = frame.with_columns(pl.lit(org_id).alias("organisatie_id"))
    if table == "traject":
        frame = frame.with_columns(pl.lit(PLACEHOLDER_PSEUDONYM).alias("client_pseudoniem")).drop(
            "client_id"
        )
    return frame


# --- determinism -----------------------------------------------------------------------------


def _digests(inbox: Path) -> dict[str, str]:
    return {
        str(p.relative_to(inbox)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(inbox.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes(written, tmp_path):
    inbox, _orgs, _paths = written
    for org in generate_sector(WRITTEN_ORGS, SEED):
        write_exports(org, tmp_path)
    assert _digests(tmp_path) == _digests(inbox)
    assert any(name.endswith(".xlsx") for name in _digests(inbox)), "an xlsx org is covered"


def test_other_seed_gives_other_data(written, tmp_path):
    inbox, _orgs, _paths = written
    for org in generate_sector(WRITTEN_ORGS, SEED + 1):
        write_exports(org, tmp_path)
    ours, theirs = _digests(inbox), _digests(tmp_path)
    traject_files = [name for name in ours if "traject_" in name and name in theirs]
    assert traject_files
    assert all(ours[name] != theirs[name] for name in traject_files)


def test_an_organisation_does_not_depend_on_the_sector_size():
    small = list(generate_sector(3, SEED))[2]
    large = list(generate_sector(12, SEED))[2]
    assert (small.organisatie_id, small.naam) == (large.organisatie_id, large.naam)
    for year in small.tables:
        for table in TABLES:
            assert_frame_equal(small.tables[year][table], large.tables[year][table])


# --- file formats ----------------------------------------------------------------------------


def test_csv_files_are_dutch_excel_in_the_org_encoding(written):
    inbox, orgs, _paths = written
    csv_orgs = [o for o in orgs if o.file_format == "csv"]
    assert {o.encoding for o in csv_orgs} == {"utf-8", "utf-8-sig", "cp1252"}
    for org in csv_orgs:
        for path in (inbox / org.organisatie_id).glob("*.csv"):
            data = path.read_bytes()
            assert data.startswith(b"\xef\xbb\xbf") == (org.encoding == "utf-8-sig"), path
            assert data.count(b"\n") == data.count(b"\r\n"), f"CRLF only: {path}"
            text = data.decode(org.encoding)
            assert text.endswith("\r\n" * (org.lege_regels + 1)), path
            first = text.lstrip("\ufeff").split("\r\n", 1)[0]
            if org.titelregel:
                assert first.startswith(f"Export {org.naam} — 20"), first
            else:
                assert first.split(";")[0] in export_schema(path.stem.rsplit("_", 1)[0])
    # dates dd-mm-jjjj and decimal commas
    org = csv_orgs[0]
    traject = (inbox / org.organisatie_id / "traject_2024.csv").read_text(org.encoding)
    assert pl.Series(traject.split("\r\n")).str.contains(r";\d{2}-\d{2}-2024;").any()
    inzet = (inbox / org.organisatie_id / "inzet_2024.csv").read_text(org.encoding)
    assert pl.Series(inzet.split("\r\n")).str.contains(r";\d+,\d+;").any()


def test_windows_1252_really_is_windows_1252(written):
    inbox, orgs, _paths = written
    found = False
    for org in (o for o in orgs if o.encoding == "cp1252" and o.file_format == "csv"):
        for path in (inbox / org.organisatie_id).glob("project_*.csv"):
            data = path.read_bytes()
            if "é".encode("cp1252") in data:
                found = True
                assert "é".encode() not in data
                with pytest.raises(UnicodeDecodeError):
                    data.decode("utf-8")
                assert "é" in data.decode("cp1252")
    assert found, "a Windows-1252 organisation with an é in a project name"


def test_title_rows_and_trailing_blank_lines_occur(written):
    _inbox, orgs, _paths = written
    assert any(o.titelregel for o in orgs)
    assert any(o.lege_regels for o in orgs)
    assert not any(o.titelregel or o.lege_regels for o in orgs if o.file_format == "xlsx")


def test_file_names_per_table_and_year(written):
    inbox, orgs, paths = written
    for org in orgs:
        names = sorted(p.name for p in paths[org.organisatie_id])
        if org.file_format == "xlsx":
            expected = sorted(f"export_{y}.xlsx" for y in org.tables)
        else:
            expected = sorted(f"{t}_{y}.csv" for t in TABLES for y in org.tables)
        assert names == expected
        assert sorted(p.name for p in (inbox / org.organisatie_id).iterdir()) == expected


def test_csv_files_parse_back_to_the_generated_frames_and_validate(written):
    inbox, orgs, _paths = written
    for org in (o for o in orgs if o.file_format == "csv"):
        for year, tables in org.tables.items():
            for table in TABLES:
                back = _read_csv(inbox / org.organisatie_id / f"{table}_{year}.csv", org, table)
                assert_frame_equal(back, tables[table])
                MODELS[table].validate(_canonical(back, org.organisatie_id, table), lazy=True)


def test_xlsx_workbooks_have_a_sheet_per_table_and_read_back(written):
    inbox, orgs, _paths = written
    xlsx_orgs = [o for o in orgs if o.file_format == "xlsx"]
    assert xlsx_orgs
    for org in xlsx_orgs:
        for year, tables in org.tables.items():
            sheets = pl.read_excel(
                inbox / org.organisatie_id / f"export_{year}.xlsx",
                sheet_id=0,
                infer_schema_length=None,
            )
            assert list(sheets) == list(TABLES)
            for table in TABLES:
                back = _typed(sheets[table], table)
                assert_frame_equal(back, tables[table])
                MODELS[table].validate(_canonical(back, org.organisatie_id, table), lazy=True)


# --- the data: contract, structure, calibration ---------------------------------------------


def test_first_export_year_is_in_steady_state(sector):
    """The first year holds trajectories that started the year before, with their T0, so it
    has completed trajectories (and outcomes) like any later year."""
    for org in sector:
        first = min(org.tables)
        tables = org.tables[first]
        earlier = tables["traject"].filter(pl.col("startdatum").dt.year() < first)
        assert earlier.height > 0
        t0 = tables["meting"].filter(pl.col("moment") == "T0")
        assert t0.filter(pl.col("datum").dt.year() < first).height > 0
        ended = tables["traject"]["einddatum"].drop_nulls()
        assert ended.len() > 0


def test_every_generated_frame_is_valid_against_the_contract(sector):
    for org in sector:
        for year, tables in org.tables.items():
            for table in TABLES:
                frame = _canonical(tables[table], org.organisatie_id, table)
                MODELS[table].validate(frame, lazy=True)
                assert tables[table].schema == pl.Schema(export_schema(table))
            trajectories = tables["traject"]
            # every row belongs to the export year
            assert (trajectories["startdatum"].dt.year() <= year).all()
            assert (trajectories["einddatum"].drop_nulls().dt.year() == year).all()
            # measurements of the year; the first export also holds the T0s of trajectories
            # that started in the (unexported) warm-up year before it
            first = year == min(org.tables)
            measured = tables["meting"]["datum"].dt.year()
            assert ((measured <= year) if first else (measured == year)).all()
            assert first or (trajectories["startdatum"].dt.year() >= min(org.tables)).any()
            # measurements refer to trajectories of the same export; keys are unique
            assert tables["meting"].join(trajectories, on="traject_id", how="anti").is_empty()
            assert trajectories.join(tables["project"], on="project_id", how="anti").is_empty()
            assert trajectories["traject_id"].is_unique().all()
            keys = ["traject_id", "instrument", "onderdeel", "moment"]
            assert not tables["meting"].select(keys).is_duplicated().any()


def test_trajectories_spanning_years_keep_their_id(sector):
    spanning = paired_across_years = 0
    for org in sector:
        a, b = org.tables[2023]["traject"], org.tables[2024]["traject"]
        both = a.join(b, on="traject_id", suffix="_2024")
        spanning += both.height
        assert (both["client_id"] == both["client_id_2024"]).all()
        assert (both["startdatum"] == both["startdatum_2024"]).all()
        assert both["einddatum"].is_null().all(), "still running at the end of 2023"
        ended = both.filter(pl.col("einddatum_2024").is_not_null())
        # T0 in the 2023 export, T1 in the 2024 export, under the same id
        t0 = org.tables[2023]["meting"].filter(pl.col("moment") == "T0")
        t1 = org.tables[2024]["meting"].filter(pl.col("moment") == "T1")
        paired_across_years += ended.join(t0, on="traject_id").join(t1, on="traject_id").height
    assert spanning > 1000
    assert paired_across_years > 500


def _started_in_exported_years(org) -> int:
    first = min(org.tables)
    ids = pl.concat(t["traject"] for t in org.tables.values()).unique("traject_id")
    return ids.filter(pl.col("startdatum").dt.year() >= first).height


def test_trajectories_per_org_is_exact():
    """Exactly this many start in the exported years; the warm-up year's carry-over comes on
    top and stays a minority."""
    orgs = list(generate_sector(3, SEED, trajectories_per_org=2_500))
    assert [_started_in_exported_years(o) for o in orgs] == [2_500] * 3
    assert all(2_500 < o.trajecten < 2_500 * 1.5 for o in orgs)


def test_organisations_differ_in_size_and_run_3_to_12_projects(sector):
    projects = _stack(sector, "project").group_by("org").agg(pl.col("project_id").n_unique())
    assert projects["project_id"].min() >= 3 and projects["project_id"].max() <= 12
    sizes = np.array([o.trajecten for o in sector])
    assert sizes.max() > 5 * np.median(sizes), "a few large organisations"
    assert len({o.naam for o in sector}) == len(sector)
    assert _stack(sector, "project")["domein"].n_unique() == 4


def test_interventions_and_instruments_fit_the_domain(measured):
    for domain, interventions in INTERVENTIONS.items():
        rows = measured.filter(pl.col("domein") == domain)
        assert set(rows["interventie"].unique()) <= set(interventions)
    instruments = measured.group_by("domein").agg(pl.col("instrument").unique())
    expected = {
        "ouderen_eenzaamheid": {"djg11", "djg6"},
        "schulden_armoede": {"zrm"},
        "activering": {"participatieladder"},
        "jongerenwerk": {"positieve_gezondheid", "zrm"},
    }
    assert {r["domein"]: set(r["instrument"]) for r in instruments.to_dicts()} == expected
    parts = measured.group_by("domein", "instrument").agg(pl.col("onderdeel").unique())
    parts = {(r["domein"], r["instrument"]): set(r["onderdeel"]) for r in parts.to_dicts()}
    school = {"dagbesteding", "werk_opleiding"}  # ZRM 2010/2013 and ZRM 2017 names
    assert parts[("schulden_armoede", "zrm")] == {"financien", "huisvesting"} | school
    assert parts[("jongerenwerk", "zrm")] == {"geestelijke_gezondheid", "justitie"} | school
    assert parts[("jongerenwerk", "positieve_gezondheid")] == {"mentaal_welbevinden"}
    # an organisation scores one ZRM version: never both names of the school/work domain
    versions = (
        measured.filter(pl.col("onderdeel").is_in(list(school)))
        .group_by("org")
        .agg(pl.col("onderdeel").n_unique())
    )
    assert versions["onderdeel"].max() == 1
    assert versions.height > 5


def test_zrm_domains_of_a_trajectory_are_scored_together(measured):
    """Debt counselling scores financien, huisvesting and dagbesteding at every moment."""
    zrm = measured.filter(
        (pl.col("interventie") == "schuldhulpverlening") & (pl.col("instrument") == "zrm")
    )
    per_moment = zrm.group_by("org", "traject_id", "moment").agg(
        pl.len(), pl.col("datum").n_unique().alias("dates")
    )
    assert (per_moment["len"] == 3).all() and (per_moment["dates"] == 1).all()
    # threatened eviction (ZRM huisvesting <= 2) is common in debt counselling, rare when a
    # first payment arrear is signalled
    t0 = measured.filter((pl.col("moment") == "T0") & (pl.col("onderdeel") == "huisvesting"))
    low = t0.group_by("interventie").agg((pl.col("score") <= 2).mean().alias("low"))
    low = dict(zip(low["interventie"], low["low"], strict=True))
    assert low["schuldhulpverlening"] == pytest.approx(0.15, abs=0.03)
    assert low["vroegsignalering"] < low["schuldhulpverlening"] / 2


def test_age_bands_fit_the_domain(measured):
    bands = measured.group_by("domein").agg(pl.col("leeftijdsklasse").unique())
    bands = {r["domein"]: set(r["leeftijdsklasse"]) for r in bands.to_dicts()}
    assert bands["ouderen_eenzaamheid"] == {"65-74", "75-84", "85+"}
    assert bands["jongerenwerk"] == {"12-17", "18-26"}


def _lonely_shares(measured, interventions, bands):
    t0 = measured.filter(
        (pl.col("moment") == "T0")
        & pl.col("interventie").is_in(interventions)
        & pl.col("leeftijdsklasse").is_in(bands)
    )
    six = pl.col("instrument") == "djg6"
    lonely = pl.when(six).then(pl.col("score") >= 2).otherwise(pl.col("score") >= 3)
    severe = pl.when(six).then(pl.col("score") >= 5).otherwise(pl.col("score") >= 9)
    row = t0.select(pl.len(), lonely.mean().alias("lonely"), severe.mean().alias("severe"))
    return row.row(0)


def test_loneliness_population_matches_the_gezondheidsmonitor():
    # preventive home visits reach everyone of an age: the population figure itself
    for group, (lonely, severe) in P.LONELINESS_POPULATION.items():
        p = loneliness_baseline("huisbezoek", group)
        assert p[3:].sum() == pytest.approx(lonely) and p[9:].sum() == pytest.approx(severe)
    assert P.LONELINESS_POPULATION == {"65-74": (0.466, 0.11), "75+": (0.56, 0.12)}


def test_loneliness_at_t0_is_calibrated(measured):
    n, lonely, severe = _lonely_shares(measured, ["huisbezoek"], ["75-84", "85+"])
    assert n > 5_000
    assert lonely == pytest.approx(0.56, abs=0.03) and severe == pytest.approx(0.12, abs=0.02)
    n, lonely, severe = _lonely_shares(measured, ["huisbezoek"], ["65-74"])
    assert lonely == pytest.approx(0.466, abs=0.05)
    # who is reached by buddy projects and meeting groups is lonelier than average
    _n, all_lonely, all_severe = _lonely_shares(
        measured, list(INTERVENTIONS["ouderen_eenzaamheid"]), ["65-74", "75-84", "85+"]
    )
    assert all_lonely > 0.56 + 0.03 and all_severe > 0.12 + 0.03
    _n, buddies, _s = _lonely_shares(measured, ["maatjesproject"], ["65-74", "75-84", "85+"])
    _n, groups, _s = _lonely_shares(measured, ["ontmoetingsgroep"], ["65-74", "75-84", "85+"])
    assert buddies > groups > all_lonely - 0.1


def _mean_improvement(pairs, intervention, instrument, completed=True, onderdeel=None):
    rows = pairs.filter(
        (pl.col("interventie") == intervention) & (pl.col("instrument") == instrument)
    )
    if onderdeel is not None:
        rows = rows.filter(pl.col("onderdeel") == onderdeel)
    if completed:
        rows = rows.filter(pl.col("reden_einde") == "afgerond")
    assert rows.height > 200, (intervention, instrument, rows.height)
    return rows["verbetering"].mean()


def test_improvement_differs_by_intervention(pairs):
    buddy = _mean_improvement(pairs, "maatjesproject", "djg11")
    group = _mean_improvement(pairs, "ontmoetingsgroep", "djg11")
    visit = _mean_improvement(pairs, "huisbezoek", "djg11")
    assert buddy > group + 0.5 and group > visit
    debt = _mean_improvement(pairs, "schuldhulpverlening", "zrm", onderdeel="financien")
    early = _mean_improvement(pairs, "vroegsignalering", "zrm", onderdeel="financien")
    assert debt == pytest.approx(1.0, abs=0.15), "ZRM financien +1 step on average"
    assert early < debt - 0.3
    coaching = _mean_improvement(pairs, "jongerencoaching", "positieve_gezondheid")
    street = _mean_improvement(pairs, "ambulant_jongerenwerk", "positieve_gezondheid")
    assert coaching > street + 0.3


def test_participation_ladder_moves_up_to_unpaid_work_and_a_few_into_paid_work(pairs):
    ladder = pairs.filter(pl.col("instrument") == "participatieladder")
    moves = (ladder["T1"] - ladder["T0"]).cast(pl.Int64)
    assert moves.min() >= 0
    # without paid work: 0-2 steps, never above step 4 (unpaid work) unless already there
    unpaid = ladder.filter(pl.col("T1") <= pl.max_horizontal("T0", pl.lit(P.LADDER_UNPAID_MAX)))
    assert set((unpaid["T1"] - unpaid["T0"]).cast(pl.Int64).unique()) <= {0, 1, 2}
    # paid work (step 5 with support, 6 without) is a separate move, only from step 3 up
    paid = ladder.filter(pl.col("T1") > pl.max_horizontal("T0", pl.lit(P.LADDER_UNPAID_MAX)))
    assert paid.height == ladder.height - unpaid.height
    assert paid["T0"].min() >= P.LADDER_PAID_FROM
    into_work = paid.filter(pl.col("T0") <= 4)
    assert set(into_work["T1"].unique()) == {5, 6}
    share = (
        into_work.group_by("interventie")
        .len()
        .join(ladder.group_by("interventie").len(), on="interventie", suffix="_all")
    )
    share = dict(zip(share["interventie"], share["len"] / share["len_all"], strict=True))
    assert share["werkervaringsplek"] > 0.12
    assert share["maatschappelijke_activering"] < 0.02
    assert share["vrijwilligerswerk_toeleiding"] < 0.04


def test_t1_is_missing_for_running_and_dropped_out_trajectories(measured, pairs):
    t0 = measured.filter(pl.col("moment") == "T0").height
    t1 = measured.filter(pl.col("moment") == "T1").height
    assert 0.35 < t1 / t0 < 0.75
    by_reason = pairs.group_by("reden_einde").len()
    counts = dict(zip(by_reason["reden_einde"], by_reason["len"], strict=True))
    assert counts["afgerond"] > 10 * counts.get("voortijdig", 0)
    assert "verhuisd" not in counts and "overleden" not in counts


def _criterion_hits(pairs: pl.DataFrame, crit) -> int:
    """Trajectories meeting one quantity criterion of the parameter set (as documented in
    docs/mkba.md: a named onderdeel, or else the mean over the measured onderdelen)."""
    rows = pairs.filter(pl.col("instrument") == crit.instrument)
    if crit.onderdeel is not None:
        rows = rows.filter(pl.col("onderdeel") == crit.onderdeel)
    else:
        rows = rows.group_by("organisatie_id", "traject_id").agg(
            pl.col("t0").mean(), pl.col("t1").mean(), pl.col("verbetering").mean()
        )
    cond = pl.lit(True)
    for column, bound, lower in (
        ("t0", crit.t0_min, True),
        ("t0", crit.t0_max, False),
        ("t1", crit.t1_min, True),
        ("t1", crit.t1_max, False),
        ("verbetering", crit.min_verbetering, True),
    ):
        if bound is not None:
            cond = cond & (pl.col(column) >= bound if lower else pl.col(column) <= bound)
    return rows.filter(cond).height


def test_every_outcome_pathway_of_the_parameter_set_is_exercised(canonical):
    """Each pathway of the standard set gets a positive quantity from the demo sector, and
    each measured criterion is met by some trajectories (e.g. the 6-item loneliness scale,
    both ZRM names of the school/work domain)."""
    params = load_parameters()
    q = quantities(canonical, params, project_years(canonical))
    per_pathway = q.group_by("uitkomst").agg(pl.col("hoeveelheid").sum())
    per_pathway = dict(zip(per_pathway["uitkomst"], per_pathway["hoeveelheid"], strict=True))
    assert set(per_pathway) == {pw.code for pw in params.uitkomsten}
    assert {code: n for code, n in per_pathway.items() if n <= 0} == {}
    pairs = measurement_pairs(canonical)
    for pw in params.uitkomsten:
        for crit in pw.hoeveelheid.criteria:
            assert _criterion_hits(pairs, crit) > 0, (pw.code, crit)


def test_end_reasons_are_plausible(sector):
    last = _stack(sector, "traject").filter(pl.col("reden_einde").is_not_null())
    shares = last.unique(["org", "traject_id"])["reden_einde"].value_counts(normalize=True)
    shares = dict(zip(shares["reden_einde"], shares["proportion"], strict=True))
    assert set(shares) == {"afgerond", "voortijdig", "doorverwezen", "verhuisd", "overleden"}
    assert 0.5 < shares["afgerond"] < 0.7
    assert shares["overleden"] < 0.05


def test_effort_and_costs_are_consistent(sector):
    inzet = _stack(sector, "inzet")
    kosten = _stack(sector, "kosten")
    per_project = kosten.group_by("org", "project_id", "jaar").agg(
        pl.col("bedrag").filter(pl.col("kostensoort") == "personeel").sum().alias("personeel"),
        pl.col("bedrag").filter(pl.col("kostensoort") == "overhead").sum().alias("overhead"),
        pl.col("bedrag").sum().alias("totaal"),
    )
    joined = inzet.join(per_project, on=["org", "project_id", "jaar"]).filter(
        pl.col("fte_betaald") >= 0.5
    )
    wage = joined["personeel"] / joined["fte_betaald"]
    assert 60_000 < wage.median() < 80_000
    assert wage.quantile(0.02) > 50_000 and wage.quantile(0.98) < 95_000
    overhead = joined["overhead"] / (joined["totaal"] - joined["overhead"])
    assert overhead.min() >= 0.099 and overhead.max() <= 0.151
    hours_per_fte = joined["uren_betaald"] / joined["fte_betaald"]
    assert hours_per_fte.min() > 1_350 and hours_per_fte.max() < 1_700
    # caseloads: buddy projects lean on volunteers, debt counselling on paid staff
    projects = _stack(sector, "project").unique(["org", "project_id"])
    volunteers = inzet.join(
        projects.select("org", "project_id", "interventie"), on=["org", "project_id"]
    )
    per_iv = volunteers.group_by("interventie").agg(
        (pl.col("vrijwilligers").sum() / pl.col("fte_betaald").sum()).alias("per_fte")
    )
    per_iv = dict(zip(per_iv["interventie"], per_iv["per_fte"], strict=True))
    assert per_iv["maatjesproject"] > 10 * per_iv["schuldhulpverlening"]


def test_youth_work_reaches_more_than_debt_counselling(sector):
    traject = _stack(sector, "traject")
    new = traject.filter(pl.col("startdatum").dt.year() == pl.col("export_jaar"))
    projects = _stack(sector, "project").unique(["org", "project_id"])
    reach = (
        new.group_by("org", "project_id", "export_jaar")
        .len()
        .join(projects.select("org", "project_id", "interventie"), on=["org", "project_id"])
        .group_by("interventie")
        .agg(pl.col("len").median())
    )
    reach = dict(zip(reach["interventie"], reach["len"], strict=True))
    assert reach["ambulant_jongerenwerk"] > reach["schuldhulpverlening"]
    assert reach["werkervaringsplek"] < reach["maatjesproject"]


def test_municipalities_come_from_the_shared_list():
    builtin = load_municipalities(None)
    assert "GM0363" in builtin and len(builtin) == len(P.BUILTIN_MUNICIPALITIES)
    codes = load_municipalities()
    if P.GEMEENTEN_CSV.is_file():
        assert codes == sorted(
            pl.read_csv(P.GEMEENTEN_CSV, infer_schema=False)["gemeente_code"].unique()
        )
    org = next(generate_sector(1, SEED, gemeenten=["GM0363", "GM0599"]))
    used = pl.concat(
        [t[name]["gemeente_code"] for t in org.tables.values() for name in ("project", "traject")]
    ).drop_nulls()
    assert set(used) <= {"GM0363", "GM0599"}


def test_names_are_unique_at_sector_scale():
    names = organisation_names(SEED, 1_200)
    assert len(set(names)) == 1_200
    assert names[:40] == organisation_names(SEED, 40)


def test_write_sector_streams_and_counts(tmp_path):
    summary = write_sector(tmp_path, orgs=4, seed=SEED, trajectories_per_org=300)
    assert summary.organisaties == 4 and 1_200 < summary.trajecten < 1_800
    assert summary.bestanden == len([p for p in tmp_path.rglob("*") if p.is_file()])
    assert not list(tmp_path.rglob(".*")), "no temporary files left behind"
