"""Small synthetic canonical tables for the MKBA engine: tests, calibration and timing.

Not the project's demo data (that lives with the demo generator); just enough realism per
domain to see what the engine makes of it: loneliness scores that drop by about 1.5 points,
ZRM financiën moving from 2 to 3 for roughly half of the debt clients, participatieladder steps,
youth work with a large reach and few measured trajectories.

Run `python -m rendement.mkba.voorbeeld` for the ratio per domain and the Monte Carlo timing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import numpy as np
import polars as pl

from rendement.mkba import compute_mkba, load_parameters
from rendement.mkba.engine import monte_carlo_inputs
from rendement.mkba.montecarlo import interval, ratio, simulate
from schemas.tables import polars_schema
from schemas.vocabulary import DOMAINS, INTERVENTIONS

# per domain: clients per year, paid fte, volunteers, measured share, age bands
PROFILE = {
    "ouderen_eenzaamheid": dict(clients=60, fte=0.8, vol=30, measured=0.75, ages=["75-84"]),
    "schulden_armoede": dict(clients=80, fte=2.0, vol=6, measured=0.7, ages=["27-44", "45-64"]),
    "activering": dict(clients=50, fte=1.5, vol=8, measured=0.8, ages=["27-44", "45-64"]),
    "jongerenwerk": dict(clients=250, fte=3.0, vol=5, measured=0.15, ages=["12-17", "18-26"]),
}


def _pick(rng: np.random.Generator, weights: dict[int, float], n: int) -> np.ndarray:
    keys = np.array(list(weights))
    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(keys, size=n, p=p / p.sum())


def _scores(
    domain: str, rng: np.random.Generator, n: int
) -> list[tuple[str, str | None, np.ndarray, np.ndarray]]:
    """(instrument, onderdeel, T0, T1) arrays for n measured clients of a domain."""
    if domain == "ouderen_eenzaamheid":
        t0 = _pick(rng, {1: 1, 2: 1, 4: 2, 5: 3, 6: 3, 7: 3, 8: 2, 9: 2, 10: 2, 11: 1}, n)
        drop = np.rint(rng.normal(1.5, 2.0, n))
        return [("djg11", None, t0, np.clip(t0 - drop, 0, 11))]
    if domain == "schulden_armoede":
        fin0 = _pick(rng, {1: 0.3, 2: 0.5, 3: 0.2}, n)
        fin1 = np.clip(fin0 + _pick(rng, {0: 0.35, 1: 0.5, 2: 0.15}, n), 1, 5)
        hv0 = _pick(rng, {1: 0.03, 2: 0.12, 3: 0.35, 4: 0.5}, n)
        hv1 = np.clip(hv0 + _pick(rng, {0: 0.5, 1: 0.5}, n), 1, 5)
        return [("zrm", "financien", fin0, fin1), ("zrm", "huisvesting", hv0, hv1)]
    if domain == "activering":
        t0 = _pick(rng, {1: 0.25, 2: 0.4, 3: 0.25, 4: 0.1}, n)
        t1 = np.clip(t0 + _pick(rng, {0: 0.45, 1: 0.35, 2: 0.15, 3: 0.05}, n), 1, 6)
        return [("participatieladder", None, t0, t1)]
    out = []
    for part in ("dagbesteding", "geestelijke_gezondheid", "justitie"):
        t0 = _pick(rng, {1: 0.1, 2: 0.3, 3: 0.4, 4: 0.2}, n)
        t1 = np.clip(t0 + _pick(rng, {0: 0.5, 1: 0.4, 2: 0.1}, n), 1, 5)
        out.append(("zrm", part, t0.astype(float), t1.astype(float)))
    return out


def generate(
    n_orgs: int = 4,
    projects_per_org: int = 4,
    years: tuple[int, ...] = (2024, 2025),
    seed: int = 1,
    own_personnel_share: float = 0.5,
) -> dict[str, pl.DataFrame]:
    """Canonical frames: project, traject, meting, inzet, kosten (polars, canonical dtypes)."""
    rng = np.random.default_rng(seed)
    domains = list(DOMAINS)
    rows: dict[str, list[dict]] = {
        t: [] for t in ("project", "traject", "meting", "inzet", "kosten")
    }
    for o in range(n_orgs):
        org = f"ORG{o + 1:03d}"
        own_personnel = rng.random() < own_personnel_share
        for k in range(projects_per_org):
            domain = domains[(o + k) % len(domains)]
            intervention = list(INTERVENTIONS[domain])[0]
            pid = f"P{k + 1:02d}"
            prof = PROFILE[domain]
            rows["project"].append(
                dict(
                    organisatie_id=org,
                    project_id=pid,
                    naam=f"{intervention} {pid}",
                    domein=domain,
                    interventie=intervention,
                    erkenning="goed_beschreven",
                    startdatum=dt.date(years[0], 1, 1),
                    einddatum=None,
                    gemeente_code="GM0363",
                )
            )
            scale = rng.uniform(0.7, 1.3)
            for year in years:
                n = max(5, int(prof["clients"] * scale))
                fte = round(prof["fte"] * scale, 2)
                vol = int(prof["vol"] * scale)
                rows["inzet"].append(
                    dict(
                        organisatie_id=org,
                        project_id=pid,
                        jaar=year,
                        fte_betaald=fte,
                        uren_betaald=fte * 1500,
                        vrijwilligers=vol,
                        uren_vrijwilligers=vol * 80.0,
                    )
                )
                personnel = fte * 72_000 * rng.uniform(0.9, 1.1)
                lines = {
                    "materiaal": 40.0 * n,
                    "huisvesting": 6_000.0 * max(fte, 0.5),
                    "overhead": 0.15 * personnel,
                }
                if own_personnel:
                    lines["personeel"] = personnel
                for soort, amount in lines.items():
                    rows["kosten"].append(
                        dict(
                            organisatie_id=org,
                            project_id=pid,
                            jaar=year,
                            kostensoort=soort,
                            bedrag=round(amount, 2),
                        )
                    )
                start = [
                    dt.date(year, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 200, n)
                ]
                length = rng.integers(60, 330, n)
                ended = rng.random(n) < 0.85
                reason = _pick(rng, {0: 0.7, 1: 0.15, 2: 0.1, 3: 0.05}, n)
                reasons = np.array(["afgerond", "voortijdig", "doorverwezen", "verhuisd"])[reason]
                measured = rng.random(n) < prof["measured"]
                tids = []
                for i in range(n):
                    tid = f"T{year}{k:02d}{i:04d}"
                    tids.append(tid)
                    client = hashlib.md5(f"{org}-{pid}-{year}-{i}".encode()).hexdigest()
                    end = start[i] + dt.timedelta(days=int(length[i])) if ended[i] else None
                    rows["traject"].append(
                        dict(
                            organisatie_id=org,
                            traject_id=tid,
                            project_id=pid,
                            client_pseudoniem=client,
                            startdatum=start[i],
                            einddatum=end,
                            reden_einde=str(reasons[i]) if ended[i] else None,
                            leeftijdsklasse=str(rng.choice(prof["ages"])),
                            gemeente_code="GM0363",
                        )
                    )
                idx = np.flatnonzero(measured)
                for instrument, part, t0, t1 in _scores(domain, rng, len(idx)):
                    for pos, i in enumerate(idx):
                        t1_date = min(
                            start[i] + dt.timedelta(days=int(length[i])), dt.date(year, 12, 31)
                        )
                        for moment, score, when in (
                            ("T0", t0[pos], start[i]),
                            ("T1", t1[pos], t1_date),
                        ):
                            rows["meting"].append(
                                dict(
                                    organisatie_id=org,
                                    traject_id=tids[i],
                                    instrument=instrument,
                                    onderdeel=part,
                                    moment=moment,
                                    datum=when,
                                    score=float(score),
                                )
                            )
    return {
        name: pl.DataFrame(data, schema=polars_schema(name), orient="row")
        if data
        else pl.DataFrame(schema=polars_schema(name))
        for name, data in rows.items()
    }


def time_monte_carlo(
    tables: dict[str, pl.DataFrame], draws: int = 2000, repeat: int = 7
) -> dict[str, float]:
    """The Monte Carlo step alone (draws, matrix products, both 90 % intervals) on the inputs
    compute_mkba builds for these tables: best wall-clock and CPU milliseconds of `repeat`.

    CPU time is reported too because wall time on a shared machine is mostly waiting.
    """

    args = monte_carlo_inputs(tables, load_parameters())
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        b, k = simulate(*args, draws, 20261128)
        r = ratio(b, k)
        b -= k
        interval(b, inplace=True)
        interval(r, inplace=True)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return {
        "projectjaren": args[2].shape[1],
        "trekkingen": draws,
        "ms_wand_min": round(min(wall) * 1000, 1),
        "ms_wand_mediaan": round(float(np.median(wall)) * 1000, 1),
        "ms_cpu_min": round(min(cpu) * 1000, 1),
    }


def main() -> None:  # pragma: no cover - a report for people, not a test

    params = load_parameters()
    tables = generate(n_orgs=8, projects_per_org=8, seed=7)
    res = compute_mkba(tables, params)
    per_domain = (
        res.project.group_by("domein")
        .agg(
            pl.len().alias("projectjaren"),
            pl.col("kosten").sum(),
            pl.col("baten").sum(),
            pl.col("transfers").sum(),
            pl.col("bkr").median().alias("bkr_mediaan"),
            pl.col("bkr_p05").median().alias("p05_mediaan"),
            pl.col("bkr_p95").median().alias("p95_mediaan"),
            pl.col("bkr_laag").median().alias("laag_mediaan"),
            pl.col("bkr_hoog").median().alias("hoog_mediaan"),
        )
        .with_columns((pl.col("baten") / pl.col("kosten")).alias("bkr_totaal"))
        .sort("domein")
    )
    with pl.Config(tbl_cols=12, tbl_width_chars=200, float_precision=2):
        print(per_domain)
    total = res.project.select(pl.col("baten").sum() / pl.col("kosten").sum()).item()
    print(f"sector (som baten / som kosten): {total:.2f}")
    for n_orgs in (25, 50):
        big = generate(n_orgs=n_orgs, projects_per_org=8, seed=3)
        print(time_monte_carlo(big))


if __name__ == "__main__":  # pragma: no cover
    main()
