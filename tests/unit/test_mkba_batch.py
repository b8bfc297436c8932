"""Several organisations in one MKBA call give, to the bit, what each gives alone.

The asset computes organisations in batches (`compute_per_organisation`) and a re-upload
computes one organisation alone; both must write the same figures. The quantities of all
pathways come from one set of joins on the rule frames: checked here against a plain
per-pathway reading of the rules.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import yaml
from polars.testing import assert_frame_equal

from assets.partitions import in_batches
from rendement.mkba import compute_mkba, load_parameters
from rendement.mkba.batch import RESULT_FRAMES, compute_per_organisation
from rendement.mkba.effects import (
    KEYS,
    _active_trajectories,
    measurement_pairs,
    project_years,
    quantities,
    table,
)
from rendement.mkba.engine import prepare_mkba
from rendement.mkba.params import parse_parameters, standard_parameter_path
from rendement.mkba.voorbeeld import generate
from schemas.tables import polars_schema

DRAWS = 300


@pytest.fixture(scope="module")
def params():
    return load_parameters()


@pytest.fixture(scope="module")
def tables():
    # three years: at this size a single matrix product over all organisations differs in the
    # last bits from the products per organisation (checked: the tests below then fail)
    t = generate(n_orgs=5, projects_per_org=4, seed=23, years=(2023, 2024, 2025))
    # an organisation with a project but no inzet or kosten: no project-years at all
    lonely = {
        "organisatie_id": "ORG099",
        "project_id": "P1",
        "naam": "P1",
        "domein": "jongerenwerk",
        "interventie": None,
        "erkenning": None,
        "startdatum": dt.date(2024, 1, 1),
        "einddatum": None,
        "gemeente_code": None,
    }
    t["project"] = pl.concat(
        [t["project"], pl.DataFrame([lonely], schema=polars_schema("project"))]
    )
    return t


@pytest.fixture(scope="module")
def overrides():
    return pl.DataFrame(
        {
            "organisatie_id": ["ORG001", "ORG002", "ORG004"],
            "project_id": [None, "P01", None],
            "parameter": [
                "kosten.fte",
                "uitkomsten.schulden_gestabiliseerd.deadweight",
                "uitkomsten.bereik_jongeren.eenheidswaarde.basis",
            ],
            "waarde": [72000.0, 0.1, 40.0],
            "toelichting": ["begroting", "eigen onderzoek", "eigen raming"],
        }
    )


def per_org(tables: dict[str, pl.DataFrame]) -> dict[str, dict[str, pl.DataFrame]]:
    orgs = sorted(set(tables["project"]["organisatie_id"]))
    return {
        org: {name: df.filter(pl.col("organisatie_id") == org) for name, df in tables.items()}
        for org in orgs
    }


def assert_same(got, want):
    for name in RESULT_FRAMES:
        assert_frame_equal(getattr(got, name), getattr(want, name), check_exact=True)


def test_batch_equals_each_organisation_alone(tables, params, overrides):
    split = per_org(tables)
    batch = compute_per_organisation(split, params, overrides, draws=DRAWS)
    assert list(batch) == list(split)
    for org, org_tables in split.items():
        alone = compute_mkba(org_tables, params, apply_overrides=False, draws=DRAWS)
        assert_same(batch[org].standaard, alone)
        own = overrides.filter(pl.col("organisatie_id") == org)
        if own.height:
            eigen = compute_mkba(org_tables, params, overrides=own, draws=DRAWS)
            assert_same(batch[org].eigen, eigen)
            assert batch[org].eigen.overrides_applied.height > 0
        else:
            assert batch[org].eigen is None
    assert batch["ORG099"].standaard.project.is_empty()
    # the overrides change the own result, never the standard one
    for org in ("ORG001", "ORG002"):
        assert not batch[org].eigen.project.equals(batch[org].standaard.project)


def test_row_order_of_the_tables_does_not_matter(tables, params, overrides):
    """The engine joins a batch's tables per organisation when each organisation is one
    block of rows (as `combine_tables` gives them) and over all rows otherwise: both give
    the same figures."""
    shuffled = {name: df.sample(fraction=1.0, shuffle=True, seed=5) for name, df in tables.items()}
    assert shuffled["meting"]["organisatie_id"].rle_id().max() + 1 > 6  # interleaved
    assert_same(
        compute_mkba(shuffled, params, overrides=overrides, draws=DRAWS),
        compute_mkba(tables, params, overrides=overrides, draws=DRAWS),
    )
    assert_frame_equal(
        measurement_pairs(shuffled).sort(pl.all()),
        measurement_pairs(tables).sort(pl.all()),
        check_exact=True,
    )


def test_one_call_over_organisations_equals_calls_per_organisation(tables, params):
    together = compute_mkba(tables, params, draws=DRAWS)
    for org, org_tables in per_org(tables).items():
        alone = compute_mkba(org_tables, params, draws=DRAWS)
        for name in RESULT_FRAMES:
            part = getattr(together, name).filter(pl.col("organisatie_id") == org)
            assert_frame_equal(part, getattr(alone, name), check_exact=True)


def test_prepared_inputs_serve_standard_and_own_result(tables, params, overrides):
    inputs = prepare_mkba(tables, params)
    assert_same(
        compute_mkba(inputs, params, overrides=overrides, draws=DRAWS),
        compute_mkba(tables, params, overrides=overrides, draws=DRAWS),
    )
    other = params.with_overrides([("kosten.fte", 1.0)])
    with pytest.raises(ValueError, match="andere parameterset"):
        compute_mkba(inputs, other, draws=DRAWS)


def reference_quantities(tables, params) -> pl.DataFrame:
    """The rules read pathway by pathway and criterion by criterion, as written in docs/mkba.md."""
    py = project_years(tables)
    pairs = measurement_pairs(tables)
    traject = table(tables, "traject")
    active = _active_trajectories(tables, py)
    rows = []
    for o, pw in enumerate(params.uitkomsten):
        rule = pw.hoeveelheid
        if rule.bron == "meting":
            hits = []
            for c in rule.criteria:
                r = pairs.filter(pl.col("instrument") == c.instrument)
                if c.onderdeel is not None:
                    r = r.filter(pl.col("onderdeel") == c.onderdeel)
                else:
                    r = r.group_by(
                        "organisatie_id", "project_id", "traject_id", "client_pseudoniem"
                    ).agg(pl.col("t0", "t1", "verbetering").mean(), pl.col("jaar").max())
                for col, bound, lower in (
                    ("t0", c.t0_min, True),
                    ("t0", c.t0_max, False),
                    ("t1", c.t1_min, True),
                    ("t1", c.t1_max, False),
                    ("verbetering", c.min_verbetering, True),
                ):
                    if bound is not None:
                        r = r.filter(pl.col(col) >= bound if lower else pl.col(col) <= bound)
                hits.append(r.select(*KEYS, "traject_id", "client_pseudoniem", "verbetering"))
            h = pl.concat(hits)
            if rule.telling == "deelnemers":
                q = h.group_by(KEYS).agg(pl.col("client_pseudoniem").n_unique().alias("q"))
            else:
                q = (
                    h.group_by([*KEYS, "traject_id"])
                    .agg(pl.col("verbetering").max())
                    .group_by(KEYS)
                    .agg(pl.col("verbetering").sort().sum().clip(lower_bound=0.0).alias("q"))
                )
        elif rule.bron == "traject":
            r = traject.filter(
                pl.col("einddatum").is_not_null() & pl.col("reden_einde").is_in(rule.reden_einde)
            )
            if rule.leeftijdsklassen is not None:
                r = r.filter(pl.col("leeftijdsklasse").is_in(rule.leeftijdsklassen))
            q = (
                r.with_columns(pl.col("einddatum").dt.year().cast(pl.Int64).alias("jaar"))
                .group_by(KEYS)
                .agg(pl.len().alias("q"))
            )
        else:
            r = active
            if rule.leeftijdsklassen is not None:
                r = r.filter(pl.col("leeftijdsklasse").is_in(rule.leeftijdsklassen))
            q = r.group_by(KEYS).agg(pl.col("client_pseudoniem").n_unique().alias("q"))
        applies = py.filter(
            (pl.col("domein") == pw.domein)
            & (pl.lit(pw.interventies is None) | pl.col("interventie").is_in(pw.interventies or []))
        ).select(KEYS)
        rows.append(
            applies.join(q, on=KEYS, how="left").select(
                *KEYS,
                pl.lit(pw.code).alias("uitkomst"),
                pl.col("q").cast(pl.Float64).fill_null(0.0).alias("hoeveelheid"),
                pl.lit(o).alias("_o"),
            )
        )
    return pl.concat(rows).sort([*KEYS, "_o"]).drop("_o")


@pytest.fixture(scope="module")
def narrower():
    """The standard set with rules that use every feature the synthetic data can show: an
    age band that excludes some participants, two end reasons, a mean-over-onderdelen
    criterion with a minimum improvement."""
    raw = yaml.safe_load(standard_parameter_path().read_text("utf-8"))
    rules = {u["code"]: u["hoeveelheid"] for u in raw["uitkomsten"]}
    rules["bereik_jongeren"]["leeftijdsklassen"] = ["12-17"]
    rules["minder_jeugdzorg"]["reden_einde"] = ["afgerond", "doorverwezen"]
    rules["minder_jeugdzorg"]["leeftijdsklassen"] = ["18-26"]
    rules["schulden_gestabiliseerd"]["criteria"].append(
        {"instrument": "zrm", "min_verbetering": 0.5, "t1_min": 3}
    )
    return parse_parameters(raw)


@pytest.mark.parametrize("which", ["standard", "narrower"])
def test_joined_quantities_equal_the_rules_read_one_by_one(tables, params, narrower, which):
    ps = params if which == "standard" else narrower
    got = quantities(tables, ps, project_years(tables))
    want = reference_quantities(tables, ps)
    assert got.height == want.height > 0
    assert (got["hoeveelheid"] > 0).sum() > 10  # the comparison is not between zeros
    assert_frame_equal(got, want, check_exact=True)


def test_narrower_rules_change_the_quantities(tables, params, narrower):
    """Guards the test above: the narrower rules do select other rows."""
    py = project_years(tables)
    std = quantities(tables, params, py)
    alt = quantities(tables, narrower, py)
    changed = std.join(alt, on=[*KEYS, "uitkomst"]).filter(
        pl.col("hoeveelheid") != pl.col("hoeveelheid_right")
    )
    assert set(changed["uitkomst"]) == {
        "bereik_jongeren",
        "minder_jeugdzorg",
        "schulden_gestabiliseerd",
    }


def test_batches_cover_every_organisation_once_in_order():
    orgs = [f"ORG{i:03d}" for i in range(1, 41)]
    parts = in_batches(orgs, 16)
    assert [o for part in parts for o in part] == orgs
    assert len(parts) == 3 and max(map(len, parts)) <= 16
    assert in_batches([], 16) == []
    assert in_batches(["ORG001"], 16) == [("ORG001",)]
