"""Attacks on the published benchmark tables, and stability across releases.

The attacker sees only the published cells and knows how they add up (sector = sum of the
domains; a domain = sum of its interventions = sum of its regions). These tests try to get a
suppressed value back, and check that the attack does work on a table without secondary
suppression, so that its failure on the real table means something.
"""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from rendement.benchmark.cells import build_benchmarks
from rendement.benchmark.disclosure import EMPTY, PUBLISHED, SECONDARY, SUPPRESSED
from rendement.benchmark.regions import REGIONS, municipalities
from schemas.vocabulary import DOMAINS, INTERVENTIONS

# Measures published unrounded (up to presentation decimals) and additive.
EXACT = {"projecten": 0.5, "fte": 0.05, "vrijwilligers": 0.5, "kosten": 0.5}  # half a unit


def sector(
    seed: int,
    orgs: int,
    years=(2023, 2024),
    late: str | None = None,
    reference_share: float = 0.0,
) -> pl.DataFrame:
    """A random sector: organisations with a home municipality and a few projects a year;
    `reference_share` of the organisations (drawn after everything else, so the rest of the
    sector is the same) compute by reference (`basis` referentie sector)."""
    rnd = random.Random(seed)
    codes = municipalities()["gemeente_code"].to_list()
    # A few places, one of them rare, so that regions have a few organisations each and
    # some have fewer than five; likewise one intervention per domain is rare.
    home_codes = rnd.sample(codes, 4) + [None]
    home_weights = [5, 5, 4, 1, 1]
    pairs = [(d, i) for d, per in INTERVENTIONS.items() for i in per]
    pair_weights = [1.0 if k % 3 else 0.15 for k in range(len(pairs))]
    names = [f"ORG{o:03d}" for o in range(orgs)] + ([late] if late else [])
    rows = []
    for o, org in enumerate(names):
        home = rnd.choices(home_codes, home_weights)[0]
        size = 10.0 if o == 0 else 1.0  # one large organisation: dominance somewhere
        for y in years:
            if org == late and y != years[-1]:
                continue
            for p in range(rnd.randint(1, 5)):
                d, i = rnd.choices(pairs, pair_weights)[0]
                deelnemers = float(rnd.randint(3, 120))
                kosten = round(rnd.uniform(15_000, 250_000) * size, 2)
                bkr = rnd.uniform(0.4, 3.5)
                gemeten = float(rnd.randint(0, int(deelnemers)))
                rows.append(
                    {
                        "organisatie_id": org,
                        "project_id": f"{org}-{y}-{p}",
                        "jaar": y,
                        "domein": d,
                        "interventie": i,
                        "gemeente_code": home if rnd.random() < 0.8 else rnd.choice(codes),
                        "deelnemers": deelnemers,
                        "deelnemers_gemeten": gemeten,
                        "deelnemers_verbeterd": float(rnd.randint(0, int(gemeten))),
                        "fte": round(rnd.uniform(0.1, 4.0) * size, 3),
                        "vrijwilligers": float(rnd.randint(0, 30)),
                        "kosten": kosten,
                        "bkr": bkr,
                        "kosten_per_deelnemer": kosten / deelnemers,
                        "ncw_per_deelnemer": kosten * (bkr - 1) / deelnemers,
                        "bkr_p05": bkr * 0.75,
                        "bkr_p95": bkr * 1.3,
                        "status": "volledig",
                    }
                )
    frame = pl.DataFrame(rows)
    by_ref = {o for o in names if random.Random(f"{seed}{o}").random() < reference_share}
    return frame.with_columns(
        pl.when(pl.col("organisatie_id").is_in(sorted(by_ref)))
        .then(pl.lit("referentie sector"))
        .otherwise(pl.lit("gemeten"))
        .alias("basis")
    )


def relations(jaar: int, maat: str) -> list[tuple[tuple, list[tuple]]]:
    """(margin key, part keys) as the attacker knows them from the documentation."""

    def key(tabel, domein, interventie=None, regio=None):
        return (tabel, jaar, domein, interventie, regio, maat)

    out = [(key("domein", "totaal"), [key("domein", d) for d in DOMAINS])]
    for d, per in INTERVENTIONS.items():
        out.append((key("domein", d), [key("interventie", d, interventie=i) for i in per]))
        out.append((key("domein", d), [key("regio", d, regio=r) for r in REGIONS]))
    return out


def knowns(cells: pl.DataFrame) -> tuple[dict[tuple, float], set[tuple]]:
    """The cells of one basis (`alle` unless the frame holds only one)."""
    if cells["basis"].n_unique() > 1:
        cells = cells.filter(pl.col("basis") == "alle")
    values, hidden = {}, set()
    for r in cells.iter_rows(named=True):
        k = (r["tabel"], r["jaar"], r["domein"], r["interventie"], r["regio"], r["maat"])
        if r["status"] == SUPPRESSED:
            hidden.add(k)
        else:
            values[k] = r["waarde"]
    return values, hidden


def margin_attack(cells: pl.DataFrame) -> dict[tuple, float]:
    """Margins minus published siblings, repeated across both dimension sets and the sector
    total until nothing new follows. Returns the hidden cells it recovered."""
    values, hidden = knowns(cells.filter(pl.col("maat").is_in(list(EXACT))))
    recovered: dict[tuple, float] = {}
    rels = [r for jaar in set(cells["jaar"]) for maat in EXACT for r in relations(jaar, maat)]
    progress = True
    while progress:
        progress = False
        for margin, parts in rels:
            unknown = [c for c in [margin, *parts] if c not in values]
            if len(unknown) != 1:
                continue
            (u,) = unknown
            if u == margin:
                value = sum(values[p] for p in parts)
            else:
                value = values[margin] - sum(values[p] for p in parts if p != u)
            values[u] = value
            if u in hidden:
                recovered[u] = value
            progress = True
    return recovered


def determined_by_rank(cells: pl.DataFrame) -> list[tuple]:
    """Independent linear-algebra attack: a hidden cell is determined when adding its unit
    vector to the equations over the hidden cells does not raise the rank."""
    found = []
    for jaar in sorted(set(cells["jaar"])):
        for maat in ["deelnemers", *EXACT]:
            _, hidden = knowns(cells.filter((pl.col("jaar") == jaar) & (pl.col("maat") == maat)))
            unknowns = sorted(hidden, key=str)
            if not unknowns:
                continue
            index = {c: i for i, c in enumerate(unknowns)}
            rows = []
            for margin, parts in relations(jaar, maat):
                row = np.zeros(len(unknowns))
                if margin in index:
                    row[index[margin]] = 1
                for p in parts:
                    if p in index:
                        row[index[p]] = -1
                rows.append(row)
            a = np.array(rows)
            rank = np.linalg.matrix_rank(a)
            for c, i in index.items():
                unit = np.zeros(len(unknowns))
                unit[i] = 1
                if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
                    found.append(c)
    return found


def true_values(projects: pl.DataFrame) -> dict[tuple, float]:
    """The unpublished truth, computed here independently of the benchmark code."""
    lookup = dict(municipalities().select("gemeente_code", "provincie").iter_rows())
    p = projects.with_columns(
        pl.col("gemeente_code")
        .map_elements(lambda c: lookup.get(c, "onbekend"), return_dtype=pl.String)
        .fill_null("onbekend")
        .alias("regio"),
        pl.lit(1.0).alias("projecten"),
    )
    truth: dict[tuple, float] = {}
    levels = {
        "totaal": ([], lambda r: ("domein", "totaal", None, None)),
        "domein": (["domein"], lambda r: ("domein", r["domein"], None, None)),
        "interventie": (
            ["domein", "interventie"],
            lambda r: ("interventie", r["domein"], r["interventie"], None),
        ),
        "regio": (["domein", "regio"], lambda r: ("regio", r["domein"], None, r["regio"])),
    }
    for by, name in levels.values():
        agg = p.group_by(["jaar", *by]).agg(pl.col(list(EXACT)).sum())
        for r in agg.iter_rows(named=True):
            tabel, domein, interventie, regio = name(r)
            for maat in EXACT:
                truth[(tabel, r["jaar"], domein, interventie, regio, maat)] = r[maat]
    return truth


# --- attacks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "orgs"), [(1, 18), (2, 30), (3, 45), (4, 70), (6, 60), (7, 100)])
def test_suppressed_values_cannot_be_recovered_from_the_published_tables(seed, orgs):
    projects = sector(seed, orgs)
    cells = build_benchmarks(projects).cells
    hidden = cells.filter(pl.col("status") == SUPPRESSED)
    assert hidden.height > 0  # the sector is small enough to need suppression
    assert margin_attack(cells) == {}
    assert determined_by_rank(cells) == []


@pytest.mark.parametrize(("seed", "orgs"), [(1, 18), (2, 30), (3, 45), (6, 60)])
def test_the_attack_does_work_without_secondary_suppression(seed, orgs):
    """Control: re-publish the complementary cells (true values) and the attack succeeds,
    recovering the primary-suppressed values exactly (up to presentation rounding)."""
    projects = sector(seed, orgs)
    cells = build_benchmarks(projects).cells
    truth = true_values(projects)
    secondary = cells.filter(pl.col("reden") == SECONDARY)
    assert secondary.height > 0

    def key(r):
        return (r["tabel"], r["jaar"], r["domein"], r["interventie"], r["regio"], r["maat"])

    primary_only = pl.DataFrame(
        [
            {**r, "status": PUBLISHED, "reden": None, "waarde": truth[key(r)]}
            if r["reden"] == SECONDARY and r["maat"] in EXACT
            else r
            for r in cells.iter_rows(named=True)
        ],
        schema=cells.schema,
    )
    recovered = margin_attack(primary_only)
    assert recovered, "without complementary suppression the margins give hidden cells away"
    for k, value in recovered.items():
        terms = len(REGIONS) + len(DOMAINS) + 3  # loose bound on the rounding of the inputs
        assert value == pytest.approx(truth[k], abs=EXACT[k[-1]] * 2 * terms), k


def test_attack_across_both_dimension_sets_on_a_hand_built_sector():
    """A hidden intervention cell whose domain is fully published by region, and a hidden
    region whose domain is fully published by intervention: the domain total links both."""
    rows = []

    def add(org, i, interventie, gemeente, kosten):
        rows.append(
            {
                "organisatie_id": org,
                "project_id": f"{org}-{i}",
                "jaar": 2024,
                "domein": "schulden_armoede",
                "interventie": interventie,
                "gemeente_code": gemeente,
                "deelnemers": 30.0,
                "deelnemers_gemeten": 20.0,
                "deelnemers_verbeterd": 10.0,
                "fte": 1.0,
                "vrijwilligers": 4.0,
                "kosten": kosten,
                "bkr": 1.5,
                "kosten_per_deelnemer": kosten / 30,
                "ncw_per_deelnemer": kosten * 0.5 / 30,
                "bkr_p05": 1.0,
                "bkr_p95": 2.0,
                "status": "volledig",
            }
        )

    for o in range(6):
        add(f"A{o}", 0, "schuldhulpverlening", "GM0363", 100_000.0)  # Noord-Holland
        add(f"A{o}", 1, "thuisadministratie", "GM0599", 60_000.0)  # Zuid-Holland
    for o in range(3):
        add(f"B{o}", 0, "vroegsignalering", "GM0363", 40_000.0)  # hidden intervention cell
    cells = build_benchmarks(pl.DataFrame(rows)).cells
    vroeg = cells.filter(
        (pl.col("interventie") == "vroegsignalering") & (pl.col("maat") == "kosten")
    ).row(0, named=True)
    assert vroeg["status"] == SUPPRESSED
    assert margin_attack(cells) == {}
    assert determined_by_rank(cells) == []


# --- stability across releases -----------------------------------------------------------------


def test_a_late_organisation_changes_no_other_year():
    first = build_benchmarks(sector(5, 40))
    later = build_benchmarks(sector(5, 40, late="LAAT"))
    old_year = pl.col("jaar") == 2023
    assert later.cells.filter(old_year).equals(first.cells.filter(old_year))
    # The late year keeps the same cells (same definitions), only values/statuses may move.
    keys = ["tabel", "jaar", "domein", "interventie", "regio", "maat", "statistiek"]
    assert later.cells.select(keys).equals(first.cells.select(keys))
    assert not later.cells.filter(~old_year).equals(first.cells.filter(~old_year))


def test_a_closed_year_is_carried_over_so_a_late_comer_cannot_be_differenced():
    first = build_benchmarks(sector(6, 40))
    late_projects = sector(6, 40, late="LAAT")
    # Recomputing 2024 would let the difference between releases give the late-comer away:
    reopened = build_benchmarks(late_projects).cells
    total = (
        (pl.col("tabel") == "domein")
        & (pl.col("domein") == "totaal")
        & (pl.col("maat") == "kosten")
        & (pl.col("jaar") == 2024)
        & (pl.col("basis") == "alle")
    )
    late_costs = late_projects.filter(pl.col("organisatie_id") == "LAAT")["kosten"].sum()
    diff = reopened.filter(total)["waarde"].item() - first.cells.filter(total)["waarde"].item()
    assert diff == pytest.approx(late_costs, abs=1)
    # With the earlier release as `vastgesteld`, every closed year is repeated verbatim.
    closed = build_benchmarks(late_projects, vastgesteld=first.cells)
    assert closed.cells.equals(first.cells)
    # The late organisation still gets its own position.
    assert "LAAT" in set(closed.positie["organisatie_id"])


def test_closed_years_keep_their_suppression_and_new_years_are_added():
    first = build_benchmarks(sector(7, 25, years=(2023,)))
    both = build_benchmarks(sector(7, 25, years=(2023, 2024)), vastgesteld=first.cells)
    old = both.cells.filter(pl.col("jaar") == 2023)
    assert old.equals(first.cells)
    assert old.filter(pl.col("status") == SUPPRESSED).height > 0
    assert both.cells.filter(pl.col("jaar") == 2024).height == first.cells.height
    # A closed year is carried over even when the new input has no rows for it.
    only_new = sector(7, 25, years=(2024,))
    assert (
        build_benchmarks(only_new, vastgesteld=first.cells)
        .cells.filter(pl.col("jaar") == 2023)
        .equals(first.cells)
    )


def test_vastgesteld_must_be_a_cells_table():
    with pytest.raises(ValueError, match="vastgesteld"):
        build_benchmarks(sector(8, 10), vastgesteld=pl.DataFrame({"jaar": [2023]}))


def test_removing_an_organisation_from_one_year_leaves_the_other_alone():
    projects = sector(9, 35)
    first = build_benchmarks(projects)
    without = projects.filter(~((pl.col("organisatie_id") == "ORG007") & (pl.col("jaar") == 2024)))
    second = build_benchmarks(without)
    old_year = pl.col("jaar") == 2023
    assert second.cells.filter(old_year).equals(first.cells.filter(old_year))


def test_empty_cells_are_published_as_known_zeros_and_count_as_known_for_the_attacker():
    cells = build_benchmarks(sector(1, 18)).cells
    empty = cells.filter(pl.col("status") == EMPTY)
    assert empty.height > 0
    assert set(empty.filter(pl.col("maat") == "kosten")["waarde"]) == {0.0}


# --- measured and reference-based apart ------------------------------------------------------


@pytest.mark.parametrize(("seed", "orgs"), [(1, 30), (3, 45), (7, 100)])
def test_the_split_by_basis_gives_no_hidden_cell_away(seed, orgs):
    """A third of the organisations computes by reference. Per basis the margins give nothing
    away, and no cell is hidden in exactly one of alle / gemeten / referentie (alle = gemeten
    + referentie would give it back)."""
    projects = sector(seed, orgs, reference_share=0.35)
    assert set(projects["basis"]) == {"gemeten", "referentie sector"}
    cells = build_benchmarks(projects).cells
    for basis in ("alle", "gemeten", "referentie"):
        part = cells.filter(pl.col("basis") == basis)
        assert margin_attack(part) == {}, basis
        assert determined_by_rank(part) == [], basis
    key = ["tabel", "jaar", "domein", "interventie", "regio", "maat", "statistiek"]
    additive = cells.filter(pl.col("maat").is_in(list(EXACT)))
    per_key = additive.group_by(key).agg(
        (pl.col("status") == SUPPRESSED).sum().alias("hidden"), pl.len().alias("n")
    )
    assert per_key["n"].unique().to_list() == [3]
    assert per_key.filter(pl.col("hidden") == 1).height == 0
    # the split is real: some cells are published for both parts, and alle is their sum
    both = additive.filter(pl.col("status") == "gepubliceerd").pivot(
        "basis", index=key, values="waarde"
    )
    both = both.drop_nulls(["alle", "gemeten", "referentie"])
    assert both.height > 0
    projecten = both.filter(pl.col("maat") == "projecten")
    assert (projecten["alle"] == projecten["gemeten"] + projecten["referentie"]).all()
