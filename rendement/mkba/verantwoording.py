"""The methodology account (verantwoording), generated from the parameter set itself.

`verantwoording_table` lists every parameter with its range, unit, price year, source and grade;
`verantwoording_markdown` is the Dutch text that reports print next to the figures. Both are
built from the ParameterSet, so they can never disagree with what the engine computed.
"""

from __future__ import annotations

import polars as pl

from rendement.core.formatting import nl_number
from rendement.mkba.params import Param, ParameterSet, Pathway
from schemas.vocabulary import DOMAINS, END_REASONS, INSTRUMENTS, INTERVENTIONS, ZRM_PARTS

TABLE_SCHEMA = {
    "groep": pl.String,
    "parameter": pl.String,
    "omschrijving": pl.String,
    "domein": pl.String,
    "laag": pl.Float64,
    "basis": pl.Float64,
    "hoog": pl.Float64,
    "eenheid": pl.String,
    "valuta": pl.String,
    "prijsjaar": pl.Int64,
    "basis_in_prijsjaar": pl.Float64,
    "bron": pl.String,
    "graad": pl.String,
    "toelichting": pl.String,
}

KIND_LABELS = {
    "eenheidswaarde": "eenheidswaarde",
    "factor": "omrekenfactor op de hoeveelheid",
    "duur": "duur van het effect",
    "drop_off": "afname per jaar (drop-off)",
    "deadweight": "deadweight (was ook zonder project gebeurd)",
    "displacement": "displacement (verdringing elders)",
    "attributie": "attributie (aandeel van anderen)",
}
KIND_UNITS = {
    "duur": "jaar",
    "drop_off": "fractie per jaar",
    "deadweight": "fractie",
    "displacement": "fractie",
    "attributie": "fractie",
}


def _row(groep, parameter, omschrijving, p: Param, ps: ParameterSet, domein=None, **extra):
    money = p.prijsjaar is not None and not p.is_null
    return {
        "groep": groep,
        "parameter": parameter,
        "omschrijving": omschrijving,
        "domein": domein,
        "laag": p.laag,
        "basis": p.basis,
        "hoog": p.hoog,
        "eenheid": extra.get("eenheid", p.eenheid),
        "valuta": p.valuta,
        "prijsjaar": p.prijsjaar,
        "basis_in_prijsjaar": ps.to_price_year(p.basis, p) if money else p.basis,
        "bron": extra.get("bron", p.bron),
        "graad": extra.get("graad", p.graad),
        "toelichting": extra.get("toelichting", p.toelichting),
    }


def _pathway_rows(pw: Pathway, ps: ParameterSet) -> list[dict]:
    base = f"uitkomsten.{pw.code}"
    rows = [
        _row(
            "uitkomst",
            f"{base}.eenheidswaarde",
            f"{pw.naam}: {KIND_LABELS['eenheidswaarde']}",
            pw.eenheidswaarde,
            ps,
            pw.domein,
            toelichting=" ".join(
                t
                for t in (
                    pw.eenheidswaarde.toelichting,
                    "Overdracht: niet in de baten." if pw.transfer else "",
                    "" if pw.gewaardeerd else "Geteld, niet in euro's uitgedrukt.",
                )
                if t
            ),
        )
    ]
    factor = pw.hoeveelheid.factor
    if factor.bron or factor.basis != 1.0:
        rows.append(
            _row(
                "uitkomst",
                f"{base}.factor",
                f"{pw.naam}: {KIND_LABELS['factor']}",
                factor,
                ps,
                pw.domein,
            )
        )
    if pw.gewaardeerd:
        for kind in ("duur", "drop_off", "deadweight", "displacement", "attributie"):
            rows.append(
                _row(
                    "uitkomst",
                    f"{base}.{kind}",
                    f"{pw.naam}: {KIND_LABELS[kind]}",
                    pw.param(kind),
                    ps,
                    pw.domein,
                    eenheid=KIND_UNITS[kind],
                    bron=pw.correcties_bron,
                    graad=pw.correcties_graad,
                )
            )
    for stakeholder, share in pw.baathebbers.items():
        rows.append(
            _row(
                "baathebber",
                f"{base}.baathebbers.{stakeholder}",
                f"{pw.naam}: aandeel {ps.baathebbers[stakeholder]}",
                Param.point(share),
                ps,
                pw.domein,
                eenheid="aandeel (negatief = verliest bij overdracht)",
                bron="Verdeling volgens de parameterset (indicatief)",
                graad="C",
            )
        )
    return rows


def verantwoording_table(params: ParameterSet) -> pl.DataFrame:
    """Every parameter with laag/basis/hoog, unit, price year, base in price-year euros, source
    and grade: one row per parameter path (the same paths overrides use)."""
    ps = params
    rows = [
        _row(
            "algemeen",
            "discontovoet",
            "Discontovoet (reëel)",
            Param.point(ps.discount_rate),
            ps,
            eenheid="per jaar",
            bron=ps.discontovoet_bron,
            graad=ps.discontovoet_graad,
        ),
        _row(
            "algemeen",
            "prijsjaar",
            "Prijsjaar van alle bedragen",
            Param.point(float(ps.price_year)),
            ps,
            eenheid="jaar",
            bron="Keuze parameterset",
            graad=None,
        ),
    ]
    for year, value in sorted(ps.prijsindex.items()):
        rows.append(
            _row(
                "prijsindex",
                f"prijsindex.{year}",
                f"{ps.prijsindex_naam} {year}",
                Param.point(value),
                ps,
                eenheid="index",
                bron=ps.prijsindex_bron,
                graad=ps.prijsindex_graad,
            )
        )
    for currency, by_year in ps.wisselkoersen.items():
        for year, value in sorted(by_year.items()):
            rows.append(
                _row(
                    "wisselkoers",
                    f"wisselkoersen.{currency}.{year}",
                    f"Euro per {currency} in {year}",
                    Param.point(value),
                    ps,
                    eenheid=f"euro per {currency}",
                    bron=ps.wisselkoers_bron,
                    graad=ps.wisselkoers_graad,
                )
            )
    for kind, p in ps.kosten.items():
        rows.append(_row("kosten", f"kosten.{kind}", p.naam or kind, p, ps))
    for pw in ps.uitkomsten:
        rows.extend(_pathway_rows(pw, ps))
    if ps.arbeidsmarkt is not None:  # a conversion for the reports, never in the benefits
        for kind in ("uurprijs", "uren_per_fte"):
            p = getattr(ps.arbeidsmarkt, kind)
            rows.append(
                _row("arbeidsmarkt", f"arbeidsmarkt.vermeden_zorg.{kind}", p.naam or kind, p, ps)
            )
    return pl.DataFrame(rows, schema=TABLE_SCHEMA)


# ------------------------------------------------------------------------------ markdown


def nl(value: float | None, decimals: int = 0) -> str:
    """Dutch number format: 12.345,67."""
    return nl_number(value, decimals, minus="-")


def _pct(value: float) -> str:
    text = nl(100 * value, 2)
    return (text.rstrip("0").rstrip(",") if "," in text else text) + " %"


def _range(p: Param, fmt) -> str:
    if p.laag == p.hoog:
        return fmt(p.basis)
    return f"{fmt(p.basis)} ({fmt(p.laag)} – {fmt(p.hoog)})"


def _rule_text(pw: Pathway) -> str:
    rule = pw.hoeveelheid
    if rule.bron == "meting":
        parts = []
        for c in rule.criteria:
            label = INSTRUMENTS[c.instrument][0]
            part = ZRM_PARTS.get(c.onderdeel, c.onderdeel) if c.onderdeel else None
            bits = [label + (f", onderdeel {part}" if part else "")]
            for name, value, sign in (
                ("T0", c.t0_min, "≥"),
                ("T0", c.t0_max, "≤"),
                ("T1", c.t1_min, "≥"),
                ("T1", c.t1_max, "≤"),
            ):
                if value is not None:
                    bits.append(f"{name} {sign} {nl(value, 0 if value == int(value) else 1)}")
            if c.min_verbetering is not None:
                bits.append(f"verbetering ≥ {nl(c.min_verbetering, 1)}")
            parts.append(": ".join([bits[0], ", ".join(bits[1:])]) if len(bits) > 1 else bits[0])
        how = (
            "aantal unieke deelnemers" if rule.telling == "deelnemers" else "som van de verbetering"
        )
        return f"{how} met een T0- en T1-meting waarbij " + " of ".join(parts)
    if rule.bron == "traject":
        reasons = [f"‘{END_REASONS.get(r, r).lower()}’" for r in rule.reden_einde]
        text = "aantal trajecten afgesloten als " + " of ".join(reasons)
    else:
        text = "aantal unieke deelnemers met een lopend traject"
    if rule.leeftijdsklassen:
        text += " (leeftijd " + ", ".join(rule.leeftijdsklassen) + ")"
    return text


def _pathway_md(pw: Pathway, ps: ParameterSet) -> list[str]:
    value = ps.in_price_year(pw.eenheidswaarde) if pw.gewaardeerd else pw.eenheidswaarde
    interventions = (
        ", ".join(INTERVENTIONS[pw.domein][i] for i in pw.interventies)
        if pw.interventies
        else "alle interventies in dit domein"
    )
    shares = ", ".join(f"{ps.baathebbers[k]} {_pct(v)}" for k, v in pw.baathebbers.items())
    lines = [
        f"#### {pw.naam}",
        "",
        f"- Geldt voor: {interventions}.",
        f"- Hoeveelheid: {pw.afleiding.rstrip('.')} (regel: {_rule_text(pw)}).",
    ]
    factor = pw.hoeveelheid.factor
    if factor.bron:
        lines.append(
            f"- Omrekenfactor: {_range(factor, lambda v: nl(v, 2))} {factor.eenheid}; bron: "
            f"{' '.join(factor.bron.split())} (graad {factor.graad})."
        )
    if pw.gewaardeerd:
        src = pw.eenheidswaarde
        lines.append(
            f"- Waarde: € {_range(value, lambda v: nl(v, 2))} ({src.eenheid}, in prijzen van "
            f"{ps.price_year}; oorspronkelijk {src.valuta} {nl(src.basis, 2)} in prijzen van "
            f"{src.prijsjaar}); bron: {' '.join(src.bron.split())} (graad {src.graad})."
        )
        lines.append(
            f"- Correcties: deadweight {_range(pw.deadweight, _pct)}, displacement "
            f"{_range(pw.displacement, _pct)}, attributie {_range(pw.attributie, _pct)}, "
            f"drop-off {_range(pw.drop_off, _pct)} per jaar, duur "
            f"{_range(pw.duur, lambda v: nl(v))} jaar; bron: {pw.correcties_bron} "
            f"(graad {pw.correcties_graad})."
        )
    else:
        lines.append(
            f"- Niet in euro's uitgedrukt: wordt geteld ({pw.eenheidswaarde.eenheid}). "
            f"{' '.join(pw.eenheidswaarde.bron.split())}."
        )
    kind = "Overdracht (niet in de baten): " if pw.transfer else "Baathebbers: "
    lines.append(f"- {kind}{shares}.")
    lines.append("")
    return lines


def verantwoording_markdown(params: ParameterSet) -> str:
    """The Dutch methodology text for reports, generated from the parameter set."""
    ps = params
    fte = ps.in_price_year(ps.kosten["fte"])
    coord = ps.in_price_year(ps.kosten["vrijwilliger_coordinatie"])
    onk = ps.in_price_year(ps.kosten["vrijwilliger_onkosten"])
    first, last = min(ps.prijsindex), max(ps.prijsindex)
    out = [
        f"# Verantwoording van de MKBA (parameterset {ps.version})",
        "",
        f"Deze verantwoording hoort bij parameterset **{ps.version}** ({ps.naam}). Alle bedragen "
        f"staan in euro's van **{ps.price_year}**; de discontovoet is **{_pct(ps.discount_rate)}** "
        f"reëel per jaar ({ps.discontovoet_bron}).",
        "",
        "## Werkwijze",
        "",
        "De maatschappelijke kosten-batenanalyse volgt de stappen van de Algemene MKBA-leidraad "
        "(CPB/PBL 2013) en de Werkwijzer MKBA in het sociaal domein (SEO 2016): probleem, "
        "projectalternatief, nulalternatief, kosten, effecten, baten, saldo, gevoeligheid en "
        "verdeling over partijen. Per project en per jaar telt de rekenkern de kosten van dat jaar "
        "en de effecten die in dat jaar bij deelnemers zijn gemeten.",
        "",
        "### Van meting naar baat",
        "",
        "Voor elke uitkomst staat in de parameterset hoe de hoeveelheid uit de gegevens volgt "
        "(bijvoorbeeld: deelnemers met een ZRM-score op financiën van hoogstens 2 bij de "
        "beginmeting en minstens 3 bij de eindmeting). Daarna:",
        "",
        "- impact in jaar 1 = hoeveelheid × omrekenfactor × eenheidswaarde × (1 − deadweight) × "
        "(1 − displacement) × (1 − attributie);",
        "- impact in jaar t = impact in jaar t − 1 × (1 − drop-off), tot en met de duur;",
        "- contante waarde (CW) = Σ impact_t / (1 + r)^t, met t = 1 voor het eerste effectjaar.",
        "",
        "Het projectjaar zelf is jaar 0: de kosten van dat jaar tellen volledig en worden niet "
        "verdisconteerd. Netto contante waarde (NCW) = CW baten − kosten. De **rendementsfactor** "
        "(baten-kostenverhouding, BKR) = CW baten / kosten: wat elke geïnvesteerde euro de "
        "samenleving oplevert.",
        "",
        "- **Wie telt.** Deelnemers zijn unieke cliënten (pseudoniemen) per project en jaar, geen "
        "trajecten: wie twee trajecten heeft, telt één keer. Een uitkomst geldt alleen voor "
        "projecten in haar eigen domein (en, als ze interventies noemt, alleen voor die).",
        "- **Drempels exact.** Scores en grenzen worden als de decimale getallen vergeleken die "
        "ze zijn: van 3,6 naar 4,6 is precies 1 verbetering en haalt een drempel van 1. Een "
        "grens telt mee (‘hoogstens 2’ omvat 2). Een gemiddelde over onderdelen haalt een grens "
        "als de som van de scores n × de grens haalt.",
        "- **Onvolledige projectjaren.** Een projectjaar zonder kosten (geen kostenregels en geen "
        "fte of vrijwilligers) heeft geen rendementsfactor: de baten staan dan tegenover niets. "
        "Het heet onvolledig, met de reden (‘geen kosten over 2024 aangeleverd’), en telt in "
        "geen enkel sectorcijfer mee.",
        "- **Het project als geheel.** Kosten vallen in het jaar waarin ze betaald zijn, baten in "
        "het jaar van de eindmeting. Daarom rekent de rekenkern ook over de hele looptijd van "
        "een project: de kosten en de baten van elk jaar, verdisconteerd naar het eerste jaar. "
        "Is één jaar onvolledig, dan ook de looptijd.",
        "",
        "- **Nulalternatief.** Zonder controlegroep corrigeren deadweight (wat ook zonder project "
        "was gebeurd), displacement (verdringing elders) en attributie (het aandeel van anderen) "
        "voor wat niet aan het project toe te rekenen is.",
        "- **Gewaardeerd of geteld.** Een uitkomst zonder onderbouwde eenheidswaarde wordt alleen "
        "geteld en niet met een verzonnen bedrag in euro's uitgedrukt.",
        "- **Overdrachten.** Een uitkering die stopt is winst voor de één en verlies voor de "
        "ander. Overdrachten staan apart (per baathebber winst en verlies) en tellen nooit mee "
        "in de baten.",
        f"- **Prijspeil.** Bedragen worden eerst zo nodig omgerekend naar euro's (wisselkoers "
        f"in het bronjaar; {ps.wisselkoers_bron}) en dan met de consumentenprijsindex "
        f"({ps.prijsindex_naam}; {ps.prijsindex_bron}) naar {ps.price_year} gebracht. De index "
        f"loopt van {first} tot "
        f"{last}; latere jaren gebruiken de laatste index.",
        "",
        "## Kosten",
        "",
        f"- Betaalde inzet: de eigen kostenregels van kostensoort personeel, of anders fte × "
        f"standaard loonkosten van € {_range(fte, nl)} per fte per jaar "
        f"({ps.kosten['fte'].bron}; graad {ps.kosten['fte'].graad}).",
        f"- Vrijwilligers: de eigen kostenregels van kostensoort vrijwilligers, of anders per "
        f"vrijwilliger € {_range(coord, nl)} begeleiding en € {_range(onk, nl)} onkosten per "
        "jaar (graad C; aanname).",
        "- Materiaal, huisvesting en overhead: de eigen kostenregels. Bedragen uit eerdere jaren "
        "worden naar het prijsjaar geïndexeerd.",
        "",
        "## Uitkomsten per domein",
        "",
    ]
    for domain, label in DOMAINS.items():
        pathways = [pw for pw in ps.uitkomsten if pw.domein == domain]
        if not pathways:
            continue
        out += [f"### {label}", ""]
        for pw in pathways:
            out += _pathway_md(pw, ps)
    out += [
        "## Onzekerheid",
        "",
        "- **Scenario's.** Het lage scenario neemt voor elke parameter de kant die de verhouding "
        "verlaagt (lage waarde en korte duur, hoge deadweight, drop-off en kosten); het hoge "
        "scenario de andere kant; het basisscenario de basiswaarden.",
        "- **Monte Carlo.** Elke parameter wordt getrokken uit een driehoeksverdeling "
        "(laag, basis, hoog), één keer per trekking. Eén trekking geldt voor alle projecten "
        "tegelijk (de onzekerheid zit in de kengetallen, niet in het project), en een kengetal "
        "dat meer uitkomsten gebruiken (zoals de WELLBY) is één parameter met één trekking voor "
        "al die uitkomsten. Het 90 %-interval is P5–P95 van de NCW en de rendementsfactor; de "
        "trekkingen zijn met een vaste startwaarde (seed) herhaalbaar.",
        "- **Domeinen en interventies.** De rendementsfactor van een domein of interventie is de "
        "som van de baten gedeeld door de som van de kosten van de volledige projectjaren. Het "
        "interval daarvan trekt elke parameter één keer voor alle projecten samen, zodat het "
        "niet smaller wordt doordat fouten van projecten elkaar zouden opheffen.",
        "- **Schakelwaarden.** Omdat de baten lineair zijn in (1 − deadweight), is de deadweight "
        "waarbij de BKR precies 1 is direct op te lossen: x = 1 − kosten / baten zonder "
        "deadweight (idem voor attributie). De factor op alle eenheidswaarden waarbij BKR = 1 "
        "is kosten / baten. Zonder kosten of zonder gewaardeerde baten bestaat er geen "
        "schakelwaarde; de reden staat erbij.",
        "",
        "## Ramingen, arbeidsmarkt en kwalitatieve effecten",
        "",
        "- **Ramingen.** Een projectopgave van soort raming (een plan vooraf) krijgt een "
        "verwachte MKBA met dezelfde methode als een MKBA op referentie: het verwachte bereik "
        "maal het effect van gemeten projecten met dezelfde interventie, met het interval van dat "
        "effect; de kosten uit de begroting of het laatste gerealiseerde jaar. Een raming staat "
        "alleen in het eigen rapport en op de Impactkaart, als raming, en telt nooit mee in een "
        "sectorcijfer.",
        "- **Arbeidsmarkt.** Mensen naar betaald werk en vermeden professionele zorg in uren en "
        "fte zorgmedewerkers: dezelfde uitkomsten als in de baten, in andere eenheden, nooit "
        "opnieuw opgeteld. De omrekening (prijs van een uur zorg, uren per fte) staat met bron en "
        "graad in de tabel met kengetallen.",
        "- **Kwalitatieve effecten.** Wat een organisatie in woorden opgeeft, wordt getoond en "
        "nooit in euro's uitgedrukt.",
        "",
        "## Afwijkingen door organisaties",
        "",
        "Een organisatie mag voor een eigen project een parameter aanpassen, altijd met een "
        "toelichting. Elke toegepaste afwijking staat met de standaardwaarde en de toelichting in "
        "de uitkomst. Sectorvergelijkingen rekenen altijd met de standaardset, zonder afwijkingen.",
        "",
        "## Graden",
        "",
        "A = officiële statistiek of peer-reviewed; B = studie in opdracht; C = pers, secundair "
        "of aanname. Een uitkomst is zo sterk als de zwakste schakel (waarde, omrekenfactor, "
        "correcties).",
        "",
    ]
    return "\n".join(out)
