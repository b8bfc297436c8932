"""The pre-flight's findings on a submitted project sheet put back on the form: each row error
at the field it came from (found by the sheet and row the workbook gave that field, and the
column the finding names), so the person reads the pipeline's own Dutch rule text next to what
they typed. What belongs to no field (a row carried along unchanged, a refusal of the whole
file) goes to the summary at the top."""

from __future__ import annotations

from dataclasses import dataclass, field

from rendement.service.projectblad import (
    COLUMNS,
    INZET,
    OUTCOME_FIELDS,
    PROJECT_FIELDS,
    TOTALS,
    WORDS,
    Place,
)


@dataclass
class Findings:
    """Pre-flight findings placed on the form: per field name (or row prefix) the messages;
    what belongs to no field in `general`."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)  # (field name, line) in order
    more: int = 0  # findings counted but not listed one by one (the report lists 5 per rule)

    def at(self, name: str) -> list[str]:
        return self.fields.get(name, [])

    def put(self, name: str, label: str, text: str) -> None:
        self.fields.setdefault(name, []).append(text)
        self.summary.append((name, f"{label}: {text}"))

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)


def _field_of(place: Place, kolom: str | None) -> str | None:
    """The form field a finding's column names, on the row at `place`."""
    if place.prefix is None or not kolom:
        return None
    wanted = kolom.strip().lower()
    for (table, name), col in COLUMNS.items():
        if table != place.table or wanted not in (col.header.lower(), name, col.field):
            continue
        if place.table == "project":
            if name == "project_id":
                return f"{place.prefix}.id"
            return f"{place.prefix}.{name}" if name in PROJECT_FIELDS else None
        if place.table == "kosten":
            return place.prefix if name == "bedrag" else None
        if place.table == "inzet" and name in INZET:
            return f"{place.prefix}.{name}"
        if place.table == "projectopgave" and name in (*TOTALS, WORDS, *OUTCOME_FIELDS, "soort"):
            if name == "soort":
                return f"{place.prefix.split('.u')[0]}.soort"
            return f"{place.prefix}.{name}"
        return None
    return None


def errors_by_field(
    document: dict, places: dict[tuple[str, int], Place], stored_name: str, shown_name: str
) -> Findings:
    """The pre-flight document's row errors (and file-level refusals) put on the form.
    Warnings are left to the receipt: they do not stop a delivery."""
    out = Findings()

    def say(text: str) -> str:
        return str(text or "").replace(stored_name, shown_name)

    for reason in document.get("redenen") or []:
        out.general.append(say(reason))
    if document.get("oordeel") == "geweigerd" and document.get("melding"):
        out.general.append(say(document["melding"]))
    for rule in document.get("regels") or []:
        if rule.get("ernst") not in ("fout", "bestand"):
            continue
        listed = 0
        for ex in rule.get("voorbeelden") or []:
            if ex.get("rij") is None:
                continue  # the file-level sentence is in `redenen` already
            listed += 1
            place = places.get((ex.get("blad") or "", int(ex["rij"])))
            text = say(ex.get("melding") or rule.get("titel"))
            where = f"blad {ex.get('blad')}, rij {ex['rij']}, kolom {ex.get('kolom') or '–'}"
            if place is None:
                out.general.append(f"{where}: {text}")
                continue
            if place.prefix is None:
                out.general.append(f"{place.label} ({where}): {text}")
                continue
            name = _field_of(place, ex.get("kolom")) or place.prefix
            out.put(name, place.label, f"{text} ({where})")
        if listed and int(rule.get("aantal") or 0) > listed:
            out.more += int(rule["aantal"]) - listed
    return out
