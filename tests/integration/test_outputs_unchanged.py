"""Every output users read is byte-identical to the recorded one (tests/golden): the warehouse
tables and the site's pages of the test demo sector. Refactoring the code must not move a
number, a word or a byte of HTML; a change that is meant to, rewrites the record with
`python -m tests.support.outputs --write` in the same commit (see tests/support/outputs.py)."""

from __future__ import annotations

import json

from tests.support.homes import copy_home
from tests.support.outputs import GOLDEN, output_digests


def test_demo_outputs_are_byte_identical_to_the_record(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    found = output_digests(home)
    expected = json.loads(GOLDEN.read_text("utf-8"))
    for kind in ("tabellen", "paginas"):
        changed = sorted(k for k in expected[kind] if found[kind].get(k) != expected[kind][k])
        added = sorted(set(found[kind]) - set(expected[kind]))
        assert not changed and not added, (kind, changed[:20], added[:20])
