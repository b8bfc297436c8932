"""The pre-flight in a child process with a memory and a time limit.

Reading an upload is the one thing the service does whose cost the sender controls. The limits
on workbooks (`sources.workbook_limits`) refuse the known shapes before reading; this is the
backstop for everything else: the pre-flight runs in a fresh Python process (`python -m
rendement.service.sandbox`, started per upload: a fork of the threaded server could inherit
held locks) whose address space is capped with `resource.setrlimit(RLIMIT_AS)` before it
imports anything, and which is killed when it runs longer than the time limit. Either way the
upload is refused with a Dutch message and nothing is stored (docs/uploadservice.md,
"Grenzen").

When the service is asked to stop (SIGTERM, Ctrl-C: `stop_all`, called from `rendement serve`),
running children are killed at once and no new one starts, so shutdown never waits for a
pre-flight; the request gets a 503 and its temp files are removed.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from rendement.core.formatting import nl_number

MiB = 1024 * 1024
OUT_OF_MEMORY = 3  # the child's exit code when it ran out of memory
# How running out of the capped address space shows on the child's stderr: Python, Rust
# (polars, calamine), C/C++ allocators, and thread pools that cannot reserve a stack.
_OUT_OF_MEMORY_SIGNS = (
    b"MemoryError",
    b"memory allocation of",
    b"Cannot allocate memory",
    b"bad_alloc",
    b"failed to spawn thread",
    b"Errno 12",
    b"out of memory",
)


@dataclass(frozen=True)
class Limits:
    """Per pre-flight: address space of the child process and wall-clock time."""

    memory_mb: int = 2048
    seconds: float = 120.0


class Stopped(Exception):
    """The service is shutting down: the pre-flight was stopped or not started."""


class TooCostly(Exception):
    """The pre-flight passed a limit; `code` and the Dutch `message` go on the refusal."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


_children: set[subprocess.Popen] = set()
_lock = threading.Lock()
_closing = threading.Event()


def stop_all() -> None:
    """Kill every running pre-flight and start no new one (the service is stopping)."""
    _closing.set()
    with _lock:
        children = list(_children)
        _spares.clear()
    for child in children:
        try:
            child.kill()
        except ProcessLookupError:
            pass


def stopping() -> bool:
    return _closing.is_set()


_spares: dict[Limits, subprocess.Popen] = {}


def _start(limits: Limits) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-m", "rendement.service.sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_child_env(limits),
        start_new_session=True,  # a Ctrl-C in the terminal reaches the server, not the child
    )
    _children.add(child)
    return child


def _take_spare(limits: Limits) -> subprocess.Popen:
    """A child for this pre-flight, and a spare started for the next one: a child spends
    seconds importing the reader before it reads its job, so one is kept ready (it waits on
    stdin, capped like any other)."""
    with _lock:
        child = _spares.pop(limits, None)
        if child is None or child.poll() is not None:
            child = _start(limits)
        if not _closing.is_set():
            _spares[limits] = _start(limits)
    return child


def _child_env(limits: Limits) -> dict[str, str]:
    env = dict(os.environ)
    # one reader thread: fewer thread stacks and malloc arenas in the capped address space
    env.update(POLARS_MAX_THREADS="1", MALLOC_ARENA_MAX="2", RAYON_NUM_THREADS="1")
    env["RENDEMENT_SANDBOX_MB"] = str(limits.memory_mb)
    env["RENDEMENT_SANDBOX_SECONDS"] = str(limits.seconds)
    # one file, one thread: thread pools reserve address space per thread (OpenBLAS at import,
    # polars' pool), which would make the cap depend on the machine's number of cores
    env["OPENBLAS_NUM_THREADS"] = "1"
    env["POLARS_MAX_THREADS"] = "1"
    return env


def run_preflight(path: Path, *, organisatie_id: str, home_root: Path, limits: Limits) -> dict:
    """The pre-flight document of `path` (as `rendement.intake.preflight`, judged with the
    organisation's earlier deliveries in the data home at `home_root`, with `geaccepteerd` and
    `tekst`), computed in a child process; raises TooCostly or Stopped."""
    if _closing.is_set():
        raise Stopped()
    job = {"pad": str(path), "organisatie_id": organisatie_id, "home": str(home_root)}
    child = _take_spare(limits)
    try:
        if _closing.is_set():  # stop_all ran between the check above and the registration
            child.kill()
        try:
            out, err = child.communicate(json.dumps(job).encode(), timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            if _closing.is_set():
                raise Stopped() from None
            raise TooCostly(
                "voorcontrole_te_lang",
                "Het controleren van dit bestand duurde langer dan "
                f"{nl_number(limits.seconds, 0 if float(limits.seconds).is_integer() else 1)} seconden "
                "en is afgebroken; het bestand is niet opgeslagen. Lever grote tabellen als CSV "
                "aan, of splits het bestand per tabel of per jaar.",
            ) from None
    finally:
        with _lock:
            _children.discard(child)
    if _closing.is_set():
        raise Stopped()
    out_of_memory = any(sign in err for sign in _OUT_OF_MEMORY_SIGNS)
    if child.returncode == OUT_OF_MEMORY or (child.returncode != 0 and out_of_memory):
        raise TooCostly(
            "voorcontrole_te_zwaar",
            f"Het controleren van dit bestand had meer dan {nl_number(limits.memory_mb)} MB "
            "geheugen nodig en is afgebroken; het bestand is niet opgeslagen. Lever grote "
            "tabellen als CSV aan, of splits het bestand per tabel of per jaar.",
        )
    if child.returncode != 0:
        raise RuntimeError(f"pre-flight child failed ({child.returncode})")
    return json.loads(out)


def _main() -> int:
    """In the child: cap the address space, then run the pre-flight on the job from stdin and
    write its document to stdout."""
    limit = int(os.environ.get("RENDEMENT_SANDBOX_MB", "2048")) * MiB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # CPU time as a backstop for the parent's clock: a child whose service was killed (-9)
    # does not read on for minutes (a waiting spare uses none, and ends when stdin closes)
    cpu = int(float(os.environ.get("RENDEMENT_SANDBOX_SECONDS", "120"))) + 10
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    try:
        from rendement.core.home import Home  # after the cap: imports count too
        from rendement.intake.preflight import preflight

        job = json.loads(sys.stdin.buffer.read() or b"null")  # a spare waits here
        if job is None:
            return 0  # the service stopped before it needed this spare
        result = preflight(
            Path(job["pad"]), home=Home(Path(job["home"])), organisatie_id=job["organisatie_id"]
        )
        document = {**result.document, "geaccepteerd": result.accepted, "tekst": result.text}
        out = json.dumps(document, ensure_ascii=False, default=str)
    except MemoryError:
        return OUT_OF_MEMORY
    sys.stdout.write(out)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_main())
