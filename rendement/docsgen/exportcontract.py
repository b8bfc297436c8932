"""Generate the export-contract documentation from the pandera models (a field is described
once, in `schemas/tables.py`). `python -m rendement.docsgen.exportcontract` rewrites `docs/exportcontract.md`;
a test fails when the committed file is out of date."""

from __future__ import annotations

import sys
from pathlib import Path

from schemas.tables import MODELS
from schemas.vocabulary import (
    ACTIVITY_FORMS,
    AGE_BANDS,
    COST_TYPES,
    DOMAINS,
    END_REASONS,
    ESTABLISHED_BY,
    INSTRUMENTS,
    INTERVENTIONS,
    MOMENTS,
    OUTCOMES,
    RECOGNITION_LEVELS,
    SHEET_KINDS,
)

TYPE_NAMES = {
    "String": "tekst",
    "Float64": "getal (decimale komma)",
    "Int64": "geheel getal",
    "Date": "datum (dd-mm-jjjj)",
}

INTRO = """# Het exportcontract van de sector

<!-- Gegenereerd door `python -m rendement.docsgen.exportcontract` uit schemas/tables.py; niet met de hand wijzigen. -->

Elke organisatie levert per verslagjaar één CSV-bestand per tabel (`<tabel>_<jaar>.csv`) of één
XLSX-werkmap met een tabblad per tabel (`export_<jaar>.xlsx`). Conventies van Nederlandse Excel:
scheidingsteken `;`, decimale komma, datums als `dd-mm-jjjj`, UTF-8 (met of zonder BOM) of
Windows-1252. De kolom `organisatie_id` hoeft niet in het bestand: de pijplijn zet hem op grond
van de inbox waarin het bestand binnenkomt. In `traject` levert u het eigen cliëntnummer in
`client_id`; dat wordt bij binnenkomst vervangen door een pseudoniem (`client_pseudoniem`) en
nergens bewaard. Lever nooit een BSN, naam, adres of geboortedatum aan.

Voorbeeldbestanden per tabel staan in `docs/voorbeelden/`.

Registreert uw organisatie geen trajecten per cliënt, lever dan `activiteit` (activiteiten en
aanwezigheid) en/of `projectopgave` (per project en jaar: bereik, contacten, afgerond en
eventueel per uitkomst het aantal personen), naast `project`, `inzet` en `kosten`. Voor
`projectopgave` is er ook een Excel-sjabloon om met de hand in te vullen:
`rendement sjabloon PAD`.

Een `projectopgave` van soort `raming` (een plan vooraf, met eventueel een `begroting`) krijgt
een verwachte MKBA, die alleen in het eigen rapport en op de Impactkaart staat, als raming, en
nooit in een benchmark of release. In `kwalitatieve_effecten` beschrijft u in woorden wat het
project opleverde (hoogstens 2.000 tekens, zonder namen of BSN's); dat wordt getoond bij uw
rapport en nooit in euro's uitgedrukt.
"""


def _columns_table(table: str) -> str:
    schema = MODELS[table].to_schema()
    rows = ["| kolom | type | verplicht | betekenis |", "|---|---|---|---|"]
    for name, col in schema.columns.items():
        if table == "traject" and name == "client_pseudoniem":
            name, kind = "client_id", "tekst"
            desc = "Eigen cliëntnummer; wordt bij binnenkomst gepseudonimiseerd."
        else:
            kind = TYPE_NAMES.get(str(col.dtype), str(col.dtype))
            desc = col.description or ""
        required = "nee" if col.nullable else "ja"
        if name == "organisatie_id":
            required = "nee (gezet bij binnenkomst)"
        rows.append(f"| `{name}` | {kind} | {required} | {desc} |")
    return "\n".join(rows)


def _codes(title: str, codes: dict[str, str] | list[str]) -> str:
    items = codes.items() if isinstance(codes, dict) else ((c, "") for c in codes)
    lines = [f"### {title}", "", "| code | betekenis |", "|---|---|"]
    lines += [f"| `{code}` | {label} |" for code, label in items]
    return "\n".join(lines)


def render() -> str:
    parts = [INTRO]
    for table, model in MODELS.items():
        doc = (model.__doc__ or "").strip()
        parts.append(f"## Tabel `{table}`\n\n{doc}\n\n{_columns_table(table)}\n")
    parts.append("## Codelijsten\n")
    parts.append(_codes("domein", DOMAINS))
    for domain, interventions in INTERVENTIONS.items():
        parts.append(_codes(f"interventie (domein {domain})", interventions))
    parts.append(_codes("erkenning (Movisie)", RECOGNITION_LEVELS))
    parts.append(_codes("instrument", {k: v[0] for k, v in INSTRUMENTS.items()}))
    parts.append(_codes("moment", MOMENTS))
    parts.append(_codes("reden_einde", END_REASONS))
    parts.append(_codes("leeftijdsklasse", AGE_BANDS))
    parts.append(_codes("kostensoort", COST_TYPES))
    parts.append(_codes("vorm (activiteit)", ACTIVITY_FORMS))
    parts.append(_codes("soort (projectopgave)", SHEET_KINDS))
    parts.append(_codes("uitkomst (projectopgave; de uitkomstpaden van de MKBA)", OUTCOMES))
    parts.append(_codes("vastgesteld (projectopgave)", ESTABLISHED_BY))
    return "\n\n".join(parts).rstrip() + "\n"


TARGET = Path(__file__).resolve().parents[2] / "docs" / "exportcontract.md"


def main() -> int:
    TARGET.write_text(render(), "utf-8")
    print(f"geschreven: {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
