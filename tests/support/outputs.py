"""Digests of everything a demo run outputs that users read: the warehouse tables and the
site's pages, so that a refactoring can show its outputs are byte-identical.

`python -m tests.support.outputs --write` records the digests of the test demo sector
(tests/conftest.py: 8 organisations, seed 11) in `tests/golden/demo_outputs.json`; the test
`test_outputs_unchanged.py` computes them again and compares. Rewrite the file only for a
change that is meant to change an output, and say so in the commit.

Left out, because they differ between two runs of the same code: times (the audit log, the
delivery overview and its page, the lake's load ledger, and on pages the date and time the
demo's files were received, replaced by <DATUM> <TIJD>), the pseudonyms (a random key per
data home) and the pages' date line (the site is built again with a fixed date).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from pathlib import Path

import duckdb

from rendement.core.home import VALIDATION_IN_SITE

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "demo_outputs.json"
FIXED_TODAY = dt.date(2026, 3, 2)
VOLATILE_TABLES = {
    "intake.audit",
    "intake.leveringen",
    "intake.leveringsstatus",
    "intake.lakebestanden",
}
VOLATILE_COLUMNS = {"client_pseudoniem", "checksum", "ontvangen_op", "tijdstip"}
VOLATILE_PAGES = {"leveringen.html"}


def table_digests(warehouse: Path) -> dict[str, str]:
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.sql(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1"
        ).fetchall()
        for (name,) in names:
            if name in VOLATILE_TABLES:
                continue
            frame = con.sql(f"SELECT * FROM {name}").pl()
            frame = frame.drop([c for c in frame.columns if c in VOLATILE_COLUMNS])
            if frame.width:
                frame = frame.sort(frame.columns, nulls_last=True)
            text = frame.write_csv(float_precision=None)
            out[name] = hashlib.sha256(
                (",".join(f"{c}:{t}" for c, t in frame.schema.items()) + "\n" + text).encode()
            ).hexdigest()
    return out


_MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()


def _without_run_times(text: str) -> str:
    """The page with the dates and times of the run itself (when the demo's files were
    received) replaced: they are today's, whatever the code."""
    today = dt.date.today()
    # a run across midnight, and local time (Europe/Amsterdam) a day ahead of the clock
    for day in (today, today - dt.timedelta(days=1), today + dt.timedelta(days=1)):
        for written in (
            day.strftime("%d-%m-%Y"),
            day.isoformat(),
            f"{day.day} {_MONTHS[day.month - 1]} {day.year}",
        ):
            text = text.replace(written, "<DATUM>")
    return re.sub(r"<DATUM>([ T])\d{2}:\d{2}(:\d{2})?", r"<DATUM>\1<TIJD>", text)


def page_digests(site: Path, validation: Path) -> dict[str, str]:
    """Digests of the site's pages and of the validation reports (`Home.validation`), these
    under the path the site shows them at (`org/<ORG>/validatie/<kenmerk>.html`)."""
    out = {}
    pages = [(path.relative_to(site).as_posix(), path) for path in site.rglob("*.html")]
    reports = [
        (f"org/{path.parent.name}/{VALIDATION_IN_SITE}/{path.name}", path)
        for path in validation.glob("*/*.html")
    ]
    for rel, path in sorted([*pages, *reports]):
        if path.name in VOLATILE_PAGES or any(p.startswith(".") for p in path.parts):
            continue
        text = _without_run_times(path.read_text("utf-8"))
        out[rel] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return out


def output_digests(home) -> dict[str, dict[str, str]]:
    """Rebuild the site of `home` with `FIXED_TODAY` and digest its tables and pages. A new
    day alone renders no organisation page (each says the day it was made), so their
    fingerprints go first: every page is made again on the fixed day."""
    from rendement.mkba import load_parameters
    from rendement.reports.site import build_site
    from tests.support.homes import forget_organisation_pages

    forget_organisation_pages(home)
    build_site(home, load_parameters(), today=FIXED_TODAY)
    return {
        "tabellen": table_digests(home.warehouse),
        "paginas": page_digests(home.site, home.validation),
    }


def _demo_home(root: Path):
    from rendement.cli.main import main
    from rendement.core.home import Home
    from tests.support.homes import DEMO_ORGS, DEMO_SEED

    code = main(["demo", "--orgs", str(DEMO_ORGS), "--seed", str(DEMO_SEED), "--home", str(root)])
    assert code == 0
    return Home(root.resolve())


if __name__ == "__main__":
    import contextlib
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, open(os.devnull, "w") as quiet:
        with contextlib.redirect_stdout(quiet):
            digests = output_digests(_demo_home(Path(tmp) / "home"))
    text = json.dumps(digests, indent=1, sort_keys=True) + "\n"
    if "--write" in sys.argv:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
