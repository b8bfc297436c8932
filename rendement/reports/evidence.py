"""What a figure rests on, in words, and the grade it is shown with.

Every quantity of the MKBA has a basis (`mkba.uitkomst.basis`), every project-year the weakest
basis of its quantities (`mkba.project.basis`): `gemeten` (client trajectories and
measurements), `opgegeven` (the organisation's own aggregate count), `referentie sector` or
`referentie literatuur` (a reference rate times the people reached). The reports name it next
to each figure, and grade reference-based results lower, visibly:

* the grade of an outcome is the grade of its unit value's source (A, B, C; docs/mkba.md),
  lowered by one step for an own count (`opgegeven`: A → B, B → C) and set to C for a
  reference rate, whatever the source's grade, with the word that says why ("C, referentie");
* a measured outcome keeps its source's grade.

One place for these words, so the organisation page, the Impactkaart and the sector page
say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable

from rendement.mkba.reference import BASIS_RANK
from schemas.outputs import QUANTITY_BASES

MEASURED, REPORTED, SECTOR, LITERATURE = QUANTITY_BASES
GRADE_ORDER = ("A", "B", "C")

LABELS = {
    MEASURED: "gemeten",
    REPORTED: "opgegeven",
    SECTOR: "referentie (sector)",
    LITERATURE: "referentie (literatuur)",
}
EXPLAINED = {
    MEASURED: "gemeten: uit de trajecten en metingen van de organisatie",
    REPORTED: "opgegeven: de eigen telling van de organisatie, zonder meting per deelnemer",
    SECTOR: "referentie (sector): het gemiddelde effect bij gemeten projecten met dezelfde "
    "interventie, maal het aantal bereikte personen",
    LITERATURE: "referentie (literatuur): een bronwaarde per bereikt persoon, maal het aantal "
    "bereikte personen",
}
# The word next to a lowered grade.
_MARK = {REPORTED: "opgegeven", SECTOR: "referentie", LITERATURE: "referentie"}


def label(basis: str | None) -> str:
    return LABELS.get(basis or MEASURED, basis or MEASURED)


def is_reference(basis: str | None) -> bool:
    """Rests on something other than the project's own measurements."""
    return (basis or MEASURED) != MEASURED


def weakest(bases: Iterable[str | None]) -> str:
    """The weakest of several bases (`gemeten` when there are none)."""
    known = [b for b in bases if b in BASIS_RANK]
    return max(known, key=BASIS_RANK.__getitem__) if known else MEASURED


def grade(source_grade: str | None, basis: str | None) -> str | None:
    """The grade an outcome is shown with: its source's, lowered for an own count and C for a
    reference rate (None when the source has no grade and the outcome is measured)."""
    basis = basis or MEASURED
    if basis in (SECTOR, LITERATURE):
        return "C"
    if source_grade not in GRADE_ORDER:
        return None
    if basis == REPORTED:
        return GRADE_ORDER[min(GRADE_ORDER.index(source_grade) + 1, len(GRADE_ORDER) - 1)]
    return source_grade


def grade_text(source_grade: str | None, basis: str | None) -> str:
    """`graad B`, or with the reason it is lower: `graad C, referentie`."""
    shown = grade(source_grade, basis)
    if shown is None:
        return ""
    mark = _MARK.get(basis or MEASURED)
    return f"graad {shown}, {mark}" if mark else f"graad {shown}"


RULE = (
    "Graad: die van de bron van de waarde (A officieel of peer-reviewed, B studie in opdracht, "
    "C pers, secundair of aanname); een uitkomst die op de eigen telling van de organisatie "
    "rust krijgt één graad lager (opgegeven), een uitkomst op een referentie-effect altijd "
    "graad C (referentie): zulke cijfers zijn niet bij de deelnemers zelf gemeten."
)
# The same rule in short, for the Impactkaart (one A4, whose grade line already names the grades).
CARD_RULE = (
    "Op de eigen telling van de organisatie één graad lager (opgegeven), op een "
    "referentie-effect altijd graad C (referentie): niet bij de deelnemers zelf gemeten."
)


def source_grade(params, code: str) -> str | None:
    """The grade of an outcome's unit value in the parameter set (None for an outcome of
    another parameter version)."""
    try:
        return params.pathway(code).eenheidswaarde.graad
    except KeyError:
        return None
