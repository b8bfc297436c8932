"""The warehouse's read copy (`rendement.core.readcopy`): published in one rename, read-only,
replaceable while a reader has the previous copy open, and, once nobody reads the copy before
it, that one brought up to date in place with the rows of the organisations that changed:
always, table for table, what the warehouse holds."""

from __future__ import annotations

import duckdb

from rendement.core.home import Home
from rendement.core.readcopy import (
    PUBLISHED_VERSION_NAME,
    SPARE_NAME,
    SPARE_VERSION_NAME,
    publish_read_copy,
    read_warehouse,
    reading_path,
)
from rendement.core.warehouse import LOADED
from tests.support.warehouse import loaded_tables


def _write(home: Home, value: int) -> None:
    con = duckdb.connect(str(home.warehouse))
    con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS v", [value])
    con.close()


def test_reading_path_falls_back_to_the_warehouse_until_a_copy_exists(tmp_path):
    home = Home(tmp_path).ensure()
    assert publish_read_copy(home) is None  # no warehouse yet
    _write(home, 1)
    assert reading_path(home) == home.warehouse
    assert publish_read_copy(home).path == home.warehouse_read
    assert reading_path(home) == home.warehouse_read
    assert home.warehouse_read.stat().st_mode & 0o777 == 0o444


def test_a_new_copy_replaces_the_old_one_while_a_reader_has_it_open(tmp_path):
    home = Home(tmp_path).ensure()
    _write(home, 1)
    publish_read_copy(home, in_place_from=0)
    with read_warehouse(home) as reader:
        _write(home, 2)  # the writer opens warehouse.duckdb read-write: no reader holds it
        publish_read_copy(home, in_place_from=0)
        _write(home, 3)
        # the copy the reader holds is now the one to bring up to date: it must be left alone
        third = publish_read_copy(home, in_place_from=0)
        assert third.update is None and third.copied_because == "vorige kopie nog in gebruik"
        assert reader.execute("SELECT v FROM t").fetchone()[0] == 1
    with read_warehouse(home) as reader:
        assert reader.execute("SELECT v FROM t").fetchone()[0] == 3
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --------------------------------------------------------------- in place, per organisation


def _ledgered(home: Home, rows: dict[str, int], versions: dict[str, str]) -> None:
    """A warehouse as the load leaves it: `canoniek.traject` with `rows[org]` rows per
    organisation, the ledger with each organisation's file version, a small table."""
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS canoniek")
        con.execute("CREATE SCHEMA IF NOT EXISTS intake")
        con.execute("CREATE SCHEMA IF NOT EXISTS benchmark")
        con.execute(
            "CREATE TABLE IF NOT EXISTS canoniek.traject (organisatie_id VARCHAR, n BIGINT)"
        )
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {LOADED} (doel VARCHAR, organisatie_id VARCHAR, versie VARCHAR)"
        )
        con.execute("COMMENT ON TABLE canoniek.traject IS 'trajecten'")
        con.execute(
            "CREATE OR REPLACE TABLE benchmark.cellen AS SELECT sum(n) AS totaal FROM canoniek.traject"
        )
        for org, n in rows.items():
            old = con.execute(
                f"SELECT versie FROM {LOADED} WHERE organisatie_id = ?", [org]
            ).fetchall()
            if old and old[0][0] == versions[org]:
                continue
            con.execute("DELETE FROM canoniek.traject WHERE organisatie_id = ?", [org])
            con.execute(
                "INSERT INTO canoniek.traject BY NAME "
                "SELECT ? AS organisatie_id, range AS n FROM range(?)",
                [org, n],
            )
            con.execute(f"DELETE FROM {LOADED} WHERE organisatie_id = ?", [org])
            con.execute(
                f"INSERT INTO {LOADED} VALUES ('canoniek.traject', ?, ?)", [org, versions[org]]
            )
        con.execute(
            "CREATE OR REPLACE TABLE benchmark.cellen AS SELECT sum(n) AS totaal FROM canoniek.traject"
        )


def _same(home: Home) -> bool:
    names = [LOADED, "canoniek.traject", "benchmark.cellen"]
    return loaded_tables(home.warehouse_read, names) == loaded_tables(home.warehouse, names)


ORGS = [f"ORG{i:03d}" for i in range(1, 11)]


def test_the_previous_copy_is_brought_up_to_date_with_the_organisations_that_changed(tmp_path):
    home = Home(tmp_path).ensure()
    rows = {org: 100 + i for i, org in enumerate(ORGS)}
    versions = dict.fromkeys(ORGS, "v1")
    _ledgered(home, rows, versions)
    first = publish_read_copy(home, "code", in_place_from=0)
    assert first.update is None and first.copied_because == "geen vorige kopie"
    _ledgered(home, {**rows, "ORG002": 7}, {**versions, "ORG002": "v2"})
    second = publish_read_copy(home, "code", in_place_from=0)
    assert second.update is None  # the first copy became the spare only now
    assert _same(home)

    _ledgered(
        home, {**rows, "ORG002": 7, "ORG005": 9}, {**versions, "ORG002": "v2", "ORG005": "v2"}
    )
    third = publish_read_copy(home, "code", in_place_from=0)
    # the spare was the first copy: ORG002 and ORG005 changed since
    assert third.update is not None, third.copied_because
    assert third.update.organisations == ("ORG002", "ORG005")
    assert (third.update.tables_per_organisation, third.update.tables_whole) == (1, 2)
    assert _same(home)
    assert home.warehouse_read.stat().st_mode & 0o777 == 0o444
    assert not (tmp_path / (SPARE_NAME + ".wal")).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".wal"))]
    # published and spare are two files, not two names of one
    assert not (tmp_path / SPARE_NAME).samefile(home.warehouse_read)


def test_a_copy_that_cannot_be_trusted_is_made_whole(tmp_path):
    home = Home(tmp_path).ensure()
    rows = {org: 50 for org in ORGS}
    versions = dict.fromkeys(ORGS, "v1")
    _ledgered(home, rows, versions)
    publish_read_copy(home, "code", in_place_from=0)
    publish_read_copy(home, "code", in_place_from=0)

    # rows changed behind the ledger's back: the counts differ, nothing half-done is published
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("DELETE FROM canoniek.traject WHERE organisatie_id = 'ORG003' AND n < 5")
    published = publish_read_copy(home, "code", in_place_from=0)
    assert published.copied_because == "aantallen rijen verschillen"
    assert _same(home)

    # a new column
    publish_read_copy(home, "code", in_place_from=0)
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("ALTER TABLE canoniek.traject ADD COLUMN extra VARCHAR")
    assert (
        publish_read_copy(home, "code", in_place_from=0).copied_because
        == "tabellen of kolommen veranderd"
    )
    assert _same(home)

    # other code wrote the rows: the copies published before the change, both, are not trusted
    publish_read_copy(home, "code", in_place_from=0)
    assert publish_read_copy(home, "nieuwe code", in_place_from=0).copied_because == "andere code"
    assert publish_read_copy(home, "nieuwe code", in_place_from=0).copied_because == "andere code"
    assert publish_read_copy(home, "nieuwe code", in_place_from=0).update is not None
    publish_read_copy(home, "code", in_place_from=0)
    publish_read_copy(home, "code", in_place_from=0)

    # most organisations changed: a copy is cheaper
    publish_read_copy(home, "code", in_place_from=0)
    _ledgered(home, {org: 3 for org in ORGS}, dict.fromkeys(ORGS, "v9"))
    assert (
        publish_read_copy(home, "code", in_place_from=0).copied_because
        == "veel organisaties veranderd"
    )
    assert _same(home)


def test_no_copy_made_before_a_client_was_erased_is_kept(tmp_path):
    """After `rendement verwijder-client` the next run leaves no copy with the client's rows
    behind: the spare is not brought up to date, and the copy it replaces is not kept."""
    home = Home(tmp_path).ensure()
    _ledgered(home, {org: 5 for org in ORGS}, dict.fromkeys(ORGS, "v1"))
    publish_read_copy(home, "code", in_place_from=0)
    publish_read_copy(home, "code", in_place_from=0)  # a spare from here on
    assert (tmp_path / SPARE_NAME).is_file()
    erasures = home.lake / "verwijderd"
    erasures.mkdir(parents=True)
    (erasures / "ORG003.json").write_text("{}")
    after = publish_read_copy(home, "code", in_place_from=0)
    assert after.copied_because == "cliënt verwijderd sinds de vorige kopie"
    assert not (tmp_path / SPARE_NAME).exists()
    assert _same(home)
    assert publish_read_copy(home, "code", in_place_from=0).copied_because == "geen vorige kopie"
    assert publish_read_copy(home, "code", in_place_from=0).update is not None


def test_a_small_warehouse_is_copied_whole_and_keeps_no_previous_copy(tmp_path):
    """Below `in_place_from` a whole copy is cheaper than an update in place: no spare is kept
    (it would take room for nothing)."""
    home = Home(tmp_path).ensure()
    _ledgered(home, {org: 5 for org in ORGS}, dict.fromkeys(ORGS, "v1"))
    size = home.warehouse.stat().st_size
    for _ in range(3):
        published = publish_read_copy(home, "code", in_place_from=size + 1)
        assert published.copied_because == "klein bestand: heel kopiëren is sneller"
        assert not (tmp_path / SPARE_NAME).exists()
        assert not (tmp_path / SPARE_VERSION_NAME).exists()
        assert not (tmp_path / PUBLISHED_VERSION_NAME).exists()
    assert _same(home)
    # grown past it: the copy made while small has no known code version, so it is not
    # brought up to date; the one published after it is
    publish_read_copy(home, "code", in_place_from=size)
    assert publish_read_copy(home, "code", in_place_from=size).copied_because == "andere code"
    assert publish_read_copy(home, "code", in_place_from=size).update is not None


def test_a_log_left_by_an_update_that_stopped_goes_with_the_file_it_belongs_to(tmp_path):
    """An update in place that stopped before its checkpoint leaves DuckDB's write-ahead log
    beside the spare; when another file takes the spare's name the log goes, so it is never
    replayed into a database it does not belong to."""
    home = Home(tmp_path).ensure()
    _ledgered(home, {org: 5 for org in ORGS}, dict.fromkeys(ORGS, "v1"))
    publish_read_copy(home, "code", in_place_from=0)
    publish_read_copy(home, "code", in_place_from=0)
    log = tmp_path / (SPARE_NAME + ".wal")
    log.write_bytes(b"niet van dit bestand")
    assert publish_read_copy(home, "andere", in_place_from=0).copied_because == "andere code"
    assert not log.exists()
    assert _same(home)
