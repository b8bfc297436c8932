"""Ask Dagster for an organisation's run as soon as its delivery is in.

Without this, a stored upload waits for the inbox sensor's next tick (every 30 s). With it, the
service asks the Dagster webserver (`dagster dev`, `RENDEMENT_DAGSTER_URL`, default
http://127.0.0.1:3000) for a run of the job for the organisation's partition, through Dagster's
own GraphQL client; an organisation's first delivery makes it a partition first (Dagster's
GraphQL API), as the sensor would. The sensor stays as the safety net: whatever this misses
(Dagster not up, a failed request) it picks up on its next tick, and it starts nothing while the
run asked for here is queued or running (same organisation tag).

One run per organisation however many files arrive together: a delivery arrives as one request
per file, so the run is asked for only after the organisation's uploads have been quiet for
`QUIET_SECONDS`; and while the run asked for earlier has not started yet, no second one is asked
for (that run takes in the whole inbox when its intake step starts).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from urllib.parse import urlsplit

from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError
from gql import Client, gql
from gql.transport.exceptions import TransportError
from gql.transport.requests import RequestsHTTPTransport
from starlette.concurrency import run_in_threadpool

from rendement.core.home import Home
from rendement.core.runs import (
    FILES_TAG,
    ORGANISATION_TAG,
    ORGANISATIONS,
    PARTITION_TAG,
    PROCESS_JOB,
)
from rendement.intake.accept import pending_uploads

URL_ENV = "RENDEMENT_DAGSTER_URL"
DEFAULT_URL = "http://127.0.0.1:3000"  # where `dagster dev` listens by default
OFF = {"", "uit", "off", "0"}
QUIET_SECONDS = 1.0
NOT_STARTED = {"QUEUED", "NOT_STARTED", "STARTING"}

log = logging.getLogger("rendement.service.trigger")

# Dagster's GraphQL API (the client above has no call for partitions): where the job lives, and
# adding an organisation's partition, as the inbox sensor does for a new organisation.
REPOSITORIES = gql(
    """query RendementRepositories { repositoriesOrError { __typename
       ... on RepositoryConnection { nodes { name location { name } pipelines { name } } } } }"""
)
ADD_PARTITION = gql(
    """mutation RendementAddPartition($selector: RepositorySelector!, $name: String!,
       $key: String!) { addDynamicPartition(repositorySelector: $selector,
       partitionsDefName: $name, partitionKey: $key) { __typename } }"""
)
PARTITION_ADDED = {"AddDynamicPartitionSuccess", "DuplicateDynamicPartitionError"}


class RunTrigger:
    """Asks Dagster for one run per organisation after its uploads have been quiet a moment."""

    def __init__(self, home: Home, url: str | None, quiet: float = QUIET_SECONDS):
        self.home = home
        self.url = url
        self.quiet = quiet
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task] = set()
        self._asked: dict[str, str] = {}  # organisation -> the run id asked for last
        self._lock = threading.Lock()
        self._client: DagsterGraphQLClient | None = None
        self._partitions: set[str] = set()  # organisations known to be partitions
        self._without_files: set[str] = set()  # organisations whose run is due without a file

    @classmethod
    def configured(cls, home: Home, url: str | None) -> RunTrigger:
        """`url`, else `RENDEMENT_DAGSTER_URL`, else off (an app made in code, as in the
        tests, asks nothing unless told); `uit` turns it off."""
        url = (url if url is not None else os.environ.get(URL_ENV, "")).strip()
        return cls(home, None if url.lower() in OFF else url)

    def nudge(self, org: str, *, without_files: bool = False) -> None:
        """An upload for `org` was stored: (re)start its quiet period. Call from the event loop.
        `without_files`: the run is due although nothing waits in the inbox (an analyst accepted
        the organisation's own value, which counts from its next run)."""
        if self.url is None:
            return
        if without_files:
            self._without_files.add(org)
        loop = asyncio.get_running_loop()
        if (timer := self._timers.pop(org, None)) is not None:
            timer.cancel()
        self._timers[org] = loop.call_later(self.quiet, self._fire, org)

    def _fire(self, org: str) -> None:
        self._timers.pop(org, None)
        task = asyncio.get_running_loop().create_task(run_in_threadpool(self.request_run, org))
        self._tasks.add(task)  # keep a reference until done
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Ask now for every organisation still in its quiet period (at shutdown)."""
        for org in list(self._timers):
            self._timers.pop(org).cancel()
            await run_in_threadpool(self.request_run, org)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def client(self) -> DagsterGraphQLClient:
        if self._client is None:
            parts = urlsplit(self.url)
            self._client = DagsterGraphQLClient(
                parts.hostname or "127.0.0.1",
                port_number=parts.port,
                use_https=parts.scheme == "https",
                path_prefix=parts.path.rstrip("/"),
                timeout=30,
            )
        return self._client

    def ensure_partition(self, org: str) -> None:
        """Make the organisation a partition of `organisaties` if it is not one yet (its first
        delivery), so that its first run need not wait for the sensor either."""
        if org in self._partitions:
            return
        transport = RequestsHTTPTransport(url=f"{self.url.rstrip('/')}/graphql", timeout=30)
        with Client(transport=transport) as session:
            found = session.execute(REPOSITORIES)["repositoriesOrError"]
            selector = next(
                {"repositoryLocationName": repo["location"]["name"], "repositoryName": repo["name"]}
                for repo in found.get("nodes", [])
                if any(job["name"] == PROCESS_JOB for job in repo["pipelines"])
            )
            request = {"selector": selector, "name": ORGANISATIONS, "key": org}
            answer = session.execute(ADD_PARTITION, variable_values=request)
        if answer["addDynamicPartition"]["__typename"] in PARTITION_ADDED:
            self._partitions.add(org)

    def request_run(self, org: str, *, without_files: bool = False) -> str | None:
        """Ask Dagster for the organisation's run unless one asked for earlier has not started
        yet; returns the new run's id. Failures are logged and left to the inbox sensor (which
        only sees files: a run due without one waits for the next delivery or sector run)."""
        with self._lock:
            files = pending_uploads(self.home, org)
            due = without_files or org in self._without_files
            if not files and not due:
                return None
            try:
                earlier = self._asked.get(org)
                if earlier and self.client().get_run_status(earlier).value in NOT_STARTED:
                    return None
                self.ensure_partition(org)
                run_id = self.client().submit_job_execution(
                    PROCESS_JOB,
                    tags={PARTITION_TAG: org, ORGANISATION_TAG: org, FILES_TAG: str(len(files))},
                )
            except (
                DagsterGraphQLClientError,
                TransportError,
                StopIteration,
                KeyError,
                OSError,
            ) as exc:
                log.warning(
                    "Dagster (%s) gaf geen run voor %s; de inbox-sensor pakt de levering op bij "
                    "zijn volgende controle (%s).",
                    self.url,
                    org,
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                )
                return None
            self._asked[org] = run_id
            self._without_files.discard(org)
            return run_id


__all__ = ["DEFAULT_URL", "OFF", "QUIET_SECONDS", "URL_ENV", "RunTrigger"]
