"""The MKBA parameter set: load the analysts' YAML, validate it, index money to one price year.

The YAML file (`rendement/params/standaard-<versie>.yaml`) is the single place where unit
values, corrections, sources and grades live; this module turns it into frozen dataclasses that
the engine reads. Nothing here knows about domains: every outcome pathway is described by data.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from rendement.core.yamlfile import load_yaml
from rendement.mkba.bounds import Bounds, outside, parse_bounds
from schemas.vocabulary import AGE_BANDS, DOMAINS, END_REASONS, INSTRUMENTS, INTERVENTIONS

GRADES = ("A", "B", "C")
LEVELS = ("laag", "basis", "hoog")
QUANTITY_SOURCES = ("meting", "traject", "deelnemers")
COUNTINGS = ("deelnemers", "verbetering")
# The per-pathway parameters an engine varies, and whether a higher value raises the ratio.
PATHWAY_KINDS: dict[str, bool] = {
    "eenheidswaarde": True,
    "factor": True,
    "deadweight": False,
    "displacement": False,
    "attributie": False,
    "drop_off": False,
    "duur": True,
}
# Kinds whose values are reference figures that several pathways may quote (and then share
# one Monte Carlo draw: `ParameterSet.draw_slots`); corrections and durations are estimates of
# each pathway of its own, even where two happen to have the same range.
SHARED_KINDS = ("eenheidswaarde",)
CORRECTIONS = ("deadweight", "displacement", "attributie", "drop_off")
COST_KINDS = ("fte", "vrijwilliger_coordinatie", "vrijwilliger_onkosten")
STANDARD_PREFIX = "standaard-"


def normalise_code(text: str | None) -> str | None:
    """Lower-case ASCII code with underscores: 'Financiën' -> 'financien', 'Geestelijke
    gezondheid' -> 'geestelijke_gezondheid'. Used to match `meting.onderdeel`."""
    if text is None:
        return None
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or None


@dataclass(frozen=True)
class Param:
    """One parameter with a low/base/high range and where it comes from.

    Money parameters carry `valuta` and `prijsjaar`; `ParameterSet.in_price_year` converts them.
    A priced outcome whose value is unknown has all three levels None (it is counted instead).
    """

    laag: float | None
    basis: float | None
    hoog: float | None
    eenheid: str = ""
    valuta: str | None = None
    prijsjaar: int | None = None
    bron: str = ""
    graad: str | None = None
    toelichting: str = ""
    naam: str = ""

    @property
    def is_null(self) -> bool:
        return self.basis is None

    def level(self, name: str) -> float | None:
        return getattr(self, name)

    @classmethod
    def point(cls, value: float, **meta: Any) -> Param:
        return cls(value, value, value, **meta)


@dataclass(frozen=True)
class Criterion:
    """One way a measured trajectory qualifies: thresholds on its T0/T1 score and improvement.

    Thresholds are on the instrument's own scale; `min_verbetering` is in the direction of
    'better' (for De Jong Gierveld a drop of the score). Without `onderdeel` the trajectory's
    mean over all onderdelen measured at both moments is used.
    """

    instrument: str
    onderdeel: str | None = None
    t0_min: float | None = None
    t0_max: float | None = None
    t1_min: float | None = None
    t1_max: float | None = None
    min_verbetering: float | None = None


@dataclass(frozen=True)
class QuantityRule:
    """How the quantity of an outcome is derived from the canonical tables."""

    bron: str
    telling: str = "deelnemers"
    criteria: tuple[Criterion, ...] = ()
    reden_einde: tuple[str, ...] = ()
    leeftijdsklassen: tuple[str, ...] | None = None
    factor: Param = field(default_factory=lambda: Param.point(1.0, eenheid="", graad=None))


@dataclass(frozen=True)
class Pathway:
    """One outcome pathway: which quantity, what it is worth, to whom, and the corrections."""

    code: str
    naam: str
    domein: str
    interventies: tuple[str, ...] | None
    afleiding: str
    hoeveelheid: QuantityRule
    eenheidswaarde: Param
    transfer: bool
    baathebbers: dict[str, float]
    duur: Param
    drop_off: Param
    deadweight: Param
    displacement: Param
    attributie: Param
    correcties_bron: str = ""
    correcties_graad: str | None = None
    # Literature reference rate: quantity per person reached, for a project-year without
    # measurements and without a sector reference (rendement.mkba.reference); null when none.
    referentie: Param = Param(None, None, None)

    @property
    def gewaardeerd(self) -> bool:
        """Priced in euro (True) or only counted (False)."""
        return not self.eenheidswaarde.is_null

    def param(self, kind: str) -> Param:
        return self.hoeveelheid.factor if kind == "factor" else getattr(self, kind)

    def applies_to(self, domein: str | None, interventie: str | None) -> bool:
        if domein != self.domein:
            return False
        return self.interventies is None or interventie in self.interventies


@dataclass(frozen=True)
class LabourMarket:
    """The labour-market effects read from the outcome pathways (never priced again, never
    added to the benefits: they restate outcomes already in the MKBA in other units).

    - `betaald_werk`: pathways whose quantity is people who moved into paid work;
    - `vermeden_zorg`: pathways whose value is professional care avoided (euros, first year
      after corrections), converted to hours with `uurprijs` (euro per hour of care, a money
      parameter) and to FTE with `uren_per_fte` (hours a full-time care worker works a year).
    """

    betaald_werk: tuple[str, ...]
    vermeden_zorg: tuple[str, ...]
    uurprijs: Param
    uren_per_fte: Param
    toelichting: str = ""


@dataclass(frozen=True)
class ParameterSet:
    """A validated, versioned parameter set. Use `load_parameters` to get one."""

    version: str
    naam: str
    price_year: int
    discount_rate: float
    discontovoet_bron: str
    discontovoet_graad: str
    prijsindex: dict[int, float]
    prijsindex_naam: str
    prijsindex_bron: str
    prijsindex_graad: str
    wisselkoersen: dict[str, dict[int, float]]
    wisselkoers_bron: str
    wisselkoers_graad: str
    baathebbers: dict[str, str]
    kosten: dict[str, Param]
    uitkomsten: tuple[Pathway, ...]
    pad: Path | None = None
    # The parameters' own bounds from the file (`grenzen`), by path (`rendement.mkba.bounds`).
    grenzen: dict[str, Bounds] = field(default_factory=dict)
    arbeidsmarkt: LabourMarket | None = None  # optional section `arbeidsmarkt`

    # -- indexing --------------------------------------------------------------------------
    def index_factor(self, year: int) -> float:
        """Multiply a euro amount of `year` by this to express it in euros of `price_year`.

        Years after the last index year use the last index (factor 1 at the price year);
        years before the first are an error.
        """
        years = sorted(self.prijsindex)
        if year < years[0]:
            raise ValueError(f"prijsindex begint in {years[0]}, geen index voor {year}")
        year = min(year, years[-1])
        return self.prijsindex[self.price_year] / self.prijsindex[year]

    def to_price_year(self, value: float | None, param: Param) -> float | None:
        """A money value of `param` (own currency and price year) in euros of the price year."""
        if value is None:
            return None
        rate = 1.0
        if param.valuta and param.valuta != "EUR":
            rate = self.wisselkoersen[param.valuta][param.prijsjaar]
        year = param.prijsjaar if param.prijsjaar is not None else self.price_year
        return value * rate * self.index_factor(year)

    def in_price_year(self, param: Param) -> Param:
        """The parameter with its money levels converted to euros of the price year."""
        if param.valuta is None and param.prijsjaar is None:
            return param
        return replace(
            param,
            laag=self.to_price_year(param.laag, param),
            basis=self.to_price_year(param.basis, param),
            hoog=self.to_price_year(param.hoog, param),
            valuta="EUR",
            prijsjaar=self.price_year,
        )

    # -- lookup ----------------------------------------------------------------------------
    def pathway(self, code: str) -> Pathway:
        for p in self.uitkomsten:
            if p.code == code:
                return p
        raise KeyError(code)

    def draw_slots(self, kind: str) -> list[int]:
        """Per pathway, the pathway whose uniform number it draws with in the Monte Carlo.

        Every parameter is drawn once per iteration. A pathway's own parameters are its own;
        but a reference value quoted by several pathways (the same unit value with the same
        range, unit, currency, price year and source: the WELLBY of four pathways) is one
        parameter, so all of them take the draw of the first. Drawing it once per pathway
        would let the errors cancel and make intervals too narrow.
        """
        if kind not in SHARED_KINDS:
            return list(range(len(self.uitkomsten)))
        first: dict[tuple, int] = {}
        slots = []
        for i, pathway in enumerate(self.uitkomsten):
            p = pathway.param(kind)
            if p.is_null:
                slots.append(i)
                continue
            key = (p.laag, p.basis, p.hoog, p.eenheid, p.valuta, p.prijsjaar, p.bron)
            slots.append(first.setdefault(key, i))
        return slots

    # -- overrides -------------------------------------------------------------------------
    def resolve(self, path: str) -> tuple[Param, str | None]:
        """The parameter named by an override path and the level it names (None = all three).

        Paths: `kosten.<fte|vrijwilliger_coordinatie|vrijwilliger_onkosten>[.laag|.basis|.hoog]`
        and `uitkomsten.<code>.<eenheidswaarde|factor|duur|drop_off|deadweight|displacement|
        attributie>[.laag|.basis|.hoog]`. Money is in euros of the price year.
        """
        parts = path.strip().split(".")
        level = parts.pop() if parts and parts[-1] in LEVELS else None
        if len(parts) == 2 and parts[0] == "kosten" and parts[1] in self.kosten:
            return self.in_price_year(self.kosten[parts[1]]), level
        if len(parts) == 3 and parts[0] == "uitkomsten" and parts[2] in PATHWAY_KINDS:
            try:
                pathway = self.pathway(parts[1])
            except KeyError:
                raise ValueError(f"onbekende uitkomst in parameterpad {path!r}") from None
            return self.in_price_year(pathway.param(parts[2])), level
        raise ValueError(
            f"parameterpad {path!r} is niet aan te passen; gebruik kosten.<naam> of "
            "uitkomsten.<code>.<parameter>, eventueel met .laag/.basis/.hoog"
        )

    def with_overrides(self, items: list[tuple[str, float]]) -> ParameterSet:
        """A copy with the given (path, value) overrides applied (money in price-year euros)."""
        kosten = dict(self.kosten)
        pathways = {p.code: p for p in self.uitkomsten}
        for path, value in items:
            current, level = self.resolve(path)
            new = _set_level(current, level, float(value), path)
            parts = path.strip().split(".")
            if parts[-1] in LEVELS:
                parts.pop()
            if parts[0] == "kosten":
                kosten[parts[1]] = new
            else:
                pw = pathways[parts[1]]
                kind = parts[2]
                if kind == "factor":
                    pw = replace(pw, hoeveelheid=replace(pw.hoeveelheid, factor=new))
                else:
                    pw = replace(pw, **{kind: new})
                pathways[parts[1]] = pw
        return replace(
            self, kosten=kosten, uitkomsten=tuple(pathways[p.code] for p in self.uitkomsten)
        )


def _set_level(param: Param, level: str | None, value: float, path: str) -> Param:
    kind = path.strip().split(".")
    kind = [k for k in kind if k not in LEVELS][-1]
    if kind in CORRECTIONS and not 0.0 <= value <= 1.0:
        raise ValueError(f"{path}: een correctie ligt tussen 0 en 1, niet {value}")
    if kind == "duur" and (value < 1 or value != int(value)):
        raise ValueError(f"{path}: duur is een geheel aantal jaren >= 1, niet {value}")
    if kind not in CORRECTIONS and value < 0:
        raise ValueError(f"{path}: waarde mag niet negatief zijn ({value})")
    if level is None or param.is_null:
        return replace(param, laag=value, basis=value, hoog=value)
    levels = {name: param.level(name) for name in LEVELS}
    levels[level] = value
    # keep laag <= basis <= hoog: stretch the range around the new value
    if level == "basis":
        levels["laag"] = min(levels["laag"], value)
        levels["hoog"] = max(levels["hoog"], value)
    elif level == "laag":
        levels["basis"] = max(levels["basis"], value)
        levels["hoog"] = max(levels["hoog"], value)
    else:
        levels["basis"] = min(levels["basis"], value)
        levels["laag"] = min(levels["laag"], value)
    return replace(param, **levels)


# ---------------------------------------------------------------------------------- loading


def standard_parameter_path() -> Path:
    """The shipped standard set with the highest version."""
    folder = resources.files("rendement") / "params"
    files = [
        Path(str(f))
        for f in folder.iterdir()
        if f.name.startswith(STANDARD_PREFIX) and f.name.endswith(".yaml")
    ]
    if not files:
        raise FileNotFoundError("geen standaard parameterset in rendement/params/")

    def key(p: Path) -> tuple[int, ...]:
        raw = p.name[len(STANDARD_PREFIX) : -len(".yaml")]
        return tuple(int(x) if x.isdigit() else 0 for x in re.split(r"[.\-]", raw))

    return max(files, key=key)


def load_parameters(path: str | Path | None = None) -> ParameterSet:
    """Load and validate a parameter set (None = the shipped standard set).

    Raises ValueError listing every problem found, so an analyst fixes the file in one pass.
    """
    file = Path(path) if path is not None else standard_parameter_path()
    with open(file, encoding="utf-8") as fh:
        raw = load_yaml(fh)
    return parse_parameters(raw, pad=file)


class _Errors(list):
    def need(self, condition: bool, message: str) -> bool:
        if not condition:
            self.append(message)
        return condition


def _num(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    return float(value)


def _param(raw: Any, where: str, errors: _Errors, *, money: bool = False) -> Param:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = {"laag": raw, "basis": raw, "hoog": raw}
    if not errors.need(isinstance(raw, dict), f"{where}: verwacht laag/basis/hoog"):
        return Param(None, None, None)
    try:
        lo, mid, hi = (_num(raw.get(k)) for k in LEVELS)
    except TypeError as exc:
        errors.append(f"{where}: geen getal: {exc.args[0]!r}")
        return Param(None, None, None)
    nulls = [v is None for v in (lo, mid, hi)]
    if any(nulls):
        errors.need(all(nulls), f"{where}: laag, basis en hoog zijn alle drie leeg of gevuld")
        lo = mid = hi = None
    else:
        errors.need(lo <= mid <= hi, f"{where}: verwacht laag <= basis <= hoog ({lo}, {mid}, {hi})")
        errors.need(all(math.isfinite(v) for v in (lo, mid, hi)), f"{where}: oneindige waarde")
    graad = raw.get("graad")
    if graad is not None:
        errors.need(graad in GRADES, f"{where}: graad {graad!r} is niet A, B of C")
    prijsjaar = raw.get("prijsjaar")
    valuta = raw.get("valuta", "EUR" if money else None)
    if money and mid is not None:
        errors.need(isinstance(prijsjaar, int), f"{where}: prijsjaar ontbreekt")
        errors.need(bool(raw.get("bron")), f"{where}: bron ontbreekt")
        errors.need(graad in GRADES, f"{where}: graad ontbreekt")
    return Param(
        lo,
        mid,
        hi,
        eenheid=str(raw.get("eenheid", "")),
        valuta=valuta if money else None,
        prijsjaar=prijsjaar if money else None,
        bron=str(raw.get("bron", "") or ""),
        graad=graad,
        toelichting=str(raw.get("toelichting", "") or "").strip(),
        naam=str(raw.get("naam", "") or ""),
    )


def _criterion(raw: Any, where: str, errors: _Errors) -> Criterion | None:
    if not errors.need(isinstance(raw, dict), f"{where}: criterium is geen mapping"):
        return None
    known = {"instrument", "onderdeel", "t0_min", "t0_max", "t1_min", "t1_max", "min_verbetering"}
    errors.need(not set(raw) - known, f"{where}: onbekende velden {sorted(set(raw) - known)}")
    instrument = raw.get("instrument")
    errors.need(instrument in INSTRUMENTS, f"{where}: onbekend instrument {instrument!r}")
    try:
        thresholds = {k: _num(raw.get(k)) for k in known - {"instrument", "onderdeel"}}
    except TypeError as exc:
        errors.append(f"{where}: geen getal: {exc.args[0]!r}")
        return None
    return Criterion(
        instrument=instrument, onderdeel=normalise_code(raw.get("onderdeel")), **thresholds
    )


def _rule(raw: Any, where: str, errors: _Errors) -> QuantityRule | None:
    if not errors.need(isinstance(raw, dict), f"{where}: hoeveelheid ontbreekt"):
        return None
    bron = raw.get("bron")
    errors.need(bron in QUANTITY_SOURCES, f"{where}: bron moet een van {QUANTITY_SOURCES} zijn")
    telling = raw.get("telling", "deelnemers")
    errors.need(telling in COUNTINGS, f"{where}: telling moet een van {COUNTINGS} zijn")
    criteria: list[Criterion] = []
    if bron == "meting":
        items = raw.get("criteria") or []
        errors.need(bool(items), f"{where}: een meting-hoeveelheid heeft criteria nodig")
        for i, item in enumerate(items):
            crit = _criterion(item, f"{where}.criteria[{i}]", errors)
            if crit is not None:
                criteria.append(crit)
    redenen = tuple(raw.get("reden_einde") or ())
    for r in redenen:
        errors.need(r in END_REASONS, f"{where}: onbekende reden_einde {r!r}")
    if bron == "traject":
        errors.need(bool(redenen), f"{where}: een traject-hoeveelheid noemt reden_einde")
    bands = raw.get("leeftijdsklassen")
    if bands is not None:
        bands = tuple(str(b) for b in bands)
        for b in bands:
            errors.need(b in AGE_BANDS, f"{where}: onbekende leeftijdsklasse {b!r}")
    factor = Param.point(1.0)
    if raw.get("factor") is not None:
        factor = _param(raw["factor"], f"{where}.factor", errors)
        errors.need(not factor.is_null, f"{where}.factor: leeg")
        errors.need(factor.is_null or factor.laag >= 0, f"{where}.factor: negatief")
    return QuantityRule(
        bron=bron,
        telling=telling,
        criteria=tuple(criteria),
        reden_einde=redenen,
        leeftijdsklassen=bands,
        factor=factor,
    )


def _pathway(raw: Any, i: int, stakeholders: dict[str, str], errors: _Errors) -> Pathway | None:
    where = f"uitkomsten[{i}]"
    if not errors.need(isinstance(raw, dict), f"{where}: geen mapping"):
        return None
    code = raw.get("code")
    errors.need(isinstance(code, str) and normalise_code(code) == code, f"{where}: code {code!r}")
    where = f"uitkomsten.{code}"
    domein = raw.get("domein")
    errors.need(domein in DOMAINS, f"{where}: onbekend domein {domein!r}")
    interventies = raw.get("interventies")
    if interventies is not None:
        interventies = tuple(interventies)
        allowed = INTERVENTIONS.get(domein, {})
        for it in interventies:
            errors.need(it in allowed, f"{where}: interventie {it!r} hoort niet bij {domein}")
    errors.need(bool(raw.get("naam")), f"{where}: naam ontbreekt")
    errors.need(
        bool(raw.get("afleiding")), f"{where}: afleiding (hoe de hoeveelheid ontstaat) ontbreekt"
    )
    rule = _rule(raw.get("hoeveelheid"), f"{where}.hoeveelheid", errors)
    value = _param(raw.get("eenheidswaarde"), f"{where}.eenheidswaarde", errors, money=True)
    errors.need(bool(value.bron), f"{where}.eenheidswaarde: bron ontbreekt (ook bij een telling)")
    errors.need(value.is_null or value.laag >= 0, f"{where}.eenheidswaarde: negatief")
    if not value.is_null:
        errors.need(
            value.valuta == "EUR" or value.valuta in _known_currencies,
            f"{where}.eenheidswaarde: onbekende valuta {value.valuta!r}",
        )
    transfer = raw.get("transfer", False)
    errors.need(isinstance(transfer, bool), f"{where}: transfer is true of false")
    shares = raw.get("baathebbers") or {}
    errors.need(bool(shares), f"{where}: baathebbers ontbreken")
    for bh in shares:
        errors.need(bh in stakeholders, f"{where}: onbekende baathebber {bh!r}")
    try:
        shares = {str(k): float(v) for k, v in shares.items()}
    except (TypeError, ValueError):
        errors.append(f"{where}: aandeel per baathebber is een getal")
        shares = {}
    if shares and transfer:
        gains = sum(v for v in shares.values() if v > 0)
        errors.need(
            abs(gains - 1) < 1e-9 and abs(sum(shares.values())) < 1e-9,
            f"{where}: een overdracht verdeelt +1 over winnaars en -1 over verliezers",
        )
    elif shares:
        errors.need(
            all(v >= 0 for v in shares.values()) and abs(sum(shares.values()) - 1) < 1e-9,
            f"{where}: aandelen van baathebbers zijn >= 0 en tellen op tot 1",
        )
    corr: dict[str, Param] = {}
    for kind in ("duur", *CORRECTIONS):
        if raw.get(kind) is None and value.is_null:
            corr[kind] = Param.point(1.0 if kind == "duur" else 0.0)
            continue
        p = _param(raw.get(kind), f"{where}.{kind}", errors)
        if p.is_null:
            errors.append(f"{where}.{kind}: ontbreekt")
        elif kind == "duur":
            errors.need(
                all(v >= 1 and v == int(v) for v in (p.laag, p.basis, p.hoog)),
                f"{where}.duur: hele jaren >= 1",
            )
        else:
            errors.need(0 <= p.laag and p.hoog <= 1, f"{where}.{kind}: tussen 0 en 1")
            errors.need(kind == "drop_off" or p.hoog < 1, f"{where}.{kind}: 1 laat niets over")
        corr[kind] = p
    correcties = raw.get("correcties") or {}
    if not value.is_null:
        errors.need(bool(correcties.get("bron")), f"{where}.correcties: bron ontbreekt")
        errors.need(correcties.get("graad") in GRADES, f"{where}.correcties: graad ontbreekt")
    if rule is None:
        return None
    return Pathway(
        code=code,
        naam=str(raw.get("naam", "")),
        domein=domein,
        interventies=interventies,
        afleiding=" ".join(str(raw.get("afleiding", "")).split()),
        hoeveelheid=rule,
        eenheidswaarde=value,
        transfer=bool(transfer),
        baathebbers=shares,
        duur=corr["duur"],
        drop_off=corr["drop_off"],
        deadweight=corr["deadweight"],
        displacement=corr["displacement"],
        attributie=corr["attributie"],
        correcties_bron=" ".join(str(correcties.get("bron", "")).split()),
        correcties_graad=correcties.get("graad"),
        referentie=_reference(raw.get("referentie"), f"{where}.referentie", errors),
    )


def _reference(raw: Any, where: str, errors: _Errors) -> Param:
    """An optional literature rate per person reached: a source and a grade are required."""
    if raw is None:
        return Param(None, None, None)
    param = _param(raw, where, errors)
    if not param.is_null:
        errors.need(param.laag >= 0, f"{where}: negatief")
        errors.need(bool(param.bron), f"{where}: bron ontbreekt")
        errors.need(param.graad in GRADES, f"{where}: graad ontbreekt")
    return param


def _labour(raw: Any, codes: set[str], errors: _Errors) -> LabourMarket | None:
    """The optional section `arbeidsmarkt` (see `LabourMarket`)."""
    if raw is None:
        return None
    if not errors.need(isinstance(raw, dict), "arbeidsmarkt: verwacht een mapping"):
        return None
    lists = {}
    for part in ("betaald_werk", "vermeden_zorg"):
        section = raw.get(part) or {}
        found = list(section.get("uitkomsten") or []) if isinstance(section, dict) else []
        for code in found:
            errors.need(code in codes, f"arbeidsmarkt.{part}: onbekende uitkomst {code!r}")
        lists[part] = tuple(found)
    care = raw.get("vermeden_zorg") or {}
    price = _param(care.get("uurprijs"), "arbeidsmarkt.vermeden_zorg.uurprijs", errors, money=True)
    hours = _param(care.get("uren_per_fte"), "arbeidsmarkt.vermeden_zorg.uren_per_fte", errors)
    for where, p in (("uurprijs", price), ("uren_per_fte", hours)):
        where = f"arbeidsmarkt.vermeden_zorg.{where}"
        if errors.need(not p.is_null, f"{where}: ontbreekt"):
            errors.need(p.laag > 0, f"{where}: moet groter dan 0 zijn")
            errors.need(bool(p.bron), f"{where}: bron ontbreekt")
            errors.need(p.graad in GRADES, f"{where}: graad ontbreekt")
    if not hours.is_null:
        errors.need(
            hours.hoog <= 8784, "arbeidsmarkt.vermeden_zorg.uren_per_fte: meer uren dan een jaar"
        )
    return LabourMarket(
        betaald_werk=lists["betaald_werk"],
        vermeden_zorg=lists["vermeden_zorg"],
        uurprijs=price,
        uren_per_fte=hours,
        toelichting=" ".join(str(raw.get("toelichting", "") or "").split()),
    )


_known_currencies: set[str] = set()


def parse_parameters(raw: Any, pad: Path | None = None) -> ParameterSet:
    """Validate a parsed YAML mapping and build the ParameterSet."""
    errors = _Errors()
    if not isinstance(raw, dict):
        raise ValueError("parameterset: verwacht een mapping bovenaan het bestand")
    version = raw.get("versie")
    errors.need(
        isinstance(version, str) and bool(version), "versie ontbreekt (als tekst, bijv. '2026.1')"
    )
    price_year = raw.get("prijsjaar")
    errors.need(isinstance(price_year, int), "prijsjaar ontbreekt")
    disc = raw.get("discontovoet") or {}
    rate = disc.get("waarde") if isinstance(disc, dict) else disc
    errors.need(
        isinstance(rate, int | float) and 0 <= rate < 1, "discontovoet.waarde tussen 0 en 1"
    )
    index_raw = (raw.get("prijsindex") or {}).get("reeks") or {}
    index = {int(k): float(v) for k, v in index_raw.items()}
    errors.need(bool(index), "prijsindex.reeks ontbreekt")
    errors.need(price_year in index, f"prijsindex heeft geen waarde voor prijsjaar {price_year}")
    if index:
        years = sorted(index)
        errors.need(years == list(range(years[0], years[-1] + 1)), "prijsindex: jaren zonder gat")
    fx_raw = dict(raw.get("wisselkoersen") or {})
    fx_bron = str(fx_raw.pop("bron", "") or "")
    fx_graad = fx_raw.pop("graad", None)
    fx = {cur: {int(y): float(v) for y, v in rates.items()} for cur, rates in fx_raw.items()}
    _known_currencies.clear()
    _known_currencies.update(fx)
    stakeholders = {str(k): str(v) for k, v in (raw.get("baathebbers") or {}).items()}
    errors.need(bool(stakeholders), "baathebbers ontbreken")
    kosten: dict[str, Param] = {}
    for kind in COST_KINDS:
        p = _param((raw.get("kosten") or {}).get(kind), f"kosten.{kind}", errors, money=True)
        errors.need(not p.is_null, f"kosten.{kind}: ontbreekt")
        kosten[kind] = p
    pathways: list[Pathway] = []
    for i, item in enumerate(raw.get("uitkomsten") or []):
        pw = _pathway(item, i, stakeholders, errors)
        if pw is not None:
            pathways.append(pw)
    codes = [p.code for p in pathways]
    errors.need(len(codes) == len(set(codes)), "uitkomsten: dubbele code")
    errors.need(bool(pathways), "uitkomsten ontbreken")
    labour = _labour(raw.get("arbeidsmarkt"), set(codes), errors)
    money = [(f"kosten.{k}", v) for k, v in kosten.items()] + [
        (f"uitkomsten.{pw.code}.eenheidswaarde", pw.eenheidswaarde) for pw in pathways
    ]
    if labour is not None:
        money.append(("arbeidsmarkt.vermeden_zorg.uurprijs", labour.uurprijs))
    # every money parameter must be indexable
    for where, p in money:
        if p.is_null or p.prijsjaar is None:
            continue
        errors.need(p.prijsjaar in index, f"{where}: geen prijsindex voor {p.prijsjaar}")
        if p.valuta not in (None, "EUR"):
            errors.need(
                p.prijsjaar in fx.get(p.valuta, {}),
                f"{where}: geen wisselkoers {p.valuta} voor {p.prijsjaar}",
            )
    grenzen = parse_bounds(raw, errors)
    if errors:
        raise ValueError("parameterset ongeldig:\n- " + "\n- ".join(errors))
    params = ParameterSet(
        version=version,
        naam=str(raw.get("naam", "")),
        price_year=price_year,
        discount_rate=float(rate),
        discontovoet_bron=str(disc.get("bron", "")) if isinstance(disc, dict) else "",
        discontovoet_graad=str(disc.get("graad", "")) if isinstance(disc, dict) else "",
        prijsindex=index,
        prijsindex_naam=str(raw["prijsindex"].get("naam", "")),
        prijsindex_bron=" ".join(str(raw["prijsindex"].get("bron", "")).split()),
        prijsindex_graad=str(raw["prijsindex"].get("graad", "")),
        wisselkoersen=fx,
        wisselkoers_bron=fx_bron,
        wisselkoers_graad=str(fx_graad or ""),
        baathebbers=stakeholders,
        kosten=kosten,
        uitkomsten=tuple(pathways),
        pad=pad,
        grenzen=grenzen,
        arbeidsmarkt=labour,
    )
    if problems := outside(params):
        raise ValueError("parameterset ongeldig:\n- " + "\n- ".join(problems))
    return params
