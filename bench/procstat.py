"""CPU time and resident memory of a process, read from /proc (Linux), without psutil."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Sample:
    wall: float  # time.monotonic()
    cpu_seconds: float  # user + system, the process and its waited-for children
    rss_bytes: int


def sample(pid: int) -> Sample:
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may contain spaces; the fields after it are fixed.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return Sample(
        wall=time.monotonic(),
        cpu_seconds=(utime + stime + cutime + cstime) / _TICKS,
        rss_bytes=rss_pages * _PAGE,
    )


def cpu_share(before: Sample, after: Sample) -> float:
    """CPU used between two samples, as a share of one core (1.0 = one core busy)."""
    wall = after.wall - before.wall
    return (after.cpu_seconds - before.cpu_seconds) / wall if wall > 0 else 0.0
