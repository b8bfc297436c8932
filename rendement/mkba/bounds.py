"""The bounds a parameter's value must lie within: for an organisation's own value (an
override, `rendement.mkba.overrides`) and for the standard set itself.

Two sources, one rule each:
- per kind of parameter, what its meaning allows (`KIND_BOUNDS`): a correction is a fraction,
  a duration whole years, an amount or a quantity factor is not negative and not absurd;
- per parameter, where its unit says more, a `grenzen: {min, max}` in its definition in the
  parameter file (a WELLBY per person per year is at most 10, the volunteer allowance at most
  the fiscal maximum). Those replace the kind's bounds.

Money bounds are in euros of the set's price year, as override values are. Bounds are
inclusive. A value outside them is refused with a Dutch message that names them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

LEVEL_NAMES = ("laag", "basis", "hoog")


@dataclass(frozen=True)
class Bounds:
    """Inclusive [min, max]; `whole`: only whole numbers (years). `why`: the reason, in Dutch."""

    min: float
    max: float
    why: str = ""
    whole: bool = False

    def problem(self, value: float) -> str | None:
        """Why `value` is not allowed (Dutch), or None."""
        if not math.isfinite(value):
            return "geen eindig getal"
        if self.whole and value != int(value):
            return "geen geheel getal"
        if not self.min <= value <= self.max:
            return f"buiten de grenzen {_plain(self.min)} tot en met {_plain(self.max)}"
        return None

    def text(self) -> str:
        return f"{_plain(self.min)} tot en met {_plain(self.max)}"


def _plain(value: float) -> str:
    """A bound in Dutch notation, without grouping (it is quoted in messages and forms)."""
    if value == int(value):
        return str(int(value))
    return f"{value:g}".replace(".", ",")


# What the meaning of each kind of parameter allows (see the parameter file's conventions).
KIND_BOUNDS: dict[str, Bounds] = {
    "duur": Bounds(
        1,
        10,
        "een effect telt hele jaren mee; geen bron in de set volgt een effect langer dan tien jaar",
        whole=True,
    ),
    "drop_off": Bounds(0, 1, "een fractie: 0 (geen afname) tot 1 (na één jaar verdwenen)"),
    "deadweight": Bounds(0, 0.99, "een fractie; 1 zou niets van de uitkomst overlaten"),
    "displacement": Bounds(0, 0.99, "een fractie; 1 zou niets van de uitkomst overlaten"),
    "attributie": Bounds(0, 0.99, "een fractie; 1 zou niets van de uitkomst overlaten"),
    "factor": Bounds(0, 10_000, "een hoeveelheid per deelnemer of traject, niet negatief"),
    "eenheidswaarde": Bounds(0, 100_000, "euro per eenheid, niet negatief"),
    "kosten": Bounds(0, 250_000, "euro per fte of vrijwilliger per jaar, niet negatief"),
}


def base_path(path: str) -> tuple[str, str | None]:
    """The parameter's path without its level, and the level (None: all three)."""
    parts = path.strip().split(".")
    level = parts.pop() if parts and parts[-1] in LEVEL_NAMES else None
    return ".".join(parts), level


def kind_of(path: str) -> str:
    base, _level = base_path(path)
    parts = base.split(".")
    return "kosten" if parts[0] == "kosten" else parts[-1]


def bounds_for(params: Any, path: str) -> Bounds:
    """The bounds of the parameter at `path` (an override path, with or without a level)."""
    base, _level = base_path(path)
    own = getattr(params, "grenzen", {}).get(base)
    return own if own is not None else KIND_BOUNDS[kind_of(path)]


def parse_bounds(raw: Any, errors: list) -> dict[str, Bounds]:
    """The `grenzen` of the parameter file's definitions, by parameter path; problems are
    appended to `errors` (the loader's list, reported together)."""
    if not isinstance(raw, dict):
        return {}
    found: dict[str, tuple[Any, str]] = {}
    for kind, item in (raw.get("kosten") or {}).items():
        if isinstance(item, dict) and "grenzen" in item:
            found[f"kosten.{kind}"] = (item["grenzen"], "kosten")
    for pathway in raw.get("uitkomsten") or []:
        if not isinstance(pathway, dict):
            continue
        code = pathway.get("code")
        items = {k: pathway.get(k) for k in KIND_BOUNDS if k not in ("factor", "kosten")}
        items["factor"] = (pathway.get("hoeveelheid") or {}).get("factor")
        for kind, item in items.items():
            if isinstance(item, dict) and "grenzen" in item:
                found[f"uitkomsten.{code}.{kind}"] = (item["grenzen"], kind)
    out = {}
    for path, (spec, kind) in found.items():
        lo = spec.get("min") if isinstance(spec, dict) else None
        hi = spec.get("max") if isinstance(spec, dict) else None
        numbers = all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in (lo, hi)
        )
        if not numbers or lo > hi:
            errors.append(f"{path}.grenzen: verwacht {{min: getal, max: getal}} met min <= max")
            continue
        default = KIND_BOUNDS[kind]
        why = str(spec.get("toelichting") or default.why)
        out[path] = Bounds(float(lo), float(hi), why, whole=default.whole)
    return out


def outside(params: Any) -> list[str]:
    """The standard values of `params` that lie outside their own bounds (Dutch messages):
    bounds that refuse the standard itself are wrong."""
    problems = []
    paths = [f"kosten.{k}" for k in params.kosten]
    for pathway in params.uitkomsten:
        kinds = ("eenheidswaarde", "factor", "duur", "drop_off", "deadweight", "displacement")
        paths += [f"uitkomsten.{pathway.code}.{k}" for k in (*kinds, "attributie")]
    for path in paths:
        param, _level = params.resolve(path)
        if param.is_null:
            continue
        bounds = bounds_for(params, path)
        for level in LEVEL_NAMES:
            why = bounds.problem(param.level(level))
            if why is not None:
                problems.append(f"{path}.{level}: standaardwaarde {why}")
    return problems
