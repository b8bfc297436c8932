"""Memory of a process and its descendants, from /proc (Linux), without extra packages.

`ru_maxrss` (stdlib `resource`) gives the exact peak of one process, and of its largest waited-for
child; what a machine's memory budget is about is the *sum* over the process tree at one moment
(the pipeline process plus its pool workers). `TreeSampler` samples that sum a few times per
second on a thread and keeps the peak and a timeline, so that peaks can be attributed to the
stages that ran at the time.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024


def _children(pid: int) -> list[int]:
    out: list[int] = []
    tasks = Path(f"/proc/{pid}/task")
    try:
        for task in tasks.iterdir():
            try:
                out += [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                continue
    except OSError:
        pass
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _cpu(pid: int) -> float:
    """CPU seconds of a process, including its finished (waited-for) children."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / TICK  # utime stime cutime cstime
    except (OSError, IndexError, ValueError):
        return 0.0


def _tree(root: int) -> list[int]:
    todo, seen = [root], []
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.append(p)
            todo += _children(p)
    return seen


def maxrss_mb() -> dict[str, float]:
    """Exact peaks from the kernel: this process, and the largest finished child."""
    return {
        "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


class TreeSampler:
    """Samples the resident bytes and CPU seconds of this process and all its descendants every
    `interval` seconds on a daemon thread."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.samples: list[tuple[float, int, float]] = []  # (unix time, bytes, cpu seconds)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def _sample(self) -> None:
        tree = _tree(os.getpid())
        self.samples.append((time.time(), sum(map(_rss, tree)), sum(map(_cpu, tree))))

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def peak_mb(self, start: float | None = None, end: float | None = None) -> float:
        """Peak of the sampled tree total between two unix times (whole run without them)."""
        values = [
            b
            for t, b, _c in self.samples
            if (start is None or t >= start - self.interval)
            and (end is None or t <= end + self.interval)
        ]
        return max(values, default=0) / MB

    def cpu_seconds(self, start: float | None = None, end: float | None = None) -> float:
        """CPU seconds of the tree between two unix times (nearest samples)."""
        if not self.samples:
            return 0.0

        def at(when: float | None, default: int) -> float:
            if when is None:
                return self.samples[default][2]
            return min(self.samples, key=lambda s: abs(s[0] - when))[2]

        return max(0.0, at(end, -1) - at(start, 0))
