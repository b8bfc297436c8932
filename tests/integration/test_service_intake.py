"""From the upload service into the pipeline and back: the Dagster inbox sensor sees the upload
(and nothing half-written), intake takes it in under its generated name with the right year,
and the organisation then reads its status and its validation report over HTTP."""

from __future__ import annotations

import dagster as dg
import httpx

from pipelines.resources import HomeResource
from pipelines.sensors import FILES_TAG, inbox_sensor
from rendement.core import audit
from rendement.core.registry import Registry
from rendement.intake.accept import accept_org, receive_org
from rendement.intake.delivery import delivery_status
from tests.support.service import PROJECT_CSV, make_world, serve


def test_upload_is_seen_by_the_sensor_taken_in_and_reported(tmp_path):
    world = make_world(tmp_path / "home")
    home = world.home
    # a crashed request's leftovers must not look like an upload
    (home.org_inbox("ORG2")).mkdir(parents=True)
    (home.org_inbox("ORG2") / ".upload-abc.part").write_bytes(PROJECT_CSV[:40])
    h = {"Authorization": f"Bearer {world.tokens['ORG1']}"}
    with serve(world) as live, httpx.Client(base_url=live.url, timeout=120) as client:
        r = client.post(
            "/api/uploads", headers=h, files={"bestand": ("project_2025.csv", PROJECT_CSV)}
        )
        assert r.status_code == 201, r.text
        receipt = r.json()

        with dg.DagsterInstance.ephemeral() as instance:
            context = dg.build_sensor_context(
                instance=instance, resources={"home": HomeResource(root=str(home.root))}
            )
            result = inbox_sensor(context)
        assert [(q.partition_key, q.tags[FILES_TAG]) for q in result.run_requests] == [
            ("ORG1", "1")
        ]

        received = receive_org(home, "ORG1")  # what the sensor's run does first
        assert [(o.bestand, o.status, o.periode) for o in received] == [
            (receipt["bestand"], "ontvangen", 2025)
        ]
        [accepted] = accept_org(home, "ORG1")
        assert accepted.status == "geaccepteerd"

        [row] = client.get("/api/uploads", headers=h).json()["uploads"]
        assert (row["checksum"], row["status"], row["periode"]) == (
            receipt["checksum"], "geaccepteerd", 2025,
        )  # fmt: skip
        report = client.get(row["rapport"], headers=h)
        assert report.status_code == 200 and "aangenomen" in report.text
        # the report names the file as the organisation sent it, not the inbox's storage name,
        # and leads back to the organisation's report
        assert "<strong>project_2025.csv</strong>" in report.text
        assert receipt["bestand"] not in report.text
        assert 'href="../index.html"' in report.text
        other = {"Authorization": f"Bearer {world.tokens['ORG2']}"}
        assert client.get(row["rapport"], headers=other).status_code == 403

        # raw body without a file name: refused, nothing written
        assert client.post("/api/uploads", headers=h, content=PROJECT_CSV).status_code == 400
        dup = client.post("/api/uploads", headers={**h, "X-Bestandsnaam": "p_2025.csv"},
                          content=PROJECT_CSV)  # fmt: skip
        assert dup.status_code == 200 and dup.json()["status"] == "al_ontvangen"

    status = delivery_status(
        Registry.load(home.registry).organisations(), audit.read(home.audit_log), 2025
    )
    assert dict(zip(status["organisatie_id"], status["status"], strict=True)) == {
        "ORG1": "geleverd", "ORG2": "niet_geleverd", "ORG3": "niet_geleverd",
    }  # fmt: skip
