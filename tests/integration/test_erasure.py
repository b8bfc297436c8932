"""An erasure request for one client of one organisation (issue 20, point 5):
`rendement verwijder-client ORG CLIENT_ID` takes the client's trajectories and measurements
out of the lake, out of the warehouse at its next load, and out of every later upload (a
re-upload of the old file does not bring them back), and the audit log records it without
the client id (nor anything else the pseudonym could be found from)."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import polars as pl

from rendement.cli.main import main
from rendement.core import audit
from rendement.core.erasure import tombstone_path, tombstones
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.privacy import load_or_create_key, pseudonymise
from rendement.core.readcopy import SPARE_NAME, publish_read_copy, read_warehouse
from rendement.core.registry import Registry
from rendement.core.warehouse import load_lake
from rendement.intake.accept import accept_org, receive_org

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "voorbeelden"
CLIENT = "K008548"  # in traject_2025.csv, trajectory TR001391, which has measurements
TRAJECTORY = "TR001391"


def _deliver(home: Home, names: list[str], *, changed: bool = False) -> list[str]:
    inbox = home.org_inbox("ORG001")
    inbox.mkdir(parents=True, exist_ok=True)
    for name in names:
        data = (EXAMPLES / name).read_bytes()
        # the same rows in a file that is not byte for byte the archived one
        (inbox / name).write_bytes(data + b"\r\n" if changed else data)
    receive_org(home, "ORG001")
    return [o.status for o in accept_org(home, "ORG001")]


def _rows(home: Home, table: str) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(p) for p in Lake(home.lake).accepted_files(table, "ORG001")])


def _warehouse(home: Home, sql: str) -> int:
    load_lake(home.warehouse, home.lake, audit.read(home.audit_log))
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def test_an_erased_client_leaves_lake_warehouse_and_every_later_upload(tmp_path, monkeypatch):
    home = Home(tmp_path / "home").ensure()
    registry = Registry.load(home.registry)
    registry.add("ORG001", "Voorbeeld")
    registry.save()
    _deliver(home, sorted(p.name for p in EXAMPLES.glob("*_2025.csv")))
    key = load_or_create_key(home.secrets)
    pseudonym = pseudonymise("ORG001", pl.Series([CLIENT]), key)[0]
    trajects, metingen = _rows(home, "traject"), _rows(home, "meting")
    assert pseudonym in trajects["client_pseudoniem"].to_list()
    assert TRAJECTORY in metingen["traject_id"].to_list()
    sql = f"SELECT count(*) FROM canoniek.traject WHERE client_pseudoniem = '{pseudonym}'"
    assert _warehouse(home, sql) == 1
    publish_read_copy(home, in_place_from=0)
    publish_read_copy(
        home, in_place_from=0
    )  # from here on the copy before is kept, to bring up to date
    assert (home.root / SPARE_NAME).is_file()

    assert main(["verwijder-client", "ORG001", CLIENT, "--home", str(home.root)]) == 0

    assert pseudonym not in _rows(home, "traject")["client_pseudoniem"].to_list()
    assert _rows(home, "traject").height == trajects.height - 1
    assert TRAJECTORY not in _rows(home, "meting")["traject_id"].to_list()
    assert _rows(home, "meting").height < metingen.height
    assert _warehouse(home, sql) == 0, "gone from the warehouse at its next load"
    # and from what readers open; no copy made before the erasure stays behind
    publish_read_copy(home, in_place_from=0)
    assert not (home.root / SPARE_NAME).exists()
    with read_warehouse(home) as con:
        assert con.execute(sql).fetchone()[0] == 0
    assert (
        _warehouse(home, f"SELECT count(*) FROM canoniek.meting WHERE traject_id = '{TRAJECTORY}'")
        == 0
    )
    # the audit log has the erasure, without the id or the pseudonym
    log = home.audit_log.read_text("utf-8")
    assert CLIENT not in log and pseudonym not in log
    (entry,) = audit.read(home.audit_log).filter(pl.col("actie") == "verwijder_client").to_dicts()
    assert entry["organisatie_id"] == "ORG001" and '"traject": 1' in entry["details"]
    assert CLIENT not in tombstone_path(home, "ORG001").read_text("utf-8")
    assert tombstone_path(home, "ORG001").stat().st_mode & 0o777 == 0o600
    assert pseudonym in tombstones(home, "ORG001").pseudonyms

    # a re-upload of the old files (not byte-identical, so really read again) keeps them out
    statuses = _deliver(home, ["traject_2025.csv", "meting_2025.csv"], changed=True)
    assert statuses == ["geaccepteerd", "geaccepteerd"], statuses
    assert pseudonym not in _rows(home, "traject")["client_pseudoniem"].to_list()
    assert _rows(home, "traject").height == trajects.height - 1, "the others came back"
    assert TRAJECTORY not in _rows(home, "meting")["traject_id"].to_list()
    assert _warehouse(home, sql) == 0
    rejected = [pl.read_parquet(p) for p in (home.lake / "rejected").rglob("*.parquet")]
    assert not any(TRAJECTORY in f["waarde"].cast(pl.String).to_list() for f in rejected)

    # the id may come from standard input (not in the shell history): another client goes
    monkeypatch.setattr("sys.stdin", io.StringIO("K008733\n"))
    assert main(["verwijder-client", "ORG001", "-", "--home", str(home.root)]) == 0
    assert _rows(home, "traject").height == trajects.height - 2
    assert "K008733" not in home.audit_log.read_text("utf-8")


def test_an_unknown_organisation_or_an_empty_id_is_refused(tmp_path, capsys):
    home = Home(tmp_path / "home").ensure()
    assert main(["verwijder-client", "ORG404", CLIENT, "--home", str(home.root)]) == 2
    assert "onbekend" in capsys.readouterr().err
    assert main(["verwijder-client", "../x", CLIENT, "--home", str(home.root)]) == 2
    assert not home.audit_log.exists()
