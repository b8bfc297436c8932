"""Organisations' own parameter values (deviations from the standard set), validated like an
upload before the MKBA uses them.

Two sources, one validation:
- the analysts' CSV in the data home (`parameters/afwijkingen.csv`, Dutch Excel dialect) with
  columns organisatie_id; project_id; parameter; waarde; toelichting and optionally bron.
  Values are read like the numbers of an export (`schemas.parsing`, separators detected by
  `sources.dialect`);
- proposals an organisation made in the portal and an analyst accepted
  (`rendement.core.proposals`).

`check` refuses a deviation, with a Dutch message naming its file, row and column (or its
proposal), when: the value is not a number, not finite or outside the parameter's bounds
(`rendement.mkba.bounds`); the organisation is not registered or the project is not one of
its delivered projects; the parameter does not exist or has no standard value; the
justification is missing; it would make laag > basis or basis > hoog; or another row gives the
same parameter of the same organisation and project (every such row is refused: which one is
meant is for a person to say). A refused deviation never stops anything else: the others
apply, every organisation gets its results, and the refusal is shown to the analyst (portal,
Dagster) and to the organisation (portal, own report). Deviations only ever change the
organisation's own report: sector benchmarks use the standard set.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import polars as pl

from rendement.core.lake import Lake
from rendement.core.proposals import ACCEPTED, ProposalStore
from rendement.mkba.bounds import LEVEL_NAMES, base_path, bounds_for
from rendement.mkba.params import ParameterSet
from schemas.parsing import parse_number
from sources.dialect import detect_number_format

FILE_NAME = "afwijkingen.csv"
REQUIRED = ("organisatie_id", "project_id", "parameter", "waarde", "toelichting")
OPTIONAL = ("bron",)
FROM_FILE = "bestand"
FROM_PORTAL = "portaal"
# The lake's result name of the records (`mkba/afwijkingen/<ORG>.parquet`).
LAKE_NAME = "afwijkingen"
APPLIED = "toegepast"
REFUSED = "geweigerd"
# The engine's input columns (`rendement.mkba.engine.OVERRIDE_COLUMNS`).
OVERRIDE_SCHEMA = {
    "organisatie_id": pl.String,
    "project_id": pl.String,
    "parameter": pl.String,
    "waarde": pl.Float64,
    "toelichting": pl.String,
}
# One row per deviation, applied or refused (lake `mkba/afwijkingen/<ORG>.parquet`), for the
# organisation's report and the portal.
RECORD_SCHEMA = {
    "organisatie_id": pl.String,
    "project_id": pl.String,
    "parameter": pl.String,
    "tekst": pl.String,
    "waarde": pl.Float64,
    "waarde_standaard": pl.Float64,
    "toelichting": pl.String,
    "bron": pl.String,
    "herkomst": pl.String,
    "plaats": pl.String,
    "rij": pl.Int64,
    "voorstel": pl.String,
    "aanvaard_door": pl.String,
    "aanvaard_op": pl.String,
    "status": pl.String,
    "kolom": pl.String,
    "melding": pl.String,
}


@dataclass(frozen=True)
class Deviation:
    """One deviation as given: `tekst` the value as typed, `waarde` as read (None: unreadable).
    `plaats`: where a person finds it ("afwijkingen.csv, rij 3" or "voorstel v-...")."""

    organisatie_id: str
    project_id: str | None
    parameter: str
    tekst: str
    waarde: float | None
    toelichting: str
    bron: str
    herkomst: str
    plaats: str
    rij: int | None = None
    voorstel: str | None = None
    aanvaard_door: str | None = None
    aanvaard_op: str | None = None


@dataclass(frozen=True)
class Refusal:
    """A refused deviation (or a refused file: `deviation` None) and why, in Dutch."""

    deviation: Deviation | None
    kolom: str | None
    melding: str
    plaats: str

    @property
    def message(self) -> str:
        where = self.plaats + (f", kolom {self.kolom}" if self.kolom else "")
        return f"{where}: {self.melding}"


@dataclass(frozen=True)
class Checked:
    accepted: list[Deviation]
    refused: list[Refusal]


# ------------------------------------------------------------------------------ reading


def parse_value(text: str) -> float | None:
    """One value typed by a person (Dutch or English separators), None when it is no number."""
    decimal, thousands = detect_number_format([text], default_decimal=",")
    frame = pl.DataFrame({"t": [text]}, schema={"t": pl.String})
    return frame.select(parse_number(pl.col("t"), decimal, thousands))["t"][0]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Dutch Excel's "CSV (puntkomma)"


def read_overrides(path: Path) -> pl.DataFrame:
    """The CSV as read: the columns of `OVERRIDE_SCHEMA` (waarde parsed, null when it is no
    number), `bron`, `tekst` (the value as typed) and `_rij` (the row as Excel shows it,
    header counted). Empty when there is no file; ValueError (Dutch) when it cannot be read."""
    if not path.exists():
        return pl.DataFrame(
            schema={**OVERRIDE_SCHEMA, "bron": pl.String, "tekst": pl.String, "_rij": pl.Int64}
        )
    try:
        df = pl.read_csv(
            io.StringIO(_decode(path.read_bytes())),
            separator=";",
            infer_schema=False,
            truncate_ragged_lines=False,
        )
    except pl.exceptions.PolarsError as exc:
        raise ValueError(
            f"{path.name}: niet te lezen als CSV met puntkomma's ({str(exc).splitlines()[0][:120]})"
        ) from None
    df = df.rename({c: c.strip().lower() for c in df.columns})
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(f"{path.name}: kolommen ontbreken: {', '.join(missing)}")
    if "bron" not in df.columns:
        df = df.with_columns(pl.lit(None, pl.String).alias("bron"))
    df = df.with_columns(pl.col(c).str.strip_chars() for c in (*REQUIRED, "bron"))
    # numbers read as in an export: the separators detected from the values, else Dutch
    values = df["waarde"].drop_nulls().unique().to_list()
    decimal, thousands = detect_number_format(values, default_decimal=",")
    return df.select(
        *(
            parse_number(pl.col(c), decimal, thousands) if t == pl.Float64 else pl.col(c)
            for c, t in OVERRIDE_SCHEMA.items()
        ),
        "bron",
        pl.col("waarde").alias("tekst"),
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("_rij"),
    )


def read_file(path: Path) -> tuple[list[Deviation], list[Refusal]]:
    """The CSV's deviations, or the refusal of the whole file when it cannot be read."""
    try:
        frame = read_overrides(path)
    except ValueError as exc:
        why = str(exc).removeprefix(f"{path.name}: ")
        return [], [Refusal(None, None, f"{why}; het bestand is niet gebruikt", path.name)]
    rows = [
        Deviation(
            organisatie_id=r["organisatie_id"] or "",
            project_id=r["project_id"] or None,
            parameter=r["parameter"] or "",
            tekst=r["tekst"] or "",
            waarde=r["waarde"],
            toelichting=r["toelichting"] or "",
            bron=r["bron"] or "",
            herkomst=FROM_FILE,
            plaats=f"{path.name}, rij {r['_rij']}",
            rij=r["_rij"],
            aanvaard_door="sectorbureau",
        )
        for r in frame.iter_rows(named=True)
    ]
    return rows, []


def from_proposals(proposals: Iterable[dict]) -> list[Deviation]:
    """The accepted proposals as deviations."""
    return [
        Deviation(
            organisatie_id=p["organisatie_id"],
            project_id=p.get("project_id") or None,
            parameter=p["parameter"],
            tekst=p.get("tekst") or str(p["waarde"]),
            waarde=p["waarde"],
            toelichting=p.get("toelichting") or "",
            bron=p.get("bron") or "",
            herkomst=FROM_PORTAL,
            plaats=f"voorstel {p['id']}",
            voorstel=p["id"],
            aanvaard_door=p.get("besloten_door"),
            aanvaard_op=p.get("besloten_op"),
        )
        for p in proposals
        if p["status"] == ACCEPTED
    ]


def gather(csv_path: Path, proposals_path: Path) -> tuple[list[Deviation], list[Refusal]]:
    """Every deviation given (file and accepted proposals) and the refusal of an unreadable
    file."""
    rows, refused = read_file(csv_path)
    return rows + from_proposals(ProposalStore.load(proposals_path).all()), refused


# ------------------------------------------------------------------------------ checking


def _row_problems(
    d: Deviation,
    params: ParameterSet,
    registered: Collection[str] | None,
    projects: Mapping[str, Collection[str]] | None,
) -> list[tuple[str, str]]:
    """(column, Dutch message) for everything wrong with one deviation on its own."""
    out: list[tuple[str, str]] = []
    if not d.organisatie_id:
        out.append(("organisatie_id", "de organisatie ontbreekt"))
    elif registered is not None and d.organisatie_id not in registered:
        out.append(("organisatie_id", f"organisatie {d.organisatie_id} staat niet in het register"))
    elif d.project_id and projects is not None and d.organisatie_id in projects:
        if d.project_id not in projects[d.organisatie_id]:
            out.append(
                (
                    "project_id",
                    f"project {d.project_id} is geen aangeleverd project van {d.organisatie_id}",
                )
            )
    standard = None
    if not d.parameter:
        out.append(("parameter", "de parameter ontbreekt"))
    else:
        try:
            standard, _level = params.resolve(d.parameter)
        except ValueError as exc:
            out.append(("parameter", str(exc)))
        else:
            if standard.is_null:
                out.append(
                    (
                        "parameter",
                        f"{base_path(d.parameter)[0]} heeft geen standaardwaarde (de uitkomst "
                        "wordt geteld, niet in euro's uitgedrukt); een eigen waarde kan niet",
                    )
                )
                standard = None
    if d.waarde is None:
        what = f"'{d.tekst}' is geen getal" if d.tekst else "de waarde ontbreekt"
        out.append(("waarde", what))
    elif not math.isfinite(d.waarde):
        out.append(("waarde", f"'{d.tekst}' is geen eindig getal"))
    elif standard is not None:
        bounds = bounds_for(params, d.parameter)
        why = bounds.problem(d.waarde)
        if why is not None:
            base = base_path(d.parameter)[0]
            out.append(("waarde", f"'{d.tekst}' voor {base}: {why} ({bounds.why})"))
    if not d.toelichting.strip():
        out.append(("toelichting", "elke afwijking heeft een toelichting nodig"))
    return out


def _group_problems(rows: list[Deviation], params: ParameterSet) -> dict[int, tuple[str, str]]:
    """Problems of deviations together, by index in `rows`: two values for one parameter of
    one organisation and project, and laag > basis or basis > hoog."""
    out: dict[int, tuple[str, str]] = {}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, d in enumerate(rows):
        groups[(d.organisatie_id, d.project_id or "", base_path(d.parameter)[0])].append(i)
    for (_org, project, base), members in groups.items():
        levels = [base_path(rows[i].parameter)[1] for i in members]
        if len(members) > 1 and (None in levels or len(set(levels)) < len(levels)):
            for i in members:
                others = ", ".join(rows[j].plaats for j in members if j != i)
                where = f"project {project}" if project else "alle projecten"
                out[i] = (
                    "parameter",
                    f"meer dan één waarde voor {base} ({where}); ook in {others}. Geef één "
                    "waarde per parameter",
                )
    for key, members in groups.items():
        if any(i in out for i in members):
            continue
        org, project, base = key
        given = {base_path(rows[i].parameter)[1]: rows[i].waarde for i in members}
        if project:  # the organisation-wide value of the other levels holds for it too
            for i in groups.get((org, "", base), []):
                if i not in out:
                    given.setdefault(base_path(rows[i].parameter)[1], rows[i].waarde)
        if None in given:
            continue  # one value for all three levels: ordered
        standard, _level = params.resolve(base)
        levels = {name: given.get(name, standard.level(name)) for name in LEVEL_NAMES}
        if levels["laag"] <= levels["basis"] <= levels["hoog"]:
            continue
        pairs = [("laag", "basis"), ("basis", "hoog"), ("laag", "hoog")]
        a, b = next((a, b) for a, b in pairs if levels[a] > levels[b])
        for i in members:
            out[i] = (
                "waarde",
                f"{base}: {a} ({_plain(levels[a])}) ligt boven {b} ({_plain(levels[b])}); "
                "verwacht laag ≤ basis ≤ hoog (geef zo nodig ook de andere niveaus op)",
            )
    return out


def _plain(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def check(
    deviations: list[Deviation],
    params: ParameterSet,
    registered: Collection[str] | None = None,
    projects: Mapping[str, Collection[str]] | None = None,
) -> Checked:
    """Split `deviations` into those the MKBA may use and the refused ones with why.

    `registered`: the organisations of the register (None: not checked); `projects`: per
    organisation its delivered project ids (an organisation not in it: not checked)."""
    refused: list[Refusal] = []
    fine: list[Deviation] = []
    for d in deviations:
        problems = _row_problems(d, params, registered, projects)
        if problems:
            refused += [Refusal(d, col, msg, d.plaats) for col, msg in problems]
        else:
            fine.append(d)
    together = _group_problems(fine, params)
    accepted = [d for i, d in enumerate(fine) if i not in together]
    refused += [Refusal(fine[i], col, msg, fine[i].plaats) for i, (col, msg) in together.items()]
    return Checked(accepted, refused)


# ------------------------------------------------------------------------------ frames


def engine_frame(accepted: list[Deviation]) -> pl.DataFrame:
    """The accepted deviations as the engine's overrides."""
    rows = [
        {
            "organisatie_id": d.organisatie_id,
            "project_id": d.project_id,
            "parameter": d.parameter,
            "waarde": d.waarde,
            "toelichting": d.toelichting,
        }
        for d in accepted
    ]
    return pl.DataFrame(rows, schema=OVERRIDE_SCHEMA)


def _standard(params: ParameterSet, path: str) -> float | None:
    try:
        param, level = params.resolve(path)
    except ValueError:
        return None
    return None if param.is_null else param.level(level or "basis")


def records(checked: Checked, params: ParameterSet) -> pl.DataFrame:
    """Every deviation of `checked` with its standard value and status (`RECORD_SCHEMA`); a
    refused one once, with its first problem."""
    rows = []
    seen: set[int] = set()
    for d in checked.accepted:
        rows.append({**asdict(d), "status": APPLIED, "kolom": None, "melding": None})
    for r in checked.refused:
        if r.deviation is None or id(r.deviation) in seen:
            continue
        seen.add(id(r.deviation))
        rows.append(
            {**asdict(r.deviation), "status": REFUSED, "kolom": r.kolom, "melding": r.melding}
        )
    for row in rows:
        row["waarde_standaard"] = _standard(params, row["parameter"])
        if row["waarde"] is not None and not math.isfinite(row["waarde"]):
            row["waarde"] = None  # never stored: the typed text says what it was
    return pl.DataFrame(rows, schema=RECORD_SCHEMA)


def refused_at_last_run(lake: Lake, org: str) -> list[Refusal]:
    """The organisation's deviations refused at its last MKBA run, as `records` wrote them
    beside its results: what the run's log and the organisation's portal page both show."""
    path = lake.mkba_path(LAKE_NAME, org)
    if not path.exists():
        return []
    frame = pl.read_parquet(path).filter(pl.col("status") == REFUSED)
    return [
        Refusal(None, r["kolom"], r["melding"], r["plaats"]) for r in frame.iter_rows(named=True)
    ]


def for_organisation(checked: Checked, org: str) -> Checked:
    return Checked(
        [d for d in checked.accepted if d.organisatie_id == org],
        [r for r in checked.refused if r.deviation and r.deviation.organisatie_id == org],
    )


def proposal_deviation(
    *,
    organisatie_id: str,
    project_id: str | None,
    parameter: str,
    tekst: str,
    toelichting: str,
    bron: str,
    ident: str = "nieuw",
) -> Deviation:
    """A proposal from the portal form as a deviation, to check before it is stored."""
    return Deviation(
        organisatie_id=organisatie_id,
        project_id=project_id or None,
        parameter=parameter,
        tekst=tekst.strip(),
        waarde=parse_value(tekst.strip()) if tekst.strip() else None,
        toelichting=toelichting,
        bron=bron,
        herkomst=FROM_PORTAL,
        plaats="uw voorstel" if ident == "nieuw" else f"voorstel {ident}",
        voorstel=None if ident == "nieuw" else ident,
    )


def as_accepted(d: Deviation, by: str, when: str) -> Deviation:
    return replace(d, aanvaard_door=by, aanvaard_op=when)
