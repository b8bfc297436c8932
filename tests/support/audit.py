"""An auditor's recomputation of the MKBA from `docs/mkba.md` and the parameter file alone.

Nothing here comes from `rendement.mkba`: the canonical tables are read from the warehouse
(`canoniek.*`, DuckDB, read-only), the parameter set with `yaml.safe_load`, and every figure
is computed with plain Python in exact arithmetic (`fractions.Fraction` for scores and
money, so a score threshold such as "Positieve Gezondheid at least 1.0 better" is compared
as the decimals the data hold, and no rounding happens before the comparison with the
engine). Each rule below cites the sentence of docs/mkba.md it follows; where the docs are
silent the choice made is marked `DOCS SILENT`, so that the documentation can be completed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import duckdb
import yaml

PARAMS_DIR = Path(__file__).resolve().parents[2] / "rendement" / "params"
LEVELS = ("laag", "basis", "hoog")
# docs/mkba.md: "direction-aware: lower De Jong Gierveld is better"
LOWER_IS_BETTER = {"djg11", "djg6"}
# docs/mkba.md, step 7: laag takes "low value, short duration, high deadweight/displacement/
# attribution/drop-off, high cost per FTE"; factor raises the ratio like the value does.
RAISES_RATIO = {
    "eenheidswaarde": True,
    "factor": True,
    "duur": True,
    "deadweight": False,
    "displacement": False,
    "attributie": False,
    "drop_off": False,
}

Key = tuple[str, str, int]  # organisatie_id, project_id, jaar
SWITCHING = ("deadweight", "attributie")  # the corrections with a switching value


def exact(x) -> Fraction | None:
    """A number as the decimal it is written as (a float through its shortest repr)."""
    if x is None:
        return None
    if isinstance(x, float):
        return Fraction(repr(x))
    return Fraction(x)


@functools.cache
def normalise(text: str | None) -> str:
    """docs/mkba.md: "`onderdeel` codes are matched after normalising (`Financiën` =
    `financien`)". DOCS SILENT on the exact rule; taken as: accents dropped, lower case,
    runs of other characters one underscore."""
    if text is None:
        return ""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


# ------------------------------------------------------------------------------ parameters


@dataclass
class Params:
    raw: dict
    version: str
    price_year: int
    rate: Fraction
    cpi: dict[int, Fraction]
    fx: dict[str, dict[int, Fraction]]

    @classmethod
    def load(cls, version: str) -> Params:
        raw = yaml.safe_load((PARAMS_DIR / f"standaard-{version}.yaml").read_text("utf-8"))
        assert str(raw["versie"]) == version
        fx = {
            cur: {int(y): exact(v) for y, v in years.items()}
            for cur, years in raw["wisselkoersen"].items()
            if isinstance(years, dict)
        }
        return cls(
            raw=raw,
            version=version,
            price_year=int(raw["prijsjaar"]),
            rate=exact(raw["discontovoet"]["waarde"]),
            cpi={int(y): exact(v) for y, v in raw["prijsindex"]["reeks"].items()},
            fx=fx,
        )

    def index(self, year: int) -> Fraction:
        """docs/mkba.md: "Amounts of earlier years are indexed to the price year with the
        CPI in the parameter set." DOCS SILENT on years after the last index year (none in
        the demo): taken as an error here."""
        return self.cpi[self.price_year] / self.cpi[year]

    def money(self, value, spec: dict) -> Fraction:
        """A money value of a parameter in euros of the price year: "all amounts are
        converted to euros of this year" with the exchange rate "euro per unit, in the
        source year" and the CPI."""
        v = exact(value)
        cur = spec.get("valuta", "EUR")
        year = int(spec.get("prijsjaar", self.price_year))
        if cur != "EUR":
            v *= self.fx[cur][year]
        return v * self.index(year)

    def cost_param(self, name: str, level: str) -> Fraction:
        spec = self.raw["kosten"][name]
        return self.money(spec[level], spec)

    def pathways(self) -> list[dict]:
        return self.raw["uitkomsten"]


def level(pw: dict, kind: str, lvl: str, params: Params) -> Fraction | None:
    """One level of a pathway parameter, money in price-year euros; None for a counted
    value. DOCS SILENT: a pathway without `factor` has factor 1 (the docs only say the
    factor is optional)."""
    if kind == "factor":
        spec = pw["hoeveelheid"].get("factor")
        return Fraction(1) if spec is None else exact(spec[lvl])
    if kind == "eenheidswaarde":
        spec = pw.get("eenheidswaarde")
        if spec is None or spec.get(lvl) is None:
            return None
        return params.money(spec[lvl], spec)
    spec = pw.get(kind)
    if spec is None:  # a counted outcome needs no corrections
        return None
    return exact(spec[lvl])


def scenario_level(kind: str, scenario: str) -> str:
    """The level a scenario takes for a parameter (docs/mkba.md step 7)."""
    if scenario == "basis":
        return "basis"
    lowers = scenario == "laag"
    if RAISES_RATIO[kind]:
        return "laag" if lowers else "hoog"
    return "hoog" if lowers else "laag"


def pv_per_unit(
    pw: dict, params: Params, scenario: str = "basis", without: str | None = None
) -> Fraction | None:
    """docs/mkba.md step 4: impact_1 = quantity × factor × unit_value × (1 − deadweight) ×
    (1 − displacement) × (1 − attribution); impact_t = impact_(t−1) × (1 − drop_off) for
    t = 2 … duration; PV = Σ impact_t / (1 + r)^t from t = 1. Per unit of quantity.
    `without`: that correction set to 0 (for the switching values)."""
    v = {k: level(pw, k, scenario_level(k, scenario), params) for k in RAISES_RATIO}
    if without is not None and v["eenheidswaarde"] is not None:
        v[without] = Fraction(0)
    if v["eenheidswaarde"] is None:
        return None
    impact = (
        v["factor"]
        * v["eenheidswaarde"]
        * (1 - v["deadweight"])
        * (1 - v["displacement"])
        * (1 - v["attributie"])
    )
    duur = v["duur"]
    assert duur == int(duur), "duur in whole years (docs: 'whole years')"
    total = Fraction(0)
    for t in range(1, int(duur) + 1):
        total += impact / (1 + params.rate) ** t
        impact *= 1 - v["drop_off"]
    return total


# ------------------------------------------------------------------------------ data


@dataclass
class Data:
    project: dict[tuple[str, str], dict]
    traject: dict[tuple[str, str], dict]
    meting: list[dict]
    inzet: list[dict]
    kosten: list[dict]
    projectopgave: list[dict] = field(default_factory=list)
    activiteit: list[dict] = field(default_factory=list)


def _rows(con, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def read_canonical(warehouse: Path) -> Data:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        project = {
            (r["organisatie_id"], r["project_id"]): r
            for r in _rows(con, "SELECT * FROM canoniek.project")
        }
        traject = {
            (r["organisatie_id"], r["traject_id"]): r
            for r in _rows(con, "SELECT * FROM canoniek.traject")
        }
        return Data(
            project=project,
            traject=traject,
            meting=_rows(con, "SELECT * FROM canoniek.meting"),
            inzet=_rows(con, "SELECT * FROM canoniek.inzet"),
            kosten=_rows(con, "SELECT * FROM canoniek.kosten"),
            projectopgave=_rows(con, "SELECT * FROM canoniek.projectopgave"),
            activiteit=_rows(con, "SELECT * FROM canoniek.activiteit"),
        )


# ------------------------------------------------------------------------------ measurements


@dataclass
class Pair:
    """One T0/T1 pair of a trajectory × instrument × onderdeel (docs step 3: "T0 is a
    trajectory's earliest T0 score, T1 its latest T1 score (by date; on one date T0 takes the
    row delivered first, T1 the row delivered last)"). The warehouse has no delivery order:
    the order rows are read in stands in for it (the demo has one row per key)."""

    t0: Fraction
    t1: Fraction
    jaar: int  # "A measured outcome belongs to the year of its T1 measurement"


def pairs(data: Data) -> dict[tuple[str, str], dict[tuple[str, str], Pair]]:
    """Per trajectory (organisatie_id, traject_id): {(instrument, onderdeel): Pair}, and
    under (instrument, None) the mean over the instrument's onderdelen (`instrument_mean`)."""
    t0: dict[tuple, tuple[dt.date, Fraction]] = {}
    t1: dict[tuple, tuple[dt.date, Fraction]] = {}
    for m in data.meting:
        if m["moment"] not in ("T0", "T1") or m["score"] is None:
            continue
        key = (m["organisatie_id"], m["traject_id"], m["instrument"], normalise(m["onderdeel"]))
        score = exact(m["score"])
        if m["moment"] == "T0":
            if key not in t0 or m["datum"] < t0[key][0]:
                t0[key] = (m["datum"], score)
        elif key not in t1 or m["datum"] >= t1[key][0]:
            t1[key] = (m["datum"], score)
    out: dict[tuple[str, str], dict[tuple[str, str | None], Pair]] = defaultdict(dict)
    for key in t0.keys() & t1.keys():
        org, traject, instrument, onderdeel = key
        out[(org, traject)][(instrument, onderdeel)] = Pair(t0[key][1], t1[key][1], t1[key][0].year)
    for per in out.values():  # the per-instrument means, under onderdeel None
        for instrument in {i for i, _o in per}:
            per[(instrument, None)] = instrument_mean(per, instrument)
    return out


def improvement(instrument: str, t0: Fraction, t1: Fraction) -> Fraction:
    return t0 - t1 if instrument in LOWER_IS_BETTER else t1 - t0


def instrument_mean(per_traject: dict[tuple[str, str], Pair], instrument: str) -> Pair | None:
    """ "without `onderdeel` the mean over the onderdelen measured at both moments is used".
    DOCS SILENT on the year of such a mean when its onderdelen have T1s in different years:
    taken as the latest T1 year."""
    found = [p for (i, o), p in per_traject.items() if i == instrument and o is not None]
    if not found:
        return None
    n = len(found)
    return Pair(
        sum((p.t0 for p in found), Fraction(0)) / n,
        sum((p.t1 for p in found), Fraction(0)) / n,
        max(p.jaar for p in found),
    )


def meets(c: dict, instrument: str, p: Pair) -> bool:
    """Criteria fields t0_min, t0_max, t1_min, t1_max "on the instrument's own scale" and
    min_verbetering "in the direction of better", compared exactly as decimals."""
    checks = [
        ("t0_min", lambda b: p.t0 >= b),
        ("t0_max", lambda b: p.t0 <= b),
        ("t1_min", lambda b: p.t1 >= b),
        ("t1_max", lambda b: p.t1 <= b),
        ("min_verbetering", lambda b: improvement(instrument, p.t0, p.t1) >= b),
    ]
    return all(c.get(name) is None or ok(exact(c[name])) for name, ok in checks)


# ------------------------------------------------------------------------------ recompute


@dataclass
class ProjectYear:
    domein: str | None
    interventie: str | None
    deelnemers: int = 0
    deelnemers_gemeten: int = 0
    deelnemers_verbeterd: int = 0
    trajecten_afgerond: int = 0
    kosten: dict[str, Fraction] = field(default_factory=dict)  # scenario → costs
    baten: dict[str, Fraction] = field(default_factory=dict)
    transfers: dict[str, Fraction] = field(default_factory=dict)
    # (uitkomst) → quantity; (uitkomst, baathebber) → basis pv
    hoeveelheid: dict[str, Fraction] = field(default_factory=dict)
    clients: set[str] = field(default_factory=set)  # active in the year
    pv: dict[tuple[str, str], Fraction] = field(default_factory=dict)
    # basis baten with deadweight or attributie set to 0 in every outcome
    baten_without: dict[str, Fraction] = field(default_factory=dict)
    # MKBA by reference: the people reached (0: measured) and each quantity's basis
    bereikt: int = 0
    basis: dict[str, str] = field(default_factory=dict)

    def ncw(self, scenario: str = "basis") -> Fraction:
        return self.baten[scenario] - self.kosten[scenario]

    def bkr(self, scenario: str = "basis") -> Fraction | None:
        """docs step 5: bkr = baten / kosten (null when kosten = 0)."""
        k = self.kosten[scenario]
        return None if k == 0 else self.baten[scenario] / k


def applies(pw: dict, domein: str | None, interventie: str | None) -> bool:
    """DOCS SILENT in the method text: the YAML example gives every pathway a `domein` and
    optional `interventies` ("only these interventions"); taken as: a pathway applies to
    the project-years of projects in its own domain (and, if listed, those interventions)."""
    if pw["domein"] != domein:
        return False
    return pw.get("interventies") is None or interventie in pw["interventies"]


def active_years(t: dict, until: int) -> range:
    """DOCS SILENT on "a trajectory active in the year": taken as every year from the year of
    startdatum to the year of einddatum (or, while it runs, to `until`: the last year)."""
    last = t["einddatum"].year if t["einddatum"] is not None else until
    return range(t["startdatum"].year, last + 1)


def recompute(data: Data, params: Params) -> dict[Key, ProjectYear]:
    # docs step 1: "Every organisatie × project × jaar with inzet or kosten rows is one
    # project-year."
    keys = {(r["organisatie_id"], r["project_id"], int(r["jaar"])) for r in data.inzet}
    keys |= {(r["organisatie_id"], r["project_id"], int(r["jaar"])) for r in data.kosten}
    out: dict[Key, ProjectYear] = {}
    for org, proj, year in keys:
        p = data.project.get((org, proj), {})
        out[(org, proj, year)] = ProjectYear(p.get("domein"), p.get("interventie"))

    measured = pairs(data)
    _costs(data, params, out)
    _counts(data, measured, out)
    _benefits(data, measured, params, out)
    return out


def _costs(data: Data, params: Params, out: dict[Key, ProjectYear]) -> None:
    """docs step 2: own kosten lines (indexed from their year to the price year); paid staff
    without own `personeel` lines: fte_betaald × the cost per FTE; volunteers without own
    `vrijwilligers` lines: volunteers × (coordination + expenses)."""
    own: dict[Key, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    for r in data.kosten:
        key = (r["organisatie_id"], r["project_id"], int(r["jaar"]))
        own[key][r["kostensoort"]] += exact(r["bedrag"]) * params.index(int(r["jaar"]))
    fte: dict[Key, Fraction] = defaultdict(Fraction)
    vol: dict[Key, Fraction] = defaultdict(Fraction)
    for r in data.inzet:
        key = (r["organisatie_id"], r["project_id"], int(r["jaar"]))
        fte[key] += exact(r["fte_betaald"] or 0)
        vol[key] += exact(r["vrijwilligers"] or 0)
    for key, py in out.items():
        lines = own.get(key, {})
        for scenario in LEVELS:
            # costs: the scenario laag takes the high cost per FTE (docs step 7)
            lvl = {"laag": "hoog", "basis": "basis", "hoog": "laag"}[scenario]
            total = sum(lines.values(), Fraction(0))
            if "personeel" not in lines:
                total += fte[key] * params.cost_param("fte", lvl)
            if "vrijwilligers" not in lines:
                total += vol[key] * (
                    params.cost_param("vrijwilliger_coordinatie", lvl)
                    + params.cost_param("vrijwilliger_onkosten", lvl)
                )
            py.kosten[scenario] = total


def _counts(data: Data, all_pairs: dict, out: dict[Key, ProjectYear]) -> None:
    """docs "The result": deelnemers are distinct client_pseudoniem with a trajectory active
    in the year; deelnemers_gemeten those with a T0 and a T1 (T1 in the year);
    deelnemers_verbeterd those of them whose mean score on at least one instrument improved.
    DOCS SILENT on trajecten_afgerond: taken as trajectories that ended in the year with
    reden_einde = afgerond (the rule of step 3's traject pathways)."""
    last_year = max(k[2] for k in out)
    active: dict[Key, set[str]] = defaultdict(set)
    ended: dict[Key, int] = defaultdict(int)
    for (org, _tid), t in data.traject.items():
        for year in active_years(t, last_year):
            if (org, t["project_id"], year) in out:
                active[(org, t["project_id"], year)].add(t["client_pseudoniem"])
        if t["einddatum"] is not None and t["reden_einde"] == "afgerond":
            ended[(org, t["project_id"], t["einddatum"].year)] += 1
    measured: dict[Key, set[str]] = defaultdict(set)
    improved: dict[Key, set[str]] = defaultdict(set)
    for (org, tid), per in all_pairs.items():
        t = data.traject.get((org, tid))
        if t is None:
            continue
        for (instrument, onderdeel), mean in per.items():
            if onderdeel is not None:
                continue
            key = (org, t["project_id"], mean.jaar)
            measured[key].add(t["client_pseudoniem"])
            if improvement(instrument, mean.t0, mean.t1) > 0:
                improved[key].add(t["client_pseudoniem"])
    for key, py in out.items():
        py.clients = active.get(key, set())
        py.deelnemers = len(py.clients)
        py.deelnemers_gemeten = len(measured.get(key, ()))
        py.deelnemers_verbeterd = len(improved.get(key, ()))
        py.trajecten_afgerond = ended.get(key, 0)


def _quantities(data: Data, all_pairs: dict, params: Params, out: dict[Key, ProjectYear]) -> None:
    """docs step 3 and the YAML reference: the quantity of each pathway per project-year."""
    for pw in params.pathways():
        rule = pw["hoeveelheid"]
        code = pw["code"]
        found: dict[Key, Fraction] = defaultdict(Fraction)
        if rule["bron"] == "meting":
            # "a trajectory counts once if any criterion holds"; telling deelnemers: a count
            # (of distinct participants, see below), verbetering: a sum of improvement
            clients: dict[Key, set[str]] = defaultdict(set)
            gain: dict[Key, Fraction] = defaultdict(Fraction)
            for (org, tid), per in all_pairs.items():
                t = data.traject.get((org, tid))
                if t is None:
                    continue
                best: dict[int, Fraction] = {}  # year → best improvement of the trajectory
                for c in rule["criteria"]:
                    instrument = c["instrument"]
                    if c.get("onderdeel") is not None:
                        p = per.get((instrument, normalise(c["onderdeel"])))
                    else:
                        p = per.get((instrument, None))
                    if p is None or not meets(c, instrument, p):
                        continue
                    g = improvement(instrument, p.t0, p.t1)
                    best[p.jaar] = max(best.get(p.jaar, g), g)
                for year, g in best.items():
                    key = (org, t["project_id"], year)
                    clients[key].add(t["client_pseudoniem"])
                    gain[key] += g
            if rule.get("telling", "deelnemers") == "deelnemers":
                # DOCS SILENT: "deelnemers (count)": taken as distinct participants (as the
                # deelnemers column), not trajectories
                found = {k: Fraction(len(v)) for k, v in clients.items()}
            else:
                # the pathway's own afleiding: "netto, niet negatief"
                found = {k: max(v, Fraction(0)) for k, v in gain.items()}
        elif rule["bron"] == "traject":
            bands = rule.get("leeftijdsklassen")
            for (org, _tid), t in data.traject.items():
                if t["einddatum"] is None or t["reden_einde"] not in rule["reden_einde"]:
                    continue
                if bands is not None and t["leeftijdsklasse"] not in bands:
                    continue
                found[(org, t["project_id"], t["einddatum"].year)] += 1
        else:  # deelnemers: distinct clients active in the year (in the age bands)
            bands = rule.get("leeftijdsklassen")
            last_year = max(k[2] for k in out)
            clients = defaultdict(set)
            for (org, _tid), t in data.traject.items():
                if bands is not None and t["leeftijdsklasse"] not in bands:
                    continue
                for year in active_years(t, last_year):
                    clients[(org, t["project_id"], year)].add(t["client_pseudoniem"])
            found = {k: Fraction(len(v)) for k, v in clients.items()}
        for key, py in out.items():
            if applies(pw, py.domein, py.interventie):
                py.hoeveelheid[code] = Fraction(found.get(key, 0))


def _benefits(data: Data, all_pairs: dict, params: Params, out: dict[Key, ProjectYear]) -> None:
    """docs steps 4-6: PV per outcome; baten = welfare outcomes only; transfers apart (the
    gross amount shifted) and per stakeholder (+ for the gemeente, − for the client);
    counted outcomes (eenheidswaarde null) add nothing in euros."""
    _quantities(data, all_pairs, params, out)
    _by_reference(data, params, out)
    per_unit = {
        pw["code"]: {s: pv_per_unit(pw, params, s) for s in LEVELS} for pw in params.pathways()
    }
    per_unit_without = {
        (pw["code"], kind): pv_per_unit(pw, params, "basis", kind)
        for pw in params.pathways()
        for kind in SWITCHING
    }
    by_code = {pw["code"]: pw for pw in params.pathways()}
    for py in out.values():
        for s in LEVELS:
            py.baten[s] = Fraction(0)
            py.transfers[s] = Fraction(0)
        for kind in SWITCHING:
            py.baten_without[kind] = sum(
                (
                    q * per_unit_without[(code, kind)]
                    for code, q in py.hoeveelheid.items()
                    if per_unit_without[(code, kind)] is not None
                    and not by_code[code].get("transfer")
                ),
                Fraction(0),
            )
        for code, q in py.hoeveelheid.items():
            pw = by_code[code]
            for s in LEVELS:
                unit = per_unit[code][s]
                if unit is None:
                    continue
                pv = q * unit
                if pw.get("transfer"):
                    py.transfers[s] += pv
                else:
                    py.baten[s] += pv
            unit = per_unit[code]["basis"]
            if unit is not None:
                for who, share in pw["baathebbers"].items():
                    py.pv[(code, who)] = q * unit * exact(share)


# ------------------------------------------------------------------------------ by reference

MIN_ORGANISATIONS = 5  # docs "MKBA by reference": "at least 5 organisations contribute"


def _reach(data: Data) -> dict[Key, int]:
    """docs "People reached": `bereikt` of the realised totals row of projectopgave; without
    one, the sum of `unieke_deelnemers` of the activities that started in the year; of
    several totals rows the largest."""
    sheet: dict[Key, int] = {}
    for r in data.projectopgave:
        if r["soort"] == "realisatie" and r["uitkomst"] is None and r["bereikt"] is not None:
            key = (r["organisatie_id"], r["project_id"], int(r["jaar"]))
            sheet[key] = max(sheet.get(key, 0), int(r["bereikt"]))
    activities: dict[Key, int] = defaultdict(int)
    for r in data.activiteit:
        if r["unieke_deelnemers"] is not None:
            key = (r["organisatie_id"], r["project_id"], r["startdatum"].year)
            activities[key] += int(r["unieke_deelnemers"])
    reach = dict(activities) | sheet
    return {k: v for k, v in reach.items() if v > 0}


def _rates(out: dict[Key, ProjectYear]) -> dict[tuple[str, str], Fraction]:
    """docs "The sector rate": per intervention × outcome, over the complete project-years
    with participants, Σ quantity / Σ participants, where at least 5 organisations
    contribute. Called before any project-year is given a reach, so measured ones only."""
    per_org: dict[tuple, list] = defaultdict(lambda: [Fraction(0), 0])
    for (org, _proj, _year), py in out.items():
        if py.deelnemers == 0 or py.kosten["basis"] == 0:
            continue
        for code, q in py.hoeveelheid.items():
            acc = per_org[(py.interventie, code, org)]
            acc[0] += q
            acc[1] += py.deelnemers
    pooled: dict[tuple[str, str], list] = defaultdict(lambda: [Fraction(0), 0, 0])
    for (iv, code, _org), (q, n) in per_org.items():
        acc = pooled[(iv, code)]
        acc[0] += q
        acc[1] += n
        acc[2] += 1
    return {k: q / n for k, (q, n, orgs) in pooled.items() if orgs >= MIN_ORGANISATIONS}


def _by_reference(data: Data, params: Params, out: dict[Key, ProjectYear]) -> None:
    """docs "MKBA by reference": a project-year without an active trajectory but with people
    reached takes, per applicable pathway, the organisation's own count (at most the people
    reached), else the sector rate × people reached, else a literature rate × people
    reached, else no quantity; its participants are the people reached."""
    rates = _rates(out)
    reach = _reach(data)
    own: dict[tuple, int] = {}
    for r in data.projectopgave:
        if r["soort"] == "realisatie" and r["uitkomst"] is not None and r["aantal"] is not None:
            key = (r["organisatie_id"], r["project_id"], int(r["jaar"]), r["uitkomst"])
            own[key] = max(own.get(key, 0), int(r["aantal"]))
    literature = {
        pw["code"]: exact(pw["referentie"]["basis"])
        for pw in params.pathways()
        if (pw.get("referentie") or {}).get("basis") is not None
    }
    for key, py in out.items():
        for code in py.hoeveelheid:
            py.basis[code] = "gemeten"
        if py.deelnemers or key not in reach:
            continue
        n = reach[key]
        py.deelnemers = py.bereikt = n
        quantities, basis = {}, {}
        for code in py.hoeveelheid:
            if key + (code,) in own:
                quantities[code], basis[code] = Fraction(min(own[key + (code,)], n)), "opgegeven"
            elif (py.interventie, code) in rates:
                quantities[code] = rates[(py.interventie, code)] * n
                basis[code] = "referentie sector"
            elif code in literature:
                quantities[code], basis[code] = literature[code] * n, "referentie literatuur"
        py.hoeveelheid, py.basis = quantities, basis
