"""The audit log as a hash chain (issue 20, point 9): an edited, removed or inserted line shows,
`rendement audit controleer` names the first broken one, and concurrent writers stay ordered."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from rendement.cli.main import main
from rendement.core import audit
from tests.support.homes import valid_bsns


def _append(log: Path, i: int, org: str = "ORG001") -> dict:
    return audit.append(
        log, actor="intake", action="validatie", outcome="geaccepteerd", organisatie_id=org,
        checksum=f"{i:064x}", bestand=f"traject_{i}.csv", aantallen={"traject": i},
    )  # fmt: skip


def _lines(log: Path) -> list[str]:
    return log.read_text("utf-8").splitlines(keepends=True)


def _check(home: Path, capsys) -> tuple[int, str, str]:
    code = main(["audit", "controleer", "--home", str(home)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_entry_is_chained_to_the_one_before_it(tmp_path, capsys):
    log = tmp_path / "audit.jsonl"
    first, second = _append(log, 1), _append(log, 2)
    assert first["vorige"] == audit.hashlib.sha256(b"").hexdigest()
    assert second["vorige"] == first["hash"]
    assert (
        second["hash"]
        == audit.hashlib.sha256(first["hash"].encode() + audit.canonical(second)).hexdigest()
    )
    report = audit.verify(log)
    assert report.intact and report.entries == report.chained == 2
    code, out, _err = _check(tmp_path, capsys)
    assert code == 0 and "in orde" in out and second["hash"] in out
    # the fields other code reads are unchanged
    assert audit.read(log).columns == list(audit.AUDIT_SCHEMA)


def test_an_edited_entry_breaks_the_chain_and_is_named(tmp_path, capsys):
    log = tmp_path / "audit.jsonl"
    for i in range(4):
        _append(log, i)
    lines = _lines(log)
    lines[2] = lines[2].replace('"geaccepteerd"', '"geweigerd"')
    log.write_text("".join(lines), "utf-8")
    report = audit.verify(log)
    assert report.broken_line == 3 and "gewijzigd" in report.reason
    code, _out, err = _check(tmp_path, capsys)
    assert code == 1 and "regel 3" in err and "NIET in orde" in err and "ORG001" in err


@pytest.mark.parametrize("how", ["verwijderd", "ertussen", "omgewisseld"])
def test_a_removed_inserted_or_swapped_entry_breaks_the_chain(tmp_path, capsys, how):
    log = tmp_path / "audit.jsonl"
    for i in range(5):
        _append(log, i)
    lines = _lines(log)
    if how == "verwijderd":
        del lines[2]
    elif how == "ertussen":
        lines.insert(2, lines[1])
    else:
        lines[1], lines[2] = lines[2], lines[1]
    log.write_text("".join(lines), "utf-8")
    assert audit.verify(log).broken_line == (2 if how == "omgewisseld" else 3)
    assert _check(tmp_path, capsys)[0] == 1


def test_an_old_log_without_hashes_is_sealed_by_the_first_chained_entry(tmp_path, capsys):
    log = tmp_path / "audit.jsonl"
    old = [
        {"tijdstip": f"2025-01-0{i}T10:00:00+00:00", "actor": "intake", "actie": "ontvangst",
         "organisatie_id": "ORG002", "checksum": None, "bestand": "a.csv",
         "uitkomst": "ontvangen", "details": "{}"}
        for i in (1, 2)
    ]  # fmt: skip
    log.write_text("".join(json.dumps(e) + "\n" for e in old), "utf-8")
    _append(log, 3)
    _append(log, 4)
    report = audit.verify(log)
    assert report.intact and report.unchained_before == 2 and report.chained == 2
    code, out, _err = _check(tmp_path, capsys)
    assert code == 0 and "2 oudere regel(s)" in out
    assert audit.read(log).height == 4
    original = _lines(log)
    edited = [original[0].replace("ORG002", "ORG009"), *original[1:]]
    log.write_text("".join(edited), "utf-8")
    assert audit.verify(log).broken_line == 3  # the first chained entry sealed the old lines
    log.write_text("".join([*original, json.dumps(old[0]) + "\n"]), "utf-8")
    report = audit.verify(log)  # an unchained line after the chain started
    assert report.broken_line == 5 and "geen hash" in report.reason


def _writer(log: str, worker: int, n: int) -> None:
    for i in range(n):
        _append(Path(log), worker * 1000 + i, org=f"ORG{worker:03d}")


def test_concurrent_writers_keep_one_ordered_chain(tmp_path):
    log = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(log), w, 40)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    report = audit.verify(log)
    assert report.intact and report.chained == 160
    times = audit.read(log)["tijdstip"].to_list()
    assert times == sorted(times)  # the time is taken under the lock


def test_a_bsn_in_a_field_is_masked_in_the_log(tmp_path):
    bsn = valid_bsns(1, seed=21)[0]
    log = tmp_path / "audit.jsonl"
    audit.append(log, actor="dienst", action="upload", outcome="geweigerd",
                 bestand=f"{bsn}.csv", melding=f"nummer {bsn}")  # fmt: skip
    text = log.read_text("utf-8")
    assert bsn not in text and text.count("*****" + bsn[-4:]) == 2
    assert audit.verify(log).intact
