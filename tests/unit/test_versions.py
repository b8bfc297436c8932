"""The one change-detection mechanism (`rendement.core.versions`): what counts as changed."""

from __future__ import annotations

import os

import polars as pl

from rendement.core import versions


def test_parts_are_delimited():
    assert versions.digest("ab", "c") != versions.digest("a", "bc")
    assert versions.digest("a", "b") == versions.digest("a", "b")


def test_stale_lists_changed_new_and_gone_keys():
    wanted = {"ORG1": "v1", "ORG2": "v2", "ORG3": "v3"}
    recorded = {"ORG1": "v1", "ORG2": "oud", "ORG4": "v4"}
    assert versions.stale(wanted, recorded) == ["ORG2", "ORG3", "ORG4"]
    assert versions.stale(wanted, dict(wanted)) == []


def test_a_frame_version_ignores_row_order_but_not_values_or_types():
    frame = pl.DataFrame({"organisatie_id": ["A", "B", "A"], "x": [1, 2, 3]})
    assert versions.frame_version(frame) == versions.frame_version(frame.reverse())
    assert versions.frame_version(frame) != versions.frame_version(
        frame.with_columns(x=pl.Series([1, 2, 4]))
    )
    assert versions.frame_version(frame) != versions.frame_version(
        frame.with_columns(pl.col("x").cast(pl.Float64))
    )


def test_versions_per_organisation_change_only_for_the_changed_organisation():
    frame = pl.DataFrame({"organisatie_id": ["A", "B", "A", None], "x": [1, 2, 3, 4]})
    before = versions.versions_per_organisation(frame)
    assert set(before) == {"A", "B"}
    assert before == versions.versions_per_organisation(frame.reverse())
    after = versions.versions_per_organisation(frame.with_columns(x=pl.Series([1, 5, 3, 4])))
    assert after["A"] == before["A"] and after["B"] != before["B"]


def test_a_rewritten_file_has_a_new_version_without_reading_it(tmp_path):
    path = tmp_path / "a.parquet"
    path.write_bytes(b"x" * 10)

    def stats():
        st = os.stat(path)
        return [(str(path), st.st_ino, st.st_mtime_ns, st.st_size)]

    first = versions.files_version(stats())
    assert versions.files_version(stats()) == first
    replacement = tmp_path / ".a.tmp"
    replacement.write_bytes(b"y" * 10)  # the lake writes a new inode and renames it over
    os.replace(replacement, path)
    assert versions.files_version(stats()) != first


def test_a_code_version_follows_the_source(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text("x = 1\n")
    before = versions.package_version(tmp_path)
    assert versions.package_version(tmp_path) == before
    source.write_text("x = 2\n")
    assert versions.package_version(tmp_path) != before
