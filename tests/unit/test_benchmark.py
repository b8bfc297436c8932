"""Sector benchmark cells: definitions, measures, disclosure statuses and the private position."""

from __future__ import annotations

import random

import polars as pl
import pytest

from rendement.benchmark.cells import (
    CELL_COLUMNS,
    MEASURES,
    POSITION_COLUMNS,
    Benchmarks,
    additive_relations,
    build_benchmarks,
    cell_definitions,
)
from rendement.benchmark.disclosure import (
    DOMINANCE,
    EMPTY,
    FEW_VALUES,
    PUBLISHED,
    SECONDARY,
    SMALL_COUNT,
    STATUSES,
    SUPPRESSED,
    TOO_FEW_ORGS,
    DisclosureRules,
    recoverable_cells,
)
from rendement.benchmark.regions import REGIONS
from schemas.vocabulary import DOMAINS, INTERVENTIONS
from tests.support.benchmark_rows import (
    ADDITIVE,
    AMSTERDAM,
    ARNHEM,
    MIDDELBURG,
    UTRECHT,
    YEAR,
    base_sector,
    cell,
    four_in_vroegsignalering,
    frame,
    project,
    replace_rows,
)


def test_cells_table_shape_and_column_types():
    bench = build_benchmarks(frame(base_sector()))
    assert isinstance(bench, Benchmarks)
    assert bench.cells.schema == pl.Schema(CELL_COLUMNS)
    assert bench.positie.schema == pl.Schema(POSITION_COLUMNS)
    assert bench.rules == DisclosureRules()
    # Every defined cell has every measure, once; percentiles only per basis, never over `alle`.
    n_cells = cell_definitions([YEAR]).height
    n_split = cell_definitions([YEAR]).filter(pl.col("basis") != "alle").height
    n_dist = sum(m.kind == "verdeling" for m in MEASURES)
    assert bench.cells.height == n_cells * (len(MEASURES) - n_dist) + n_split * n_dist
    keys = ["tabel", "jaar", "domein", "interventie", "regio", "maat", "statistiek", "basis"]
    assert bench.cells.select(keys).is_duplicated().sum() == 0


def test_cell_definitions_come_from_the_vocabulary_not_the_data():
    defs = cell_definitions([2023, 2024])
    per_year = 1 + len(DOMAINS) + sum(map(len, INTERVENTIONS.values()))
    per_year += len(DOMAINS) * len(REGIONS)
    assert defs.height == 2 * per_year * 3  # alle, gemeten, referentie
    # A sector with one single project still gets all cells (almost all empty).
    one = build_benchmarks(frame([project("ORG1", "P1")]))
    n_dist = sum(m.kind == "verdeling" for m in MEASURES)
    assert one.cells.height == per_year * (3 * len(MEASURES) - n_dist)
    assert set(one.cells["status"]) == {SUPPRESSED, EMPTY}


def test_every_row_carries_a_consistent_status():
    rows = four_in_vroegsignalering()
    cells = build_benchmarks(frame(rows)).cells
    assert set(cells["status"]) <= set(STATUSES)
    suppressed = cells.filter(pl.col("status") == SUPPRESSED)
    assert suppressed.height > 0
    assert suppressed["waarde"].null_count() == suppressed.height
    assert suppressed["reden"].null_count() == 0
    assert suppressed["symbool"].null_count() == 0 and suppressed["toelichting"].null_count() == 0
    published = cells.filter(pl.col("status") == PUBLISHED)
    assert published["reden"].null_count() == published.height
    assert published["symbool"].null_count() == published.height
    assert published["waarde"].null_count() == 0
    empty = cells.filter(pl.col("status") == EMPTY)
    assert set(empty["symbool"]) == {"."}
    # Counts in an empty cell are 0, statistics are missing.
    counts = empty.filter(pl.col("maat").is_in(["organisaties", *ADDITIVE]))
    assert counts["waarde"].to_list() == [0.0] * counts.height
    assert (
        empty.filter(~pl.col("maat").is_in(["organisaties", *ADDITIVE]))["waarde"].null_count()
        == empty.height - counts.height
    )


def test_keys_that_do_not_apply_are_null():
    cells = build_benchmarks(frame(base_sector())).cells
    dom = cells.filter(pl.col("tabel") == "domein")
    assert dom["interventie"].null_count() == dom.height and dom["regio"].null_count() == dom.height
    assert set(dom["domein"]) == {"totaal", *DOMAINS}
    inter = cells.filter(pl.col("tabel") == "interventie")
    assert inter["regio"].null_count() == inter.height and inter["interventie"].null_count() == 0
    reg = cells.filter(pl.col("tabel") == "regio")
    assert reg["interventie"].null_count() == reg.height and set(reg["regio"]) == set(REGIONS)


# --- measures ----------------------------------------------------------------------------------


def test_counts_sums_and_ratios_of_a_published_cell():
    rows = []
    for o in range(10):
        rows.append(
            project(
                f"ORG{o}",
                f"P{o}",
                interventie="vroegsignalering",
                deelnemers=20,
                gemeten=10,
                verbeterd=o % 2 * 10,
                fte=0.5,
                vrijwilligers=3,
                kosten=10_000.0 * (o + 1),
                bkr=float(o + 1),
            )
        )
    cells = build_benchmarks(frame(rows)).cells

    def get(maat, stat=None):
        return cell(
            cells, "interventie", "schulden_armoede", maat, stat, interventie="vroegsignalering"
        )

    assert get("organisaties")["waarde"] == 10
    assert get("projecten")["waarde"] == 10
    assert get("deelnemers")["waarde"] == 200
    assert get("fte")["waarde"] == 5.0
    assert get("vrijwilligers")["waarde"] == 30
    assert get("kosten")["waarde"] == 550_000
    assert get("aandeel_verbeterd")["waarde"] == 0.5  # 50 of 100 measured
    assert get("bkr", "mediaan")["waarde"] == 5.5  # median of 1..10
    assert get("bkr_mc_breedte", "mediaan")["waarde"] == pytest.approx(0.8 * 5.5, abs=0.01)
    # cost per participant: 500 .. 5000, median 2750
    assert get("kosten_per_deelnemer", "mediaan")["waarde"] == 2750
    # ten projects are not enough for P25 (needs 20) nor P10 (needs 50)
    assert get("bkr", "p25")["reden"] == FEW_VALUES
    assert get("bkr", "p10")["reden"] == FEW_VALUES
    assert get("bkr", "p10")["symbool"] == "p"


def test_tail_percentiles_with_enough_projects():
    rows = [project(f"ORG{o % 10}", f"P{o}", bkr=float(o + 1)) for o in range(50)]
    cells = build_benchmarks(frame(rows)).cells
    stats = {
        s: cell(
            cells, "interventie", "schulden_armoede", "bkr", s, interventie="schuldhulpverlening"
        )["waarde"]
        for s in ("p10", "p25", "mediaan", "p75", "p90")
    }
    # linear interpolation over 1..50
    assert stats == {"p10": 5.9, "p25": 13.25, "mediaan": 25.5, "p75": 37.75, "p90": 45.1}


def test_statistics_need_organisations_with_a_value():
    # Ten organisations in the cell, but only four projects have a bkr (costs of 0).
    rows = [project(f"ORG{o}", f"P{o}", bkr=None if o >= 4 else 2.0) for o in range(10)]
    cells = build_benchmarks(frame(rows)).cells
    median = cell(cells, "domein", "schulden_armoede", "bkr", "mediaan")
    assert (median["status"], median["reden"]) == (SUPPRESSED, TOO_FEW_ORGS)
    assert cell(cells, "domein", "schulden_armoede", "projecten")["waarde"] == 10


def test_share_improved_needs_measured_participants():
    # Six organisations measured 1 participant each: under 10 measured -> k.
    rows = [project(f"ORG{o}", f"P{o}", gemeten=1, verbeterd=1) for o in range(6)]
    share = cell(
        build_benchmarks(frame(rows)).cells, "domein", "schulden_armoede", "aandeel_verbeterd"
    )
    assert (share["status"], share["reden"]) == (SUPPRESSED, SMALL_COUNT)


# --- primary suppression in the sector ---------------------------------------------------------


def test_cell_with_four_organisations_is_caught():
    rows = four_in_vroegsignalering()
    cells = build_benchmarks(frame(rows)).cells
    hidden = cells.filter(
        (pl.col("tabel") == "interventie")
        & (pl.col("interventie") == "vroegsignalering")
        & (pl.col("basis") != "referentie")  # no reference-based projects: empty there
    )
    assert set(hidden["status"]) == {SUPPRESSED}
    assert set(hidden["reden"]) == {TOO_FEW_ORGS}
    assert set(hidden["symbool"]) == {"x"}
    assert hidden["waarde"].null_count() == hidden.height
    # The domain still has six organisations and is published.
    assert cell(cells, "domein", "schulden_armoede", "organisaties")["waarde"] == 6


def test_one_organisation_dominating_costs_is_caught():
    rows = base_sector(kosten=300_000.0)
    rows = replace_rows(rows, {"interventie": "werkervaringsplek"}, kosten=20_000.0)
    rows = replace_rows(
        rows, {"interventie": "werkervaringsplek", "organisatie_id": "ORG00"}, kosten=2_000_000.0
    )
    cells = build_benchmarks(frame(rows)).cells
    kosten = cell(cells, "interventie", "activering", "kosten", interventie="werkervaringsplek")
    assert (kosten["status"], kosten["reden"], kosten["symbool"]) == (SUPPRESSED, DOMINANCE, "d")
    assert kosten["waarde"] is None
    # Only the dominated magnitude goes; the number of projects and participants stay.
    for maat in ("projecten", "deelnemers", "fte"):
        c = cell(cells, "interventie", "activering", maat, interventie="werkervaringsplek")
        assert c["status"] == PUBLISHED, maat
    # The domain total is not dominated (2.0 M + 0.6 M of 5.7 M for the largest two) and
    # stays published, so one more intervention's costs are hidden to protect the hidden cell.
    assert cell(cells, "domein", "activering", "kosten")["status"] == PUBLISHED
    siblings = cells.filter(
        (pl.col("tabel") == "interventie")
        & (pl.col("domein") == "activering")
        & (pl.col("maat") == "kosten")
        & (pl.col("basis") == "alle")
    )
    assert siblings.filter(pl.col("reden") == SECONDARY).height == 1


def test_dominance_on_reach_and_fte():
    rows = base_sector()
    rows = replace_rows(
        rows, {"interventie": "huisbezoek", "organisatie_id": "ORG03"}, deelnemers=5_000, fte=40.0
    )
    cells = build_benchmarks(frame(rows)).cells
    for maat in ("deelnemers", "fte"):
        c = cell(cells, "interventie", "ouderen_eenzaamheid", maat, interventie="huisbezoek")
        assert c["reden"] == DOMINANCE, maat
    # Costs are evenly spread and stay published.
    assert (
        cell(cells, "interventie", "ouderen_eenzaamheid", "kosten", interventie="huisbezoek")[
            "status"
        ]
        == PUBLISHED
    )


def test_dominance_of_one_organisation_over_a_distribution():
    # Twenty projects: eighteen of one organisation. Its percentiles are its own figures.
    rows = [project("GROOT", f"G{o}", bkr=1.0 + o / 10) for o in range(18)]
    rows += [project(f"ORG{o}", f"P{o}", bkr=2.0) for o in range(4)]
    cells = build_benchmarks(frame(rows)).cells
    median = cell(cells, "domein", "schulden_armoede", "bkr", "mediaan")
    assert median["reden"] == DOMINANCE


def test_custom_rules_are_applied_and_returned():
    rows = [r for r in base_sector(orgs=4)]
    default = build_benchmarks(frame(rows))
    assert cell(default.cells, "domein", "activering", "projecten")["reden"] == TOO_FEW_ORGS
    lenient = DisclosureRules(min_orgs=3)
    bench = build_benchmarks(frame(rows), lenient)
    assert bench.rules is lenient
    assert cell(bench.cells, "domein", "activering", "projecten")["status"] == PUBLISHED
    assert "3 organisaties" in bench.legend().filter(pl.col("symbool") == "x")["toelichting"][0]


# --- secondary suppression in the sector -------------------------------------------------------


def test_margin_that_would_reveal_a_hidden_region_is_caught():
    # Youth work: six organisations in Utrecht, six in Arnhem, three in Middelburg. The domain
    # total minus Utrecht and Gelderland would give Zeeland: one of them is hidden too.
    rows = []
    for o in range(6):
        rows.append(
            project(
                f"U{o}",
                f"U{o}",
                domein="jongerenwerk",
                interventie="jongerencoaching",
                gemeente=UTRECHT,
                kosten=50_000.0,
            )
        )
        rows.append(
            project(
                f"A{o}",
                f"A{o}",
                domein="jongerenwerk",
                interventie="jongerencoaching",
                gemeente=ARNHEM,
                kosten=80_000.0,
            )
        )
    for o in range(3):
        rows.append(
            project(
                f"Z{o}",
                f"Z{o}",
                domein="jongerenwerk",
                interventie="jongerencoaching",
                gemeente=MIDDELBURG,
                kosten=30_000.0,
            )
        )
    cells = build_benchmarks(frame(rows)).cells
    total = cell(cells, "domein", "jongerenwerk", "kosten")
    assert total["status"] == PUBLISHED and total["waarde"] == 6 * 50_000 + 6 * 80_000 + 90_000
    zeeland = cell(cells, "regio", "jongerenwerk", "kosten", regio="Zeeland")
    assert zeeland["reden"] == TOO_FEW_ORGS

    for maat in ADDITIVE:
        regions = cells.filter(
            (pl.col("tabel") == "regio")
            & (pl.col("domein") == "jongerenwerk")
            & (pl.col("maat") == maat)
            & (pl.col("basis") == "alle")
        )
        assert regions.filter(pl.col("status") == SUPPRESSED).height == 2, maat
        assert regions.filter(pl.col("reden") == SECONDARY).height == 1, maat
    # The complement covers the hidden value: Utrecht (300k >= 90k) is the smallest that does.
    assert cell(cells, "regio", "jongerenwerk", "kosten", regio="Utrecht")["reden"] == SECONDARY
    # The naive attack: total minus the published regions is not Zeeland any more.
    published = cells.filter(
        (pl.col("tabel") == "regio")
        & (pl.col("domein") == "jongerenwerk")
        & (pl.col("maat") == "kosten")
        & (pl.col("basis") == "alle")
        & (pl.col("status") != SUPPRESSED)
    )["waarde"].sum()
    assert total["waarde"] - published != 90_000


def test_no_group_is_left_with_a_single_hidden_cell_and_nothing_is_recoverable():
    rows = four_in_vroegsignalering()
    cells = build_benchmarks(frame(rows)).cells
    sub, groups = additive_relations(cells)
    hidden = set(sub.filter(pl.col("status") == SUPPRESSED)["cel"])
    for _, members in groups.group_by("groep"):
        assert len(hidden & set(members["cel"])) != 1
    assert recoverable_cells(sub, groups) == []


# --- rounding ----------------------------------------------------------------------------------


def test_participant_counts_are_rounded_and_small_ones_suppressed():
    rows = []
    for o, (a, b, c) in enumerate([(2, 3, 1), (2, 3, 1), (2, 3, 1), (2, 2, 1), (2, 2, 1)]):
        rows.append(
            project(
                f"ORG{o}",
                f"H{o}",
                domein="ouderen_eenzaamheid",
                interventie="huisbezoek",
                deelnemers=a,
            )
        )
        rows.append(
            project(
                f"ORG{o}",
                f"M{o}",
                domein="ouderen_eenzaamheid",
                interventie="maatjesproject",
                deelnemers=b,
            )
        )
        rows.append(
            project(
                f"ORG{o}",
                f"O{o}",
                domein="ouderen_eenzaamheid",
                interventie="ontmoetingsgroep",
                deelnemers=c,
            )
        )
    cells = build_benchmarks(frame(rows)).cells

    def deelnemers(interventie):
        return cell(
            cells, "interventie", "ouderen_eenzaamheid", "deelnemers", interventie=interventie
        )

    small = deelnemers("ontmoetingsgroep")  # 5 participants
    assert (small["status"], small["reden"], small["symbool"]) == (SUPPRESSED, SMALL_COUNT, "k")
    # 10 participants would be the smallest cover of the hidden 5: hidden as complement.
    assert deelnemers("huisbezoek")["reden"] == SECONDARY
    assert deelnemers("maatjesproject")["waarde"] == 15  # 13 rounded to 15
    assert cell(cells, "domein", "ouderen_eenzaamheid", "deelnemers")["waarde"] == 30  # 28
    published = cells.filter((pl.col("maat") == "deelnemers") & (pl.col("status") == PUBLISHED))
    assert all(v % 5 == 0 for v in published["waarde"])


# --- privacy of the published table ------------------------------------------------------------


def test_published_table_never_contains_organisation_ids_or_names():
    names = [f"Stichting Welzijn {c}" for c in "ABCDEFGH"]
    rows = []
    for o, name in enumerate(names):
        for d, per in INTERVENTIONS.items():
            for i in per:
                rows.append(
                    project(
                        name,
                        f"{name}-{i}",
                        domein=d,
                        interventie=i,
                        gemeente=[AMSTERDAM, UTRECHT][o % 2],
                    )
                )
    projects = frame(rows).with_columns(
        pl.col("organisatie_id").alias("naam"),
        pl.col("organisatie_id").str.replace("Stichting Welzijn ", "ORG-").alias("org_code"),
    )
    bench = build_benchmarks(projects)
    cells = bench.cells
    forbidden_columns = {"organisatie_id", "naam", "org_code", "project_id", "organisatie"}
    assert not forbidden_columns & set(cells.columns)
    strings = [c for c, t in cells.schema.items() if t == pl.String]
    values = set()
    for c in strings:
        values |= set(cells[c].drop_nulls().unique())
    ids = set(projects["organisatie_id"]) | set(projects["org_code"]) | set(projects["project_id"])
    assert not any(i in v for v in values for i in ids)
    assert not any("Welzijn" in v or "ORG-" in v for v in values)
    # The private frame does carry the ids, and each organisation gets only its own rows.
    assert set(bench.positie["organisatie_id"]) == set(names)
    own = bench.positie_for(names[0])
    assert set(own["organisatie_id"]) == {names[0]}


# --- the private position ----------------------------------------------------------------------


def test_position_percentiles_within_domain_intervention_and_year():
    rows = [
        project(f"ORG{o}", f"P{o}", bkr=float(o + 1), kosten=1_000.0 * (5 - o), deelnemers=10)
        for o in range(5)
    ]
    rows.append(project("ORG0", "P-2023", jaar=2023, bkr=9.0))  # another year: own group
    positie = build_benchmarks(frame(rows)).positie
    this_year = positie.filter(pl.col("jaar") == YEAR).sort("project_id")
    assert this_year["bkr_percentiel"].to_list() == [10.0, 30.0, 50.0, 70.0, 90.0]
    assert this_year["kosten_per_deelnemer_percentiel"].to_list() == [90.0, 70.0, 50.0, 30.0, 10.0]
    assert set(this_year["vergelijking_organisaties"]) == {5}
    assert set(this_year["status"]) == {PUBLISHED}
    lonely = positie.filter(pl.col("jaar") == 2023).row(0, named=True)
    assert lonely["bkr_percentiel"] is None and lonely["vergelijking_organisaties"] is None
    assert (lonely["status"], lonely["reden"]) == (SUPPRESSED, TOO_FEW_ORGS)


def test_position_ties_and_missing_values():
    rows = [project(f"ORG{o}", f"P{o}", bkr=2.0) for o in range(4)]
    rows += [project("ORG9", "P9", bkr=None), project("ORG8", "P8", bkr=3.0)]
    positie = build_benchmarks(frame(rows)).positie.sort("project_id")
    pct = dict(zip(positie["project_id"], positie["bkr_percentiel"], strict=True))
    assert pct["P0"] == 40.0  # four equal of five values: (0 + 4/2) / 5
    assert pct["P8"] == 90.0
    assert pct["P9"] is None


# --- input checks ------------------------------------------------------------------------------


def test_input_is_checked():
    good = frame(base_sector())
    with pytest.raises(ValueError, match="bkr_p95"):
        build_benchmarks(good.drop("bkr_p95"))
    with pytest.raises(ValueError, match="domein"):
        build_benchmarks(good.with_columns(pl.lit("zorg").alias("domein")))
    with pytest.raises(ValueError, match="interventie"):
        build_benchmarks(good.with_columns(pl.lit("huisbezoek").alias("interventie")))
    with pytest.raises(ValueError, match="duplicate"):
        build_benchmarks(pl.concat([good, good.head(1)]))
    with pytest.raises(ValueError, match="negative"):
        build_benchmarks(good.with_columns(pl.lit(-1.0).alias("kosten")))
    with pytest.raises(ValueError, match="organisatie_id"):
        build_benchmarks(good.with_columns(pl.lit(None, dtype=pl.String).alias("organisatie_id")))


def test_unknown_municipalities_count_as_region_onbekend():
    rows = [project(f"ORG{o}", f"P{o}", gemeente=[None, "GM9999"][o % 2]) for o in range(6)]
    cells = build_benchmarks(frame(rows)).cells
    assert cell(cells, "regio", "schulden_armoede", "projecten", regio="onbekend")["waarde"] == 6


def test_input_order_and_organisation_ids_do_not_matter():
    rnd = random.Random(7)
    rows = base_sector(orgs=7)
    rows += [
        project(f"ORG{o:02d}", f"extra-{o}", gemeente=UTRECHT, kosten=1e5 * (o + 1))
        for o in range(3)
    ]
    first = build_benchmarks(frame(rows)).cells
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    renamed = [{**r, "organisatie_id": "Z" + r["organisatie_id"][::-1]} for r in shuffled]
    assert build_benchmarks(frame(renamed)).cells.equals(first)
