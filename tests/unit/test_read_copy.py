"""The warehouse's read copy (`rendement.core.readcopy`): published in one rename, read-only,
and replaceable while a reader has the previous copy open."""

from __future__ import annotations

import duckdb

from rendement.core.home import Home
from rendement.core.readcopy import publish_read_copy, read_warehouse, reading_path


def _write(home: Home, value: int) -> None:
    con = duckdb.connect(str(home.warehouse))
    con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS v", [value])
    con.close()


def test_reading_path_falls_back_to_the_warehouse_until_a_copy_exists(tmp_path):
    home = Home(tmp_path).ensure()
    assert publish_read_copy(home) is None  # no warehouse yet
    _write(home, 1)
    assert reading_path(home) == home.warehouse
    assert publish_read_copy(home) == home.warehouse_read
    assert reading_path(home) == home.warehouse_read
    assert home.warehouse_read.stat().st_mode & 0o777 == 0o444


def test_a_new_copy_replaces_the_old_one_while_a_reader_has_it_open(tmp_path):
    home = Home(tmp_path).ensure()
    _write(home, 1)
    publish_read_copy(home)
    with read_warehouse(home) as reader:
        _write(home, 2)  # the writer opens warehouse.duckdb read-write: no reader holds it
        publish_read_copy(home)
        assert reader.execute("SELECT v FROM t").fetchone()[0] == 1
    with read_warehouse(home) as reader:
        assert reader.execute("SELECT v FROM t").fetchone()[0] == 2
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
