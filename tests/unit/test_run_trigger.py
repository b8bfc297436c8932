"""Which Dagster the upload service asks for runs (rendement/service/trigger.py): the explicit
address, else RENDEMENT_DAGSTER_URL, else none; 'uit' turns it off; without an address a stored
upload asks nothing."""

from __future__ import annotations

import asyncio

import pytest

from rendement.core.home import Home
from rendement.service.trigger import URL_ENV, RunTrigger


@pytest.fixture
def home(tmp_path):
    return Home(tmp_path / "home").ensure()


def test_the_address_comes_from_the_option_then_the_environment(home, monkeypatch):
    monkeypatch.delenv(URL_ENV, raising=False)
    assert RunTrigger.configured(home, None).url is None  # an app made in code asks nothing
    assert RunTrigger.configured(home, "http://127.0.0.1:3000").url == "http://127.0.0.1:3000"
    monkeypatch.setenv(URL_ENV, "http://dagster.intern:3070/pad")
    assert RunTrigger.configured(home, None).url == "http://dagster.intern:3070/pad"
    assert RunTrigger.configured(home, "http://127.0.0.1:3001").url == "http://127.0.0.1:3001"
    for off in ("uit", "UIT", "off", ""):
        assert RunTrigger.configured(home, off).url is None


def test_uploads_in_quick_succession_are_one_request_after_the_quiet_period(home):
    asked: list[str] = []

    class Recording(RunTrigger):
        def request_run(self, org: str) -> str | None:
            asked.append(org)
            return None

    async def deliver() -> None:
        # a quiet period far longer than the gaps, so a loaded machine cannot fire one early
        trigger = Recording(home, "http://127.0.0.1:9", quiet=1.0)
        for _ in range(4):
            trigger.nudge("ORG1")
            await asyncio.sleep(0.01)
        trigger.nudge("ORG2")
        assert asked == []  # nothing while the uploads keep coming
        await asyncio.sleep(1.5)
        await trigger.drain()

    asyncio.run(deliver())
    assert sorted(asked) == ["ORG1", "ORG2"]


def test_without_an_address_nothing_is_scheduled(home):
    async def nudge() -> RunTrigger:
        trigger = RunTrigger(home, None)
        trigger.nudge("ORG1")
        return trigger

    assert asyncio.run(nudge())._timers == {}
