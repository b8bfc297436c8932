"""The verantwoording: the method in words and every parameter with its value, unit, price
year and source, generated from the parameter set (`rendement.mkba.verantwoording_*`), plus the
disclosure rules and how the reports' intervals are made."""

from __future__ import annotations

import re

import polars as pl

from rendement.benchmark.aggregates import BOOTSTRAP_DRAWS
from rendement.benchmark.disclosure import DisclosureRules
from rendement.core.formatting import DASH, nl_number
from rendement.mkba import verantwoording_markdown, verantwoording_table
from rendement.reports.context import Context
from rendement.reports.page import esc
from rendement.reports.tables import gt_html
from rendement.reports.words import WHOLE_PERIOD

GROUP_LABELS = {
    "algemeen": "Algemeen",
    "prijsindex": "Prijsindex",
    "wisselkoers": "Wisselkoersen",
    "kosten": "Kosten",
    "uitkomst": "Uitkomsten: waarde en correcties",
    "baathebber": "Uitkomsten: verdeling over baathebbers",
}

_INLINE = [
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
]


def _inline(text: str) -> str:
    out = esc(text)
    for pattern, repl in _INLINE:
        out = pattern.sub(repl, out)
    return out


def markdown_html(text: str, *, skip_title: bool = True) -> str:
    """The small Markdown subset `verantwoording_markdown` writes (headings, bullet lists,
    paragraphs, **bold**, `code`) as HTML. Everything is escaped first: no HTML in the text
    reaches the page, whatever the parameter file says."""
    html: list[str] = []
    paragraph: list[str] = []
    in_list = False

    def flush() -> None:
        nonlocal paragraph
        if paragraph:
            html.append("<p>" + _inline(" ".join(paragraph)) + "</p>")
            paragraph = []

    for line in text.splitlines():
        stripped = line.strip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        if heading or not stripped or stripped.startswith("- "):
            flush()
        if in_list and not stripped.startswith("- "):
            html.append("</ul>")
            in_list = False
        if heading:
            level = len(heading.group(1))
            if level == 1 and skip_title:
                continue
            level = min(level + (1 if level == 1 else 0), 4)
            html.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif stripped.startswith("- "):
            if not in_list:
                html.append("<ul>")
                in_list = True
            html.append("<li>" + _inline(stripped[2:]) + "</li>")
        elif stripped:
            paragraph.append(stripped)
    flush()
    if in_list:
        html.append("</ul>")
    return "\n".join(html)


def _value(v: float | None) -> str:
    if v is None:
        return DASH
    if abs(v) >= 1000 or float(v).is_integer():
        return nl_number(v, 0 if float(v).is_integer() else 2)
    if abs(v) >= 1:
        return nl_number(v, 2)
    return nl_number(v, 4).rstrip("0").rstrip(",") if v != 0 else "0"


def _split(omschrijving: str, groep: str, parameter: str) -> tuple[str, str, str]:
    """(row group, row label, path shown): outcome rows are grouped by their outcome, whose
    path prefix goes into the group label."""
    if groep in ("uitkomst", "baathebber") and ": " in omschrijving:
        name, label = omschrijving.split(": ", 1)
        prefix, _, suffix = parameter.partition(".")[2].partition(".")
        return f"{name} (uitkomsten.{prefix})", label, f".{suffix}"
    return GROUP_LABELS.get(groep, groep), omschrijving, parameter


def parameter_tables(params) -> str:
    """Every parameter (grouped per outcome), the price index as a compact table, and the
    sources once, numbered."""
    t = verantwoording_table(params)
    sources: dict[str, int] = {}

    def ref(text: str | None) -> str:
        if not text:
            return DASH
        key = " ".join(text.split())
        sources.setdefault(key, len(sources) + 1)
        return f"[{sources[key]}]"

    rows = []
    for r in t.filter(pl.col("groep") != "prijsindex").iter_rows(named=True):
        group, label, path = _split(r["omschrijving"], r["groep"], r["parameter"])
        point = r["parameter"] == "prijsjaar"
        rows.append(
            {
                "groep": group,
                "omschrijving": label,
                "parameter": path,
                "laag": str(int(r["laag"])) if point else _value(r["laag"]),
                "basis": str(int(r["basis"])) if point else _value(r["basis"]),
                "hoog": str(int(r["hoog"])) if point else _value(r["hoog"]),
                "eenheid": " ".join(x for x in (r["eenheid"], r["valuta"]) if x),
                "prijsjaar": DASH if r["prijsjaar"] is None else str(r["prijsjaar"]),
                "basis_in_prijsjaar": DASH
                if point or r["prijsjaar"] is None
                else _value(r["basis_in_prijsjaar"]),
                "bron": ref(r["bron"]),
                "graad": r["graad"] or DASH,
            }
        )
    main = gt_html(
        pl.DataFrame(rows),
        "verantwoording-parameters",
        stub="omschrijving",
        group="groep",
        labels={
            "parameter": "Pad",
            "laag": "Laag",
            "basis": "Basis",
            "hoog": "Hoog",
            "eenheid": "Eenheid",
            "prijsjaar": "Prijsjaar",
            "basis_in_prijsjaar": f"Basis in euro's van {params.price_year}",
            "bron": "Bron",
            "graad": "Graad",
        },
        right=["laag", "basis", "hoog", "basis_in_prijsjaar"],
        center=["prijsjaar", "graad", "bron"],
        title=f"Alle parameters van parameterset {params.version}",
        subtitle="Laag, basis en hoog zoals in de scenario's en de Monte Carlo-analyse; bronnen "
        "genummerd onder de tabellen",
        notes=[
            "Graad A: officiële statistiek of peer-reviewed; B: studie in opdracht; C: pers, "
            "secundair of aanname. Pad: de naam waarmee een organisatie met toelichting van de "
            "standaardwaarde afwijkt (bij een uitkomst achter het pad in de groepskop, "
            "bijvoorbeeld uitkomsten.schulden_gestabiliseerd.deadweight)."
        ],
    )
    index = sorted(params.prijsindex.items())
    decades = sorted({y // 10 * 10 for y, _ in index})
    by_year = dict(index)
    cpi_rows = [
        {
            "decennium": f"{d}–{d + 9}",
            **{f"j{k}": _value(by_year.get(d + k)) if d + k in by_year else "" for k in range(10)},
        }
        for d in decades
    ]
    cpi = gt_html(
        pl.DataFrame(cpi_rows),
        "verantwoording-prijsindex",
        stub="decennium",
        labels={f"j{k}": f"+{k}" for k in range(10)},
        right=[f"j{k}" for k in range(10)],
        title=params.prijsindex_naam,
        subtitle=f"Per jaar (kolom = laatste cijfer van het jaar); bron {ref(params.prijsindex_bron)}, "
        f"graad {params.prijsindex_graad}",
    )
    refs = gt_html(
        pl.DataFrame({"nr": [f"[{n}]" for n in sources.values()], "bron": list(sources)}),
        "verantwoording-bronnen",
        labels={"nr": "", "bron": "Bron"},
        title="Bronnen",
    )
    return main + cpi + refs


def rules_table(rules: DisclosureRules) -> str:
    r = rules
    df = pl.DataFrame(
        {
            "regel": [
                "Minimum aantal organisaties",
                "Dominantie",
                "Klein aantal personen",
                "Afronding aantallen personen",
                "Percentielen",
            ],
            "waarde": [
                f"{r.min_orgs}",
                f"{r.dominance_n} grootste ≤ {nl_number(100 * r.dominance_k)} %",
                f"< {r.min_count}",
                f"op {r.round_to}-tallen",
                f"≥ {r.min_tail} aan elke kant",
            ],
            "uitleg": [
                "Een cel verschijnt alleen met minstens zoveel organisaties.",
                "De grootste organisaties mogen samen niet bijna het hele totaal leveren "
                "(kosten, fte, vrijwilligers, bereik, aantal projecten achter een percentiel).",
                "Aantallen deelnemers onder deze grens worden niet getoond.",
                "Gepubliceerde aantallen deelnemers zijn afgerond.",
                "Een percentiel heeft genoeg projecten aan weerszijden nodig, zodat het niet de "
                "waarde van één project is.",
            ],
        }
    )
    return gt_html(
        df,
        "verantwoording-regels",
        labels={"regel": "Regel", "waarde": "Waarde", "uitleg": "Wat het doet"},
        title="Regels voor publicatie (onthullingscontrole)",
        notes=[
            "Waar totalen een verborgen cel zouden verraden, wordt een tweede cel verborgen "
            "(symbool s). Een vastgesteld jaar houdt de regels waarmee het is gepubliceerd."
        ],
    )


def verantwoording_page(
    params, rules: DisclosureRules, ctx: Context, *, title: str = "Verantwoording"
) -> str:
    method = markdown_html(verantwoording_markdown(params))
    # The method (above, from the parameter set) defines the rendementsfactor, incomplete
    # project-years, the whole period and switching values; this says how the reports show them.
    terms = (
        "<h2>Hoe de rapporten het tonen</h2>"
        "<ul>"
        "<li><strong>Rendementsfactor.</strong> Overal het woord van Sociaal Werk werkt! voor "
        "baten gedeeld door kosten (beide in contante waarde), met op elke pagina waar hij "
        "staat één keer de uitleg.</li>"
        "<li><strong>Het project als geheel eerst.</strong> Het eigen rapport van een "
        "organisatie begint met elk project over zijn hele looptijd; de jaren volgen. "
        f"{esc(WHOLE_PERIOD)}</li>"
        "<li><strong>Een ontbrekende rendementsfactor</strong> staat nooit als een los streepje: "
        "de cel zegt waarom (‘onvolledig: geen kosten over 2024 aangeleverd’). Onvolledige "
        "projectjaren tellen niet mee in de kerncijfers bovenaan het eigen rapport; daaronder "
        "staat hoeveel er zijn weggelaten.</li>"
        "<li><strong>Schakelwaarden</strong> staan in het eigen rapport per project en jaar en in "
        "de interventievergelijking per domein en interventie, in woorden: ‘62 % (nu "
        "30–50 %)’, of ‘blijft onder 1, ook zonder deadweight’.</li>"
        "<li><strong>Grafieken.</strong> De schaal volgt het grootste deel van de waarden. Een "
        "uitschieter (ver buiten de kwartielafstand) staat na een onderbreking (//) aan de "
        "rand, met een driehoek en zijn getal, zodat hij de rest niet platdrukt.</li>"
        "</ul>"
    )
    extra = (
        "<h2>Onzekerheid in de sectorvergelijkingen</h2>"
        "<ul>"
        "<li><strong>Spreiding tussen projecten</strong> (jaaroverzicht): de percentielen P10, "
        "P25, mediaan, P75 en P90 van de rendementsfactor over projecten.</li>"
        "<li><strong>Aandeel verbeterd</strong> (interventievergelijking): 90 %-interval rond "
        "het gepoolde aandeel (som verbeterd / som gemeten), met organisaties als clusters: "
        "standaardfout van de ratioschatter over organisaties, Student-t met (aantal "
        "organisaties − 1) vrijheidsgraden, begrensd op 0–100 %.</li>"
        "<li><strong>Mediane rendementsfactor</strong> (interventievergelijking): "
        f"90 %-interval uit een bootstrap over organisaties ({nl_number(BOOTSTRAP_DRAWS)} "
        "trekkingen, vaste startwaarde per cel): organisaties worden met teruglegging "
        "getrokken, met al hun projecten, en telkens wordt de mediaan over projecten berekend. "
        f"Een grens wordt alleen getoond met minstens {rules.min_tail} projectwaarden aan de "
        "buitenkant.</li>"
        "<li>Met weinig organisaties zijn deze intervallen eerder te smal dan te breed. Ze zijn "
        "bedoeld om te voorkomen dat kleine verschillen als rangorde worden gelezen.</li>"
        "</ul>"
        "<h2>Publicatie en releases</h2>"
        "<p>Sectorcijfers gaan alleen over groepen organisaties; de eigen cijfers van een "
        "organisatie staan alleen in haar eigen rapport. Een jaaroverzicht wordt vastgesteld "
        "als release: gemaakt van de gegevens die tot een peildatum zijn aangenomen, daarna "
        "niet meer gewijzigd. Latere aanleveringen over een vastgesteld jaar tellen mee in het "
        "eigen rapport van de organisatie, niet meer in de sectorcijfers van dat jaar.</p>"
        + rules_table(rules)
    )
    body = (
        f'<p class="meta">Parameterset {esc(params.version)} ({esc(params.naam)}); prijsjaar '
        f"{params.price_year}; discontovoet {esc(nl_number(100 * params.discount_rate, 2))} % "
        "reëel.</p>"
        + method
        + terms
        + extra
        + "<h2>Alle parameters</h2>"
        + parameter_tables(params)
    )
    return ctx.render(
        title,
        body,
        current="verantwoording.html",
        subtitle="Methode, kengetallen en bronnen van de maatschappelijke kosten-batenanalyse",
    )
