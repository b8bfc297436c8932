"""What the portal shows, from a data home's files without a server: Dutch local time, the
four statuses per file, the organisation's own file names, nothing of another organisation."""

from __future__ import annotations

import datetime as dt
import hashlib

from rendement.core import audit
from rendement.core.home import Home
from rendement.core.receipts import save_receipt
from rendement.service.pages import local_time
from rendement.service.portal_views import deliveries, delivery
from rendement.service.uploads import ACTOR


def test_local_time_follows_amsterdam_summer_and_winter_time():
    assert local_time("2026-01-15T12:00:00+00:00") == "15-01-2026 13:00"
    assert local_time("2026-07-15T12:00:00+00:00") == "15-07-2026 14:00"
    assert local_time(dt.datetime(2026, 3, 29, 1, 30), seconds=True) == "29-03-2026 03:30:00"
    assert local_time(None) == "" and local_time("geen tijd") == "geen tijd"


def _upload(home: Home, org: str, checksum: str, stored: str, original: str) -> None:
    audit.append(
        home.audit_log, actor=ACTOR, action="upload", outcome="ontvangen", organisatie_id=org,
        checksum=checksum, bestand=stored, origineel=original,
    )  # fmt: skip


def _intake(home: Home, org: str, checksum: str, stored: str, outcome: str) -> None:
    audit.append(
        home.audit_log, actor="intake", action="inname", outcome=outcome, organisatie_id=org,
        checksum=checksum, bestand=stored, periode=2025,
    )  # fmt: skip


def test_each_file_gets_one_of_four_statuses_under_its_own_name(tmp_path):
    home = Home(tmp_path)
    home.ensure()
    names = {}
    for i, (original, steps) in enumerate(
        [
            ("wacht_2025.csv", []),
            ("bezig_2025.csv", ["ontvangen"]),
            ("goed_2025.csv", ["ontvangen", "geaccepteerd"]),
            ("deels_2025.csv", ["ontvangen", "deels_geaccepteerd"]),
            ("fout_2025.csv", ["ontvangen", "geweigerd"]),
        ]
    ):
        content = f"inhoud {i}".encode()
        checksum = hashlib.sha256(content).hexdigest()
        stored = f"20261205T02245{i}Z_{checksum[:12]}_{original}"
        names[original] = checksum[:16]
        _upload(home, "ORG1", checksum, stored, original)
        for step in steps:
            _intake(home, "ORG1", checksum, stored, step)
        if not steps:  # still in the inbox
            home.org_inbox("ORG1").mkdir(parents=True, exist_ok=True)
            (home.org_inbox("ORG1") / stored).write_bytes(content)
    _upload(home, "ORG2", "f" * 64, "x_geheim_2025.csv", "geheim_2025.csv")
    rows = {r["bestand"]: r["status"] for r in deliveries(home, "ORG1")}
    assert rows == {
        "wacht_2025.csv": "ontvangen",
        "bezig_2025.csv": "in_verwerking",
        "goed_2025.csv": "verwerkt",
        "deels_2025.csv": "verwerkt",
        "fout_2025.csv": "geweigerd",
    }
    assert delivery(home, "ORG1", "f" * 16) is None  # ORG2's upload
    assert delivery(home, "ORG1", "../../etc/passwd") is None
    receipt = {
        "organisatie_id": "ORG1", "checksum": "9" * 64, "bestand": "20261205T0_999_p_2025.csv",
        "origineel": "p_2025.csv", "ontvangen_op": "2026-12-05T02:24:59+00:00",
        "voorcontrole": {"oordeel": "deels_geaccepteerd", "rapport": {"regels": [{
            "regel": "datum_onleesbaar", "ernst": "fout", "titel": "Waarde niet te lezen",
            "wat_te_doen": "Pas de waarde aan.", "aantal": 1, "voorbeelden": [{
                "tabel": "project", "bestand": "20261205T0_999_p_2025.csv", "rij": 3,
                "kolom": "startdatum", "waarde": "31-02-2025", "verwacht": None,
                "melding": "geen geldige datum"}]}]}},
    }  # fmt: skip
    save_receipt(home, receipt)
    shown = delivery(home, "ORG1", "9" * 16)
    assert shown["bestand"] == "p_2025.csv" and shown["status"] == "ontvangen"
    assert shown["ontvangen"] == "05-12-2026 03:24"
    [rule] = shown["ontvangstbewijs"]["regels"]
    [example] = rule["voorbeelden"]
    assert (example["bestand"], example["rij"], example["kolom"], example["waarde"]) == (
        "p_2025.csv", 3, "startdatum", "31-02-2025",
    )  # fmt: skip
