"""The verantwoording: the method in words and every parameter with its value, unit, price
year and source, generated from the parameter set (`rendement.mkba.verantwoording_*`), plus the
disclosure rules and how the reports' intervals are made."""

from __future__ import annotations

import re

import polars as pl

from rendement.benchmark.aggregates import BOOTSTRAP_DRAWS
from rendement.benchmark.disclosure import DisclosureRules
from rendement.core.formatting import DASH, nl_number
from rendement.core.templates import Markup, render
from rendement.mkba import verantwoording_markdown, verantwoording_table
from rendement.reports.context import Context
from rendement.reports.tables import gt_markup
from rendement.reports.words import WHOLE_PERIOD

GROUP_LABELS = {
    "algemeen": "Algemeen",
    "prijsindex": "Prijsindex",
    "wisselkoers": "Wisselkoersen",
    "kosten": "Kosten",
    "uitkomst": "Uitkomsten: waarde en correcties",
    "baathebber": "Uitkomsten: verdeling over baathebbers",
}

# The inline marks, in the order they are applied, and the characters that mark their start
# and end until the template writes the tags (`_TAGS`).
_INLINE = [
    (re.compile(r"\*\*(.+?)\*\*"), "\x01", "\x02"),
    (re.compile(r"`([^`]+)`"), "\x03", "\x04"),
]
_MARK = re.compile("([\x01-\x04])")
_TAGS = {"\x01": "strong", "\x02": "/strong", "\x03": "code", "\x04": "/code"}


def _inline(text: str) -> list[tuple[str, str]]:
    """`text` as (kind, text) tokens: text, and the opening and closing tags of **bold** and
    `code` (marked first with control characters, as the patterns apply one after another)."""
    marked = text
    for pattern, start, end in _INLINE:
        marked = pattern.sub(lambda m, s=start, e=end: f"{s}{m.group(1)}{e}", marked)
    return [
        (_TAGS[part], "") if part in _TAGS else ("text", part)
        for part in _MARK.split(marked)
        if part
    ]


def slug(text: str) -> str:
    """An id for a heading: its words in lower case, joined by dashes."""
    words = re.findall(r"[0-9a-zà-ÿ]+", text.lower())
    return "-".join(words) or "sectie"


def markdown_blocks(text: str, *, skip_title: bool = True) -> list[dict]:
    """The small Markdown subset `verantwoording_markdown` writes (headings, bullet lists,
    paragraphs, **bold**, `code`) as blocks for the template `markdown.html`; every heading
    gets a unique `id` (for the contents list)."""
    blocks: list[dict] = []
    paragraph: list[str] = []
    in_list = False
    ids: set[str] = set()

    def flush() -> None:
        nonlocal paragraph
        if paragraph:
            blocks.append({"kind": "p", "tokens": _inline(" ".join(paragraph))})
            paragraph = []

    for line in text.splitlines():
        stripped = line.strip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        if heading or not stripped or stripped.startswith("- "):
            flush()
        if in_list and not stripped.startswith("- "):
            blocks.append({"kind": "/ul"})
            in_list = False
        if heading:
            level = len(heading.group(1))
            if level == 1 and skip_title:
                continue
            level = min(level + (1 if level == 1 else 0), 4)
            title = heading.group(2)
            anchor, n = slug(title.replace("`", "")), 1
            while anchor in ids:
                n += 1
                anchor = f"{slug(title)}-{n}"
            ids.add(anchor)
            blocks.append(
                {
                    "kind": "h",
                    "level": level,
                    "tokens": _inline(title),
                    "id": anchor,
                    "text": title.replace("`", "").replace("**", ""),
                }
            )
        elif stripped.startswith("- "):
            if not in_list:
                blocks.append({"kind": "ul"})
                in_list = True
            blocks.append({"kind": "li", "tokens": _inline(stripped[2:])})
        elif stripped:
            paragraph.append(stripped)
    flush()
    if in_list:
        blocks.append({"kind": "/ul"})
    return blocks


def markdown_html(text: str, *, skip_title: bool = True) -> Markup:
    """The Markdown subset as HTML, through the template `markdown.html`: no HTML in the text
    reaches the page, whatever the parameter file says."""
    return render(
        "rendement.reports", "markdown.html", blocks=markdown_blocks(text, skip_title=skip_title)
    )


def contents(blocks: list[dict], *, depth: int = 3) -> list[dict]:
    """The headings of the method text down to `depth`, as a nested contents list:
    [{id, text, children: [...]}]."""
    out: list[dict] = []
    for b in blocks:
        if b["kind"] != "h" or b["level"] > depth:
            continue
        entry = {"id": b["id"], "text": b["text"], "children": []}
        if b["level"] == 2 or not out:
            out.append(entry)
        else:
            out[-1]["children"].append(entry)
    return out


def _value(v: float | None) -> str:
    if v is None:
        return DASH
    if abs(v) >= 1000 or float(v).is_integer():
        return nl_number(v, 0 if float(v).is_integer() else 2)
    if abs(v) >= 1:
        return nl_number(v, 2)
    return nl_number(v, 4).rstrip("0").rstrip(",") if v != 0 else "0"


def _split(omschrijving: str, groep: str, parameter: str) -> tuple[str, str, str]:
    """(row group, row label, path shown): outcome rows are grouped under their outcome's name
    (in words; the code only in the path, where an organisation needs it to override)."""
    if groep in ("uitkomst", "baathebber") and ": " in omschrijving:
        name, label = omschrijving.split(": ", 1)
        return name, label, parameter
    return GROUP_LABELS.get(groep, groep), omschrijving, parameter


def parameter_tables(params) -> Markup:
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
    main = gt_markup(
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
            "standaardwaarde afwijkt (bijvoorbeeld uitkomsten.schulden_gestabiliseerd.deadweight)."
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
    cpi = gt_markup(
        pl.DataFrame(cpi_rows),
        "verantwoording-prijsindex",
        stub="decennium",
        labels={f"j{k}": f"+{k}" for k in range(10)},
        right=[f"j{k}" for k in range(10)],
        title=params.prijsindex_naam,
        subtitle=f"Per jaar (kolom = laatste cijfer van het jaar); bron {ref(params.prijsindex_bron)}, "
        f"graad {params.prijsindex_graad}",
    )
    refs = gt_markup(
        pl.DataFrame({"nr": [f"[{n}]" for n in sources.values()], "bron": list(sources)}),
        "verantwoording-bronnen",
        labels={"nr": "", "bron": "Bron"},
        title="Bronnen",
    )
    return main + cpi + refs


def rules_table(rules: DisclosureRules) -> Markup:
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
    return gt_markup(
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
    blocks = markdown_blocks(verantwoording_markdown(params))
    body = render(
        "rendement.reports",
        "verantwoording.html",
        version=params.version,
        naam=params.naam,
        price_year=params.price_year,
        discount=params.discount_rate,
        method=render("rendement.reports", "markdown.html", blocks=blocks),
        contents=contents(blocks),
        whole_period=WHOLE_PERIOD,
        bootstrap_draws=BOOTSTRAP_DRAWS,
        min_tail=rules.min_tail,
        rules=rules_table(rules),
        parameters=parameter_tables(params),
    )
    return ctx.render(
        title,
        body,
        current="verantwoording.html",
        subtitle="Methode, kengetallen en bronnen van de maatschappelijke kosten-batenanalyse",
    )
