"""The re-upload rule (`rendement.intake.hold`, issue 20 point 1) on small frames: more than a
quarter of a period's earlier rows removed is held; a key that is still delivered (even when its
new row will be rejected) does not count as removed."""

from __future__ import annotations

import polars as pl

from rendement.intake import hold


def _traject(ids) -> pl.DataFrame:
    return pl.DataFrame({"traject_id": [f"T{i}" for i in ids]}, schema={"traject_id": pl.String})


def test_more_than_a_quarter_removed_is_held():
    previous = {"traject": _traject(range(100))}
    kept_75 = hold.replacements({"traject": _traject(range(75))}, 2025, previous)
    kept_74 = hold.replacements({"traject": _traject(range(74))}, 2025, previous)
    assert [(r.eerder, r.nieuw, r.verwijderd, r.held) for r in kept_75] == [(100, 75, 25, False)]
    assert [(r.eerder, r.nieuw, r.verwijderd, r.held) for r in kept_74] == [(100, 74, 26, True)]
    assert kept_74[0].text == "traject 2025: vervangt 100 rijen door 74"


def test_header_only_removes_all_and_new_keys_do_not_make_up_for_lost_ones():
    previous = {"traject": _traject(range(738))}
    [empty] = hold.replacements({"traject": _traject([])}, 2025, previous)
    assert empty.held and empty.text == "traject 2025: vervangt 738 rijen door 0"
    # as many rows as before, but under other keys: every earlier row would go
    [other] = hold.replacements({"traject": _traject(range(1000, 1738))}, 2025, previous)
    assert other.held and other.verwijderd == 738
    assert "vervangt 738 rijen door 0" in hold.message([empty], "abcdef0123456789")
    assert "/api/uploads/abcdef0123456789/bevestigen" in hold.message([empty], "abcdef0123456789")


def test_first_delivery_and_other_tables_are_never_held():
    assert hold.replacements({"traject": _traject([])}, 2025, {}) == []
    assert hold.replacements({"traject": _traject([])}, 2025, {"traject": _traject([])}) == []
    found = hold.replacements(
        {"traject": _traject(range(10))}, 2025, {"project": pl.DataFrame({"project_id": ["P"]})}
    )
    assert found == []


def test_confirmation_is_kept_per_upload(tmp_path):
    lake = tmp_path / "lake"
    assert not hold.is_confirmed(lake, "ORG1", "ab" * 32)
    hold.confirm(lake, "ORG1", "ab" * 32, by="acc-1")
    assert hold.is_confirmed(lake, "ORG1", "ab" * 32)
    assert not hold.is_confirmed(lake, "ORG2", "ab" * 32)
