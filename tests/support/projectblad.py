"""The portal's project sheet form in tests: an organisation whose filled-in template was taken
in (so the form has something to show and correct), and the fields of a form as a browser would
send them."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from rendement.core import audit
from rendement.core.lake import Lake
from rendement.core.warehouse import connect, load_lake
from rendement.intake.accept import accept_org, receive_org
from rendement.intake.sjabloon import workbook_bytes
from tests.support.service import World, add_person, make_world
from tests.support.sjabloon import YEAR, filled_rows

EMAIL = "jan@welzijn-noord.nl"
URL = f"/portaal/ORG1/projectblad?jaar={YEAR}"


def sheet_world(tmp_path: Path) -> tuple[World, str]:
    """ORG1 (with a signed-in person `EMAIL`) has delivered the filled template of `YEAR`:
    projects P01 and P02, their sheet (and P02's plan for next year), an activity, inzet and
    kosten, all accepted into the lake. Returns the world and the person's account id."""
    world = make_world(tmp_path / "home")
    person = add_person(world.home, EMAIL, "ORG1")
    inbox = world.home.org_inbox("ORG1")
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / f"projectblad_{YEAR}.xlsx").write_bytes(workbook_bytes(YEAR, filled_rows()))
    process(world)
    return world, person


def process(world: World) -> list[str]:
    """What the pipeline's intake does with ORG1's inbox; the outcomes' statuses."""
    receive_org(world.home, "ORG1")
    return [o.status for o in accept_org(world.home, "ORG1")]


def opgave(world: World) -> dict[tuple, int | None]:
    """ORG1's accepted projectopgave in the lake: (project, jaar, soort, uitkomst) -> bereikt."""
    df = Lake(world.home.lake).accepted_tables("ORG1", ["projectopgave"])["projectopgave"]
    return {
        (r["project_id"], r["jaar"], r["soort"], r["uitkomst"]): r["bereikt"] or r["aantal"]
        for r in df.iter_rows(named=True)
    }


def warehouse_rows(world: World, sql: str) -> list[tuple]:
    """`sql` on the warehouse after loading the lake into it (`canoniek.*`)."""
    home = world.home
    load_lake(home.warehouse, home.lake, audit.read(home.audit_log))
    with connect(home.warehouse, read_only=True) as con:
        return con.execute(sql).fetchall()


class _Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_fields(html: str) -> dict[str, str]:
    """Every field of the page's forms with the value a browser would send unchanged."""
    parser = _Fields()
    parser.feed(html)
    return parser.fields
