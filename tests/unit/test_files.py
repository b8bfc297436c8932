"""The one way to write and lock files (`rendement.core.files`)."""

from __future__ import annotations

import os
import threading

import pytest

from rendement.core.files import atomic_path, locked, write_atomic


def test_write_atomic_leaves_nothing_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "traject_2024.csv"

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"half a file")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    write_atomic(target, "whole file")
    assert [p.name for p in tmp_path.iterdir()] == ["traject_2024.csv"]
    assert target.read_text("utf-8") == "whole file"


def test_write_atomic_sets_the_mode_before_the_file_appears(tmp_path):
    target = write_atomic(tmp_path / "sub" / "register.json", "{}\n", mode=0o600, durable=True)
    assert target.stat().st_mode & 0o777 == 0o600


def test_atomic_path_writes_a_folder_whole_or_not_at_all(tmp_path):
    store = tmp_path / "releases" / "2025-1"
    with pytest.raises(RuntimeError):
        with atomic_path(store) as tmp:
            (tmp / "site").mkdir(parents=True)
            (tmp / "site" / "index.html").write_text("half", "utf-8")
            raise RuntimeError("render failed")
    assert list(store.parent.iterdir()) == []
    with atomic_path(store) as tmp:
        tmp.mkdir()
        (tmp / "manifest.json").write_text("{}", "utf-8")
    assert [p.name for p in store.parent.iterdir()] == ["2025-1"]
    assert (store / "manifest.json").read_text("utf-8") == "{}"


def test_temporary_names_are_hidden_and_unique(tmp_path):
    seen = []
    for _ in range(2):
        with atomic_path(tmp_path / "a.parquet") as tmp:
            seen.append(tmp.name)
            tmp.write_bytes(b"x")
    assert all(name.startswith(".a.parquet.") and name.endswith(".tmp") for name in seen)
    assert seen[0] != seen[1]


def test_locked_serialises_writers(tmp_path):
    log = tmp_path / "audit.jsonl"
    inside = []

    def append(i: int) -> None:
        with locked(log, mode=0o640) as fd:
            inside.append(i)
            assert len(inside) == 1  # nobody else holds the lock
            os.write(fd, f"{i}\n".encode())
            inside.pop()

    threads = [threading.Thread(target=append, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(log.read_text().split()) == [str(i) for i in range(8)]
    assert log.stat().st_mode & 0o777 == 0o640
