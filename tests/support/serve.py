"""`lov serve` as a real process (`Service`), and the project root it runs in."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from starter.serve import READY_LINE

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _ppid_and_state(pid: int) -> tuple[int, str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces: split after the last ')'.
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0]


def descendants(pid: int) -> set[int]:
    """All live processes below `pid` (children, grandchildren, …), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := _ppid_and_state(int(entry.name))):
            parents[int(entry.name)] = info[0]
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


class Service:
    """One `lov serve` process; output goes to a file so a full pipe can never block it."""

    def __init__(self, var_dir: Path, env: dict[str, str], name: str) -> None:
        self.output = var_dir.parent / f"{name}.out"
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "starter", "serve"],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    async def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while READY_LINE not in self.text():
            if self.process.poll() is not None:
                pytest.fail(f"lov serve exited with {self.process.returncode}:\n{self.text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"lov serve not ready after {timeout}s:\n{self.text()}")
            await asyncio.sleep(0.2)

    async def stop(self, sig: signal.Signals, timeout: float = 60.0) -> int:
        self.process.send_signal(sig)
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"lov serve did not stop within {timeout}s:\n{self.text()}")
            await asyncio.sleep(0.1)
        return self.process.returncode

    def kill(self) -> None:
        for pid in descendants(self.process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
