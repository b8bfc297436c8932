"""The words the reports share: the sector's name for the ratio (the Sociaal Werk werkt! tool
calls baten/kosten the *rendementsfactor*), its definition, the whole-period convention, and
why a ratio is missing."""

from __future__ import annotations

from rendement.core.formatting import nl_number, nl_percent
from rendement.mkba.status import INCOMPLETE

RATIO = "Rendementsfactor"
RATIO_LABEL = "Rendementsfactor (baten/kosten)"
# For narrow column headers: may break as "Rendements-/factor" (a soft hyphen).
RATIO_HEADER = "Rendements\u00adfactor (baten/kosten)"
DEFINITION = (
    "De rendementsfactor is de contante waarde van de baten gedeeld door die van de kosten: "
    "wat elke geïnvesteerde euro de samenleving oplevert."
)
WHOLE_PERIOD = (
    "Over de hele looptijd tellen de kosten in het jaar waarin ze zijn betaald en de baten in "
    "het jaar van de T1-meting (de eindmeting); alles is verdisconteerd naar het eerste jaar "
    "van het project."
)


def missing_ratio_reason(row: dict) -> str:
    """Why a project's rendementsfactor is missing: the engine's `reden` when it gives one,
    else what the row itself shows (no costs, no benefits)."""
    reden = row.get("reden")
    if reden:
        return str(reden)
    jaar = row.get("jaar")
    period = f" over {jaar}" if jaar is not None else ""
    kosten = row.get("kosten")
    if kosten is None or kosten == 0:
        return f"geen kosten{period} aangeleverd"
    if row.get("baten") is None:
        return f"geen baten{period} berekend"
    return "niet te berekenen"


def status_text(row: dict) -> str:
    """`onvolledig: <reden>` for an incomplete project(-year), else the reason a ratio is
    missing, else empty."""
    if row.get("status") == INCOMPLETE:
        return f"{INCOMPLETE}: {missing_ratio_reason(row)}"
    if row.get("bkr") is None and "bkr" in row:
        return f"geen rendementsfactor: {missing_ratio_reason(row)}"
    return ""


def switch_share_text(value: float, what: str, now: str = "") -> str:
    """A correction (deadweight, attributie) at which the rendementsfactor becomes 1, in
    words: `62 % (nu 30–50 %)`; below 0: it stays under 1 even without it."""
    if value < 0:
        return f"blijft onder 1, ook zonder {what}"
    if value >= 1:
        return f"blijft boven 1, ook bij 100 % {what}"
    return nl_percent(value, 0) + (f" (nu {now})" if now else "")


def switch_factor_text(value: float) -> str:
    """The factor on all unit values at which the rendementsfactor becomes 1: `× 0,80 (20 %
    lager)`."""
    change = value - 1
    step = nl_percent(abs(change), 0)
    if step == nl_percent(0, 0):
        return f"× {nl_number(value, 2)}"
    return f"× {nl_number(value, 2)} ({step} {'hoger' if change > 0 else 'lager'})"


SWITCH_NOTE = (
    "Schakelwaarden: de waarde waarbij de rendementsfactor precies 1 wordt (baten gelijk aan "
    "kosten) als al het andere gelijk blijft. Ligt de rendementsfactor nu boven 1, dan ziet u "
    "hoeveel tegenvaller hij verdraagt; ligt hij onder 1, hoeveel gunstiger het zou moeten "
    "zijn. 'Blijft onder 1, ook zonder deadweight': zelfs als niets van het effect ook zonder "
    "het project was gebeurd, blijven de baten kleiner dan de kosten. Alle eenheidswaarden "
    "× 0,80: alle euro's per uitkomst 20 % lager."
)


# ------------------------------------------------------------------------------- outcomes

TRANSFER = "overdracht"
# Units of counted outcomes (the parameter set's `eenheid`) that are plural nouns, in the
# singular: "1 jongere", not "1 jongeren".
_SINGULAR_UNITS = {
    "jongeren": "jongere",
    "trajecten": "traject",
    "afgeronde schuldtrajecten": "afgerond schuldtraject",
    "treden op de participatieladder": "trede op de participatieladder",
}


def unit_for(quantity: float | None, unit: str | None) -> str:
    """The unit of a quantity as it reads after the number: singular for exactly one."""
    if not unit:
        return ""
    if quantity is not None and abs(float(quantity)) == 1:
        return _SINGULAR_UNITS.get(unit, unit)
    return unit


def outcome_label(name: str, is_transfer: bool) -> str:
    """An outcome's name, marked `(overdracht)` once when it is a transfer (the parameter set
    already says so in some names)."""
    if not is_transfer or TRANSFER in name.lower():
        return name
    return f"{name} ({TRANSFER})"


def project_label(project_id: str, names: dict[str, str]) -> str:
    """`P001 · Maatjes De Hoven`: a project's code with its name where it has one."""
    name = names.get(project_id)
    return f"{project_id} · {name}" if name else project_id
